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

"""A fake ServiceClients whose SDK proxies answer canned JSON, and a workload.

The fake sits at the openstacksdk boundary: discovery code runs
unchanged, each list call yields the SDK's own resource models made from
the services' JSON, and the fake applies the same list filters and pages
the services do (Neutron's repeated keys, Glance's ``in:``, Nova's full
pages with a next link), counting every call (page) per service.
"""

import collections
import copy
import threading
import types
import urllib.parse

from openstack.block_storage.v3 import volume as sdk_volume
from openstack.compute.v2 import keypair as sdk_keypair
from openstack.compute.v2 import server as sdk_server
from openstack.compute.v2 import server_group as sdk_server_group
from openstack import exceptions as sdk_exc
from openstack.image.v2 import image as sdk_image
from openstack.network.v2 import floating_ip as sdk_floating_ip
from openstack.network.v2 import network as sdk_network
from openstack.network.v2 import port as sdk_port
from openstack.network.v2 import router as sdk_router
from openstack.network.v2 import security_group as sdk_security_group
from openstack.network.v2 import subnet as sdk_subnet

from tests.unit import fake_heat

PROJECT = 'p' * 32
EXT_NET = 'e0000000-0000-0000-0000-000000000001'
NET = 'a0000000-0000-0000-0000-000000000001'
SUBNET = 'b0000000-0000-0000-0000-000000000001'
ROUTER = 'c0000000-0000-0000-0000-000000000001'
SG_WEB = 'd0000000-0000-0000-0000-000000000001'
SG_DEFAULT = 'd0000000-0000-0000-0000-000000000002'
IMAGE = 'f0000000-0000-0000-0000-000000000001'
GROUP = '90000000-0000-0000-0000-000000000001'
BOOT_VOL = '70000000-0000-0000-0000-000000000001'
DATA_VOL = '70000000-0000-0000-0000-000000000002'
BFV = '50000000-0000-0000-0000-0000000000bf'


def server_id(i):
    return '50000000-0000-0000-0000-%012d' % i


class Response:
    def __init__(self, status, body):
        self.status_code = status
        self._body = body

    def json(self):
        return copy.deepcopy(self._body)


def _matches(item, params):
    for field, wanted in (params or {}).items():
        if field == 'project_id' and field not in item:
            continue  # the World's resources are the project's
        if isinstance(wanted, str) and wanted.startswith('in:'):
            wanted = wanted[3:].split(',')
        if not isinstance(wanted, list):
            wanted = [wanted]
        if item.get(field) not in wanted:
            return False
    return True


# The SDK list call → (the World's collection, the SDK's model).
LISTS = {
    ('compute', 'servers'): ('servers', sdk_server.Server),
    ('compute', 'keypairs'): ('keypairs', sdk_keypair.Keypair),
    ('compute', 'server_groups'): ('server_groups',
                                   sdk_server_group.ServerGroup),
    ('block_storage', 'volumes'): ('volumes', sdk_volume.Volume),
    ('image', 'images'): ('images', sdk_image.Image),
    ('network', 'ports'): ('ports', sdk_port.Port),
    ('network', 'networks'): ('networks', sdk_network.Network),
    ('network', 'subnets'): ('subnets', sdk_subnet.Subnet),
    ('network', 'routers'): ('routers', sdk_router.Router),
    ('network', 'security_groups'): ('security-groups',
                                     sdk_security_group.SecurityGroup),
    ('network', 'ips'): ('floatingips', sdk_floating_ip.FloatingIP),
}
SERVICE_TYPES = {'compute': 'compute', 'block_storage': 'block-storage',
                 'image': 'image', 'network': 'network'}


class Proxy:
    """An openstacksdk proxy whose list calls page through the World.

    Its ``get`` is the adapter's: a page of a collection as JSON, with the
    next link a full page has (what ``_api.lean_listing`` reads).
    """

    def __init__(self, world, name):
        self.world, self.name = world, name
        self.service_type, self.service_name = SERVICE_TYPES[name], None
        # What the run's connection configures for Nova (>= 2.47: the
        # embedded flavor); Cinder's is negotiated (``get_endpoint_data``).
        self.default_microversion = '2.79' if name == 'compute' else None

    def get_endpoint_data(self):
        """Version discovery: a Cinder older than the SDK's 3.71."""
        if self.name == 'block_storage':
            return types.SimpleNamespace(min_microversion='3.0',
                                         max_microversion='3.70')
        return None

    def get(self, url, params=None, microversion=None, raise_exc=True):
        path, _, encoded = url.partition('?')
        query = dict(urllib.parse.parse_qsl(encoded))
        query.update(params or {})
        for (proxy, kind), (_collection, model) in LISTS.items():
            if proxy == self.name and path in (
                    model.base_path, model.base_path + '/detail'):
                if kind in ('servers', 'volumes'):
                    assert path.endswith('/detail'), \
                        'without details, fields are lost'
                return self.world.page(self.name, kind, path, query,
                                       microversion)
        raise AssertionError('no list at %s %s' % (self.name, path))

    def __getattr__(self, kind):
        if (self.name, kind) not in LISTS:
            raise AttributeError(kind)
        return lambda **query: self.world.list(self.name, kind, query)


