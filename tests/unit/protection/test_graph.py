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

import json

import pytest

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.protection.graph import Node
from dragon.protection.graph import Resource
from dragon.protection.graph import ResourceGraph


def _node(key, deps=(), type_='OS::Neutron::Net', member=False):
    return Node(key=key, resource=Resource(type_, 'id-' + key, key),
                member=member, depends_on=tuple(deps))


def test_resource_is_frozen_and_hashable():
    a = Resource('OS::Nova::Server', 'x', 'web')
    assert a == Resource('OS::Nova::Server', 'x', 'web')
    assert len({a, Resource('OS::Nova::Server', 'x', 'web')}) == 1
    with pytest.raises(AttributeError):
        a.id = 'y'


def test_make_key_is_readable_safe_and_stable():
    key = graph_mod.make_key('server', 'Web-1 (prod)',
                             '1a2b3c4d-0000-1111-2222-333344445555')
    assert key == 'server_web_1_prod_1a2b3c4d'
    assert graph_mod.make_key('keypair', 'k', 'k') == \
        graph_mod.make_key('keypair', 'k', 'k')
    assert graph_mod.make_key('server', '', 'abcdef0123') == \
        'server_abcdef01'
    assert graph_mod.make_key('server', 'x' * 80, 'abcdef0123') == \
        'server_' + 'x' * 32 + '_abcdef01'


def test_unique_key_on_clash():
    g = ResourceGraph()
    key = g.unique_key('net', 'a', 'abcdef01-1')
    g.add(Node(key, Resource('OS::Neutron::Net', 'abcdef01-1', 'a')))
    other = g.unique_key('net', 'a', 'abcdef01-2')
    assert other != key and other.startswith(key + '_')


def test_nodes_in_dependency_order_insertion_stable():
    g = ResourceGraph()
    g.add(_node('server', ['port', 'volume']))
    g.add(_node('port', ['subnet']))
    g.add(_node('volume'))
    g.add(_node('subnet', ['net']))
    g.add(_node('net'))
    keys = [n.key for n in g.nodes()]
    assert keys == ['net', 'subnet', 'port', 'volume', 'server']
    for node in g.nodes():
        for dep in node.depends_on:
            assert keys.index(dep) < keys.index(node.key)


def test_cycle_raises_with_the_path():
    g = ResourceGraph()
    g.add(_node('a', ['b']))
    g.add(_node('b', ['c']))
    g.add(_node('c', ['a']))
    with pytest.raises(exception.GraphCycle, match='a -> b -> c -> a'):
        g.nodes()


def test_unknown_dependency_raises():
    g = ResourceGraph()
    g.add(_node('a', ['missing']))
    with pytest.raises(exception.GraphInvalid, match='missing'):
        g.to_dict()


def test_duplicates_and_bad_keys_refused():
    g = ResourceGraph()
    g.add(_node('a'))
    with pytest.raises(exception.GraphInvalid, match='already'):
        g.add(_node('a'))
    with pytest.raises(exception.GraphInvalid, match='already'):
        g.add(Node('b', Resource('OS::Neutron::Net', 'id-a', 'a')))
    with pytest.raises(exception.GraphInvalid):
        g.add(_node('bad-key'))


def test_lookup_by_resource_and_dependents():
    g = ResourceGraph()
    g.add(_node('net'))
    g.add(_node('subnet', ['net']))
    assert g.by_resource('OS::Neutron::Net', 'id-net').key == 'net'
    assert g.by_resource('OS::Neutron::Net', 'nope') is None
    assert [n.key for n in g.dependents('net')] == ['subnet']
    g.add_dependency('subnet', 'net')
    assert g.get('subnet').depends_on == ('net',)
    with pytest.raises(KeyError):
        g.get('nope')


def test_round_trip_through_json():
    g = ResourceGraph()
    g.add(Node('server_web_1', Resource('OS::Nova::Server', 's1', 'web'),
               member=True, action='image_snapshot',
               options={'keep_image': False},
               properties={'flavor': {'vcpus': 1}},
               depends_on=('net',)))
    g.add(_node('net'))
    data = json.loads(json.dumps(g.to_dict()))
    assert data['version'] == 1
    assert [n['key'] for n in data['nodes']] == ['net', 'server_web_1']
    assert set(data['nodes'][1]) == {
        'key', 'type', 'id', 'name', 'member', 'action', 'options',
        'properties', 'depends_on'}
    again = ResourceGraph.from_dict(data)
    assert again.to_dict() == g.to_dict()
    assert [n.key for n in again.members()] == ['server_web_1']


def test_from_dict_refuses_unknown_version_and_cycles():
    with pytest.raises(exception.GraphInvalid, match='version'):
        ResourceGraph.from_dict({'version': 2, 'nodes': []})
    cyclic = {'version': 1, 'nodes': [
        _node('a', ['b']).to_dict(), _node('b', ['a']).to_dict()]}
    with pytest.raises(exception.GraphCycle):
        ResourceGraph.from_dict(cyclic)
    with pytest.raises(exception.GraphInvalid, match='malformed'):
        ResourceGraph.from_dict({'version': 1, 'nodes': [{'key': 'a'}]})
