"""Controllers that hand work to the engines: RPC client, 202 answer."""

from typing import Any

from oslo_config import cfg
import webob

from dragon import conf as dragon_conf
from dragon.engine import rpcapi


class EngineController:
    """A controller that casts to the engines (client made on first use)."""

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        self._conf = conf
        self._engine: rpcapi.EngineAPI | None = None

    def engine(self) -> rpcapi.EngineAPI:
        if self._engine is None:
            self._engine = rpcapi.EngineAPI(self._conf or dragon_conf.CONF)
        return self._engine


def accepted(key: str, view: dict[str, Any]) -> webob.Response:
    """202 with ``{key: view}``: the engine took the request over."""
    return webob.Response(status=202, content_type='application/json',
                          charset='UTF-8', json_body={key: view})
