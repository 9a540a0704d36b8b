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
"""

from typing import Any, Callable

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from dragon import exception
from dragon.protection import graph as graph_mod

RECREATE = 'recreate'
# Data record kinds whose bytes come back as a Glance image ...
IMAGE_KINDS = ('image', 'volume')
# ... and those that come back as a Cinder volume replacing the resource.
VOLUME_KINDS = ('cinder_backup', 'replicated')
DRILL = 'drill'


def existing_key(key: str) -> str:
    """The ``values`` entry naming an existing target resource for ``key``.

    A value under a node key (never a parameter name: those end in
    ``_<what>``) tells the rewrite to use that existing target resource
    instead of creating the node's resource (key pairs already present).
    """
    return key


class _Target:
    """Lists of the target region, each fetched once, on first need.

    Through the run's openstacksdk connection (its paging and models);
    items are the SDK's resources, read by attribute.
    """

    def __init__(self, clients: Any) -> None:
        self.clients = clients
        self.conn = clients.connection
        self._cache: dict[str, Any] = {}

    @staticmethod
    def _read(service: str, what: str, fetch: Callable[[], Any]) -> Any:
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

    def flavors(self) -> list[Any]:
        return self.once('flavors', lambda: self._read(
            'compute', 'listing flavors',
            lambda: list(self.conn.compute.flavors(details=True))) or [])

    def zones(self, service: str) -> set[str]:
        proxy = {'compute': self.conn.compute,
                 'block-storage': self.conn.block_storage}[service]

        def fetch() -> set[str]:
            zones = self._read(service, 'listing availability zones',
                               lambda: list(proxy.availability_zones()))
            return {z.name for z in zones or ()
                    if (z.state or {}).get('available', True)}
        return self.once('zones_' + service, fetch)

    def volume_types(self) -> tuple[list[Any], str | None]:
        def fetch() -> tuple[list[Any], str | None]:
            storage = self.conn.block_storage
            types = self._read('block-storage', 'listing volume types',
                               lambda: list(storage.types())) or []
            default = self._read('block-storage',
                                 'reading the default volume type',
                                 lambda: storage.get_type('default'))
            return types, default.name if default is not None else None
        return self.once('volume_types', fetch)

    def networks(self) -> list[Any]:
        return self.once('networks', lambda: self._read(
            'network', 'listing networks',
            lambda: list(self.conn.network.networks())) or [])

    def keypairs(self) -> dict[str, Any]:
        def fetch() -> dict[str, Any]:
            found = self._read('compute', 'listing key pairs',
                               lambda: list(self.conn.compute.keypairs()))
            return {k.name: k for k in found or ()}
        return self.once('keypairs', fetch)

    def images(self, ref: str) -> list[Any]:
        """Active images whose id or name is ``ref``."""
        image = self.conn.image

        def fetch() -> list[Any]:
            found = self._read('image', 'reading image %s' % ref,
                               lambda: image.get_image(ref)) \
                if _looks_like_id(ref) else None
            if found is not None and found.status == 'active':
                return [found]
            return self._read('image', 'listing images', lambda: list(
                image.images(name=ref, status='active'))) or []
        return self.once('image_' + ref, fetch)


def _looks_like_id(value: str) -> bool:
    return len(value.replace('-', '')) == 32 and all(
        c in '0123456789abcdefABCDEF' for c in value.replace('-', ''))


def _one(items: list[Any], ref: str,
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


class _Resolver:
    def __init__(self, manifest: dict[str, Any], clients: Any,
                 mappings: dict[str, Any], keys: set[str] | None,
                 mode: str) -> None:
        self.graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
        self.data = manifest.get('data') or {}
        self.index = manifest.get('parameters') or {}
        self.target = _Target(clients)
        self.region = getattr(clients, 'region_name', None) or 'the target'
        self.mappings = mappings or {}
        self.keys = keys
        self.drill = mode == DRILL
        self.values: dict[str, str] = {}
        self.missing: list[str] = []

    def map(self, group: str) -> dict[str, Any]:
        return self.mappings.get(group) or {}

    def lack(self, param: str, node: graph_mod.Node | None, what: str,
             source: Any, why: str, hint: str) -> None:
        owner = (' of %s %s' % (node.resource.type.split('::')[-1].lower(),
                                node.resource.name or node.key)
                 if node else '')
        self.missing.append('%s%s (parameter %s, source %r): %s in %s; %s' % (
            what, owner, param, source, why, self.region, hint))

    def resolve(self) -> dict[str, str]:
        for param, entry in self.index.items():
            key = entry.get('node')
            if key is not None and self.keys is not None and \
                    key not in self.keys:
                continue
            node = self.graph.get(key) if key in self.graph else None
            handler = getattr(self, '_' + entry.get('kind', ''), None)
            if handler is None:
                self.missing.append('parameter %s: unknown kind %r' % (
                    param, entry.get('kind')))
                continue
            handler(param, node, entry.get('default'))
        self._owned_networks()
        self._unknown_flavors()
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

    def _unknown_flavors(self) -> None:
        """A flavor mapping whose source no server of the checkpoint has.

        Servers record their flavor by name (Nova embeds no flavor id
        since microversion 2.47), so a mapping keyed by anything else
        would be ignored without a word: it is refused instead.
        """
        names = {(node.properties.get('flavor') or {}).get('original_name')
                 for node in self.graph.nodes()
                 if node.resource.type == 'OS::Nova::Server'}
        for source in self.map('flavors'):
            if source not in names:
                self.missing.append(
                    'flavor mapping %r: no server of the checkpoint has a '
                    'flavor named so (flavors are mapped by the source '
                    'flavor\'s name: %s)' % (
                        source, ', '.join(sorted(n for n in names if n))
                        or 'none'))

    # -- one method per parameter kind --------------------------------------

    def _flavor(self, param: str, node: Any, source: str) -> None:
        ref = self.map('flavors').get(source)
        found, why = _one(self.target.flavors(), ref or source)
        if found is None:
            self.lack(param, node, 'flavor', source,
                      'flavor %s: %s' % (ref or source, why),
                      'map it with flavors')
        else:
            self.values[param] = found.id

    def _image(self, param: str, node: Any, source: str) -> None:
        record = self.data.get(node.key) if node else None
        kind = (record or {}).get('kind')
        if kind in IMAGE_KINDS or kind in VOLUME_KINDS:
            return  # restored: the rewrite takes it from ``restored``
        if node is not None and node.resource.type == 'OS::Cinder::Volume':
            meta = node.properties.get('image_metadata') or {}
            if not node.properties.get('bootable') or not (
                    meta.get('image_id') or meta.get('image_name')):
                self.values[param] = ''  # a blank volume
                return
            source, name = meta.get('image_id'), meta.get('image_name')
        else:
            name = ((node.properties.get('image') or {}).get('name')
                    if node else None)
        mapped = self.map('images')
        ref = mapped.get(source or '') or mapped.get(name or '') or name
        if not ref:
            self.lack(param, node, 'image', source, 'the source image has '
                      'no name to look up', 'map it with images')
            return
        images = self.target.images(ref)
        found, why = _one(images, ref)
        if found is None:
            self.lack(param, node, 'image', source or name,
                      'image %s: %s' % (ref, why or 'not found'),
                      'map it with images')
        else:
            self.values[param] = found.id

    def _availability_zone(self, param: str, node: Any, source: str) -> None:
        service = ('block-storage' if node is not None and
                   node.resource.type == 'OS::Cinder::Volume' else 'compute')
        zone = self.map('availability_zones').get(source, source)
        if zone in self.target.zones(service):
            self.values[param] = zone
        else:
            self.lack(param, node, 'availability zone', source,
                      'no available %s zone %s' % (
                          'volume' if service == 'block-storage'
                          else 'compute', zone),
                      'map it with availability_zones')

    def _volume_type(self, param: str, node: Any, source: str) -> None:
        if not source:
            self.values[param] = ''
            return
        ref = self.map('volume_types').get(source, source)
        types, default = self.target.volume_types()
        found, why = _one(types, ref)
        if found is None:
            self.lack(param, node, 'volume type', source,
                      'volume type %s: %s' % (ref, why),
                      'map it with volume_types')
        elif found.name == default:
            # The default type is what an empty value gives, and it spares
            # Heat a type lookup some Cinder policies refuse to members.
            self.values[param] = ''
        else:
            self.values[param] = found.id

    def _key_name(self, param: str, node: Any, source: str) -> None:
        mapped = self.map('key_pairs').get(source)
        existing = self.target.keypairs()
        if mapped:
            if mapped in existing:
                self.values[param] = mapped
                self.values[existing_key(node.key)] = mapped
            else:
                self.lack(param, node, 'key pair', source,
                          'no key pair %s' % mapped, 'map it with key_pairs '
                          'to one of the user\'s key pairs')
            return
        name = (self.mappings.get('name_prefix') or '') + source
        found = existing.get(name)
        public_key = node.properties.get('public_key') if node else None
        if found is None:
            self.values[param] = name  # the stack creates it
        elif (found.public_key or '').split()[:2] == \
                (public_key or '').split()[:2]:
            self.values[param] = name
            self.values[existing_key(node.key)] = name  # the same key
        else:
            self.lack(param, node, 'key pair', source,
                      'a different key pair named %s exists' % name,
                      'map it with key_pairs or set a name_prefix')

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
        found, why = _one(nets, ref or name or source)
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
        found, why = _one(nets, ref or name or source)
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
    return _Resolver(manifest, clients, mappings or {}, keys, mode).resolve()
