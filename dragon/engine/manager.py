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

"""Server side of the engine RPC API: the methods an engine runs for callers."""

import concurrent.futures
import datetime
import functools
import importlib
import threading
from typing import Any, Callable

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon.db import run_kinds
from dragon.engine import rpcapi
from dragon import exception
from dragon import statuses
from dragon import version

LOG = logging.getLogger(__name__)

# The workflows: run(conf, id, host) and delete(conf, id, host) each.
# Imported when a run starts so that the RPC API loads without the whole
# protection or recovery stack.
WORKFLOW_MODULE = 'dragon.protection.workflow'
RECOVERY_WORKFLOW_MODULE = 'dragon.recovery.workflow'


class EngineManager:
    """RPC endpoint of one engine; see ``rpcapi`` for the version history.

    Checkpoint and recovery requests are casts: the handler claims the row
    (so a redelivered message cannot run it twice) and hands it to
    ``pool``, a bounded thread pool shared by both kinds, so the RPC
    executor never waits for a run. Protections wait ``queued`` until an
    engine with a free slot admits them within the ``[scheduler]`` caps
    (``admit``): a ``protect`` cast only asks for an admission round.
    """

    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, host: str, conf: cfg.ConfigOpts | None = None,
                 pool: concurrent.futures.Executor | None = None,
                 slots: int | None = None) -> None:
        self.host = host
        self.conf = conf
        self.pool = pool
        self._slots = slots
        self._running = 0
        self._lock = threading.Lock()
        # Set when the engine stops: queued protections stay for its peers.
        self.closed = False
        # The runs this process works on: any other run the database says
        # this host holds was lost (a crash, a lost final write).
        self.running_ids: set[str] = set()
        # Held from a claim in the database until the run is in
        # running_ids, so a takeover sweep never mistakes it for lost.
        self._claiming = threading.RLock()

    def ping(self, context: Any) -> dict[str, str]:
        """Return this engine's name, Dragon release and current UTC time."""
        return {
            'host': self.host,
            'version': version.version_string(),
            'time': datetime.datetime.now(datetime.UTC).isoformat(),
        }

    def protect(self, context: Any, checkpoint_id: str) -> None:
        """Admit queued protections, ``checkpoint_id`` among them in turn (1.1)."""
        self.admit()

    def running(self) -> frozenset[str]:
        """The runs this process has claimed and not finished."""
        with self._claiming, self._lock:
            return frozenset(self.running_ids)

    def free_slots(self) -> int:
        """Runs this engine can start now without queueing in its pool."""
        slots = self._slots
        if slots is None:
            slots = self.conf.engine.max_concurrent_runs if self.conf else 1
        with self._lock:
            return max(slots - self._running, 0)

    def admit(self) -> list[str]:
        """Take the oldest queued protections this engine has room for.

        :returns: the checkpoint ids started.
        """
        if self.closed:
            return []
        caps = self.conf.scheduler if self.conf else None
        with self._claiming:
            admitted = db_api.checkpoint_admit(
                dragon_context.get_admin_context(), self.host,
                self.free_slots(),
                caps.max_concurrent_protections if caps else 0,
                caps.max_concurrent_protections_per_project if caps else 0)
            for checkpoint_id in admitted:
                LOG.info("engine %s admitted checkpoint %s", self.host,
                         checkpoint_id)
                self._submit(run_kinds.CHECKPOINT, checkpoint_id,
                             statuses.Checkpoint.PROTECTING, 'run')
        return admitted

    def ask_admission(self, checkpoint_id: str) -> None:
        """Ask the engines to admit queued ``checkpoint_id`` now.

        A ``protect`` cast, as the API's: whichever engine takes it admits
        the queued protections it has room for.

        :raises oslo_messaging.MessageDeliveryFailure: the broker is
            unreachable (the engines' admission rounds find it anyway).
        """
        rpcapi.EngineAPI(self.conf).protect(
            dragon_context.get_admin_context(), checkpoint_id)

    def delete_checkpoint(self, context: Any, checkpoint_id: str) -> None:
        """Claim checkpoint ``checkpoint_id`` and delete it on the pool (1.2)."""
        self._start(run_kinds.CHECKPOINT, checkpoint_id,
                    statuses.Checkpoint.DELETING, 'delete')

    def recover(self, context: Any, recovery_id: str) -> None:
        """Claim recovery ``recovery_id`` and run it on the pool (1.3)."""
        self._start(run_kinds.RECOVERY, recovery_id,
                    statuses.Recovery.RECOVERING, 'run')

    def delete_recovery(self, context: Any, recovery_id: str) -> None:
        """Claim recovery ``recovery_id``, tear it down on the pool (1.4)."""
        self._start(run_kinds.RECOVERY, recovery_id,
                    statuses.Recovery.DELETING, 'delete')

    def close_window(self, context: Any, recovery_id: str) -> None:
        """Claim an in-place recovery and commit or roll it back (1.6).

        The status the API (or the expiry) set says which.
        """
        admin = dragon_context.get_admin_context()
        try:
            status = run_kinds.RECOVERY.get(admin, recovery_id).status
        except exception.RecoveryNotFound:
            return
        if status not in (statuses.Recovery.COMMITTING,
                          statuses.Recovery.ROLLING_BACK):
            LOG.info("recovery %s is %s: no window to close; ignored",
                     recovery_id, status)
            return
        self._start(run_kinds.RECOVERY, recovery_id, status, 'finish')

    def expire_windows(self) -> list[str]:
        """Close the in-place windows that ended, as configured.

        Every engine looks; the status change from awaiting_commit is a
        compare-and-swap, so each window is closed by one engine.

        :returns: the recovery ids this engine closes.
        """
        if self.closed or self.conf is None:
            return []
        action = self.conf.recovery.in_place_window_expiry
        status = (statuses.Recovery.ROLLING_BACK if action == 'rollback'
                  else statuses.Recovery.COMMITTING)
        admin = dragon_context.get_admin_context()
        closed = []
        for row in db_api.recovery_get_window_due(
                admin, db_api.database_utcnow(admin)):
            try:
                run_kinds.RECOVERY.update(admin, row.id, {
                    'status': status, 'window_action': action,
                    'host': None, 'claim': None},
                    expected_status=(statuses.Recovery.AWAITING_COMMIT,))
            except (exception.RecoveryBusy, exception.RecoveryNotFound):
                continue    # committed, rolled back or taken meanwhile
            run_kinds.RECOVERY.event_add(
                admin, row.id, 'info', 'the commit window ended (%sZ): '
                'engine %s closes it as configured: %s' % (
                    row.commit_deadline.isoformat(timespec='seconds'),
                    self.host, action))
            self._start(run_kinds.RECOVERY, row.id, status, 'finish')
            closed.append(row.id)
        return closed

    def verify_checkpoint(self, context: Any, checkpoint_id: str,
                          verification_id: str, read_data: bool,
                          trust_id: str) -> None:
        """Verify checkpoint ``checkpoint_id`` on the pool (1.5).

        Not a claimed run: the result is written only while the
        checkpoint's ``verification`` is still this one, so a redelivered
        or superseded request changes nothing.
        """
        self._submit_verification(checkpoint_id, verification_id, read_data,
                                  trust_id)

    def _submit_verification(self, checkpoint_id: str, verification_id: str,
                             read_data: bool, trust_id: str,
                             keep_trust: bool = False) -> None:
        """The verification job on the pool (also for scheduled ones)."""
        from dragon.engine import verification
        job = functools.partial(verification.run, self.conf, checkpoint_id,
                                verification_id, read_data, trust_id,
                                self.host, keep_trust)
        if self.pool is None:
            job()
            return
        try:
            self.pool.submit(job)
        except RuntimeError:
            LOG.warning("engine %s is stopping; verification of checkpoint "
                        "%s not run", self.host, checkpoint_id)
            verification.abandon(self.conf, checkpoint_id, verification_id,
                                 read_data, None if keep_trust else trust_id,
                                 'the engine stopped')

    def _start(self, kind: run_kinds.RunKind, row_id: str, status: str,
               function: str) -> None:
        admin = dragon_context.get_admin_context()
        with self._claiming:
            if not kind.claim(admin, row_id, self.host, status=status):
                LOG.info("%s %s is not %s or another engine has it; ignored",
                         kind.name, row_id, status)
                return
            LOG.info("engine %s took %s %s (%s)", self.host, kind.name,
                     row_id, function)
            self._submit(kind, row_id, status, function)

    def _submit(self, kind: run_kinds.RunKind, row_id: str, status: str,
                function: str) -> None:
        with self._lock:
            self._running += 1
            self.running_ids.add(row_id)
        if self.pool is None:
            self._counted_run(kind, row_id, status, function)
            return
        try:
            self.pool.submit(self._counted_run, kind, row_id, status,
                             function)
        except RuntimeError:
            with self._lock:
                self._running -= 1
                self.running_ids.discard(row_id)
            LOG.warning("engine %s is stopping; %s %s not run",
                        self.host, kind.name, row_id)
            if (kind is run_kinds.CHECKPOINT
                    and status == statuses.Checkpoint.PROTECTING):
                # Admitted but never started: back in the queue for a
                # peer (anything else it claimed is failed on stop).
                try:
                    kind.update(dragon_context.get_admin_context(), row_id,
                                {'status': statuses.Checkpoint.QUEUED,
                                 'host': None, 'started_at': None},
                                expected_status=(status,))
                except Exception:
                    LOG.exception("checkpoint %s: not put back in the "
                                  "queue", row_id)

    def _counted_run(self, kind: run_kinds.RunKind, row_id: str,
                     status: str, function: str) -> None:
        try:
            self._run(kind, row_id, status, function)
        finally:
            with self._lock:
                self._running -= 1
                self.running_ids.discard(row_id)
        if kind is run_kinds.CHECKPOINT and self.pool is not None:
            try:
                self.admit()  # a slot is free: the next queued one may go
            except Exception:
                LOG.exception("engine %s: admission failed", self.host)

    def _workflow(self, kind: run_kinds.RunKind,
                  function: str) -> Callable[..., Any]:
        module = (WORKFLOW_MODULE if kind is run_kinds.CHECKPOINT
                  else RECOVERY_WORKFLOW_MODULE)
        return getattr(importlib.import_module(module), function)

    def _run(self, kind: run_kinds.RunKind, row_id: str, status: str,
             function: str) -> None:
        """Run the workflow; whatever happens, release the trust and the row."""
        admin = dragon_context.get_admin_context()
        try:
            row = kind.get(admin, row_id)
        except kind.not_found:
            return
        trust_id, claim = row.trust_id, row.claim
        try:
            workflow = self._workflow(kind, function)
            if kind is run_kinds.RECOVERY and function == 'run':
                # A failback starts its final checkpoint: admitted now,
                # not at the engines' next admission round.
                result = workflow(self.conf, row_id, self.host,
                                  admit=self.ask_admission)
            else:
                result = workflow(self.conf, row_id, self.host)
            if kind is run_kinds.CHECKPOINT and function == 'run' and result:
                self._after_protection(row_id)
        except exception.RunTakenOver as e:
            LOG.warning("%s", e)
            return      # the new owner keeps the trust and the row
        except Exception as e:  # noqa: BLE001 - the row must leave `status`
            LOG.exception("%s %s: %s failed", kind.name, row_id, function)
            self._fail(kind, admin, row_id, status, exception.one_line(e),
                       claim)
        try:
            current = kind.get(admin, row_id)
        except kind.not_found:
            current = None
        except Exception:  # noqa: BLE001 - keep the trust for reconciling
            LOG.exception("%s %s: its end is not known yet", kind.name,
                          row_id)
            return
        if current is not None and (current.claim != claim or
                                    current.status == status):
            # Taken over, or its end not recorded yet (reconciled later
            # from Swift with this trust): the trust is still needed.
            return
        if current is not None and trust_outlives_run(self.conf, kind,
                                                      current):
            return
        release_trust(self.conf, admin, row_id, trust_id, kind)

    def _after_protection(self, checkpoint_id: str) -> None:
        """Replication, then retention, now that a new checkpoint is available.

        Both run with the run's own trust before it is released. A
        replication or retention failure never changes the new
        checkpoint: it is recorded (the replication state, or a log and a
        notification), and the next success tries again.
        """
        try:
            from dragon.replication import engine as replication
            replication.replicate(self.conf, checkpoint_id, self.host)
        except Exception:
            LOG.exception("checkpoint %s: replication failed", checkpoint_id)
        try:
            from dragon.retention import engine as retention_engine
            retention_engine.apply(self.conf, checkpoint_id)
        except Exception:
            LOG.exception("checkpoint %s: retention failed", checkpoint_id)

    def _fail(self, kind: run_kinds.RunKind, admin: Any, row_id: str,
              status: str, reason: str, claim: str | None = None) -> None:
        try:
            kind.update(
                admin, row_id,
                {'status': statuses.Run.ERROR, 'error': reason,
                 'finished_at': datetime.datetime.now(
                     datetime.UTC).replace(tzinfo=None)},
                expected_status=(status,), expected_claim=claim)
            kind.event_add(admin, row_id, 'error', reason)
        except (kind.not_found, kind.busy, exception.RunTakenOver):
            pass  # the workflow recorded its end, or another engine owns it
        except Exception:
            LOG.exception("%s %s: cannot record its failure", kind.name,
                          row_id)


