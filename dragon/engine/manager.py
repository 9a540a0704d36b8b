"""Server side of the engine RPC API: the methods an engine runs for callers."""

import datetime
from typing import Any

import oslo_messaging as messaging

from dragon.engine import rpcapi
from dragon import version


class EngineManager:
    """RPC endpoint of one engine; see ``rpcapi`` for the version history."""

    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, host: str) -> None:
        self.host = host

    def ping(self, context: Any) -> dict[str, str]:
        """Return this engine's name, Dragon release and current UTC time."""
        return {
            'host': self.host,
            'version': version.version_string(),
            'time': datetime.datetime.now(datetime.UTC).isoformat(),
        }
