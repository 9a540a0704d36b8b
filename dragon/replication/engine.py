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

"""The engine's side of replication: claim a copy, run it, record its state.

A checkpoint of a policy with a replication target is copied right after
it becomes ``available``, by the engine that protected it, with the run's
own trust (released only afterwards).  The copy's state lives in
``checkpoints.replication`` with the engine's host and a claim; an engine
that dies mid-copy leaves it ``replicating``, and any engine's periodic
takeover (``take_over``) claims it by compare-and-swap and copies again:
what the target already holds is not copied twice (``copier``).  One that
dies before claiming the copy leaves no state at all, only the run's
trust: the same periodic pass copies such checkpoints
(``copy_unclaimed``).
"""

import datetime
import time
from typing import Any
import uuid

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import gc
from dragon.checkpoint import store
from dragon.cloud import clients as clients_mod
from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon import identity
from dragon.replication import bandwidth
from dragon.replication import copier as copier_mod
from dragon import statuses

LOG = logging.getLogger(__name__)
STATUS = statuses.Replication
# The longest wait between two attempts of a failed copy, in seconds.
MAX_RETRY_INTERVAL = 3600


def target_of(policy: Any) -> str | None:
    """The region a policy replicates to; ``None`` if it does not."""
    return (getattr(policy, 'replication', None) or {}).get('target_region')


def _clients(conf: cfg.ConfigOpts, trust_id: str
             ) -> clients_mod.ServiceClients:
    session = identity.trust_session(conf, trust_id)
    return clients_mod.ServiceClients(session, conf.engine.region_name, conf)


def _state(target: str, host: str, claim: str | None, status: str,
           **values: Any) -> dict[str, Any]:
    state = {'status': status, 'target_region': target, 'host': host,
             'claim': claim, 'bytes': 0, 'bytes_total': 0, 'error': None}
    state.update(values)
    return state


class _Progress:
    """Writes bytes copied at most every ``interval`` seconds (claim-guarded)."""

    def __init__(self, admin: Any, checkpoint_id: str, state: dict[str, Any],
                 interval: float) -> None:
        self.admin = admin
        self.checkpoint_id = checkpoint_id
        self.state = state
        self.interval = interval
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        value = dict(self.state, bytes=done, bytes_total=total)
        if not db_api.checkpoint_replication_swap(
                self.admin, self.checkpoint_id, self.state['claim'], value):
            raise exception.RunTakenOver(id=self.checkpoint_id,
                                         host='another engine')


def replicate(conf: cfg.ConfigOpts, checkpoint_id: str, host: str,
              expected_claim: str | None = None, unstarted: bool = False,
              note: str | None = None) -> str | None:
    """Copy an available checkpoint to its policy's target; record how it went.

    :param expected_claim: the claim of a copy being taken over; ``None``
        for a first copy (or one that ended: failed copies start again).
    :param unstarted: claim only a checkpoint no copy was ever started for.
    :param note: a warning event recorded once the copy is claimed.
    :returns: the copy's final status, or ``None`` if there was nothing to
        do (no target, no container, another engine has it).
    """
    admin = dragon_context.get_admin_context()
    checkpoint = db_api.checkpoint_get(admin, checkpoint_id)
    policy = db_api.workload_policy_get(admin, checkpoint.policy_id)
    target = target_of(policy) or (checkpoint.replication or {}).get(
        'target_region')
    if not target or not checkpoint.container:
        return None
    claim = uuid.uuid4().hex
    started = timeutils.utcnow().isoformat() + 'Z'
    attempts = int((checkpoint.replication or {}).get('attempts') or 0) + 1
    state = _state(target, host, claim, STATUS.REPLICATING,
                   started_at=started, attempts=attempts)
    if not db_api.checkpoint_replication_swap(admin, checkpoint_id,
                                              expected_claim, state,
                                              unstarted=unstarted):
        LOG.info("checkpoint %s: its replication is another engine's",
                 checkpoint_id)
        return None
    if note:
        db_api.checkpoint_event_add(admin, checkpoint_id, 'warning', note)
    db_api.checkpoint_event_add(admin, checkpoint_id, 'info',
                                'replication to %s started' % target)
    try:
        if not checkpoint.trust_id:
            raise exception.ReplicationNoTrust(id=checkpoint_id)
        clients = _clients(conf, checkpoint.trust_id)
        result = copier_mod.Copier(
            clients.swift, clients.in_region(target).swift,
            checkpoint.project_id, checkpoint.container,
            conf.replication.workers,
            progress=_Progress(admin, checkpoint_id, state,
                               conf.replication.progress_interval),
            stale=gc.stale_mark(conf),
            throttle=bandwidth.for_rate(
                conf.replication.max_bytes_per_second)).run()
    except exception.RunTakenOver:
        LOG.warning("checkpoint %s: replication taken over", checkpoint_id)
        return None
    except Exception as e:  # noqa: BLE001 - recorded on the checkpoint
        reason = exception.one_line(e)
        if not isinstance(e, exception.DragonException):
            LOG.error("checkpoint %s: replication failed", checkpoint_id,
                      exc_info=e)
        again = attempts < conf.replication.max_attempts
        delay = min(conf.replication.retry_interval * 2 ** (attempts - 1),
                    MAX_RETRY_INTERVAL)
        retry_at = timeutils.utcnow() + datetime.timedelta(seconds=delay)
        db_api.checkpoint_replication_swap(
            admin, checkpoint_id, claim,
            _state(target, host, None, STATUS.FAILED, error=reason,
                   started_at=started, attempts=attempts,
                   retry_at=retry_at.isoformat() if again else None))
        db_api.checkpoint_event_add(
            admin, checkpoint_id, 'error',
            'replication to %s failed (attempt %d of %d): %s%s' % (
                target, attempts, conf.replication.max_attempts, reason,
                '; tried again in %d s' % delay if again else ''))
        return STATUS.FAILED
    db_api.checkpoint_replication_swap(
        admin, checkpoint_id, claim,
        _state(target, host, None, STATUS.REPLICATED,
               bytes=result.bytes_total, bytes_total=result.bytes_total,
               started_at=started, attempts=attempts,
               finished_at=timeutils.utcnow().isoformat() + 'Z',
               copied_bytes=result.bytes_copied - result.bytes_present,
               copied_chunks=result.copied_chunks,
               present_chunks=result.present_chunks))
    db_api.checkpoint_event_add(
        admin, checkpoint_id, 'info',
        'replicated to %s: %d chunks copied, %d already there'
        % (target, result.copied_chunks, result.present_chunks))
    return STATUS.REPLICATED


