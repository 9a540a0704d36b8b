"""The engine process: RPC server on threads, heartbeat thread, clean stop."""

import signal
import threading
import types

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from dragon import context as dragon_context
from dragon.db import api as db_api
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
        self._stopping = threading.Event()

    def start(self) -> None:
        """Beat once (so the engine is visible at once), then serve RPC."""
        self.heartbeat()
        if self._transport is None:
            self._transport = rpc.get_transport(self.conf)
        target = messaging.Target(topic=self.topic, server=self.host)
        self._server = rpc.get_server(
            self._transport, target, [manager.EngineManager(self.host)])
        self._server.start()
        self._heartbeat_thread = threading.Thread(
            target=self._heartbeat_loop, name='dragon-heartbeat', daemon=True)
        self._heartbeat_thread.start()
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

    def stop(self) -> None:
        """Stop taking requests, finish the running ones, stop beating."""
        self._stopping.set()
        if self._server is not None:
            self._server.stop()
            self._server.wait()
            self._server = None
        if self._heartbeat_thread is not None:
            self._heartbeat_thread.join()
            self._heartbeat_thread = None
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
