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

"""Mapping resolution: the target region's value of every template parameter.

Explicit mappings win; an unmapped value is looked up **by name** in the
target where that is unambiguous (a flavor by its original name, a volume
type, an availability zone, an external network, an image of a
template-only server, a shared network, a key pair).  Everything that
cannot be resolved is collected and raised at once as ``MappingMissing``
before anything is created.  Values that recovery restores (server disks,
volume data) are left to the rewrite, which takes them from ``restored``.

A parameter's ``kind`` is resolved by the resource type whose template
handler built its node (``mapping_kinds`` of ``dragon.resource_types``:
flavors and key pairs are the server's, volume types the volume's); this
module is the generic part: the resolver, the target's lists each read
once, the lookups several types share (images, availability zones) and
the kinds of the networks every type may use and of the name prefix.
"""

from typing import Any, Callable

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon import resource_types

RECREATE = 'recreate'
DRILL = 'drill'


def existing_key(key: str) -> str:
    """The ``values`` entry naming an existing target resource for ``key``.

    A value under a node key (never a parameter name: those end in
    ``_<what>``) tells the rewrite to use that existing target resource
    instead of creating the node's resource (key pairs already present).
    """
    return key


class Target:
    """Lists of the target region, each fetched once, on first need.

    Through the run's openstacksdk connection (its paging and models);
    items are the SDK's resources, read by attribute.  Resource types
    read their own lists with ``once`` and ``read``.
    """

    def __init__(self, clients: Any) -> None:
        self.clients = clients
        self.conn = clients.connection
        self._cache: dict[str, Any] = {}

    @staticmethod
    def read(service: str, what: str, fetch: Callable[[], Any]) -> Any:
        """``fetch()``; ``None`` when not found, else one clear error."""
        try:
            return fetch()
        except sdk_exc.NotFoundException:
            return None
        except sdk_exc.HttpException as e:
            raise exception.RemoteServiceUnavailable(
                service=service, reason='%s: HTTP %s' % (what, e.status_code))
        except (sdk_exc.SDKException, ks_exc.ClientException) as e:
            raise exception.RemoteServiceUnavailable(
                service=service, reason='%s: %s' % (what, e))

    def once(self, name: str, fetch: Callable[[], Any]) -> Any:
        if name not in self._cache:
            self._cache[name] = fetch()
        return self._cache[name]

    def zones(self, service: str) -> set[str]:
        """Available zones of ``compute`` or ``block-storage``."""
        proxy = getattr(self.conn, service.replace('-', '_'))

        def fetch() -> set[str]:
            zones = self.read(service, 'listing availability zones',
                              lambda: list(proxy.availability_zones()))
            return {z.name for z in zones or ()
                    if (z.state or {}).get('available', True)}
        return self.once('zones_' + service, fetch)

    def networks(self) -> list[Any]:
        return self.once('networks', lambda: self.read(
            'network', 'listing networks',
            lambda: list(self.conn.network.networks())) or [])

    def images(self, ref: str) -> list[Any]:
        """Active images whose id or name is ``ref``."""
        image = self.conn.image

        def fetch() -> list[Any]:
            found = self.read('image', 'reading image %s' % ref,
                              lambda: image.get_image(ref)) \
                if _looks_like_id(ref) else None
            if found is not None and found.status == 'active':
                return [found]
            return self.read('image', 'listing images', lambda: list(
                image.images(name=ref, status='active'))) or []
        return self.once('image_' + ref, fetch)


def _looks_like_id(value: str) -> bool:
    return len(value.replace('-', '')) == 32 and all(
        c in '0123456789abcdefABCDEF' for c in value.replace('-', ''))


def one(items: list[Any], ref: str,
        field: str = 'name') -> tuple[Any | None, str]:
    """The item whose id, else whose ``field``, is ``ref``; why not."""
    by_id = [i for i in items if i.id == ref]
    if by_id:
        return by_id[0], ''
    named = [i for i in items if getattr(i, field) == ref]
    if len(named) == 1:
        return named[0], ''
    if named:
        return None, '%d of them are named %s' % (len(named), ref)
    return None, 'none is named %s' % ref


