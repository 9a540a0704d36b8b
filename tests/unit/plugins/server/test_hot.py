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

"""The HOT resources of the server plugin: servers, key pairs, groups."""

import pytest

from dragon.protection import template
from tests.unit.protection import fakes


@pytest.fixture
def built():
    graph, tmpl, params, _warnings = fakes.built_template()
    return graph, tmpl, params


def test_image_server(built):
    graph, tmpl, params = built
    key = fakes.key_of(graph, 'OS::Nova::Server', fakes.server_id(0))
    props = tmpl['resources'][key]['properties']
    assert props['name'] == 'web-0'
    assert props['image'] == {'get_param': key + '_image'}
    assert params[key + '_image'] == {'kind': 'image', 'node': key,
                                      'default': fakes.IMAGE}
    assert params[key + '_flavor']['default'] == 'm1.tiny'
    assert params[key + '_availability_zone']['kind'] == 'availability_zone'
    assert props['user_data'] == '#cloud-config\n'
    assert props['user_data_format'] == 'RAW'
    assert props['metadata'] == {'role': 'web'}
    port = graph.get(key).properties['ports'][0]
    assert props['networks'] == [{'port': {'get_resource': port}}]
    group = fakes.key_of(graph, 'OS::Nova::ServerGroup', fakes.GROUP)
    assert props['scheduler_hints'] == {'group': {'get_resource': group}}
    keypair = fakes.key_of(graph, 'OS::Nova::KeyPair', 'ops')
    assert props['key_name'] == {'get_resource': keypair}
    assert tmpl['resources'][group]['properties']['policies'] == [
        'anti-affinity']


def test_key_pair_has_only_the_public_key(built):
    graph, tmpl, params = built
    keypair = fakes.key_of(graph, 'OS::Nova::KeyPair', 'ops')
    props = tmpl['resources'][keypair]['properties']
    assert set(props) == {'name', 'public_key'}
    assert params[keypair + '_key_name'] == {
        'kind': 'key_name', 'node': keypair, 'default': 'ops'}
    text = template.to_yaml(tmpl)
    assert 'private_key' not in text and 'PRIVATE KEY' not in text


def test_boot_from_volume_server(built):
    graph, tmpl, _ = built
    key = fakes.key_of(graph, 'OS::Nova::Server', fakes.BFV)
    boot = fakes.key_of(graph, 'OS::Cinder::Volume', fakes.BOOT_VOL)
    props = tmpl['resources'][key]['properties']
    assert 'image' not in props
    assert props['block_device_mapping_v2'] == [{
        'boot_index': 0, 'volume_id': {'get_resource': boot},
        'delete_on_termination': False}]


def test_a_server_without_ports_says_so_to_nova(built):
    graph, _tmpl, _params = built
    server = next(n for n in graph.nodes()
                  if n.resource.type == 'OS::Nova::Server')
    server.properties['ports'] = []
    # Ports left in the graph are still resources of their own.
    tmpl, _params = template.build(graph)
    assert tmpl['resources'][server.key]['properties']['networks'] == [
        {'allocate_network': 'none'}]


def test_binary_user_data_is_a_warning():
    def change(world):
        world.nova['servers'][0]['OS-EXT-SRV-ATTR:user_data'] = \
            'H4sIAAAAAAAA/w=='   # gzip, not text
    graph, tmpl, _, warnings = fakes.built_template(change)
    server = fakes.key_of(graph, 'OS::Nova::Server', fakes.server_id(0))
    assert (server, 'user_data_not_text') in [(k, c) for k, c, _m
                                              in warnings]
    assert 'user_data' not in tmpl['resources'][server]['properties']


def test_server_group_rules_are_carried():
    def change(world):
        world.nova['server_groups'][0]['rules'] = {'max_server_per_host': 2}
    graph, tmpl, _, warnings = fakes.built_template(change)
    group = fakes.key_of(graph, 'OS::Nova::ServerGroup', fakes.GROUP)
    assert tmpl['resources'][group]['properties']['rules'] == {
        'max_server_per_host': 2}
    assert warnings == []
