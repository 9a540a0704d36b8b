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

"""The one owner of oslo.messaging: transport, serializer, clients, servers, notifiers.

No transport is cached here; the engine service and the API each create
one and keep it for their lifetime (``dragon.notifications.notifier``
keeps the notifier of its process).
"""

import re
from typing import Any

import kombu
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts

from dragon.common import urls
from dragon import context as dragon_context
from dragon import exception

LOG = logging.getLogger(__name__)

NOTIFICATIONS_GROUP = 'oslo_messaging_notifications'
# Broker URL schemes the startup check understands (kombu speaks AMQP 0-9-1).
_AMQP_SCHEMES = ('rabbit',)
_ERRNO_PREFIX = re.compile(r'^\[Errno -?\d+\]\s*')


def get_transport(conf: cfg.ConfigOpts) -> messaging.Transport:
    """Return a new RPC transport for ``[DEFAULT] transport_url``."""
    _register_global_only_opts(conf)
    return messaging.get_rpc_transport(conf)


def _register_global_only_opts(conf: cfg.ConfigOpts) -> None:
    """Register oslo.messaging's tracing and metrics options on ``conf``.

    oslo.messaging 18 registers them on the global ``cfg.CONF`` only, yet
    reads them from the transport's conf on every call: a client built on any
    other ConfigOpts (tools, tests) would fail with NoSuchOptError.
    """
    from oslo_messaging._metrics import client as metrics
    from oslo_messaging._tracing import client as tracing
    for group, opts in (('oslo_messaging_tracing',
                         tracing.oslo_messaging_tracing),
                        ('oslo_messaging_metrics',
                         metrics.oslo_messaging_metrics)):
        conf.register_opts(opts, group=group)


def get_notification_transport(conf: cfg.ConfigOpts) -> messaging.Transport:
    """Return a new transport for notifications.

    ``[oslo_messaging_notifications] transport_url``, or the RPC
    ``[DEFAULT] transport_url`` when that is unset.
    """
    _register_global_only_opts(conf)
    return messaging.get_notification_transport(conf)


def notification_drivers(conf: cfg.ConfigOpts) -> list[str]:
    """``[oslo_messaging_notifications] driver`` (registered if needed)."""
    for group, opts in messaging_opts.list_opts():
        if group == NOTIFICATIONS_GROUP:
            conf.register_opts(opts, group=group)
    return list(conf[NOTIFICATIONS_GROUP].driver or ())


def get_notifier(conf: cfg.ConfigOpts, publisher_id: str,
                 transport: messaging.Transport | None = None,
                 retry: int | None = None) -> messaging.Notifier:
    """A notifier of ``[oslo_messaging_notifications]`` (driver, topics).

    The driver defaults to oslo's ``noop``: operators enable notifications
    with ``driver = messagingv2``. Payloads are plain JSON; the context
    sent is a plain dict.

    :param transport: the notification transport; a new one when omitted.
    :param retry: connection retries per message (``None``: the option
        ``[oslo_messaging_notifications] retry``, -1 means forever).
    """
    if transport is None:
        transport = get_notification_transport(conf)
    return messaging.Notifier(transport, publisher_id=publisher_id,
                              serializer=messaging.JsonPayloadSerializer(),
                              retry=retry)


class RequestContextSerializer(messaging.Serializer):
    """JSON payloads, and the RequestContext carried as a plain dict."""

    def __init__(self, base: messaging.Serializer | None = None) -> None:
        self._base = base or messaging.JsonPayloadSerializer()

    def serialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return self._base.serialize_entity(ctxt, entity)

    def deserialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return self._base.deserialize_entity(ctxt, entity)

    def serialize_context(self, ctxt: dragon_context.RequestContext) -> dict:
        return ctxt.to_dict()

    def deserialize_context(self, ctxt: dict) -> dragon_context.RequestContext:
        return dragon_context.RequestContext.from_dict(ctxt)


def get_client(transport: messaging.Transport, target: messaging.Target,
               timeout: int | None = None) -> messaging.RPCClient:
    return messaging.get_rpc_client(transport, target, timeout=timeout,
                                    serializer=RequestContextSerializer())


def get_server(transport: messaging.Transport, target: messaging.Target,
               endpoints: list[Any]) -> messaging.MessageHandlingServer:
    """Return an RPC server dispatching on threads (Dragon uses no eventlet).

    No ``executor`` argument: oslo.messaging deprecated it and picks the
    threading executor itself because nothing is monkey-patched.
    """
    return messaging.get_rpc_server(
        transport, target, endpoints, serializer=RequestContextSerializer(),
        access_policy=messaging.DefaultRPCAccessPolicy)


def check_broker(conf: cfg.ConfigOpts, max_retries: int) -> None:
    """Connect once to the broker, giving up after ``max_retries`` retries.

    oslo.messaging retries forever, which hides a wrong URL behind a silent
    hang; the engine calls this at startup to fail fast instead. Drivers
    other than rabbit are not checked.

    :raises dragon.exception.MessagingUnavailable: no broker host answered.
    :raises dragon.exception.ConfigInvalid: the transport URL is malformed.
    """
    try:
        # Registers the transport options on conf before they are read.
        url = messaging.TransportURL.parse(conf)
        hosts = [(h.hostname, h.port, h.username, h.password)
                 for h in url.hosts] or [(None, None, None, None)]
    except (messaging.InvalidTransportURL, ValueError) as e:
        shown = urls.mask_password(conf.transport_url or '')
        raise exception.ConfigInvalid(
            reason='[DEFAULT] transport_url %s: %s' % (shown, e))
    shown = urls.mask_password(conf.transport_url or '')
    if url.transport not in _AMQP_SCHEMES:
        LOG.debug("not checking broker reachability for %s", url.transport)
        return
    ssl = _rabbit_ssl(conf)
    reason = 'no broker host configured'
    for hostname, port, username, password in hosts:
        connection = kombu.Connection(
            hostname=hostname or 'localhost',
            port=port or (5671 if ssl else 5672),
            userid=username or 'guest',
            password=password or 'guest',
            virtual_host=url.virtual_host or '/',
            transport='pyamqp', ssl=ssl, connect_timeout=5)
        try:
            connection.ensure_connection(max_retries=max_retries,
                                         interval_start=1, interval_step=1,
                                         interval_max=2)
            return
        except Exception as e:  # kombu raises several unrelated types
            reason = _ERRNO_PREFIX.sub('', str(e)) or type(e).__name__
            LOG.debug("broker host %s:%s unreachable: %s",
                      hostname, port, reason)
        finally:
            connection.release()
    raise exception.MessagingUnavailable(url=shown, reason=reason)


def _rabbit_ssl(conf: cfg.ConfigOpts) -> bool:
    # The rabbit driver registers its options when a transport is created.
    try:
        return bool(conf.oslo_messaging_rabbit.ssl)
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return False
