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

"""openstacksdk list calls for discovery, each failure a DiscoveryFailed.

Every read goes through the run's ``ServiceClients.connection`` (its
microversions, its ``[nova]`` ... ``[neutron]`` options, its counted
session) with the SDK's paging and query filters, and names the resource
it was for, so a checkpoint that fails says which dependency could not be
read and why.  Items come back as the services' own JSON (``body``):
the resource graph and the HOT template record ``router:external``,
``OS-EXT-*`` keys and embedded flavors as the services sent them.
"""

from typing import Any, Callable, Iterable

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from openstack import resource as sdk_resource

from dragon import exception

# The largest page Nova, Cinder and Glance serve by default (their
# ``max_limit`` / ``osapi_max_limit`` / ``api_limit_max``): one call per
# list for up to 1000 items, and the SDK follows the next links beyond
# that or when the operator set a smaller maximum.  Neutron is asked for
# no page at all: it answers every match in one response unless its
# ``pagination_max_limit`` says otherwise, and then the SDK follows.
PAGE = 1000
# Ids per id-filtered list: 150 UUIDs (about 6 KiB of query string) stay
# under the 8 KiB request line of common front ends (Apache's
# LimitRequestLine, gunicorn's largest limit) -- the same batch nova-api
# uses for its own filtered Neutron calls.  Only short lists are filtered
# by id (networks, subnets, routers, security groups, images): the lists
# that grow with servers (servers, ports, floating IPs, volumes) are read
# whole, once.
BATCH = 150


def body(item: sdk_resource.Resource) -> dict[str, Any]:
    """``item`` as the service sent it: its JSON keys and values.

    ``to_dict(original_names=True)`` is not that: it fills every key the
    service did not send with ``None`` or the model's default (a port's
    ``port_security_enabled`` becomes ``False`` on a Neutron without the
    extension, where the template must leave it out), and it renames the
    keys of embedded resources (a server's flavor).  The resource keeps
    what it received, by the services' names, in its body.
    """
    return dict(item._body.attributes)


def _reason(service: str, error: Exception) -> str:
    if isinstance(error, sdk_exc.HttpException) and error.status_code:
        message = error.details or ''
        text = 'HTTP %s' % error.status_code
        return '%s: %s' % (text, message) if message else text
    return '%s unreachable: %s' % (service, error)


def listing(service: str, call: Callable[[], Iterable[Any]], *,
            resource: str) -> list[dict[str, Any]]:
    """Every item of an SDK list ``call()`` (all pages), as ``body``.

    :param service: the service type, for the reason.
    :param resource: what is being read, for the error message.
    :raises dragon.exception.DiscoveryFailed: unreachable, an HTTP error,
        or the service is not in the catalog.
    """
    try:
        return [body(item) for item in call()]
    except (sdk_exc.SDKException, ks_exc.ClientException) as e:
        raise exception.DiscoveryFailed(resource=resource,
                                        reason=_reason(service, e))


def lean_listing(service: str, proxy: Any, model: type, *, resource: str,
                 path: str | None = None,
                 **params: Any) -> list[dict[str, Any]]:
    """What ``listing`` of ``model``'s list call returns, without the models.

    The same requests the SDK's ``model.list`` sends (its path, collection
    key and negotiated microversion, ``limit`` and the next links the
    service gives), but each item stays the service's JSON: building an
    SDK model costs about 10 ms of CPU for a ``Server`` (some 70
    attributes and nested models), seconds for a project of hundreds of
    servers, only to be turned back into the same dict by ``body``.

    :param path: the collection's path when not ``model.base_path``
        (``/servers/detail``).
    :raises dragon.exception.DiscoveryFailed: as ``listing``.
    """
    key = model.resources_key
    items: list[dict[str, Any]] = []
    try:
        microversion = model._get_microversion(proxy)
        url: str | None = path or model.base_path
        query: dict[str, Any] | None = dict(params)
        seen = set()
        while url and url not in seen:
            seen.add(url)
            response = proxy.get(url, params=query,
                                 microversion=microversion, raise_exc=False)
            sdk_exc.raise_from_response(response)
            data = response.json()
            page = data.get(key) or []
            for item in page:
                item.pop('self', None)    # as the SDK (Glance's own link)
            items.extend(page)
            # The next link carries the whole query, marker included.
            url = _next_link(data.get('%s_links' % key)) if page else None
            query = None
    except (sdk_exc.SDKException, ks_exc.ClientException) as e:
        raise exception.DiscoveryFailed(resource=resource,
                                        reason=_reason(service, e))
    return items


def _next_link(links: Any) -> str | None:
    for link in links or ():
        if isinstance(link, dict) and link.get('rel') == 'next':
            return link.get('href')
    return None


def filtered(read: Callable[..., list[dict[str, Any]]], field: str,
             values: Iterable[str], *,
             join: Callable[[list[str]], Any] = list,
             **query: Any) -> list[dict[str, Any]]:
    """Items whose ``field`` is one of ``values``, ``BATCH`` ids a call.

    ``read(**query)`` is one filtered list (a ``lean_listing``, or a
    ``listing`` where the SDK's paging is needed); ``join`` makes the
    filter of one batch: a list for Neutron's repeated keys
    (``?id=a&id=b``), ``in:a,b`` for Glance.  No call for no values.

    :raises dragon.exception.DiscoveryFailed: as ``read``.
    """
    wanted = sorted(set(v for v in values if v))
    items: list[dict[str, Any]] = []
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start:start + BATCH]
        items.extend(read(**dict(query, **{field: join(batch)})))
    return items
