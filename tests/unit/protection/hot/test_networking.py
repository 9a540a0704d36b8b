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

"""The Neutron resources servers bring: dragon.protection.hot.networking."""

import pytest

from dragon.protection import discovery
from dragon.protection.hot import networking
from dragon.protection import template
from tests.unit.protection import fakes


@pytest.fixture
def built():
    graph, tmpl, params, _warnings = fakes.built_template()
    return graph, tmpl, params


def _codes(warnings):
    return [code for _key, code, _message in warnings]


def test_networking(built):
    graph, tmpl, params = built
    res = tmpl['resources']
    net = fakes.key_of(graph, 'OS::Neutron::Net', fakes.NET)
    ext = fakes.key_of(graph, 'OS::Neutron::Net', fakes.EXT_NET)
    subnet = fakes.key_of(graph, 'OS::Neutron::Subnet', fakes.SUBNET)
    router = fakes.key_of(graph, 'OS::Neutron::Router', fakes.ROUTER)
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
    iface = fakes.key_of(graph, 'OS::Neutron::RouterInterface',
                 'router-port:' + fakes.SUBNET)
    assert res[iface]['properties'] == {'router': {'get_resource': router},
                                        'subnet': {'get_resource': subnet}}
    server = fakes.key_of(graph, 'OS::Nova::Server', fakes.server_id(0))
    port = graph.get(server).properties['ports'][0]
    port_props = res[port]['properties']
    assert port_props['fixed_ips'] == [{'subnet': {'get_resource': subnet},
                                        'ip_address': '10.0.0.10'}]
    # The recreated network's owner may set the MAC address: kept.
    assert port_props['mac_address'] == 'fa:16:3e:00:00:01'
    assert len(port_props['security_groups']) == 2
    fip = fakes.key_of(graph, 'OS::Neutron::FloatingIP', 'fip-1')
    assert res[fip]['properties'] == {
        'floating_network': {'get_param': ext + '_network'},
        'port_id': {'get_resource': port}}
    # The router interface is not referenced by a property: explicit.
    assert res[fip]['depends_on'] == [iface]


def test_default_security_group_is_renamed(built):
    graph, tmpl, _ = built
    key = fakes.key_of(graph, 'OS::Neutron::SecurityGroup', fakes.SG_DEFAULT)
    props = tmpl['resources'][key]['properties']
    assert props['name'] == 'default-d0000000'
    assert 'reserves "default"' in props['description']
    assert {'direction': 'ingress', 'ethertype': 'IPv4',
            'remote_mode': 'remote_group_id'} in props['rules']
    web = fakes.key_of(graph, 'OS::Neutron::SecurityGroup', fakes.SG_WEB)
    assert tmpl['resources'][web]['properties']['name'] == 'web'


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
    server = fakes.key_of(graph, 'OS::Nova::Server', fakes.server_id(0))
    port = graph.get(server).properties['ports'][0]
    ext = fakes.key_of(graph, 'OS::Neutron::Net', fakes.EXT_NET)
    assert tmpl['resources'][port]['properties'] == {
        'network': {'get_param': ext + '_network'},
        'port_security_enabled': False}
    # New MAC and fixed IPs at recovery: said, with the source values.
    [(key, code, message)] = [w for w in warnings
                              if w[1] == 'port_addresses_not_kept']
    assert key == port
    assert 'fa:16:3e:00:00:01' in message and '10.0.0.10' in message


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
    v6 = fakes.key_of(graph, 'OS::Neutron::Subnet', 'b6')
    assert tmpl['resources'][v6]['properties']['gateway_ip'] is None
    assert tmpl['resources'][v6]['properties']['ipv6_address_mode'] == \
        'slaac'
    fixed = tmpl['resources'][fakes.key_of(graph, 'OS::Neutron::Port', port['id'])][
        'properties']['fixed_ips']
    assert fixed[1] == {'subnet': {'get_resource': v6}}
    assert fixed[0]['ip_address'] == '10.0.0.10'


def test_extra_routes_and_disabled_snat_are_warnings():
    def change(world):
        router = world.neutron['routers'][0]
        router['routes'] = [{'destination': '10.9.0.0/16',
                             'nexthop': '10.0.0.99'}]
        router['external_gateway_info']['enable_snat'] = False
    graph, tmpl, _, warnings = fakes.built_template(change)
    router = fakes.key_of(graph, 'OS::Neutron::Router', fakes.ROUTER)
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
    graph, _tmpl, _, warnings = fakes.built_template(change)
    messages = [m for _k, c, m in warnings
                if c == 'qos_policy_not_recreated']
    assert any('qos-net' in m for m in messages)
    assert any('qos-port' in m for m in messages)


def test_address_group_rules_are_a_warning():
    def change(world):
        world.neutron['security-groups'][0]['security_group_rules'].append(
            {'direction': 'ingress', 'ethertype': 'IPv4',
             'remote_address_group_id': 'ag-1'})
    graph, _tmpl, _, warnings = fakes.built_template(change)
    web_sg = fakes.key_of(graph, 'OS::Neutron::SecurityGroup', fakes.SG_WEB)
    assert [(k, c) for k, c, _m in warnings] == [
        (web_sg, 'address_group_rules_not_recreated')]


def test_vnic_type_is_carried():
    def change(world):
        for port in world.neutron['ports']:
            if port.get('device_owner') == 'compute:nova':
                port['binding:vnic_type'] = 'direct'
    graph, tmpl, _, warnings = fakes.built_template(change)
    server = fakes.key_of(graph, 'OS::Nova::Server', fakes.server_id(0))
    port = graph.get(server).properties['ports'][0]
    assert tmpl['resources'][port]['properties'][
        'binding:vnic_type'] == 'direct'
    assert warnings == []


def test_reserved_group_name():
    assert networking.reserved_group_name(fakes.SG_DEFAULT) == \
        'default-d0000000'