class Connection:
    """Stands in for ``openstack.connection.Connection``."""

    def __init__(self, world):
        self.world = world

    def __getattr__(self, name):
        if name not in SERVICE_TYPES:
            raise AttributeError(name)
        return Proxy(self.world, name)


class Adapter:
    def __init__(self, world, service):
        self.world, self.service = world, service

    def post(self, path, json=None, raise_exc=True, **kwargs):
        self.world.calls[self.service] += 1
        self.world.log.append((self.service, path, json))
        return self.world.post_answer


class Clients:
    """Stands in for ``dragon.cloud.clients.ServiceClients``.

    :param account: a ``fake_swift.FakeAccount`` for a whole protection
        run (its requests count as ``object-store`` calls).
    """

    region_name = 'RegionOne'

    def __init__(self, world, account=None):
        self.world = world
        self.account = account
        self.project_id = PROJECT

    @property
    def calls(self):
        """Calls per service type, as ``ServiceClients.calls``."""
        calls = collections.Counter(self.world.calls)
        if self.account is not None and self.account.requests:
            calls['object-store'] = len(self.account.requests)
        return calls

    def swift(self):
        return self.account.connect()

    @property
    def connection(self):
        return Connection(self.world)

    def adapter(self, service):
        return Adapter(self.world, service)

    def heat(self):
        return fake_heat.client(lambda: self.adapter('orchestration'))