class Resolver:
    """One resolution; what a resource type's mapping functions get.

    ``values`` (parameter → target value), ``missing`` (what cannot be
    resolved), ``map(group)`` (the recovery's mappings of a group),
    ``mappings``, ``target`` (``Target``), ``graph``, ``data`` (the
    manifest's data records), ``drill``, ``lack`` and the shared lookups
    ``image`` and ``zone``.
    """

    def __init__(self, manifest: dict[str, Any], clients: Any,
                 mappings: dict[str, Any], keys: set[str] | None,
                 mode: str) -> None:
        self.graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
        self.data = manifest.get('data') or {}
        self.index = manifest.get('parameters') or {}
        self.target = Target(clients)
        self.region = getattr(clients, 'region_name', None) or 'the target'
        self.mappings = mappings or {}
        self.keys = keys
        self.drill = mode == DRILL
        self.values: dict[str, str] = {}
        self.missing: list[str] = []
        # The kinds of the parameters of nodes no type builds alone.
        self.core_kinds: dict[str, Callable[[str, Any, Any], None]] = {
            'network': self._network,
            'external_network': self._external_network,
            'name_prefix': self._name_prefix}

    def map(self, group: str) -> dict[str, Any]:
        return self.mappings.get(group) or {}

    def lack(self, param: str, node: graph_mod.Node | None, what: str,
             source: Any, why: str, hint: str) -> None:
        owner = (' of %s %s' % (node.resource.type.split('::')[-1].lower(),
                                node.resource.name or node.key)
                 if node else '')
        self.missing.append('%s%s (parameter %s, source %r): %s in %s; %s' % (
            what, owner, param, source, why, self.region, hint))

    def _handler(self, node: graph_mod.Node | None,
                 kind: str) -> Callable[[str, Any, Any], None] | None:
        plugin = (resource_types.by_template_type(node.resource.type)
                  if node is not None else None)
        function = plugin.mapping_kinds().get(kind) if plugin else None
        if function is not None:
            return lambda param, n, source: function(self, param, n, source)
        return self.core_kinds.get(kind)

    def resolve(self) -> dict[str, str]:
        for param, entry in self.index.items():
            key = entry.get('node')
            if key is not None and self.keys is not None and \
                    key not in self.keys:
                continue
            node = self.graph.get(key) if key in self.graph else None
            handler = self._handler(node, entry.get('kind', ''))
            if handler is None:
                self.missing.append('parameter %s: unknown kind %r' % (
                    param, entry.get('kind')))
                continue
            handler(param, node, entry.get('default'))
        self._owned_networks()
        for plugin in resource_types.all_types():
            plugin.check_mappings(self)
        if self.missing:
            raise exception.MappingMissing(missing=self.missing)
        return self.values

    def _owned_networks(self) -> None:
        for source, ref in self.map('networks').items():
            node = self.graph.by_resource('OS::Neutron::Net', source)
            if node is None or not node.properties.get('owned') or \
                    ref == RECREATE or (self.keys is not None and
                                        node.key not in self.keys):
                continue
            self.missing.append(
                'network %s (%s) is the project\'s own: it is recreated '
                'with its subnets and cannot be mapped to %s; map only '
                'shared or external networks' % (
                    node.resource.name or node.key, source, ref))

    # -- lookups several resource types share --------------------------------

    def image(self, param: str, node: Any, source: str | None,
              name: str | None) -> None:
        """The target image of ``source`` (an id) or ``name``.

        The ``images`` mapping of the id or the name, else the name.
        """
        mapped = self.map('images')
        ref = mapped.get(source or '') or mapped.get(name or '') or name
        if not ref:
            self.lack(param, node, 'image', source, 'the source image has '
                      'no name to look up', 'map it with images')
            return
        images = self.target.images(ref)
        found, why = one(images, ref)
        if found is None:
            self.lack(param, node, 'image', source or name,
                      'image %s: %s' % (ref, why or 'not found'),
                      'map it with images')
        else:
            self.values[param] = found.id

    def zone(self, param: str, node: Any, source: str, service: str,
             what: str) -> None:
        """The target zone of ``service`` for ``source`` (``what`` zone)."""
        zone = self.map('availability_zones').get(source, source)
        if zone in self.target.zones(service):
            self.values[param] = zone
        else:
            self.lack(param, node, 'availability zone', source,
                      'no available %s zone %s' % (what, zone),
                      'map it with availability_zones')

    # -- the core's kinds ------------------------------------------------------

    def _network(self, param: str, node: Any, source: str) -> None:
        if self.drill:
            return  # the rewrite recreates every network of a drill
        ref = self.map('networks').get(source)
        if ref == RECREATE:
            self.values[param] = RECREATE
            return
        name = node.resource.name if node else None
        nets = [n for n in self.target.networks()
                if not n.is_router_external]
        found, why = one(nets, ref or name or source)
        if found is None:
            self.lack(param, node, 'network', source,
                      'network %s: %s' % (ref or name or source, why),
                      'map it with networks (a network id or "recreate")')
        else:
            self.values[param] = found.id

    def _external_network(self, param: str, node: Any, source: str) -> None:
        if self.drill:
            return  # no gateways, no floating IPs, ports on new networks
        ref = (self.map('networks').get(source) or
               self.mappings.get('external_network'))
        if ref == RECREATE:
            self.values[param] = RECREATE
            return
        name = node.resource.name if node else None
        nets = [n for n in self.target.networks() if n.is_router_external]
        found, why = one(nets, ref or name or source)
        if found is None:
            self.lack(param, node, 'external network', source,
                      'external network %s: %s' % (ref or name or source,
                                                   why),
                      'give external_network')
        else:
            self.values[param] = found.id

    def _name_prefix(self, param: str, node: Any, source: str) -> None:
        self.values[param] = self.mappings.get('name_prefix') or ''


def resolve(manifest: dict[str, Any], clients: Any,
            mappings: dict[str, Any] | None, keys: set[str] | None,
            mode: str = 'failover') -> dict[str, str]:
    """The target value of every parameter of the selected resources.

    :param manifest: the checkpoint manifest (``graph``, ``data``,
        ``parameters``).
    :param clients: ``ServiceClients`` of the target region.
    :param mappings: the recovery's mappings (see the module docstring).
    :param keys: the selected node keys (``selection.select``); ``None``
        for every node.
    :param mode: ``failover`` or ``drill`` (a drill recreates every
        network, so network mappings are not needed).
    :returns: parameter name → target value; ``"recreate"`` for networks
        to recreate; an entry under a node key names an existing target
        resource to use instead of creating it (``existing_key``).
        Parameters that restored data fills are absent.
    :raises dragon.exception.MappingMissing: every unresolvable value,
        at once.
    :raises dragon.exception.RemoteServiceUnavailable: a target list
        call failed.
    """
    return Resolver(manifest, clients, mappings or {}, keys, mode).resolve()
