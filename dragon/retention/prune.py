# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Pruning: delete the checkpoints a policy's retention no longer keeps.

Called by the engine right after a checkpoint of the policy ends
``available``, with the run's Swift connection. Each checkpoint goes the
way a requested delete goes: a compare-and-swap to ``deleting`` (which
refuses a checkpoint put on hold or no longer ``available`` since the
plan was made), its container (completion mark and manifest first, so
it stops being a recovery point before anything else goes), then its row.
Chunks are not touched: ``dragon-manage chunks gc`` and the engine's
periodic gc reclaim those no checkpoint references any more.
"""

import dataclasses
import datetime
from typing import Any, Callable

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import store
from dragon.common import timeutils
from dragon.db import api as db_api
from dragon import exception
from dragon.retention import rules
from dragon import statuses

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class PruneResult:
    """What one pass did: checkpoints deleted, how many kept, what failed."""

    deleted: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    kept: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)


def _isotime(value: datetime.datetime | None) -> str | None:
    # As the API shows times.
    return value.replace(tzinfo=datetime.UTC).isoformat() if value else None


def _summary(checkpoint: Any, reasons: list[str]) -> dict[str, Any]:
    return {'id': checkpoint.id, 'container': checkpoint.container,
            'created_at': _isotime(checkpoint.created_at),
            'captured_at': _isotime(checkpoint.captured_at),
            'reasons': list(reasons)}


def prune(context: Any, conf: cfg.ConfigOpts, policy: Any, swift: Any,
          now: datetime.datetime | None = None,
          timezone: str = 'UTC',
          release: Callable[[Any], None] | None = None) -> PruneResult:
    """Delete the checkpoints of ``policy`` its retention does not keep.

    :param context: an admin context (the database calls).
    :param policy: the workload policy row; ``options['retention']``.
    :param swift: a swiftclient connection to the policy's project (the
        engine passes the run's trust-scoped one).
    :param now: naive UTC (default: now), what ``max_age`` counts from.
    :param timezone: the periods' time zone when the retention names none
        (the schedule's).
    :param release: ``release(checkpoint)`` deletes what the checkpoint
        holds outside its container (its cinder-backup backups), before
        the container; a failure leaves the checkpoint ``error``.
    :returns: a ``PruneResult``. A checkpoint that was put on hold or left
        ``available`` since the plan is skipped and counted as kept. One
        that fails to delete is left ``error`` with the reason (and
        listed in ``errors``), and the others are still deleted. Never
        ``available`` again: Swift may already have lost its completion
        mark or manifest, so it may no longer be a whole recovery point;
        ``error`` is also what a failed requested delete leaves, and a
        person may delete it again.
    """
    now = now or timeutils.utcnow()
    retention = (policy.options or {}).get('retention')
    checkpoints = db_api.checkpoint_get_all(context, policy_id=policy.id)
    by_id = {c.id: c for c in checkpoints}
    result = PruneResult()
    for verdict in rules.plan(checkpoints, retention, now, timezone):
        if verdict.keep:
            result.kept += 1
            continue
        checkpoint = by_id[verdict.checkpoint_id]
        if not db_api.checkpoint_mark_deleting(context, checkpoint.id,
                                               host=conf.engine.host):
            LOG.info("retention of policy %s: checkpoint %s was held, "
                     "is being recovered or changed since the plan; kept",
                     policy.id,
                     checkpoint.id)
            result.kept += 1
            continue
        try:
            if checkpoint.container:
                if release is not None:
                    release(checkpoint)
                store.delete(swift, checkpoint.container)
            db_api.checkpoint_delete(context, checkpoint.id)
        except Exception as e:  # noqa: BLE001 - one must not stop the rest
            reason = exception.one_line(e)
            LOG.warning("retention of policy %s: checkpoint %s not "
                        "deleted: %s", policy.id, checkpoint.id, reason)
            result.errors.append('checkpoint %s: %s' % (checkpoint.id,
                                                         reason))
            _failed(context, checkpoint.id, reason)
            continue
        LOG.info("retention of policy %s deleted checkpoint %s",
                 policy.id, checkpoint.id)
        result.deleted.append(_summary(checkpoint, verdict.reasons))
    return result


def _failed(context: Any, checkpoint_id: str, reason: str) -> None:
    """Leave a checkpoint whose deletion failed ``error``, saying why."""
    message = ('retention could not delete it (%s); its container may be '
               'partly deleted: delete it again' % reason)
    try:
        db_api.checkpoint_update(
            context, checkpoint_id,
            {'status': statuses.Checkpoint.ERROR, 'error': message,
             'host': None},
            expected_status=(statuses.Checkpoint.DELETING,))
        db_api.checkpoint_event_add(context, checkpoint_id, 'error', message)
    except Exception:  # noqa: BLE001 - the orphan check fails it later
        LOG.exception("checkpoint %s: cannot record its failed deletion",
                      checkpoint_id)