class World:
    """A project with N image-backed servers, one boot-from-volume server,
    a private network behind a router, two security groups, a key pair,
    a server group, a floating IP and a data volume.
    """

    def __init__(self, servers=1, bare=False, attached=False):
        """``bare``: only ``servers`` image-backed servers without key,
        port, group or volume (as the scale benchmark boots them) and the
        image; else the workload above.  ``attached`` (with ``bare``):
        each server has a port on the private network and a data volume,
        the lists that grow with the servers.
        """
        self.calls = collections.Counter()
        self.log = []
        # (proxy, list call) → an HTTP status or an exception to raise.
        self.failures = {}
        self.threads = {}  # list call → the threads it ran on
        self._lock = threading.Lock()
        self.post_answer = Response(200, {'Parameters': {}})
        self.nova = {'servers': [], 'keypairs': [], 'server_groups': []}
        self.volumes = []
        self.neutron = {'ports': [], 'networks': [], 'subnets': [],
                        'routers': [], 'security-groups': [],
                        'floatingips': []}
        self.images = [{'id': IMAGE, 'name': 'cirros', 'disk_format': 'raw',
                        'container_format': 'bare', 'min_disk': 0,
                        'min_ram': 0}]
        if bare:
            if attached:
                self._network()
            for i in range(servers):
                server = self._server(server_id(i), 'bare-%d' % i,
                                      {'id': IMAGE, 'links': []})
                server['key_name'] = None
                self.nova['servers'].append(server)
                if attached:
                    self._port(server['id'], i, '10.0.%d.%d' % divmod(
                        10 + i, 250))
                    self._volume(server, 'data-%d' % i,
                                 '71000000-0000-0000-0000-%012d' % i)
            return
        self._network()
        for i in range(servers):
            self.add_server(server_id(i), 'web-%d' % i)
        self._bfv()
        self._data_volume()

    def _items(self, proxy, collection):
        if proxy == 'compute':
            return self.nova[collection]
        if proxy == 'network':
            return self.neutron[collection]
        return self.volumes if proxy == 'block_storage' else self.images

    def list(self, proxy, kind, query):
        """One SDK list call: a generator of models, one call per page.

        Like the services, a full page has a next link: the SDK asks for
        one more page then.
        """
        collection, model = LISTS[(proxy, kind)]
        query = dict(query)
        limit = query.pop('limit', None)
        if kind in ('servers', 'volumes'):
            assert query.pop('details'), 'without details, fields are lost'
        found = [i for i in self._items(proxy, collection)
                 if _matches(i.get('keypair', i), query)]

        def pages():
            start = 0
            while True:
                self._call(proxy, kind, dict(query, limit=limit))
                page = found[start:start + limit] if limit else found[start:]
                for raw in page:
                    yield model.existing(**copy.deepcopy(raw))
                start += len(page)
                if not limit or len(page) < limit:
                    return
        return pages()

    def _call(self, proxy, kind, logged):
        """Count and log one call of ``kind``; raise the failure set for it."""
        with self._lock:
            self.calls[SERVICE_TYPES[proxy]] += 1
            self.log.append((SERVICE_TYPES[proxy], kind, logged))
            self.threads.setdefault(kind, set()).add(
                threading.current_thread().name)
        failure = self.failures.get((proxy, kind))
        if isinstance(failure, Exception):
            raise failure
        if failure:
            raise sdk_exc.HttpException(
                message='denied', http_status=failure,
                details='denied by policy')

    def page(self, proxy, kind, path, query, microversion):
        """One ``GET`` of a collection (a call): its JSON, as the service.

        ``limit`` and ``marker`` page it; a full page has a next link
        carrying the query, as Nova's ``servers_links``.
        """
        collection, model = LISTS[(proxy, kind)]
        query = dict(query)
        limit = int(query.pop('limit')) if 'limit' in query else None
        marker = query.pop('marker', None)
        self._call(proxy, kind, dict(query, limit=limit, marker=marker,
                                     microversion=microversion))
        found = [i for i in self._items(proxy, collection)
                 if _matches(i.get('keypair', i), query)]
        start = 0
        if marker is not None:
            start = next(n for n, i in enumerate(found)
                         if i['id'] == marker) + 1
        page = found[start:start + limit] if limit else found[start:]
        body = {model.resources_key: copy.deepcopy(page)}
        if limit and len(page) == limit:
            body['%s_links' % model.resources_key] = [{
                'rel': 'next', 'href': '%s?%s' % (path, urllib.parse.urlencode(
                    dict(query, limit=limit, marker=page[-1]['id'])))}]
        return Response(200, body)

    def _network(self):
        n = self.neutron
        n['networks'] += [
            {'id': EXT_NET, 'name': 'public', 'router:external': True,
             'shared': False, 'project_id': 'admin', 'mtu': 1500,
             'admin_state_up': True},
            {'id': NET, 'name': 'private', 'router:external': False,
             'shared': False, 'project_id': PROJECT, 'mtu': 1450,
             'admin_state_up': True, 'port_security_enabled': True}]
        n['subnets'].append({
            'id': SUBNET, 'name': 'private-v4', 'network_id': NET,
            'cidr': '10.0.0.0/24', 'ip_version': 4,
            'gateway_ip': '10.0.0.1', 'enable_dhcp': True,
            'allocation_pools': [{'start': '10.0.0.2', 'end': '10.0.0.254'}],
            'dns_nameservers': ['10.0.0.53'],
            'host_routes': [{'destination': '192.168.0.0/16',
                             'nexthop': '10.0.0.254'}]})
        n['routers'].append({
            'id': ROUTER, 'name': 'gw', 'admin_state_up': True,
            'external_gateway_info': {'network_id': EXT_NET,
                                      'enable_snat': True}})
        n['ports'].append({
            'id': 'router-port', 'network_id': NET, 'device_id': ROUTER,
            'device_owner': 'network:router_interface',
            'fixed_ips': [{'subnet_id': SUBNET, 'ip_address': '10.0.0.1'}]})
        n['security-groups'] += [
            {'id': SG_WEB, 'name': 'web', 'description': 'http',
             'security_group_rules': [
                 {'direction': 'ingress', 'ethertype': 'IPv4',
                  'protocol': 'tcp', 'port_range_min': 80,
                  'port_range_max': 80, 'remote_ip_prefix': '0.0.0.0/0'},
                 {'direction': 'ingress', 'ethertype': 'IPv4',
                  'protocol': 'tcp', 'port_range_min': 22,
                  'port_range_max': 22, 'remote_group_id': SG_DEFAULT}]},
            {'id': SG_DEFAULT, 'name': 'default', 'description': 'Default',
             'security_group_rules': [
                 {'direction': 'ingress', 'ethertype': 'IPv4',
                  'remote_group_id': SG_DEFAULT},
                 {'direction': 'egress', 'ethertype': 'IPv4'}]}]
        self.nova['keypairs'].append({'keypair': {
            'name': 'ops', 'public_key': 'ssh-ed25519 AAAA ops',
            'type': 'ssh', 'fingerprint': 'fp'}})
        self.nova['server_groups'].append({
            'id': GROUP, 'name': 'spread', 'policy': 'anti-affinity',
            'rules': {}, 'members': []})

    def _server(self, sid, name, image, volumes=()):
        return {'id': sid, 'name': name, 'status': 'ACTIVE',
                'image': image, 'key_name': 'ops',
                'flavor': {'original_name': 'm1.tiny', 'vcpus': 1,
                           'ram': 512, 'disk': 1, 'ephemeral': 0,
                           'swap': 0, 'extra_specs': {}},
                'metadata': {'role': 'web'}, 'config_drive': '',
                'OS-EXT-AZ:availability_zone': 'nova', 'addresses': {},
                'os-extended-volumes:volumes_attached': [
                    {'id': v, 'delete_on_termination': False}
                    for v in volumes]}

    def _port(self, sid, index, ip):
        port_id = '60000000-0000-0000-0000-%012d' % index
        self.neutron['ports'].append({
            'id': port_id, 'name': '', 'network_id': NET, 'device_id': sid,
            'device_owner': 'compute:nova', 'mac_address': 'fa:16:3e:00:00:01',
            'created_at': '2026-01-01T00:00:%02dZ' % (index % 60),
            'fixed_ips': [{'subnet_id': SUBNET, 'ip_address': ip}],
            'security_groups': [SG_WEB, SG_DEFAULT],
            'port_security_enabled': True, 'admin_state_up': True})
        server = next(s for s in self.nova['servers'] if s['id'] == sid)
        server['addresses'].setdefault('private', []).append({
            'addr': ip, 'version': 4, 'OS-EXT-IPS:type': 'fixed',
            'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01'})
        return port_id

    def add_server(self, sid, name):
        index = len(self.nova['servers'])
        self.nova['servers'].append(self._server(
            sid, name, {'id': IMAGE, 'links': []}))
        port_id = self._port(sid, index, '10.0.0.%d' % (10 + index))
        self.nova['server_groups'][0]['members'].append(sid)
        if index == 0:
            self.neutron['floatingips'].append({
                'id': 'fip-1', 'floating_ip_address': '172.24.4.10',
                'fixed_ip_address': '10.0.0.10', 'port_id': port_id,
                'floating_network_id': EXT_NET})
            self.nova['servers'][-1]['addresses']['private'].append({
                'addr': '172.24.4.10', 'version': 4,
                'OS-EXT-IPS:type': 'floating',
                'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01'})

    def _bfv(self):
        self.nova['servers'].append(self._server(BFV, 'db', '', [BOOT_VOL]))
        self._port(BFV, 900, '10.0.0.200')
        self.volumes.append({
            'id': BOOT_VOL, 'name': 'db-root', 'size': 1,
            'volume_type': 'file', 'bootable': 'true', 'status': 'in-use',
            'availability_zone': 'nova', 'metadata': {},
            'volume_image_metadata': {'image_id': IMAGE},
            'attachments': [{'server_id': BFV, 'device': '/dev/vda',
                             'attachment_id': 'att-boot'}]})

    def _volume(self, server, name, volume_id):
        server['os-extended-volumes:volumes_attached'].append(
            {'id': volume_id, 'delete_on_termination': False})
        self.volumes.append({
            'id': volume_id, 'name': name, 'size': 1,
            'volume_type': 'file', 'bootable': 'false', 'status': 'in-use',
            'availability_zone': 'nova', 'metadata': {},
            'attachments': [{'server_id': server['id'], 'device': '/dev/vdb',
                             'attachment_id': 'att-' + name}]})

    def _data_volume(self):
        first = self.nova['servers'][0]
        first['os-extended-volumes:volumes_attached'].append(
            {'id': DATA_VOL, 'delete_on_termination': False})
        self.volumes.append({
            'id': DATA_VOL, 'name': 'data', 'size': 1, 'description': 'd',
            'volume_type': 'file', 'bootable': 'false', 'status': 'in-use',
            'availability_zone': 'nova', 'metadata': {'k': 'v'},
            'attachments': [{'server_id': first['id'], 'device': '/dev/vdb',
                             'attachment_id': 'att-data'}]})


