"""Client side of the engine RPC API; the server side is dragon.engine.manager.

API version history:

* 1.0 - Initial version: ``ping``.

Bump the minor version for every added method or argument, pass the version
that introduced it to ``prepare`` in that method, and let the manager's
target follow; the manager accepts any 1.x up to its own.
"""

from typing import Any

from oslo_config import cfg
import oslo_messaging as messaging

from dragon import rpc

RPC_API_VERSION = '1.0'


class EngineAPI:
    """Calls into the engines, which share one topic queue.

    A call without ``host`` goes to whichever engine takes it from the
    queue; with ``host`` it goes to that engine.
    """

    def __init__(self, conf: cfg.ConfigOpts,
                 transport: messaging.Transport | None = None) -> None:
        self._conf = conf
        self._transport = transport or rpc.get_transport(conf)
        target = messaging.Target(topic=conf.engine.topic,
                                  version=RPC_API_VERSION)
        self._client = rpc.get_client(
            self._transport, target, timeout=conf.engine.rpc_response_timeout)

    def ping(self, context: Any, host: str | None = None,
             timeout: int | None = None) -> dict[str, str]:
        """Ask an engine (``host`` or any) who it is.

        :returns: ``{'host': ..., 'version': ..., 'time': ...}``.
        :raises oslo_messaging.MessagingTimeout: no engine answered.
        """
        kwargs: dict[str, Any] = {'version': '1.0'}
        if host:
            kwargs['server'] = host
        if timeout:
            kwargs['timeout'] = timeout
        cctxt = self._client.prepare(**kwargs)
        return cctxt.call(context, 'ping')
