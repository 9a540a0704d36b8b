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
import yaml

from dragon import exception
from dragon.protection import discovery
from dragon.protection import template
from tests.unit.protection import fakes


@pytest.fixture
def built():
    world = fakes.World(servers=1)
    world.nova['servers'][0]['OS-EXT-SRV-ATTR:user_data'] = \
        'I2Nsb3VkLWNvbmZpZwo='  # "#cloud-config\n"
    graph = discovery.discover(fakes.Clients(world),
                               fakes.server_members(world))
    tmpl, params = template.build(graph)
    return graph, tmpl, params


def _key(graph, type_, resource_id):
    return graph.by_resource(type_, resource_id).key


def test_every_node_but_foreign_networks_is_a_resource(built):
    graph, tmpl, _ = built
    assert tmpl['heat_template_version'] == '2021-04-16'
    res = tmpl['resources']
    for node in graph.nodes():
        if node.resource.type == 'OS::Neutron::Net' and \
                not node.properties['owned']:
            assert node.key not in res
        else:
            assert res[node.key]['type'] == node.resource.type
    # The rule referring to another group is its own resource.
    web_sg = _key(graph, 'OS::Neutron::SecurityGroup', fakes.SG_WEB)
    rules = [k for k in res if k.startswith(web_sg + '_rule_')]
    assert len(rules) == 1
    assert res[rules[0]]['type'] == 'OS::Neutron::SecurityGroupRule'


def test_image_server(built):
    graph, tmpl, params = built
    key = _key(graph, 'OS::Nova::Server', fakes.server_id(0))
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
    group = _key(graph, 'OS::Nova::ServerGroup', fakes.GROUP)
    assert props['scheduler_hints'] == {'group': {'get_resource': group}}
    keypair = _key(graph, 'OS::Nova::KeyPair', 'ops')
    assert props['key_name'] == {'get_resource': keypair}
    assert tmpl['resources'][group]['properties']['policies'] == [
        'anti-affinity']


def test_key_pair_has_only_the_public_key(built):
    graph, tmpl, params = built
    keypair = _key(graph, 'OS::Nova::KeyPair', 'ops')
    props = tmpl['resources'][keypair]['properties']
    assert set(props) == {'name', 'public_key'}
    assert params[keypair + '_key_name'] == {
        'kind': 'key_name', 'node': keypair, 'default': 'ops'}
    text = template.to_yaml(tmpl)
    assert 'private_key' not in text and 'PRIVATE KEY' not in text


def test_boot_from_volume_server(built):
    graph, tmpl, _ = built
    key = _key(graph, 'OS::Nova::Server', fakes.BFV)
    boot = _key(graph, 'OS::Cinder::Volume', fakes.BOOT_VOL)
    props = tmpl['resources'][key]['properties']
    assert 'image' not in props
    assert props['block_device_mapping_v2'] == [{
        'boot_index': 0, 'volume_id': {'get_resource': boot},
        'delete_on_termination': False}]


def test_volumes_and_attachment(built):
    graph, tmpl, params = built
    data = _key(graph, 'OS::Cinder::Volume', fakes.DATA_VOL)
    props = tmpl['resources'][data]['properties']
    assert props['size'] == 1 and props['name'] == 'data'
    assert props['metadata'] == {'k': 'v'}
    assert props['volume_type'] == {'if': [
        data + '_has_volume_type', {'get_param': data + '_volume_type'}]}
    assert params[data + '_volume_type']['default'] == 'file'
    assert params[data + '_image'] == {'kind': 'image', 'node': data,
                                       'default': ''}
    cond = data + '_has_image'
    assert props['image'] == {'if': [cond, {'get_param': data + '_image'}]}
    assert tmpl['conditions'][cond] == {
        'not': {'equals': [{'get_param': data + '_image'}, '']}}
    att = _key(graph, 'OS::Cinder::VolumeAttachment', 'att-data')
    server = _key(graph, 'OS::Nova::Server', fakes.server_id(0))
    assert tmpl['resources'][att]['properties'] == {
        'instance_uuid': {'get_resource': server},
        'volume_id': {'get_resource': data}, 'mountpoint': '/dev/vdb'}


