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

import pytest

from dragon import exception
from dragon.recovery import selection
from tests.unit.protection import fakes as source
from tests.unit.recovery import fakes


@pytest.fixture
def graph():
    return fakes.checkpoint(servers=2)[1]


def _key(graph, type_, resource_id):
    return graph.by_resource(type_, resource_id).key


def _types(graph, keys):
    return sorted(graph.get(k).resource.type.split('::')[-1] for k in keys)


@pytest.mark.parametrize('wanted', [None, [], ['']])
def test_nothing_chosen_is_everything(graph, wanted):
    assert selection.select(graph, wanted) == {n.key for n in graph.nodes()}


def test_one_server_brings_its_closure_and_nothing_else(graph):
    web1 = graph.by_resource('OS::Nova::Server', source.server_id(1))
    keys = selection.select(graph, [web1.resource.id])
    assert web1.key in keys
    # Its ports, networks, subnet, both groups (the default group is
    # referenced by a rule of the web group), key pair, server group, and
    # the router of its subnet with the router's external network.
    assert _types(graph, keys) == sorted([
        'Server', 'Port', 'Port', 'Net', 'Net', 'Net', 'Subnet', 'Router',
        'RouterInterface', 'SecurityGroup', 'SecurityGroup', 'KeyPair',
        'ServerGroup'])
    others = {_key(graph, 'OS::Nova::Server', source.server_id(0)),
              _key(graph, 'OS::Nova::Server', source.BFV),
              _key(graph, 'OS::Cinder::Volume', source.DATA_VOL),
              _key(graph, 'OS::Cinder::Volume', source.BOOT_VOL),
              _key(graph, 'OS::Neutron::FloatingIP', 'fip-1')}
    assert not keys & others


def test_a_server_brings_its_attachments_volumes_and_floating_ip(graph):
    keys = selection.select(graph, [source.server_id(0)])
    data = _key(graph, 'OS::Cinder::Volume', source.DATA_VOL)
    fip = _key(graph, 'OS::Neutron::FloatingIP', 'fip-1')
    attachment = _key(graph, 'OS::Cinder::VolumeAttachment', 'att-data')
    assert {data, fip, attachment} <= keys
    assert _key(graph, 'OS::Nova::Server', source.BFV) not in keys


def test_boot_from_volume_server_brings_its_boot_volume(graph):
    keys = selection.select(graph, [source.BFV])
    assert _key(graph, 'OS::Cinder::Volume', source.BOOT_VOL) in keys


def test_a_volume_alone_does_not_pull_in_its_server(graph):
    keys = selection.select(graph, [source.DATA_VOL])
    assert keys == {_key(graph, 'OS::Cinder::Volume', source.DATA_VOL)}


def test_node_keys_are_accepted(graph):
    key = _key(graph, 'OS::Nova::Server', source.BFV)
    assert selection.select(graph, [key]) == selection.select(
        graph, [source.BFV])


def test_unknown_or_unselectable_ids_are_all_named(graph):
    with pytest.raises(exception.SelectionInvalid) as e:
        selection.select(graph, [source.server_id(0), 'nope', source.NET])
    assert 'nope' in str(e.value) and source.NET in str(e.value)
    assert e.value.code == 400


def test_chosen_members_are_the_data_carriers_in_order(graph):
    keys = selection.select(graph, [source.BFV])
    chosen = selection.chosen_members(graph, keys)
    assert [n.resource.id for n in chosen] == [source.BOOT_VOL, source.BFV]