def trust_outlives_run(conf: cfg.ConfigOpts, kind: run_kinds.RunKind,
                       current: Any) -> bool:
    """Whether a run's trust is kept after its engine is done with it.

    One rule for the run's own engine (``Manager._run``) and for an engine
    that ended another's run (``dragon.engine.takeover``): a recovery still
    worked on or awaiting commit (its commit, rollback or expiry runs with
    the trust), and a checkpoint whose copy to the backup site is tried
    again, keep it.
    """
    if kind is run_kinds.RECOVERY:
        return current.status in statuses.Recovery.WORKING + (
            statuses.Recovery.AWAITING_COMMIT,)
    if kind is run_kinds.CHECKPOINT:
        from dragon.replication import engine as replication
        return replication.holds_trust(current.replication, conf)
    return False


def release_trust(conf: cfg.ConfigOpts, admin: Any, row_id: str,
                  trust_id: str | None,
                  kind: run_kinds.RunKind = run_kinds.CHECKPOINT) -> None:
    """Delete a run's trust: it served one run (or deletion) only.

    Best effort: a trust left behind expires by itself.
    """
    if not trust_id:
        return
    from dragon import identity
    if (kind is run_kinds.CHECKPOINT
            and db_api.trust_lent(admin, trust_id)):
        # Borrowed: a scheduled run's is its schedule's standing trust, a
        # failback's final checkpoint's its recovery's.
        trust_id = None
    try:
        if trust_id:
            identity.delete_trust(identity.trust_session(conf, trust_id),
                                  trust_id, conf)
    except Exception as e:  # noqa: BLE001 - an unused trust expires
        LOG.warning("%s %s: trust %s not deleted: %s", kind.name, row_id,
                    trust_id, type(e).__name__)
    try:
        kind.update(admin, row_id, {'trust_id': None})
    except kind.not_found:
        pass
