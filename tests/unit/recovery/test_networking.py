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

"""A drill's isolation and the networks a recovery recreates."""

import pytest

from dragon import exception
from dragon.recovery import networking
from tests.unit.protection import fakes as source
from tests.unit.recovery import fakes


@pytest.fixture
def ckpt():
    return fakes.checkpoint(servers=2)


def test_drill_isolates(ckpt):
    _, graph, _, _ = ckpt
    tmpl, params = fakes.run_rewrite(ckpt, mode='drill', prefix='drill-')
    res = tmpl['resources']
    types = [r['type'] for r in res.values()]
    assert 'OS::Neutron::FloatingIP' not in types
    for r in res.values():
        assert 'external_gateway_info' not in r['properties']
    assert not any(k.endswith('_network') for k in params)
    # The shared network is recreated, isolated, around the source ports'
    # addresses; its port waits for the subnet.
    shared = source.key_of(graph, 'OS::Neutron::Net', fakes.SHARED_NET)
    assert res[shared] == {'type': 'OS::Neutron::Net',
                           'properties': {'name': 'drill-shared'}}
    subnet = res[shared + '_subnet']['properties']
    assert subnet['cidr'] == '192.168.7.0/24'
    assert subnet['gateway_ip'] is None
    ports = [r for r in res.values() if r['type'] == 'OS::Neutron::Port']
    on_shared = [p for p in ports
                 if p['properties']['network'] == {'get_resource': shared}]
    assert len(on_shared) == 1
    assert shared + '_subnet' in on_shared[0]['depends_on']
    # Every port's network is created by the stack.
    assert all('get_resource' in p['properties']['network'] for p in ports)
    # Names carry the prefix.
    web0 = source.key_of(graph, 'OS::Nova::Server', source.server_id(0))
    assert res[web0]['properties']['name'] == 'drill-web-0'
    fakes.assert_consistent(tmpl)


def test_network_recreated_on_request_in_a_failover(ckpt):
    _, graph, _, _ = ckpt
    shared = source.key_of(graph, 'OS::Neutron::Net', fakes.SHARED_NET)
    tmpl, params = fakes.run_rewrite(ckpt, mapping={
        'networks': {fakes.SHARED_NET: 'recreate'}})
    assert tmpl['resources'][shared]['type'] == 'OS::Neutron::Net'
    assert shared + '_network' not in params
    # The external network stays: failover keeps gateways and floating IPs.
    public = source.key_of(graph, 'OS::Neutron::Net', source.EXT_NET)
    assert params[public + '_network'] == fakes.T_PUBLIC
    fakes.assert_consistent(tmpl)


def test_external_network_of_a_gateway_cannot_be_recreated(ckpt):
    with pytest.raises(exception.RewriteFailed) as e:
        fakes.run_rewrite(ckpt, mapping={'networks': {source.EXT_NET: 'recreate'}})
    assert 'existing external network' in str(e.value)


def test_a_network_without_ipv4_ports_gets_the_fallback_range(ckpt):
    _, graph, _, _ = ckpt
    shared = source.key_of(graph, 'OS::Neutron::Net', fakes.SHARED_NET)
    for node in graph.nodes():
        if node.resource.type == 'OS::Neutron::Port' and \
                node.properties.get('network') == shared:
            node.properties['fixed_ips'] = [{'ip_address': 'fd00::9'}]
    ckpt[2]['graph'] = graph.to_dict()  # the manifest
    tmpl, _ = fakes.run_rewrite(ckpt, mode='drill')
    assert tmpl['resources'][shared + '_subnet']['properties']['cidr'] == \
        networking.FALLBACK_CIDR