def member(resource_type, resource_id, action, name=''):
    return {'resource_type': resource_type, 'resource_id': resource_id,
            'resource_name': name, 'action': action, 'options': {}}


def server_members(world, action='image_snapshot', bfv_action=None,
                   options=None):
    members = [member('server', s['id'],
                      bfv_action if s['id'] == BFV and bfv_action else action,
                      s['name'])
               for s in world.nova['servers']]
    for found in members:
        found['options'] = dict(options or {})
    return members


def built_template(change=None, servers=1):
    """``(graph, template, parameters, warnings)`` of a discovered World.

    ``change(world)`` edits the world before discovery; by default server
    0 gets text user data.
    """
    # Here, not at the top: discovery's modules import nothing of these
    # fakes, but a test module importing both should not care.
    from dragon.protection import discovery
    from dragon.protection import template
    world = World(servers=servers)
    if change is None:
        world.nova['servers'][0]['OS-EXT-SRV-ATTR:user_data'] = \
            'I2Nsb3VkLWNvbmZpZwo='  # "#cloud-config\n"
    else:
        change(world)
    graph = discovery.discover(Clients(world), server_members(world))
    warnings = []
    tmpl, params = template.build(graph, lambda *w: warnings.append(w))
    return graph, tmpl, params, warnings


def key_of(graph, type_, resource_id):
    """The graph key of the node of ``type_`` and ``resource_id``."""
    return graph.by_resource(type_, resource_id).key