def test_networking(built):
    graph, tmpl, params = built
    res = tmpl['resources']
    net = _key(graph, 'OS::Neutron::Net', fakes.NET)
    ext = _key(graph, 'OS::Neutron::Net', fakes.EXT_NET)
    subnet = _key(graph, 'OS::Neutron::Subnet', fakes.SUBNET)
    router = _key(graph, 'OS::Neutron::Router', fakes.ROUTER)
    assert res[net]['properties'] == {'name': 'private'}
    assert res[subnet]['properties'] == {
        'network': {'get_resource': net}, 'cidr': '10.0.0.0/24',
        'ip_version': 4, 'enable_dhcp': True, 'gateway_ip': '10.0.0.1',
        'name': 'private-v4',
        'allocation_pools': [{'start': '10.0.0.2', 'end': '10.0.0.254'}],
        'dns_nameservers': ['10.0.0.53'],
        'host_routes': [{'destination': '192.168.0.0/16',
                         'nexthop': '10.0.0.254'}]}
    assert params[ext + '_network'] == {
        'kind': 'external_network', 'node': ext, 'default': fakes.EXT_NET}
    assert res[router]['properties']['external_gateway_info'] == {
        'network': {'get_param': ext + '_network'}}
    iface = _key(graph, 'OS::Neutron::RouterInterface',
                 'router-port:' + fakes.SUBNET)
    assert res[iface]['properties'] == {'router': {'get_resource': router},
                                        'subnet': {'get_resource': subnet}}
    server = _key(graph, 'OS::Nova::Server', fakes.server_id(0))
    port = graph.get(server).properties['ports'][0]
    port_props = res[port]['properties']
    assert port_props['fixed_ips'] == [{'subnet': {'get_resource': subnet},
                                        'ip_address': '10.0.0.10'}]
    # The recreated network's owner may set the MAC address: kept.
    assert port_props['mac_address'] == 'fa:16:3e:00:00:01'
    assert len(port_props['security_groups']) == 2
    fip = _key(graph, 'OS::Neutron::FloatingIP', 'fip-1')
    assert res[fip]['properties'] == {
        'floating_network': {'get_param': ext + '_network'},
        'port_id': {'get_resource': port}}
    # The router interface is not referenced by a property: explicit.
    assert res[fip]['depends_on'] == [iface]


def test_default_security_group_is_renamed(built):
    graph, tmpl, _ = built
    key = _key(graph, 'OS::Neutron::SecurityGroup', fakes.SG_DEFAULT)
    props = tmpl['resources'][key]['properties']
    assert props['name'] == 'default-d0000000'
    assert 'reserves "default"' in props['description']
    assert {'direction': 'ingress', 'ethertype': 'IPv4',
            'remote_mode': 'remote_group_id'} in props['rules']
    web = _key(graph, 'OS::Neutron::SecurityGroup', fakes.SG_WEB)
    assert tmpl['resources'][web]['properties']['name'] == 'web'


def test_yaml_round_trip_and_stable(built):
    graph, tmpl, _ = built
    text = template.to_yaml(tmpl)
    assert yaml.safe_load(text) == tmpl
    assert text.startswith("heat_template_version: '2021-04-16'")
    assert '&id' not in text  # a repeated get_param is written out again
    assert template.to_yaml(template.build(graph)[0]) == text


def test_foreign_network_port_keeps_no_fixed_ips():
    world = fakes.World(servers=1)
    for port in world.neutron['ports']:
        if port['device_id'] == fakes.server_id(0):
            port['network_id'] = fakes.EXT_NET
            port['port_security_enabled'] = False
            port['security_groups'] = []
    graph = discovery.discover(fakes.Clients(world),
                               fakes.server_members(world))
    warnings = []
    tmpl, _ = template.build(graph, lambda *w: warnings.append(w))
    server = _key(graph, 'OS::Nova::Server', fakes.server_id(0))
    port = graph.get(server).properties['ports'][0]
    ext = _key(graph, 'OS::Neutron::Net', fakes.EXT_NET)
    assert tmpl['resources'][port]['properties'] == {
        'network': {'get_param': ext + '_network'},
        'port_security_enabled': False}
    # New MAC and fixed IPs at recovery: said, with the source values.
    [(key, code, message)] = [w for w in warnings
                              if w[1] == 'port_addresses_not_kept']
    assert key == port
    assert 'fa:16:3e:00:00:01' in message and '10.0.0.10' in message


def test_validate_passes_and_reports_heat_reasons():
    world = fakes.World()
    clients = fakes.Clients(world)
    assert template.validate(clients, 'x: 1') == {'Parameters': {}}
    assert world.log[-1] == ('orchestration', '/validate',
                             {'template': 'x: 1'})
    world.post_answer = fakes.Response(400, {
        'explanation': 'The server could not comply',
        'error': {'message': 'Unknown resource Type : OS::Bad',
                  'type': 'StackValidationFailed'}})
    with pytest.raises(exception.TemplateInvalid,
                       match='Unknown resource Type : OS::Bad'):
        template.validate(clients, 'x: 1')
    world.post_answer = fakes.Response(503, {})
    with pytest.raises(exception.RemoteServiceUnavailable):
        template.validate(clients, 'x: 1')


