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

"""A fake target region at the client boundary, and a checkpoint to recover.

``Target`` answers the list calls mapping resolution makes (through
fake openstacksdk proxies, ``connection``) and keeps
Heat stacks whose status a test scripts; every request is logged, so a
test can tell that nothing was created.
"""

import collections
import copy
import json
import re
import types

from dragon.protection import discovery
from dragon.protection import template
from dragon.recovery import intrinsics
from dragon.recovery import mappings
from dragon.recovery import rewrite
from tests.unit import fake_heat
from tests.unit import fake_sdk
from tests.unit.protection import fakes as source

T_FLAVOR_TINY = '21000000-0000-0000-0000-0000000000f1'
T_FLAVOR_SMALL = '21000000-0000-0000-0000-0000000000f2'
T_PUBLIC = '1f000000-0000-0000-0000-000000000001'
T_SHARED = '1f000000-0000-0000-0000-000000000002'
T_IMAGE = 'ab000000-0000-0000-0000-000000000001'
T_TYPE_FILE = '3e000000-0000-0000-0000-000000000001'
T_TYPE_FAST = '3e000000-0000-0000-0000-000000000002'
# Ids the target's restore gave back.
RESTORED_IMAGE = 'cc000000-0000-0000-0000-0000000000%02d'
RESTORED_VOLUME = 'dd000000-0000-0000-0000-000000000001'

UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                  r'[0-9a-f]{12}')
SHARED_NET = '5a000000-0000-0000-0000-000000000001'


class Response:
    def __init__(self, status, body=None):
        self.status_code = status
        self._body = body

    def json(self):
        if self._body is None:
            raise ValueError('no JSON')
        return copy.deepcopy(self._body)


class Adapter:
    def __init__(self, target, service):
        self.target, self.service = target, service

    def _log(self, method, path, body):
        self.target.calls[self.service] += 1
        self.target.log.append((method, self.service, path, body))

    def get(self, path, params=None, raise_exc=True, **kwargs):
        self._log('GET', path, params)
        return self.target.answer_get(self.service, path, params or {})

    def post(self, path, json=None, raise_exc=True, **kwargs):
        self._log('POST', path, json)
        return self.target.answer_post(self.service, path, json)

    def put(self, path, json=None, raise_exc=True, **kwargs):
        self._log('PUT', path, json)
        return self.target.answer_put(self.service, path, json)

    def delete(self, path, raise_exc=True, **kwargs):
        self._log('DELETE', path, None)
        return self.target.answer_delete(self.service, path)


