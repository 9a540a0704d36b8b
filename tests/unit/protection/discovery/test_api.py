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

import collections

from keystoneauth1 import exceptions as ks_exc
import pytest

from dragon import exception
from dragon.protection.discovery import _api
from tests.unit.protection import fakes


class Pages:
    """An adapter answering page after page, recording each request."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        self.calls = collections.Counter()

    def adapter(self, service):
        return self

    def get(self, path, params=None, raise_exc=True, **kwargs):
        self.requests.append((path, params))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class NotJson:
    status_code = 200

    def json(self):
        raise ValueError('not json')


def test_list_follows_next_links():
    clients = Pages([
        fakes.Response(200, {'servers': [{'id': 1}], 'servers_links': [
            {'rel': 'next', 'href': 'http://nova/v2.1/servers/detail?m=1'}]}),
        fakes.Response(200, {'servers': [{'id': 2}]})])
    items = _api.list_all(clients, 'compute', '/servers/detail', 'servers',
                          resource='servers', params={'limit': 1})
    assert [i['id'] for i in items] == [1, 2]
    assert clients.requests == [
        ('/servers/detail', {'limit': 1}),
        ('http://nova/v2.1/servers/detail?m=1', {})]


def test_glance_next_is_followed():
    clients = Pages([
        fakes.Response(200, {'images': [{'id': 1}],
                             'next': '/v2/images?marker=1'}),
        fakes.Response(200, {'images': []})])
    assert len(_api.list_all(clients, 'image', '/v2/images', 'images',
                             resource='images')) == 1
    assert clients.requests[1][0] == '/v2/images?marker=1'


def test_long_filters_are_batched_and_empty_ones_skip_the_call():
    ids = ['id-%03d' % i for i in range(120)]
    clients = Pages([fakes.Response(200, {'ports': []})] * 3)
    _api.list_filtered(clients, 'network', '/v2.0/ports', 'ports',
                       'device_id', ids, resource='ports')
    assert [len(p['device_id']) for _, p in clients.requests] == [50, 50, 20]
    assert _api.list_filtered(clients, 'network', '/v2.0/ports', 'ports',
                              'device_id', [], resource='ports') == []
    assert len(clients.requests) == 3


def test_failures_name_the_resource():
    clients = Pages([
        ks_exc.ConnectFailure('refused'),
        fakes.Response(404, {'itemNotFound': {'message': 'gone'}}),
        NotJson()])
    with pytest.raises(exception.DiscoveryFailed,
                       match='Cannot discover ports: network unreachable'):
        _api.get(clients, 'network', '/v2.0/ports', resource='ports')
    with pytest.raises(exception.DiscoveryFailed,
                       match='server x: HTTP 404: gone'):
        _api.get(clients, 'compute', '/servers/x', resource='server x')
    with pytest.raises(exception.DiscoveryFailed, match='no JSON'):
        _api.get(clients, 'compute', '/servers/x', resource='server x')


def test_address_group_rules_are_recorded_and_left_out():
    from dragon.protection import discovery
    from dragon.protection import template
    world = fakes.World(servers=1)
    world.neutron['security-groups'][0]['security_group_rules'].append(
        {'direction': 'ingress', 'ethertype': 'IPv4',
         'remote_address_group_id': 'ag-1'})
    world.nova['servers'][0]['tags'] = ['blue']
    graph = discovery.discover(fakes.Clients(world),
                               fakes.server_members(world))
    sg = graph.by_resource('OS::Neutron::SecurityGroup', fakes.SG_WEB)
    assert any(r['remote_address_group_id'] == 'ag-1'
               for r in sg.properties['rules'])
    tmpl, _ = template.build(graph)
    props = tmpl['resources'][sg.key]['properties']
    assert len(props['rules']) == 1
    assert 'address groups not recreated' in props['description']
    server = graph.by_resource('OS::Nova::Server', fakes.server_id(0))
    assert tmpl['resources'][server.key]['properties']['tags'] == ['blue']
