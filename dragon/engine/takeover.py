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

"""Runs whose engine died: protections taken over, recoveries rolled back, Swift the truth.

An engine dies (``kill -9``, a lost host) or loses its database at the
worst moment. Any live engine finds such runs (their engine's heartbeat is
older than ``[engine] service_down_time``, or it is this engine after a
restart, or this engine holds a run it is not running: a lost final
write) and takes each over with a compare-and-swap of the run's claim, so
the old owner's late writes are refused from then on. Then:

* a protection whose container is complete in Swift is ``available``: the
  container is the truth, only the row missed it;
* any other protection goes back to the front of the queue, its
  temporaries and incomplete container removed; the next run stores only
  the chunks Swift does not have yet (at most ``[engine] max_takeovers``
  times);
* a recovery is rolled back: its stack and restored data are removed and
  it ends ``error`` with the reason (Heat half-way through a stack cannot
  be resumed safely); an in-place restore has the workload's own volumes
  put back instead, and one closing its window (committing, rolling back)
  is closed again (``dragon.recovery.in_place.closing``); a failback run
  is resumed (cast again) before its recovery at home began, else rolled
  back with both sites as before it (``dragon.recovery.failback_takeover``).
"""

import dataclasses
from typing import Any, Callable

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import store
from dragon.cloud import clients as clients_mod
from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon import identity
from dragon.notifications import notifier
from dragon import statuses

LOG = logging.getLogger(__name__)

# The statuses of the protections taken over.
STATUS = statuses.Checkpoint


@dataclasses.dataclass(frozen=True)
class Outcome:
    row_id: str
    kind: str        # checkpoint or recovery
    result: str      # reconciled, requeued, failed, rolled_back


