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

"""The engine's side of an in-place restore: the plan, stored on the row.

Only the dry run exists: the checkpoint is read, checked against the
region it is restored into (its own), the selection is closed over its
dependencies, and each member's fate is written to the recovery's
plan with one event per member.  Nothing in the region is changed.
The API refuses an in-place restore that is not a dry run; one that
reaches an engine anyway (an older API) ends in error, untouched.
"""

from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import keyring
from dragon.common import progress
from dragon.common import timeutils
from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.protection import recorder as rec
from dragon.recovery.in_place import lookup as lookup_mod
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery import selection
from dragon import statuses

LOG = logging.getLogger(__name__)

STATUS = statuses.Recovery
NOT_BUILT = ('in-place restore can only be planned for now (dry_run); '
             'replacing resources in place is not built yet')


def check_region(manifest: dict[str, Any], region: str) -> None:
    """In-place goes into the checkpoint's own region only.

    :raises dragon.exception.InPlaceWrongRegion:
    """
    source = manifest.get('source_region')
    if source != region:
        raise exception.InPlaceWrongRegion(region=region,
                                           source=source or 'unknown')


def compute(manifest: dict[str, Any], resources: list[str] | None,
            lookup: plan_mod.Lookup) -> list[dict[str, Any]]:
    """The plan of restoring resources (all without) of manifest.

    :raises dragon.exception.SelectionInvalid: an id is not a member.
    """
    graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
    keys = selection.select(graph, list(resources or ()))
    return plan_mod.build(graph, keys, lookup)


def run(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
        recorder: rec.RunRecorder) -> bool:
    """Plan the in-place restore of recovery; never raises.

    :returns: whether the plan was made (the row is succeeded).
    """
    recorder.flush(force=True, started_at=timeutils.utcnow())
    recorder.phase(progress.PREPARING)
    recorder.event('info', 'in-place %s of %s in %s started' % (
        'dry run' if recovery.dry_run else 'restore',
        recovery.recovery_point, recovery.target_region))
    try:
        if not recovery.dry_run:
            raise exception.Invalid(reason=NOT_BUILT)
        # An encrypted checkpoint is opened with its key as read in its own
        # region (the plan needs its resource graph).
        manifest, _domain = keyring.open_checkpoint(
            conf, lambda: clients.base_session, clients.swift(),
            clients.region_name, recovery.recovery_point)
        if manifest['project_id'] != clients.project_id:
            raise exception.RecoveryPointNotFound(
                container=recovery.recovery_point,
                missing='a checkpoint of this project')
        check_region(manifest, recovery.target_region)
        plan = compute(manifest, recovery.resources,
                       lookup_mod.current(clients))
    except Exception as e:  # noqa: BLE001 - every failure ends the run
        reason = exception.one_line(e)
        if not isinstance(e, exception.DragonException):
            LOG.error("in-place plan of recovery %s failed", recovery.id,
                      exc_info=e)
        recorder.event('error', 'in-place restore failed: %s' % reason)
        recorder.flush(force=True, status=STATUS.ERROR, error=reason,
                       finished_at=timeutils.utcnow())
        return False
    with recorder.batched():
        for entry in plan:
            recorder.event('info', '%s: %s%s' % (
                entry['action'], entry['detail'],
                ''.join('; changed since the checkpoint: %s' % c
                        for c in entry['changes'])), entry['key'])
    recorder.event('info', 'dry run: %s; nothing was changed'
                   % plan_mod.summary(plan))
    recorder.flush(force=True, plan=plan, status=STATUS.SUCCEEDED,
                   error=None, finished_at=timeutils.utcnow())
    return True
