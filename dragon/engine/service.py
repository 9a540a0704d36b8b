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

"""The engine process: RPC server, run pool, heartbeat, orphan and scheduler threads."""

import concurrent.futures
import datetime
import functools
import signal
import threading
import types
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon.db import run_kinds
from dragon.engine import manager
from dragon import rpc
from dragon import version

LOG = logging.getLogger(__name__)


class EngineService:
    """One engine: listens on the shared topic and on its own host name.

    Several engines may run at once with the same topic and different
    ``[engine] host``; the broker spreads topic calls over them.
    """

    def __init__(self, conf: cfg.ConfigOpts,
                 transport: messaging.Transport | None = None) -> None:
        self.conf = conf
        self.host = conf.engine.host
        self.topic = conf.engine.topic
        self._transport = transport
        self._owns_transport = transport is None
        self._server = None
        self._heartbeat_thread: threading.Thread | None = None
        self._orphan_thread: threading.Thread | None = None
        self._gc_thread: threading.Thread | None = None
        self._scheduler_thread: threading.Thread | None = None
        self._manager: manager.EngineManager | None = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        """Beat once (so the engine is visible at once), then serve RPC.

        Checkpoints this host had claimed before it (re)started are failed
        first: whatever ran them died with the previous process.
        """
        self.heartbeat()
        self.take_over_orphans(host=self.host)
        self.fail_orphans(host=self.host)
        if self._transport is None:
            self._transport = rpc.get_transport(self.conf)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.conf.engine.max_concurrent_runs,
            thread_name_prefix='dragon-checkpoint')
        target = messaging.Target(topic=self.topic, server=self.host)
        self._manager = manager.EngineManager(self.host, self.conf,
                                              self._pool)
        self._server = rpc.get_server(self._transport, target,
                                      [self._manager])
        self._server.start()
        self._heartbeat_thread = threading.Thread(
            target=self._heartbeat_loop, name='dragon-heartbeat', daemon=True)
        self._heartbeat_thread.start()
        self._orphan_thread = threading.Thread(
            target=self._orphan_loop, name='dragon-orphans', daemon=True)
        self._orphan_thread.start()
        self._scheduler_thread = threading.Thread(
            target=self._scheduler_loop, name='dragon-scheduler',
            daemon=True)
        self._scheduler_thread.start()
        if self.conf.checkpoint.gc_interval:
            self._gc_thread = threading.Thread(
                target=self._gc_loop, name='dragon-chunk-gc', daemon=True)
            self._gc_thread.start()
        LOG.info("engine %s listening on topic %s", self.host, self.topic)

    def heartbeat(self) -> None:
        db_api.engine_service_heartbeat(
            dragon_context.get_admin_context(), self.host, self.topic,
            version.version_string())

    def _heartbeat_loop(self) -> None:
        interval = self.conf.engine.heartbeat_interval
        while not self._stopping.wait(interval):
            try:
                self.heartbeat()
            except Exception:
                # A database outage must not kill the engine; it beats again
                # when the database is back, and peers see it as down meanwhile.
                LOG.exception("engine %s failed to record its heartbeat",
                              self.host)

    def take_over_orphans(self, host: str | None = None,
                          dead_before: datetime.datetime | None = None
                          ) -> list[Any]:
        """Protections of dead engines requeued or reconciled, recoveries
        rolled back (``dragon.engine.takeover``).
        """
        from dragon.engine import takeover
        running = (self._manager.running if self._manager is not None
                   else frozenset)
        outcomes = takeover.Takeover(self.conf, self.host,
                                     running).sweep(host, dead_before)
        for outcome in outcomes:
            LOG.warning("engine %s took over %s %s: %s", self.host,
                        outcome.kind, outcome.row_id, outcome.result)
        return outcomes

    def fail_orphans(self, host: str | None = None,
                     dead_before: datetime.datetime | None = None
                     ) -> list[str]:
        """Mark ``error`` the runs no live engine runs and none took over.

        Deletions of dead engines, and runs a takeover could not handle.
        What a dead protection left (temporaries, its container) is
        cleaned up; what a dead recovery made stays until the recovery is
        deleted. Either way the trust the run held serves nobody any more.
        """
        admin = dragon_context.get_admin_context()
        failed = []
        for kind, cleanup in ((run_kinds.CHECKPOINT,
                               self._cleanup_checkpoint),
                              (run_kinds.RECOVERY, None)):
            ids = kind.fail_orphans(admin, host=host, dead_before=dead_before)
            if ids:
                LOG.warning("engine %s failed %d orphaned %s run(s): %s",
                            self.host, len(ids), kind.name, ', '.join(ids))
            for row_id in ids:
                if cleanup is not None:
                    cleanup(row_id)
                manager.release_trust(self.conf, admin, row_id,
                                      kind.get(admin, row_id).trust_id, kind)
            failed += ids
        return failed

    def resume_replications(self, dead_before: datetime.datetime) -> list[str]:
        """Copies left ``replicating`` by dead engines, or by this one
        before a restart, resumed here, failed copies tried again, and
        the copies such an engine never started, started
        (``dragon.replication.engine``); the trust of those that ended is
        released.
        """
        from dragon.replication import engine as replication
        running = (self._manager.running() if self._manager is not None
                   else frozenset())
        resumed = (replication.take_over(self.conf, self.host,
                                         dead_before=dead_before,
                                         running=running) +
                   replication.take_over(self.conf, self.host,
                                         owner=self.host, running=running) +
                   replication.retry_failed(self.conf, self.host, running) +
                   replication.copy_unclaimed(self.conf, self.host,
                                              dead_before=dead_before,
                                              running=running))
        admin = dragon_context.get_admin_context()
        for checkpoint_id in resumed:
            # The engine that protected it died before releasing its trust.
            manager.release_trust(
                self.conf, admin, checkpoint_id,
                db_api.checkpoint_get(admin, checkpoint_id).trust_id)
        return resumed

    def _cleanup_checkpoint(self, checkpoint_id: str) -> None:
        try:
            from dragon.protection import workflow
            workflow.cleanup_orphan(self.conf, checkpoint_id)
        except Exception:
            LOG.exception("engine %s could not clean up after "
                          "checkpoint %s", self.host, checkpoint_id)

    def _orphan_loop(self) -> None:
        interval = self.conf.engine.orphan_check_interval
        while not self._stopping.wait(interval):
            down = datetime.timedelta(
                seconds=self.conf.engine.service_down_time)
            try:
                # By the database's clock, as heartbeats are written.
                dead_before = db_api.database_utcnow(
                    dragon_context.get_admin_context()) - down
                self.take_over_orphans(dead_before=dead_before)
                # This engine's own runs it is not running: a final
                # write lost to a database outage.
                self.take_over_orphans(host=self.host)
                self.fail_orphans(dead_before=dead_before)
                self.resume_replications(dead_before)
            except Exception:
                LOG.exception("engine %s failed to check for orphaned "
                              "checkpoints", self.host)

    def _scheduler_loop(self) -> None:
        """Fire due schedule ticks, admit queued protections, close ended
        in-place windows, watch RPOs.

        Every engine does it; the database decides who gets each tick and
        each queued run. RPO states are checked about once a minute.
        """
        from dragon.scheduling import scheduler as scheduler_mod
        scheduler = scheduler_mod.Scheduler(self.conf, self.host)
        interval = self.conf.scheduler.poll_interval
        rpo_every = max(1, 60 // interval)
        polls = 0
        while not self._stopping.wait(interval):
            for what, step in (
                    ('schedule ticks', scheduler.poll),
                    ('admission', self._manager.admit),
                    ('in-place windows', self._manager.expire_windows),
                    ('RPO check', scheduler.check_rpo
                     if polls % rpo_every == 0 else None),
                    ('scheduled verification', functools.partial(
                        scheduler.check_verifications,
                        self._manager._submit_verification)
                     if polls % rpo_every == 0 else None)):
                if step is None or self._stopping.is_set():
                    continue
                try:
                    step()
                except Exception:
                    # A database outage must not stop the loop; the next
                    # poll picks up what this one could not do.
                    LOG.exception("engine %s: %s failed", self.host, what)
            polls += 1

    def _gc_loop(self) -> None:
        """Chunk garbage collection of every project, now and then.

        Several engines may do it at once: the collection mark on a
        project's chunk container makes the later ones step back.
        """
        from dragon.maintenance import collector
        while not self._stopping.wait(self.conf.checkpoint.gc_interval):
            try:
                for result in collector.collect_projects(self.conf):
                    if result.skipped:
                        LOG.info("chunk gc of project %s skipped: %s",
                                 result.project_id, result.skipped)
            except Exception:
                LOG.exception("engine %s: chunk gc failed", self.host)

    def stop(self) -> None:
        """Stop taking requests, finish the running ones, stop beating.

        Checkpoints claimed but still queued are failed at once rather
        than left for the next start.
        """
        self._stopping.set()
        if self._manager is not None:
            self._manager.closed = True
        if self._server is not None:
            self._server.stop()
        if self._pool is not None:
            # Queued runs are dropped now, not after the running ones end.
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._server is not None:
            self._server.wait()
            self._server = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
            try:
                self.take_over_orphans(host=self.host)
                self.fail_orphans(host=self.host)
            except Exception:
                LOG.exception("engine %s could not fail its queued "
                              "checkpoints", self.host)
        for thread in (self._heartbeat_thread, self._orphan_thread,
                       self._gc_thread, self._scheduler_thread):
            if thread is not None:
                thread.join()
        self._heartbeat_thread = self._orphan_thread = self._gc_thread = None
        self._scheduler_thread = None
        if self._transport is not None and self._owns_transport:
            self._transport.cleanup()
            self._transport = None
        LOG.info("engine %s stopped", self.host)

    def run(self) -> None:
        """Serve until SIGTERM or SIGINT, then stop cleanly (main thread only)."""
        stop_requested = threading.Event()

        def _on_signal(signum: int, frame: types.FrameType | None) -> None:
            LOG.info("engine %s received %s, stopping", self.host,
                     signal.Signals(signum).name)
            stop_requested.set()

        previous = {sig: signal.signal(sig, _on_signal)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while not stop_requested.wait(1):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
