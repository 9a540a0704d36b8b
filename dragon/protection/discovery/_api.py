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

"""GET and filtered list calls for discovery, each failure a DiscoveryFailed.

Every read names the resource it was for, so a checkpoint that fails says
which dependency could not be read and why.  List calls follow the
services' ``*_links`` / ``next`` pagination and split long id filters into
batches (URLs stay short; the call count still grows with resource types,
not with one call per resource).

Not yet on openstacksdk's list calls: discovery reads the services' own
JSON keys (``router:external``, ``OS-EXT-*``, embedded flavors) into the
graph and the HOT template, and the SDK's models rename and convert them.
The requests go through the run's counted adapters, ``[nova]`` ...
``[neutron]`` honoured.
"""

from typing import Any, Iterable

from keystoneauth1 import exceptions as ks_exc

from dragon import exception

# Ids per filtered list call: ~50 UUIDs keep a URL under 4 KiB.
BATCH = 50


def _reason(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    message = None
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and value.get('message'):
                message = value['message']
                break
        message = message or body.get('message')
    text = 'HTTP %s' % response.status_code
    return '%s: %s' % (text, message) if message else text


def get(clients: Any, service: str, path: str, *, resource: str,
        params: dict[str, Any] | None = None,
        microversion: str | None = None) -> dict[str, Any]:
    """GET ``path`` of ``service``; the JSON body.

    :param resource: what is being read, for the error message.
    :raises dragon.exception.DiscoveryFailed: unreachable or HTTP >= 400.
    """
    kwargs: dict[str, Any] = {'params': params or {}, 'raise_exc': False}
    if microversion:
        kwargs['microversion'] = microversion
    try:
        response = clients.adapter(service).get(path, **kwargs)
    except ks_exc.ClientException as e:
        raise exception.DiscoveryFailed(
            resource=resource, reason='%s unreachable: %s' % (service, e))
    if response.status_code >= 400:
        raise exception.DiscoveryFailed(resource=resource,
                                        reason=_reason(response))
    try:
        return response.json()
    except ValueError:
        raise exception.DiscoveryFailed(
            resource=resource, reason='%s answered with no JSON' % service)


def _next(body: dict[str, Any], collection: str) -> str | None:
    for link in body.get(collection + '_links') or ():
        if link.get('rel') == 'next':
            return link.get('href')
    return body.get('next')  # Glance


def list_all(clients: Any, service: str, path: str, collection: str, *,
             resource: str,
             params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every item of a (possibly paginated) list call.

    :raises dragon.exception.DiscoveryFailed:
    """
    items: list[dict[str, Any]] = []
    url: str | None = path
    query = params
    while url:
        body = get(clients, service, url, resource=resource, params=query)
        items.extend(body.get(collection) or [])
        url = _next(body, collection)
        query = None  # the next link carries the query
    return items


def list_filtered(clients: Any, service: str, path: str, collection: str,
                  field: str, values: Iterable[str], *, resource: str,
                  params: dict[str, Any] | None = None,
                  ) -> list[dict[str, Any]]:
    """Items whose ``field`` is one of ``values`` (repeated query keys).

    Neutron takes ``?id=a&id=b``; no call at all for no values.

    :raises dragon.exception.DiscoveryFailed:
    """
    wanted = sorted(set(v for v in values if v))
    items: list[dict[str, Any]] = []
    for start in range(0, len(wanted), BATCH):
        query = dict(params or {})
        query[field] = wanted[start:start + BATCH]
        items.extend(list_all(clients, service, path, collection,
                              resource=resource, params=query))
    return items