class Target:
    """RegionTwo: same-named flavors, zone, types and external network."""

    region_name = 'RegionTwo'

    def __init__(self):
        self.calls = collections.Counter()
        self.log = []
        self.flavors = [{'id': T_FLAVOR_TINY, 'name': 'm1.tiny'},
                        {'id': T_FLAVOR_SMALL, 'name': 'm1.small'}]
        self.nova_zones = ['nova']
        self.cinder_zones = ['nova']
        self.types = [{'id': T_TYPE_FILE, 'name': 'file'},
                      {'id': T_TYPE_FAST, 'name': 'fast'}]
        self.default_type = 'file'
        self.networks = [
            {'id': T_PUBLIC, 'name': 'public', 'router:external': True},
            {'id': T_SHARED, 'name': 'shared', 'router:external': False}]
        self.images = [{'id': T_IMAGE, 'name': 'cirros',
                        'status': 'active'}]
        self.keypairs = []
        # Heat: stack id → list of (status, resources) answered in turn.
        self.stacks = {}
        self.validate_answer = Response(200, {'Parameters': {}})
        self.create_answer = None
        self.update_answer = None

    @property
    def project_id(self):
        return 'target-project'

    def adapter(self, service):
        return Adapter(self, service)

    def heat(self):
        # Looked up per request: a test may replace ``adapter``.
        return fake_heat.client(lambda: self.adapter('orchestration'),
                                self.region_name)

    @property
    def connection(self):
        """openstacksdk proxies whose requests go through ``adapter``."""
        def route(service):
            def send(method, path, json=None, params=None):
                adapter = self.adapter(service)
                if method == 'GET':
                    return adapter.get(path, params=params)
                return getattr(adapter, method.lower())(path, json=json)
            return send
        return types.SimpleNamespace(
            compute=fake_sdk.Compute(route('compute')),
            block_storage=fake_sdk.BlockStorage(route('block-storage')),
            network=fake_sdk.Network(route('network')),
            image=fake_sdk.Image(route('image')))

    def writes(self):
        return [entry for entry in self.log if entry[0] != 'GET']

    # -- GET ---------------------------------------------------------------

    def answer_get(self, service, path, params):
        if service == 'compute':
            if path == '/flavors/detail':
                return Response(200, {'flavors': self.flavors})
            if path == '/os-availability-zone':
                return Response(200, {'availabilityZoneInfo': [
                    {'zoneName': z, 'zoneState': {'available': True}}
                    for z in self.nova_zones]})
            if path == '/os-keypairs':
                return Response(200, {'keypairs': [
                    {'keypair': k} for k in self.keypairs]})
        if service == 'block-storage':
            if path == '/types':
                return Response(200, {'volume_types': self.types})
            if path == '/types/default':
                default = [t for t in self.types
                           if t['name'] == self.default_type]
                return Response(200 if default else 404, {
                    'volume_type': default[0]} if default else {})
            if path == '/os-availability-zone':
                return Response(200, {'availabilityZoneInfo': [
                    {'zoneName': z, 'zoneState': {'available': True}}
                    for z in self.cinder_zones]})
        if service == 'network' and path == '/v2.0/networks':
            return Response(200, {'networks': self.networks})
        if service == 'image':
            if path.startswith('/v2/images/'):
                found = [i for i in self.images
                         if i['id'] == path.rsplit('/', 1)[-1]]
                return Response(200, found[0]) if found else Response(404)
            if path == '/v2/images':
                return Response(200, {'images': [
                    i for i in self.images
                    if i['name'] == params.get('name')]})
        if service == 'orchestration':
            return self._stack_get(path)
        raise AssertionError('unexpected GET %s %s' % (service, path))

    def _stack_get(self, path):
        parts = path.strip('/').split('/')
        stack_id = parts[2] if len(parts) > 2 else parts[1]
        script = self.stacks.get(stack_id)
        if not script:
            return Response(404, {'error': {'message': 'not found'}})
        status, resources = script[0]
        if parts[-1] == 'resources':
            if len(script) > 1:
                script.pop(0)
            return Response(200, {'resources': resources})
        if status is None:
            return Response(404, {'error': {'message': 'not found'}})
        return Response(200, {'stack': {
            'id': stack_id, 'stack_name': 'name-' + stack_id,
            'stack_status': status,
            'stack_status_reason': 'reason of ' + status}})

    # -- writes ------------------------------------------------------------

    def answer_post(self, service, path, body):
        if service == 'orchestration' and path == '/validate':
            return self.validate_answer
        if service == 'orchestration' and path == '/stacks':
            if isinstance(self.create_answer, list):
                answer = self.create_answer.pop(0)   # one per attempt
                if answer is not None:
                    return answer
            elif self.create_answer is not None:
                return self.create_answer
            self.stacks.setdefault('s1', [('CREATE_IN_PROGRESS', [])])
            return Response(201, {'stack': {'id': 's1', 'links': []}})
        raise AssertionError('unexpected POST %s %s' % (service, path))

    def answer_put(self, service, path, body):
        assert service == 'orchestration', path
        if self.update_answer is not None:
            return self.update_answer
        return Response(202)

    def answer_delete(self, service, path):
        assert service == 'orchestration', path
        stack_id = path.rsplit('/', 1)[-1]
        if stack_id not in self.stacks:
            return Response(404, {'error': {'message': 'not found'}})
        return Response(204)


def resource(name, status, reason='', physical=None,
             type_='OS::Nova::Server'):
    return {'resource_name': name, 'resource_type': type_,
            'resource_status': status, 'resource_status_reason': reason,
            'physical_resource_id': physical, 'links': []}


