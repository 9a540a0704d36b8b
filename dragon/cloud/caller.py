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

"""The services as the API's caller sees them, with the caller's token.

Nova, Cinder and Swift are called with the caller's own token and service
catalog, so they decide what the caller may see.  Nova and Cinder through
one openstacksdk ``Connection`` per call, at the microversions the engine
pins; Swift through python-swiftclient.  Endpoints come from the caller's
catalog, narrowed by the ``[nova]``, ``[cinder]`` and ``[swift]``
keystoneauth adapter options (region, interface, override, timeout).
A resource the caller cannot see is "not found", never an error.
"""

from collections.abc import Callable, Iterable
from typing import Any
from urllib import parse

from keystoneauth1.access import service_catalog
from keystoneauth1 import discover
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin
from keystoneauth1 import session as ks_session
import openstack.connection
from openstack import exceptions as sdk_exc
from oslo_log import log as logging
from swiftclient import client as swift_client

from dragon.cloud import clients
from dragon import conf as dragon_conf
from dragon import exception

LOG = logging.getLogger(__name__)

# Seconds per request when the service's group sets no ``timeout``: the
# caller is waiting for the answer.
TIMEOUT = 30
NAMES = {'compute': 'Nova', 'block-storage': 'Cinder'}


class CallerAuth(plugin.BaseAuthPlugin):
    """The caller's token and catalog, as keystonemiddleware handed them in."""

    def __init__(self, token: str, catalog: list[dict[str, Any]]) -> None:
        super().__init__()
        self._token = token
        # keystonemiddleware sends the catalog in the v2 layout.
        self._catalog = service_catalog.ServiceCatalogV2(catalog)

    def get_token(self, session: Any, **kwargs: Any) -> str:
        return self._token

    def get_endpoint(self, session: Any, service_type: str | None = None,
                     interface: Any = None, region_name: str | None = None,
                     service_name: str | None = None,
                     **kwargs: Any) -> str | None:
        return self._catalog.url_for(
            service_type=service_type, service_name=service_name,
            interface=interface, region_name=region_name)

    def get_endpoint_data(self, session: Any, *,
                          endpoint_override: str | None = None,
                          discover_versions: bool = True,
                          **kwargs: Any) -> discover.EndpointData | None:
        # The base plugin knows no catalog: it discovers versions only
        # from an override, which openstacksdk needs to pick its proxy.
        url = endpoint_override or self.get_endpoint(session, **kwargs)
        return super().get_endpoint_data(
            session, endpoint_override=url,
            discover_versions=discover_versions, **kwargs)


def _session(context: Any, group: str) -> ks_session.Session:
    """A session of the caller's token, with ``group``'s TLS and timeout."""
    auth = CallerAuth(context.auth_token,
                      getattr(context, 'service_catalog', None) or [])
    session = ks_loading.load_session_from_conf_options(
        dragon_conf.CONF, group, auth=auth)
    if session.timeout is None:
        session.timeout = TIMEOUT
    return session


def session(context: Any, group: str) -> ks_session.Session:
    """The caller's session, for a client Dragon builds itself (castellan).

    Narrowed by ``group``'s TLS and timeout options like every other call
    made here.
    """
    return _session(context, group)


def _adapter(context: Any, group: str) -> Any:
    session = _session(context, group)
    return ks_loading.load_adapter_from_conf_options(
        dragon_conf.CONF, group, session=session, auth=session.auth)


def _connection(context: Any,
                service: str) -> openstack.connection.Connection:
    """One openstacksdk connection of the caller, for ``service``.

    The group's options (interface, region, endpoint override, versions)
    and the engine's microversion, read now.
    """
    options = clients.service_options(dragon_conf.CONF, service, None)
    return openstack.connection.Connection(
        session=_session(context, clients.GROUPS[service]),
        region_name=options.region_name, app_name='dragon',
        **clients.sdk_config(options))


