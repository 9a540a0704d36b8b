"""Server side of the engine RPC API: the methods an engine runs for callers."""

import concurrent.futures
import dataclasses
import datetime
import functools
import importlib
from typing import Any, Callable

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon.engine import rpcapi
from dragon import exception
from dragon import version

LOG = logging.getLogger(__name__)

# The workflows: run(conf, id, host) and delete(conf, id, host) each.
# Imported when a run starts so that the RPC API loads without the whole
# protection or recovery stack.
WORKFLOW_MODULE = 'dragon.protection.workflow'
RECOVERY_WORKFLOW_MODULE = 'dragon.recovery.workflow'



@dataclasses.dataclass(frozen=True)
class RunKind:
    """How the engine keeps the books of one kind of run (its DB calls)."""

    name: str
    module: Callable[[], str]
    claim: Callable[..., bool]
    get: Callable[..., Any]
    update: Callable[..., Any]
    event_add: Callable[..., Any]
    not_found: type[exception.DragonException]
    busy: type[exception.DragonException]


CHECKPOINTS = RunKind(
    'checkpoint', lambda: WORKFLOW_MODULE,
    claim=lambda *a, **k: db_api.checkpoint_claim(*a, **k),
    get=lambda *a, **k: db_api.checkpoint_get(*a, **k),
    update=lambda *a, **k: db_api.checkpoint_update(*a, **k),
    event_add=lambda *a, **k: db_api.checkpoint_event_add(*a, **k),
    not_found=exception.CheckpointNotFound, busy=exception.CheckpointBusy)
RECOVERIES = RunKind(
    'recovery', lambda: RECOVERY_WORKFLOW_MODULE,
    claim=lambda *a, **k: db_api.recovery_claim(*a, **k),
    get=lambda *a, **k: db_api.recovery_get(*a, **k),
    update=lambda *a, **k: db_api.recovery_update(*a, **k),
    event_add=lambda *a, **k: db_api.recovery_event_add(*a, **k),
    not_found=exception.RecoveryNotFound, busy=exception.RecoveryBusy)


class EngineManager:
    """RPC endpoint of one engine; see ``rpcapi`` for the version history.

    Checkpoint and recovery requests are casts: the handler claims the row
    (so a redelivered message cannot run it twice) and hands it to
    ``pool``, a bounded thread pool shared by both kinds, so the RPC
    executor never waits for a run.
    """

    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, host: str, conf: cfg.ConfigOpts | None = None,
                 pool: concurrent.futures.Executor | None = None) -> None:
        self.host = host
        self.conf = conf
        self.pool = pool

    def ping(self, context: Any) -> dict[str, str]:
        """Return this engine's name, Dragon release and current UTC time."""
        return {
            'host': self.host,
            'version': version.version_string(),
            'time': datetime.datetime.now(datetime.UTC).isoformat(),
        }

    def protect(self, context: Any, checkpoint_id: str) -> None:
        """Claim checkpoint ``checkpoint_id`` and run it on the pool (1.1)."""
        self._start(CHECKPOINTS, checkpoint_id, 'protecting', 'run')

    def delete_checkpoint(self, context: Any, checkpoint_id: str) -> None:
        """Claim checkpoint ``checkpoint_id`` and delete it on the pool (1.2)."""
        self._start(CHECKPOINTS, checkpoint_id, 'deleting', 'delete')

    def recover(self, context: Any, recovery_id: str) -> None:
        """Claim recovery ``recovery_id`` and run it on the pool (1.3)."""
        self._start(RECOVERIES, recovery_id, 'recovering', 'run')

    def delete_recovery(self, context: Any, recovery_id: str) -> None:
        """Claim recovery ``recovery_id``, tear it down on the pool (1.4)."""
        self._start(RECOVERIES, recovery_id, 'deleting', 'delete')

    def verify_checkpoint(self, context: Any, checkpoint_id: str,
                          verification_id: str, read_data: bool,
                          trust_id: str) -> None:
        """Verify checkpoint ``checkpoint_id`` on the pool (1.5).

        Not a claimed run: the result is written only while the
        checkpoint's ``verification`` is still this one, so a redelivered
        or superseded request changes nothing.
        """
        from dragon.engine import verification
        job = functools.partial(verification.run, self.conf, checkpoint_id,
                                verification_id, read_data, trust_id,
                                self.host)
        if self.pool is None:
            job()
            return
        try:
            self.pool.submit(job)
        except RuntimeError:
            LOG.warning("engine %s is stopping; verification of checkpoint "
                        "%s not run", self.host, checkpoint_id)
            verification.abandon(self.conf, checkpoint_id, verification_id,
                                 read_data, trust_id, 'the engine stopped')

    def _start(self, kind: RunKind, row_id: str, status: str,
               function: str) -> None:
        admin = dragon_context.get_admin_context()
        if not kind.claim(admin, row_id, self.host, status=status):
            LOG.info("%s %s is not %s or another engine has it; ignored",
                     kind.name, row_id, status)
            return
        LOG.info("engine %s took %s %s (%s)", self.host, kind.name, row_id,
                 function)
        if self.pool is None:
            self._run(kind, row_id, status, function)
        else:
            try:
                self.pool.submit(self._run, kind, row_id, status, function)
            except RuntimeError:
                # The engine is stopping; it fails what it claimed on stop.
                LOG.warning("engine %s is stopping; %s %s not run",
                            self.host, kind.name, row_id)

    def _workflow(self, kind: RunKind, function: str) -> Callable[..., Any]:
        return getattr(importlib.import_module(kind.module()), function)

    def _run(self, kind: RunKind, row_id: str, status: str,
             function: str) -> None:
        """Run the workflow; whatever happens, release the trust and the row."""
        admin = dragon_context.get_admin_context()
        try:
            trust_id = kind.get(admin, row_id).trust_id
        except kind.not_found:
            return
        try:
            self._workflow(kind, function)(self.conf, row_id, self.host)
        except Exception as e:  # noqa: BLE001 - the row must leave `status`
            LOG.exception("%s %s: %s failed", kind.name, row_id, function)
            self._fail(kind, admin, row_id, status, exception.one_line(e))
        finally:
            release_trust(self.conf, admin, row_id, trust_id, kind)

    def _fail(self, kind: RunKind, admin: Any, row_id: str, status: str,
              reason: str) -> None:
        try:
            kind.update(
                admin, row_id,
                {'status': 'error', 'error': reason,
                 'finished_at': datetime.datetime.now(
                     datetime.UTC).replace(tzinfo=None)},
                expected_status=(status,))
            kind.event_add(admin, row_id, 'error', reason)
        except (kind.not_found, kind.busy):
            pass  # the workflow already recorded its end
        except Exception:
            LOG.exception("%s %s: cannot record its failure", kind.name,
                          row_id)


def release_trust(conf: cfg.ConfigOpts, admin: Any, row_id: str,
                  trust_id: str | None, kind: RunKind = CHECKPOINTS) -> None:
    """Delete a run's trust: it served one run (or deletion) only.

    Best effort: a trust left behind expires by itself.
    """
    if not trust_id:
        return
    from dragon import identity
    try:
        identity.delete_trust(identity.trust_session(conf, trust_id),
                              trust_id, conf)
    except Exception as e:  # noqa: BLE001 - an unused trust expires
        LOG.warning("%s %s: trust %s not deleted: %s", kind.name, row_id,
                    trust_id, type(e).__name__)
    try:
        kind.update(admin, row_id, {'trust_id': None})
    except kind.not_found:
        pass
