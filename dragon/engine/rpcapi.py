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

"""Client side of the engine RPC API; the server side is dragon.engine.manager.

API version history:

* 1.0 - Initial version: ``ping``.
* 1.1 - ``protect(checkpoint_id)`` (cast).
* 1.2 - ``delete_checkpoint(checkpoint_id)`` (cast).
* 1.3 - ``recover(recovery_id)`` (cast).
* 1.4 - ``delete_recovery(recovery_id)`` (cast).
* 1.5 - ``verify_checkpoint(checkpoint_id, verification_id, read_data,
  trust_id)`` (cast).
* 1.6 - ``close_window(recovery_id)`` (cast).

Bump the minor version for every added method or argument, pass the version
that introduced it to ``prepare`` in that method, and let the manager's
target follow; the manager accepts any 1.x up to its own.
"""

from typing import Any

from oslo_config import cfg
import oslo_messaging as messaging

from dragon import rpc

RPC_API_VERSION = '1.6'
# Casts give up after this many reconnection attempts instead of blocking
# the API request forever while the broker is down.
_CAST_RETRIES = 2


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

    def protect(self, context: Any, checkpoint_id: str) -> None:
        """Ask any engine to run the (``protecting``) checkpoint.

        A cast: the API answers 202 at once; the engine that takes it
        claims the checkpoint in the database before running it.

        :raises oslo_messaging.MessageDeliveryFailure: the broker is
            unreachable (after the transport's retries).
        """
        self._cast(context, '1.1', 'protect', checkpoint_id=checkpoint_id)

    def delete_checkpoint(self, context: Any, checkpoint_id: str) -> None:
        """Ask any engine to delete the (``deleting``) checkpoint; a cast.

        :raises oslo_messaging.MessageDeliveryFailure: the broker is
            unreachable (after the transport's retries).
        """
        self._cast(context, '1.2', 'delete_checkpoint',
                   checkpoint_id=checkpoint_id)

    def recover(self, context: Any, recovery_id: str) -> None:
        """Ask any engine to run the (``recovering``) recovery; a cast.

        The engine claims it as for ``protect``; same failure.
        """
        self._cast(context, '1.3', 'recover', recovery_id=recovery_id)

    def delete_recovery(self, context: Any, recovery_id: str) -> None:
        """Ask any engine to tear down the (``deleting``) recovery; a cast.

        Its stack, what it restored, then its row; same failure as
        ``protect``.
        """
        self._cast(context, '1.4', 'delete_recovery', recovery_id=recovery_id)

    def close_window(self, context: Any, recovery_id: str) -> None:
        """Ask any engine to commit or roll back an in-place restore; a cast.

        The recovery is ``committing`` or ``rolling_back`` already; the
        engine claims it as for ``protect``; same failure.
        """
        self._cast(context, '1.6', 'close_window', recovery_id=recovery_id)

    def verify_checkpoint(self, context: Any, checkpoint_id: str,
                          verification_id: str, read_data: bool,
                          trust_id: str) -> None:
        """Ask any engine to verify an available checkpoint's data; a cast.

        The engine reads Swift through ``trust_id`` (made by the API for
        this verification, deleted by the engine after it) and records the
        result in the checkpoint's ``verification`` if it still belongs to
        ``verification_id``.  Same failure as ``protect``.
        """
        self._cast(context, '1.5', 'verify_checkpoint',
                   checkpoint_id=checkpoint_id,
                   verification_id=verification_id, read_data=read_data,
                   trust_id=trust_id)

    def _cast(self, context: Any, version: str, method: str,
              **kwargs: Any) -> None:
        cctxt = self._client.prepare(version=version, retry=_CAST_RETRIES)
        cctxt.cast(context, method, **kwargs)