def connection(context: Any,
               service: str) -> openstack.connection.Connection:
    """The caller's openstacksdk connection for service (compute, ...).

    For reads that need more than the briefs below (an in-place plan);
    the caller maps the SDK's errors.
    """
    return _connection(context, service)


def _call(context: Any, service: str,
          call: Callable[[openstack.connection.Connection], Any]) -> Any:
    """``call(connection)``; ``None`` if not found, else errors are 503s."""
    name = NAMES[service]
    try:
        return call(_connection(context, service))
    except sdk_exc.NotFoundException:
        return None
    except sdk_exc.HttpException as e:
        LOG.warning("%s answered %s to the caller's request: %s", name,
                    e.status_code, e.message)
        raise exception.RemoteServiceUnavailable(
            service=name, reason='HTTP %s' % e.status_code)
    except (ks_exc.EndpointNotFound, sdk_exc.ServiceDisabledException) as e:
        # The SDK disables a service the catalog lacks (its message says so).
        raise exception.RemoteServiceUnavailable(
            service=name, reason='no endpoint in the catalog: %s' % e)
    except (ks_exc.ClientException, sdk_exc.SDKException) as e:
        raise exception.RemoteServiceUnavailable(service=name, reason=e)


def _brief(resource: Any) -> dict[str, Any]:
    return {'id': resource.id, 'name': resource.name or '',
            'status': resource.status or '',
            'project_id': resource.project_id}


def _briefs(resources: Iterable[Any]) -> list[dict[str, Any]]:
    # The SDK follows the services' ``next`` links: every page is read.
    return [_brief(r) for r in resources]


def _quoted(resource_id: str) -> str:
    # openstacksdk joins ids into the path unquoted.
    return parse.quote(resource_id, safe='')


def server_get(context: Any, server_id: str) -> dict[str, Any] | None:
    """Return ``{id, name, status, project_id}`` of a server, ``None`` if unseen."""
    server = _call(context, 'compute',
                   lambda c: c.compute.get_server(_quoted(server_id)))
    return None if server is None else _brief(server)


def server_list(context: Any) -> list[dict[str, Any]]:
    """Return the caller's project's servers (every page)."""
    return _call(context, 'compute',
                 lambda c: _briefs(c.compute.servers(details=True))) or []


def _volume_brief(volume: Any) -> dict[str, Any]:
    # Whether Cinder encrypts it decides which actions can carry its data.
    return dict(_brief(volume), encrypted=bool(volume.is_encrypted),
                volume_type=volume.volume_type)


def volume_get(context: Any, volume_id: str) -> dict[str, Any] | None:
    """Return ``{id, name, status, project_id, encrypted, volume_type}``.

    ``None`` if unseen; ``project_id`` is known only to administrators
    (Cinder hides it).
    """
    volume = _call(context, 'block-storage',
                   lambda c: c.block_storage.get_volume(_quoted(volume_id)))
    return None if volume is None else _volume_brief(volume)


def volume_list(context: Any) -> list[dict[str, Any]]:
    """Return the caller's project's volumes (every page)."""
    return _call(context, 'block-storage',
                 lambda c: _briefs(c.block_storage.volumes(details=True))) or []


def swift_connection(context: Any) -> swift_client.Connection:
    """A Swift connection to the caller's account, with the caller's token.

    The account URL is the object-store endpoint of the caller's catalog in
    the ``[swift]`` region (or its ``endpoint_override``): the API reads
    checkpoints with the caller's own rights, so Swift's ACLs decide.

    :raises dragon.exception.RemoteServiceUnavailable: no Swift endpoint.
    """
    try:
        url = _adapter(context, 'swift').get_endpoint()
    except ks_exc.ClientException as e:
        raise exception.RemoteServiceUnavailable(
            service='Swift', reason='no endpoint in the catalog: %s' % e)
    if not url:
        raise exception.RemoteServiceUnavailable(
            service='Swift', reason='no object-store endpoint in the catalog')
    return swift_client.Connection(preauthurl=url,
                                   preauthtoken=context.auth_token,
                                   retries=2, timeout=TIMEOUT)