def test_slaac_addresses_are_not_pinned():
    world = fakes.World(servers=1)
    world.neutron['subnets'].append({
        'id': 'b6', 'name': 'v6', 'network_id': fakes.NET,
        'cidr': 'fd00::/64', 'ip_version': 6, 'gateway_ip': None,
        'enable_dhcp': True, 'ipv6_ra_mode': 'slaac',
        'ipv6_address_mode': 'slaac'})
    port = next(p for p in world.neutron['ports']
                if p['device_id'] == fakes.server_id(0))
    port['fixed_ips'].append({'subnet_id': 'b6', 'ip_address': 'fd00::5'})
    graph = discovery.discover(fakes.Clients(world),
                               fakes.server_members(world))
    tmpl, _ = template.build(graph)
    v6 = _key(graph, 'OS::Neutron::Subnet', 'b6')
    assert tmpl['resources'][v6]['properties']['gateway_ip'] is None
    assert tmpl['resources'][v6]['properties']['ipv6_address_mode'] == \
        'slaac'
    fixed = tmpl['resources'][_key(graph, 'OS::Neutron::Port', port['id'])][
        'properties']['fixed_ips']
    assert fixed[1] == {'subnet': {'get_resource': v6}}
    assert fixed[0]['ip_address'] == '10.0.0.10'


def test_a_server_without_ports_says_so_to_nova(built):
    graph, _tmpl, _params = built
    server = next(n for n in graph.nodes()
                  if n.resource.type == 'OS::Nova::Server')
    server.properties['ports'] = []
    # Ports left in the graph are still resources of their own.
    tmpl, _params = template.build(graph)
    assert tmpl['resources'][server.key]['properties']['networks'] == [
        {'allocate_network': 'none'}]


def _built_with(change):
    world = fakes.World(servers=1)
    change(world)
    graph = discovery.discover(fakes.Clients(world),
                               fakes.server_members(world))
    warnings = []
    tmpl, _ = template.build(graph, lambda *w: warnings.append(w))
    return graph, tmpl, warnings


def _codes(warnings):
    return [code for _key, code, _message in warnings]


def test_an_ordinary_workload_has_no_template_warnings(built):
    graph = built[0]
    warnings = []
    template.build(graph, lambda *w: warnings.append(w))
    assert warnings == []


def test_extra_routes_and_disabled_snat_are_warnings():
    def change(world):
        router = world.neutron['routers'][0]
        router['routes'] = [{'destination': '10.9.0.0/16',
                             'nexthop': '10.0.0.99'}]
        router['external_gateway_info']['enable_snat'] = False
    graph, tmpl, warnings = _built_with(change)
    router = _key(graph, 'OS::Neutron::Router', fakes.ROUTER)
    assert sorted(_codes(warnings)) == ['router_routes_not_recreated',
                                        'router_snat_not_kept']
    assert all(key == router for key, _c, _m in warnings)
    routes = next(m for _k, c, m in warnings
                  if c == 'router_routes_not_recreated')
    assert '10.9.0.0/16 via 10.0.0.99' in routes
    assert 'enable_snat' not in tmpl['resources'][router]['properties'][
        'external_gateway_info']


def test_qos_policies_are_warnings():
    def change(world):
        world.neutron['networks'][-1]['qos_policy_id'] = 'qos-net'
        for port in world.neutron['ports']:
            port['qos_policy_id'] = 'qos-port'
    graph, _tmpl, warnings = _built_with(change)
    messages = [m for _k, c, m in warnings
                if c == 'qos_policy_not_recreated']
    assert any('qos-net' in m for m in messages)
    assert any('qos-port' in m for m in messages)


def test_address_group_rules_are_a_warning():
    def change(world):
        world.neutron['security-groups'][0]['security_group_rules'].append(
            {'direction': 'ingress', 'ethertype': 'IPv4',
             'remote_address_group_id': 'ag-1'})
    graph, _tmpl, warnings = _built_with(change)
    web_sg = _key(graph, 'OS::Neutron::SecurityGroup', fakes.SG_WEB)
    assert [(k, c) for k, c, _m in warnings] == [
        (web_sg, 'address_group_rules_not_recreated')]


def test_binary_user_data_is_a_warning():
    def change(world):
        world.nova['servers'][0]['OS-EXT-SRV-ATTR:user_data'] = \
            'H4sIAAAAAAAA/w=='   # gzip, not text
    graph, tmpl, warnings = _built_with(change)
    server = _key(graph, 'OS::Nova::Server', fakes.server_id(0))
    assert (server, 'user_data_not_text') in [(k, c) for k, c, _m
                                              in warnings]
    assert 'user_data' not in tmpl['resources'][server]['properties']


def test_server_group_rules_and_vnic_type_are_carried():
    def change(world):
        world.nova['server_groups'][0]['rules'] = {'max_server_per_host': 2}
        for port in world.neutron['ports']:
            if port.get('device_owner') == 'compute:nova':
                port['binding:vnic_type'] = 'direct'
    graph, tmpl, warnings = _built_with(change)
    group = _key(graph, 'OS::Nova::ServerGroup', fakes.GROUP)
    assert tmpl['resources'][group]['properties']['rules'] == {
        'max_server_per_host': 2}
    server = _key(graph, 'OS::Nova::Server', fakes.server_id(0))
    port = graph.get(server).properties['ports'][0]
    assert tmpl['resources'][port]['properties'][
        'binding:vnic_type'] == 'direct'
    assert warnings == []