def take_over(conf: cfg.ConfigOpts, host: str, owner: str | None = None,
              dead_before: Any = None,
              running: frozenset[str] = frozenset()) -> list[str]:
    """Resume the copies of ``owner`` (this engine, restarted) or of dead engines.

    :returns: the ids of the checkpoints whose copy was resumed and ended;
        the caller releases the trust their dead engine held.
    """
    admin = dragon_context.get_admin_context()
    resumed = []
    for row in db_api.checkpoint_replication_orphans(admin, owner,
                                                     dead_before):
        if row.id in running:
            continue
        old = row.replication or {}
        LOG.warning("checkpoint %s: replication left by engine %s resumed "
                    "by engine %s", row.id, old.get('host'), host)
        db_api.checkpoint_event_add(
            admin, row.id, 'warning',
            'the engine replicating it (host %s) stopped; resumed by engine '
            '%s, without copying again what the target holds'
            % (old.get('host'), host))
        try:
            status = replicate(conf, row.id, host, old.get('claim'))
            if status and not holds_trust(db_api.checkpoint_get(
                    admin, row.id).replication, conf):
                resumed.append(row.id)
        except Exception:
            LOG.exception("checkpoint %s: replication not resumed", row.id)
    return resumed


def copy_unclaimed(conf: cfg.ConfigOpts, host: str,
                   dead_before: Any = None,
                   running: frozenset[str] = frozenset()) -> list[str]:
    """Copy the checkpoints whose engine died before claiming their copy.

    Such a checkpoint has no replication state for ``take_over`` to find;
    ``replicate`` claims it by compare-and-swap, expecting no state at all,
    so of two engines sweeping at once, or of a sweeper and an engine that
    was only late, one copies it, once.

    :returns: the ids of those whose copy ended (the caller releases the
        trust their dead engine held).
    """
    admin = dragon_context.get_admin_context()
    ended = []
    for row in db_api.checkpoint_replication_unclaimed(admin, host,
                                                       dead_before):
        if row.id in running:
            continue
        LOG.warning("checkpoint %s: available without a copy; engine %s "
                    "copies it", row.id, host)
        note = ('the engine that protected it (host %s) stopped before its '
                'replication started; replicated by engine %s' % (row.host,
                                                                   host))
        try:
            status = replicate(conf, row.id, host, unstarted=True,
                               note=note)
        except Exception:
            LOG.exception("checkpoint %s: replication not started", row.id)
            continue
        if status and not holds_trust(db_api.checkpoint_get(
                admin, row.id).replication, conf):
            ended.append(row.id)
    return ended


def holds_trust(state: dict[str, Any] | None, conf: cfg.ConfigOpts) -> bool:
    """Whether a copy still needs the run's trust: running, or failed and
    to be tried again.
    """
    state = state or {}
    if state.get('status') == STATUS.REPLICATING:
        return True
    return (state.get('status') == STATUS.FAILED and bool(state.get(
        'retry_at')) and int(state.get('attempts') or 0) <
        conf.replication.max_attempts)


def retry_failed(conf: cfg.ConfigOpts, host: str,
                 running: frozenset[str] = frozenset()) -> list[str]:
    """Copy again the failed copies whose wait is over.

    :returns: the ids of those that ended for good (replicated, or failed
        the last time): the caller releases their trust.
    """
    admin = dragon_context.get_admin_context()
    now = timeutils.utcnow()
    ended = []
    for row in db_api.checkpoint_replication_get_failed(admin):
        retry_at = (row.replication or {}).get('retry_at')
        if row.id in running or not retry_at or \
                datetime.datetime.fromisoformat(retry_at) > now:
            continue
        try:
            status = replicate(conf, row.id, host)
        except Exception:
            LOG.exception("checkpoint %s: replication not retried", row.id)
            continue
        if status and not holds_trust(db_api.checkpoint_get(
                admin, row.id).replication, conf):
            ended.append(row.id)
    return ended


def delete_copy(conf: cfg.ConfigOpts, clients: Any, checkpoint: Any) -> None:
    """Delete the target's copy of a checkpoint being deleted, mark first.

    Its chunks stay for the target's gc (shared with other copies).

    :raises dragon.exception.CheckpointStoreError: the target's Swift
        failed; the checkpoint stays, to be deleted again.
    """
    target = (checkpoint.replication or {}).get('target_region')
    if not target or not checkpoint.container:
        return
    store.delete(clients.in_region(target).swift(), checkpoint.container)
    LOG.info("checkpoint %s: copy at %s deleted", checkpoint.id, target)
