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
catalog, so they decide what the caller may see.  Endpoints come from the
caller's catalog, narrowed by the ``[nova]``, ``[cinder]`` and ``[swift]``
keystoneauth adapter options (region, interface, override).
A resource the caller cannot see is "not found", never an error.
"""

from typing import Any
from urllib import parse

from keystoneauth1.access import service_catalog
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin
from oslo_log import log as logging
from swiftclient import client as swift_client

from dragon import conf as dragon_conf
from dragon import exception

LOG = logging.getLogger(__name__)

TIMEOUT = 30


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


def _adapter(context: Any, group: str) -> Any:
    conf = dragon_conf.CONF
    auth = CallerAuth(context.auth_token,
                       getattr(context, 'service_catalog', None) or [])
    session = ks_loading.load_session_from_conf_options(conf, group,
                                                        auth=auth)
    return ks_loading.load_adapter_from_conf_options(conf, group,
                                                     session=session,
                                                     auth=auth)


def _get(context: Any, group: str, path: str) -> dict[str, Any] | None:
    """GET ``path`` from the service of ``group``; ``None`` if not found."""
    service = {'nova': 'Nova', 'cinder': 'Cinder'}[group]
    try:
        response = _adapter(context, group).get(
            path, raise_exc=False, timeout=TIMEOUT)
    except ks_exc.EndpointNotFound as e:
        raise exception.RemoteServiceUnavailable(
            service=service, reason='no endpoint in the catalog: %s' % e)
    except ks_exc.ClientException as e:
        raise exception.RemoteServiceUnavailable(service=service, reason=e)
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        LOG.warning("%s answered %s to GET %s", service,
                    response.status_code, path)
        raise exception.RemoteServiceUnavailable(
            service=service, reason='HTTP %s' % response.status_code)
    return response.json()


def _server(raw: dict[str, Any]) -> dict[str, Any]:
    return {'id': raw['id'], 'name': raw.get('name') or '',
            'status': raw.get('status') or '',
            'project_id': raw.get('tenant_id') or raw.get('project_id')}


def _volume(raw: dict[str, Any]) -> dict[str, Any]:
    return {'id': raw['id'], 'name': raw.get('name') or '',
            'status': raw.get('status') or '',
            'project_id': raw.get('os-vol-tenant-attr:tenant_id')}


def server_get(context: Any, server_id: str) -> dict[str, Any] | None:
    """Return ``{id, name, status, project_id}`` of a server, ``None`` if unseen."""
    body = _get(context, 'nova', '/servers/%s' % parse.quote(server_id, safe=''))
    return _server(body['server']) if body else None


def server_list(context: Any) -> list[dict[str, Any]]:
    """Return the caller's project's servers."""
    body = _get(context, 'nova', '/servers/detail') or {'servers': []}
    return [_server(s) for s in body['servers']]


def volume_get(context: Any, volume_id: str) -> dict[str, Any] | None:
    """Return ``{id, name, status, project_id}`` of a volume, ``None`` if unseen.

    ``project_id`` is known only to administrators (Cinder hides it).
    """
    body = _get(context, 'cinder', '/volumes/%s' % parse.quote(volume_id, safe=''))
    return _volume(body['volume']) if body else None


def volume_list(context: Any) -> list[dict[str, Any]]:
    """Return the caller's project's volumes."""
    body = _get(context, 'cinder', '/volumes/detail') or {'volumes': []}
    return [_volume(v) for v in body['volumes']]


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
