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

"""A gone server's create request, and what it needs that is gone too."""

import types

from openstack import exceptions as sdk_exc

from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import recreate


def _graph():
    """web on net-1 (10.0.0.5 of subnet-1), group sg-1, key pair k1."""
    g = graph_mod.ResourceGraph()
    g.add(graph_mod.Node('net_a', graph_mod.Resource(
        'OS::Neutron::Net', 'net-1', 'a')))
    g.add(graph_mod.Node('sg_web', graph_mod.Resource(
        'OS::Neutron::SecurityGroup', 'sg-1', 'web')))
    g.add(graph_mod.Node('key_k1', graph_mod.Resource(
        'OS::Nova::KeyPair', 'k1', 'k1'), properties={'name': 'k1'}))
    g.add(graph_mod.Node('port_web', graph_mod.Resource(
        'OS::Neutron::Port', 'port-1', ''), properties={
            'network': 'net_a', 'security_groups': ['sg_web'],
            'fixed_ips': [{'subnet': 'subnet_a', 'subnet_id': 'subnet-1',
                           'ip_address': '10.0.0.5'}]},
        depends_on=('net_a', 'sg_web')))
    g.add(graph_mod.Node('server_web', graph_mod.Resource(
        'OS::Nova::Server', 'srv-web', 'web'), member=True, properties={
            'flavor': {'original_name': 'm1.tiny'}, 'ports': ['port_web'],
            'key_pair': 'key_k1', 'metadata': {'tier': 'front'},
            'image': {'id': 'img-base'}},
        depends_on=('port_web', 'key_k1')))
    return g


class Network:
    def __init__(self, gone=(), taken=()):
        self.gone, self.taken, self.asked = set(gone), set(taken), []

    def _get(self, resource_id):
        if resource_id in self.gone:
            raise sdk_exc.NotFoundException('gone')
        return types.SimpleNamespace(id=resource_id)

    get_network = get_subnet = get_security_group = _get

    def ports(self, fixed_ips):
        self.asked.append(fixed_ips)
        return [object()] if fixed_ips[0].split('=')[1] in self.taken else []


class Compute:
    def __init__(self, flavors=('m1.tiny',), keypairs=('k1',)):
        self.flavors, self.keypairs = flavors, keypairs

    def find_flavor(self, name, ignore_missing=True):
        if name in self.flavors:
            return types.SimpleNamespace(id='flavor-' + name)
        if not ignore_missing:
            raise sdk_exc.NotFoundException(name)
        return None

    def find_keypair(self, name, ignore_missing=True):
        return types.SimpleNamespace(name=name) if name in self.keypairs \
            else None


def _clients(network=None, compute=None):
    return types.SimpleNamespace(connection=types.SimpleNamespace(
        network=network or Network(), compute=compute or Compute()))


def test_the_request_keeps_what_the_checkpoint_recorded():
    graph = _graph()
    network = Network()
    attrs = recreate.request(_clients(network), graph,
                             graph.get('server_web'), 'img-1', 'rec-1',
                             lambda *a: None)
    assert attrs == {
        'name': 'web', 'flavor_id': 'flavor-m1.tiny', 'image_id': 'img-1',
        'networks': [{'uuid': 'net-1', 'fixed_ip': '10.0.0.5'}],
        'metadata': {'tier': 'front', 'dragon_restore': 'rec-1',
                     'dragon_restore_key': 'server_web'},
        'security_groups': [{'name': 'sg-1'}], 'key_name': 'k1'}
    assert network.asked == [['ip_address=10.0.0.5', 'subnet_id=subnet-1']]


def test_a_taken_fixed_ip_is_left_to_neutron_and_said():
    graph = _graph()
    events = []
    attrs = recreate.request(_clients(Network(taken={'10.0.0.5'})), graph,
                             graph.get('server_web'), 'img-1', 'rec-1',
                             lambda *a: events.append(a))
    assert attrs['networks'] == [{'uuid': 'net-1'}]
    assert events == [('warning', 'fixed IP 10.0.0.5 of server web is taken '
                       'by another port now: the recreated server gets '
                       'another address on network net-1')]


def test_nothing_missing_when_all_is_there():
    graph = _graph()
    assert recreate.missing(_clients(), graph, graph.get('server_web'),
                            'server web (srv-web)') == []


def test_every_missing_thing_is_named_and_no_network_is_made():
    graph = _graph()
    found = recreate.missing(
        _clients(Network(gone={'net-1'}), Compute(flavors=(), keypairs=())),
        graph, graph.get('server_web'), 'server web (srv-web)')
    assert found == [
        'server web (srv-web) is gone from the region and its network net-1 '
        'is too: in-place restore never makes networks; recover it with a '
        'failover',
        'server web (srv-web): its flavor m1.tiny is gone from the region',
        'server web (srv-web): its key pair k1 is gone (or not visible to '
        'this user)']
    found = recreate.missing(
        _clients(Network(gone={'subnet-1', 'sg-1'})), graph,
        graph.get('server_web'), 'server web (srv-web)')
    assert found == [
        'server web (srv-web) is gone from the region and its subnet '
        'subnet-1 is too: in-place restore never makes subnets',
        'server web (srv-web): its security group sg-1 is gone from the '
        'region']


def test_a_server_booted_from_a_volume_is_booted_from_the_new_one():
    graph = _graph()
    web = graph.get('server_web')
    graph._nodes[web.key] = graph_mod.Node(
        web.key, web.resource, member=True, properties={
            **web.properties, 'image': None, 'block_devices': [
                {'volume': 'volume_root', 'boot_index': 0,
                 'device': '/dev/vda', 'delete_on_termination': True}]},
        depends_on=web.depends_on)
    attrs = recreate.request(_clients(), graph, graph.get('server_web'),
                             None, 'rec-1', lambda *a: None,
                             boot_volume_id='vol-new')
    assert 'image_id' not in attrs
    assert attrs['block_device_mapping'] == [{
        'boot_index': 0, 'uuid': 'vol-new', 'source_type': 'volume',
        'destination_type': 'volume', 'delete_on_termination': True,
        'device_name': '/dev/vda'}]
    # The rest as for a server booted from an image.
    assert attrs['networks'] == [{'uuid': 'net-1', 'fixed_ip': '10.0.0.5'}]
    assert attrs['key_name'] == 'k1'
    assert attrs['security_groups'] == [{'name': 'sg-1'}]
    assert attrs['metadata']['dragon_restore_key'] == 'server_web'