class Takeover:
    """What one engine does about the runs of dead engines."""

    def __init__(self, conf: cfg.ConfigOpts, host: str,
                 running: Callable[[], frozenset[str]] = frozenset) -> None:
        self.conf = conf
        self.host = host
        self.running = running

    def sweep(self, host: str | None = None, dead_before: Any = None
              ) -> list[Outcome]:
        """Take over the orphans of ``host`` or of engines dead before then."""
        admin = dragon_context.get_admin_context()
        protections = db_api.checkpoint_get_orphans(admin, host, dead_before)
        recoveries = db_api.recovery_get_orphans(admin, host, dead_before)
        # Read after the rows: a run this engine claimed before the query
        # is in the set by now (claims and submissions share one lock).
        running = frozenset(self.running())
        outcomes = []
        for step, rows in ((self.protection, protections),
                           (self.recovery, recoveries)):
            for row in rows:
                if row.id in running:
                    continue
                outcome = self._guarded(step, admin, row)
                if outcome:
                    outcomes.append(outcome)
        return outcomes

    def _guarded(self, step: Callable[..., Outcome | None], admin: Any,
                 row: Any) -> Outcome | None:
        try:
            return step(admin, row)
        except Exception:
            # The run stays ours (claimed) and is found again next sweep.
            LOG.exception("engine %s could not take over %s", self.host,
                          row.id)
            return None

    # -- protections
    def protection(self, admin: Any, row: Any) -> Outcome | None:
        claim = db_api.checkpoint_take_over(admin, row.id, row.claim,
                                            self.host)
        if claim is None:
            return None       # another engine was first
        dead = row.host or 'none'
        try:
            swift = self._swift(row)
        except Exception as e:  # noqa: BLE001 - cannot look: as before, fail
            reason = ('the engine running it (host %s) stopped, and its '
                      'container cannot be checked: %s' % (
                          dead, exception.one_line(e)))
            self._update(admin, row.id, claim, {
                'status': STATUS.ERROR, 'error': reason,
                'finished_at': timeutils.utcnow()})
            db_api.checkpoint_event_add(admin, row.id, 'error', reason)
            return Outcome(row.id, 'checkpoint', 'failed')
        if row.container and _complete(swift, row.container):
            return self._reconcile(admin, row, claim, swift, dead)
        takeovers = int((row.stats or {}).get('takeovers') or 0) + 1
        self._remove_leftovers(row)
        # A protection that kills its engine every time is not retried
        # forever.
        max_takeovers = self.conf.engine.max_takeovers
        if takeovers > max_takeovers:
            reason = ('its engine stopped %d times (last host %s); not '
                      'retried again' % (takeovers, dead))
            self._update(admin, row.id, claim, {
                'status': STATUS.ERROR, 'error': reason,
                'finished_at': timeutils.utcnow()})
            db_api.checkpoint_event_add(admin, row.id, 'error', reason)
            notifier.checkpoint_error(self.conf,
                                      db_api.checkpoint_get(admin, row.id))
            return Outcome(row.id, 'checkpoint', 'failed')
        self._update(admin, row.id, claim, {
            'status': STATUS.QUEUED, 'host': None, 'claim': None,
            'container': None, 'started_at': None, 'captured_at': None,
            'bytes_done': 0, 'bytes_total': 0, 'resources': [],
            'error': None, 'stats': {'takeovers': takeovers}})
        message = ('the engine running it (host %s) stopped; taken over by '
                   'engine %s: the protection starts again on the next free '
                   'engine (takeover %d of %d), and chunks already in Swift '
                   'are not uploaded again' % (dead, self.host, takeovers,
                                               max_takeovers))
        db_api.checkpoint_event_add(admin, row.id, 'warning', message)
        LOG.warning("checkpoint %s: %s", row.id, message)
        return Outcome(row.id, 'checkpoint', 'requeued')

    def _swift(self, row: Any) -> Any:
        session = identity.trust_session(self.conf, row.trust_id)
        return clients_mod.ServiceClients(
            session, self.conf.engine.region_name, self.conf).swift()

    def _reconcile(self, admin: Any, row: Any, claim: str, swift: Any,
                   dead: str) -> Outcome:
        try:
            manifest = store.read_manifest(swift, row.container)
        except exception.DragonException:
            manifest = {}
        values: dict[str, Any] = {
            'status': STATUS.AVAILABLE, 'error': None,
            'finished_at': row.finished_at or timeutils.utcnow()}
        if manifest.get('stats'):
            values['stats'] = manifest['stats']
        self._update(admin, row.id, claim, values)
        message = ('the engine running it (host %s) stopped after the '
                   'checkpoint was complete in Swift; reconciled from Swift '
                   'by engine %s' % (dead, self.host))
        db_api.checkpoint_event_add(admin, row.id, 'info', message)
        LOG.warning("checkpoint %s: %s", row.id, message)
        notifier.checkpoint_end(self.conf,
                                db_api.checkpoint_get(admin, row.id))
        return Outcome(row.id, 'checkpoint', 'reconciled')

    def _remove_leftovers(self, row: Any) -> None:
        from dragon.protection import workflow
        workflow.cleanup_orphan(self.conf, row.id)

    @staticmethod
    def _update(admin: Any, row_id: str, claim: str,
                values: dict[str, Any]) -> None:
        db_api.checkpoint_update(admin, row_id, values,
                                 expected_status=(STATUS.PROTECTING,),
                                 expected_claim=claim)

    # -- recoveries
    def recovery(self, admin: Any, row: Any) -> Outcome | None:
        claim = db_api.recovery_take_over(admin, row.id, row.claim,
                                          self.host, status=row.status)
        if claim is None:
            return None
        from dragon.engine import rpcapi
        from dragon.recovery import workflow

        handed_back = []

        def recast(recovery_id: str) -> None:
            # A failback run handed back (dragon.recovery.failback_takeover).
            rpcapi.EngineAPI(self.conf).recover(admin, recovery_id)
            handed_back.append(recovery_id)
        workflow.roll_back(self.conf, row.id, claim, row.host or 'none',
                           self.host, recast=recast)
        if not handed_back:
            _release_ended(self.conf, admin, row.id)
        return Outcome(row.id, 'recovery',
                       'requeued' if handed_back else 'rolled_back')


def _release_ended(conf: cfg.ConfigOpts, admin: Any,
                   recovery_id: str) -> None:
    """The trust of a recovery this takeover ended, as a run's own engine
    releases it, by the same rule (``manager.trust_outlives_run``): it
    served that run only.
    """
    from dragon.db import run_kinds
    from dragon.engine import manager
    try:
        current = db_api.recovery_get(admin, recovery_id)
    except exception.RecoveryNotFound:
        return
    if manager.trust_outlives_run(conf, run_kinds.RECOVERY, current):
        return
    manager.release_trust(conf, admin, recovery_id, current.trust_id,
                          run_kinds.RECOVERY)


def _complete(swift: Any, container: str) -> bool:
    meta = store.container_metadata(swift, container)
    return bool(meta and meta.get(store.COMPLETE))