def add_shared_network(world):
    """Give the second web server a port on a shared network of another
    project (a network parameter, not a recreated network).
    """
    world.neutron['networks'].append({
        'id': SHARED_NET, 'name': 'shared', 'router:external': False,
        'shared': True, 'project_id': 'other', 'admin_state_up': True})
    sid = world.nova['servers'][1]['id']
    world.neutron['ports'].append({
        'id': '60000000-0000-0000-0000-00000000005a', 'name': 'shared',
        'network_id': SHARED_NET, 'device_id': sid,
        'device_owner': 'compute:nova', 'mac_address': 'fa:16:3e:00:00:5a',
        'created_at': '2026-01-01T00:00:59Z',
        'fixed_ips': [{'subnet_id': '5b000000-0000-0000-0000-000000000001',
                       'ip_address': '192.168.7.23'}],
        'security_groups': [source.SG_WEB], 'port_security_enabled': True,
        'admin_state_up': True})


def checkpoint(servers=2, shared=True, template_only=()):
    """``(world, graph, manifest, template_yaml)`` of a realistic workload.

    Web servers and the database's boot volume carry data (restored as
    images); the data volume is template-only (its server's option
    ``attached_volumes``); servers whose names are in ``template_only``
    are too.
    """
    world = source.World(servers=servers)
    if shared:
        add_shared_network(world)
    members = source.server_members(
        world, options={'attached_volumes': 'template_only'})
    for member in members:
        if member['resource_name'] in template_only:
            member['action'] = 'template_only'
    graph = discovery.discover(source.Clients(world), members)
    tmpl, index = template.build(graph)
    data = {}
    for node in graph.nodes():
        if node.action is None:
            continue
        if node.action == 'template_only':
            kind = 'none'
        elif node.resource.type == 'OS::Nova::Server':
            kind = 'none' if node.properties.get('image') is None \
                else 'image'
        else:
            kind = 'volume'
        data[node.key] = {'action': node.action, 'kind': kind}
    manifest = {'graph': graph.to_dict(), 'data': data,
                'parameters': index, 'source_region': 'RegionOne',
                'policy': {'name': 'three tier'}}
    return world, graph, manifest, template.to_yaml(tmpl)


def restored_for(manifest):
    """What the restore would give back for each data record."""
    restored = {}
    for i, (key, record) in enumerate(sorted(manifest['data'].items())):
        if record['kind'] in ('image', 'volume'):
            restored[key] = {'image_id': RESTORED_IMAGE % i}
    return restored


def source_ids(graph):
    """Every id of the source graph that must not reach the target.

    Key pairs are left out: their id is their name, kept on purpose.
    """
    ids = set()
    for node in graph.nodes():
        ids.update(UUID.findall(json.dumps(node.properties)))
        if node.resource.type == 'OS::Nova::KeyPair':
            continue
        ids.update(p for p in node.resource.id.split(':') if len(p) >= 8)
    return ids


def run_rewrite(ckpt, mode='failover', prefix='', keys=None, mapping=None,
                restored=None, with_graph=True):
    """Resolve ``ckpt``'s mappings against a ``Target`` and rewrite."""
    _, _graph, manifest, text = ckpt
    values = mappings.resolve(manifest, Target(), mapping or {}, keys,
                              mode=mode)
    if restored is None:
        restored = restored_for(manifest)
    return rewrite.rewrite(text, manifest['parameters'], values, restored,
                           keys, mode, prefix,
                           graph=manifest['graph'] if with_graph else None)


def assert_consistent(tmpl):
    """Every reference points at something the template has."""
    text = json.dumps(tmpl)
    for name in intrinsics.refs(tmpl, 'get_param'):
        assert name in tmpl.get('parameters', {}), name
    for name in intrinsics.refs(tmpl, 'get_resource'):
        assert name in tmpl['resources'], name
    for resource in tmpl['resources'].values():
        for dep in resource.get('depends_on') or ():
            assert dep in tmpl['resources'], dep
    for name in intrinsics.conditions_used(tmpl['resources']):
        assert name in tmpl.get('conditions', {}), name
    return text
