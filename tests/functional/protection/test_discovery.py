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

"""Discovery and template generation against the minicloud, proven by Heat.

A workload in RegionOne (network, subnet, router with a gateway on
``public``, security groups, key pair, server group, an image-backed server
with a floating IP and a data volume, a boot-from-volume server) is
discovered as
the demo user; the generated template is validated by RegionOne's Heat
and then launched, parameters mapped, as a stack in RegionTwo.
"""
import contextlib
import time

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives import serialization
from keystoneauth1 import exceptions as ks_exc

from dragon.cloud.clients import ServiceClients
from dragon.protection import discovery
from dragon.protection import template
from tests.minicloud import resources
from tests.minicloud.waiters import wait_for
from tests.minicloud.waiters import wait_gone

R1, R2 = 'RegionOne', 'RegionTwo'


def _public_key():
    key = ed25519.Ed25519PrivateKey.generate()
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode() + ' dragon-test'


class Cleanup:
    """Undo steps run last-in first-out; each failure is kept, not raised."""

    def __init__(self):
        self.steps = []

    def add(self, step, *args, **kwargs):
        self.steps.append((step, args, kwargs))

    def run(self):
        errors = []
        for step, args, kwargs in reversed(self.steps):
            try:
                step(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - keep cleaning up
                errors.append('%s: %s' % (getattr(step, '__name__', step), e))
        assert not errors, errors


def _retrying(call, *args, attempts=5):
    """``call(*args)``, again after a dropped connection (2 busy cores)."""
    for attempt in range(attempts):
        try:
            return call(*args)
        except ks_exc.ConnectFailure:
            if attempt == attempts - 1:
                raise
            time.sleep(2)


def _wait_server_gone(conn, server):
    conn.compute.delete_server(server, ignore_missing=True)
    wait_gone(lambda: conn.compute.get_server(server.id))


def _wait_volume_gone(conn, volume):
    conn.block_storage.delete_volume(volume, ignore_missing=True)
    wait_gone(lambda: conn.block_storage.get_volume(volume.id))


def _build_workload(conn, name, undo):
    """The RegionOne workload; returns what the assertions need."""
    w = {}
    image = conn.image.find_image(resources.IMAGE_NAME, ignore_missing=False)
    flavor = conn.compute.find_flavor('m1.tiny', ignore_missing=False)
    public = conn.network.find_network('public', ignore_missing=False)
    w['net'] = net = conn.network.create_network(name=name)
    undo.add(conn.network.delete_network, net, ignore_missing=True)
    w['subnet'] = subnet = conn.network.create_subnet(
        network_id=net.id, name=name, ip_version=4, cidr='10.79.0.0/24',
        dns_nameservers=['10.79.0.53'])
    w['router'] = router = conn.network.create_router(
        name=name, external_gateway_info={'network_id': public.id})
    undo.add(conn.network.delete_router, router, ignore_missing=True)
    conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    undo.add(conn.network.remove_interface_from_router, router,
             subnet_id=subnet.id)
    w['sg'] = sg = conn.network.create_security_group(name=name)
    undo.add(conn.network.delete_security_group, sg, ignore_missing=True)
    conn.network.create_security_group_rule(
        security_group_id=sg.id, direction='ingress', ethertype='IPv4',
        protocol='tcp', port_range_min=22, port_range_max=22,
        remote_ip_prefix='0.0.0.0/0')
    default_sg = conn.network.find_security_group('default',
                                                  ignore_missing=False)
    w['keypair'] = keypair = conn.compute.create_keypair(
        name=name, public_key=_public_key())
    undo.add(conn.compute.delete_keypair, keypair, ignore_missing=True)

    w['port1'] = port1 = conn.network.create_port(
        network_id=net.id, name=name + '-web',
        fixed_ips=[{'subnet_id': subnet.id, 'ip_address': '10.79.0.10'}],
        security_group_ids=[sg.id, default_sg.id])
    undo.add(conn.network.delete_port, port1, ignore_missing=True)
    w['port2'] = port2 = conn.network.create_port(
        network_id=net.id, name=name + '-db',
        fixed_ips=[{'subnet_id': subnet.id, 'ip_address': '10.79.0.20'}],
        security_group_ids=[sg.id])
    undo.add(conn.network.delete_port, port2, ignore_missing=True)

    w['boot'] = boot = conn.block_storage.create_volume(
        name=name + '-boot', size=1, image_id=image.id)
    undo.add(_wait_volume_gone, conn, boot)
    w['data'] = data = conn.block_storage.create_volume(
        name=name + '-data', size=1)
    undo.add(_wait_volume_gone, conn, data)

    w['group'] = group = conn.compute.create_server_group(
        name=name, policy='affinity')
    undo.add(conn.compute.delete_server_group, group, ignore_missing=True)
    w['web'] = web = conn.compute.create_server(
        name=name + '-web', image_id=image.id, flavor_id=flavor.id,
        key_name=keypair.name, networks=[{'port': port1.id}],
        metadata={'tier': 'web'}, scheduler_hints={'group': group.id})
    undo.add(_wait_server_gone, conn, web)
    for vol in (boot, data):
        wait_for(lambda v=vol: conn.block_storage.get_volume(v.id),
                 ok=('available',), timeout=300)
    w['db'] = db = conn.compute.create_server(
        name=name + '-db', flavor_id=flavor.id,
        networks=[{'port': port2.id}],
        block_device_mapping=[{
            'boot_index': 0, 'uuid': boot.id, 'source_type': 'volume',
            'destination_type': 'volume', 'delete_on_termination': False}])
    undo.add(_wait_server_gone, conn, db)
    for server in (web, db):
        wait_for(lambda s=server: conn.compute.get_server(s.id),
                 ok=('active',), timeout=300)
    conn.compute.create_volume_attachment(web, volume_id=data.id)
    wait_for(lambda: conn.block_storage.get_volume(data.id),
             ok=('in-use',), timeout=300)
    w['fip'] = fip = conn.network.create_ip(floating_network_id=public.id,
                                            port_id=port1.id)
    undo.add(conn.network.delete_ip, fip, ignore_missing=True)
    w['default_sg'] = default_sg
    w['public'] = public
    return w


def _check_graph(graph, w):
    def node(type_, resource_id):
        found = graph.by_resource(type_, resource_id)
        assert found is not None, (type_, resource_id)
        return found

    web = node('OS::Nova::Server', w['web'].id)
    db = node('OS::Nova::Server', w['db'].id)
    port1 = node('OS::Neutron::Port', w['port1'].id)
    port2 = node('OS::Neutron::Port', w['port2'].id)
    keypair = node('OS::Nova::KeyPair', w['keypair'].name)
    net = node('OS::Neutron::Net', w['net'].id)
    subnet = node('OS::Neutron::Subnet', w['subnet'].id)
    router = node('OS::Neutron::Router', w['router'].id)
    sg = node('OS::Neutron::SecurityGroup', w['sg'].id)
    default_sg = node('OS::Neutron::SecurityGroup', w['default_sg'].id)
    public = node('OS::Neutron::Net', w['public'].id)
    boot = node('OS::Cinder::Volume', w['boot'].id)
    data = node('OS::Cinder::Volume', w['data'].id)
    fip = node('OS::Neutron::FloatingIP', w['fip'].id)
    group = node('OS::Nova::ServerGroup', w['group'].id)
    assert group.properties['policy'] == 'affinity'
    assert set(web.depends_on) == {port1.key, keypair.key, group.key}
    assert set(db.depends_on) == {port2.key, boot.key}
    assert set(port1.depends_on) == {net.key, subnet.key, sg.key,
                                     default_sg.key}
    assert port1.properties['fixed_ips'][0]['ip_address'] == '10.79.0.10'
    assert subnet.depends_on == (net.key,)
    assert subnet.properties['dns_nameservers'] == ['10.79.0.53']
    assert router.depends_on == (public.key,)
    assert public.properties['owned'] is False
    ifaces = [n for n in graph.nodes()
              if n.resource.type == 'OS::Neutron::RouterInterface']
    assert [set(i.depends_on) for i in ifaces] == [{router.key, subnet.key}]
    assert set(fip.depends_on) == {port1.key, public.key, ifaces[0].key}
    assert any(r['port_range_min'] == 22 for r in sg.properties['rules'])
    assert web.properties['flavor']['original_name'] == 'm1.tiny'
    assert web.properties['image']['name'] == resources.IMAGE_NAME
    assert web.properties['metadata'] == {'tier': 'web'}
    assert web.properties['user_data'] is None  # admin-only in Nova
    assert keypair.properties['public_key'] == w['keypair'].public_key
    assert db.properties['image'] is None
    assert db.properties['block_devices'][0]['boot_index'] == 0
    assert boot.action == 'snapshot_data'  # db's action carries data
    assert boot.properties['bootable'] is True
    # Attached but not a member: protected with the volume type's default
    # action (an empty disk at recovery is never the default).
    assert data.action == 'snapshot_data' and not data.member
    attachments = [n for n in graph.nodes()
                   if n.resource.type == 'OS::Cinder::VolumeAttachment']
    assert [set(a.depends_on) for a in attachments] == [{web.key, data.key}]
    return {'boot': boot.key, 'data': data.key, 'web': web.key}


def _region_two_parameters(conn2, parameters, boot_key):
    image = conn2.image.find_image(resources.IMAGE_NAME, ignore_missing=False)
    public = conn2.network.find_network('public', ignore_missing=False)
    values = {}
    for name, entry in parameters.items():
        if entry['kind'] == 'external_network':
            values[name] = public.id
        elif entry['kind'] == 'image' and entry['default']:
            values[name] = image.id
        elif entry['kind'] == 'volume_type':
            # Heat's type lookup is refused to members by this Cinder:
            # the default type it is.
            values[name] = ''
    values[boot_key + '_image'] = image.id
    return values


def test_discovered_workload_relaunches_in_region_two(cloud, unique_name):
    conn = cloud.connect('demo', region=R1)
    conn2 = cloud.connect('demo', region=R2)
    undo = Cleanup()
    stack = None
    try:
        w = _build_workload(conn, unique_name, undo)
        clients = ServiceClients.for_user(
            cloud.layout.keystone_url, 'demo', cloud.layout.password, 'demo',
            R1)
        members = [
            {'resource_type': 'server', 'resource_id': w['web'].id,
             'resource_name': w['web'].name, 'action': 'image_snapshot',
             'options': {}},
            {'resource_type': 'server', 'resource_id': w['db'].id,
             'resource_name': w['db'].name, 'action': 'image_snapshot',
             'options': {}}]
        warnings = []
        graph = discovery.discover(clients, members,
                                   lambda *found: warnings.append(found))
        calls = dict(clients.calls)
        keys = _check_graph(graph, w)
        codes = {(key, code) for key, code, _message in warnings}
        assert (keys['web'], 'user_data_not_readable') in codes  # demo
        assert not [c for c in codes if c[1] == 'volume_not_protected']

        # The member says template_only for its attached volumes: the
        # data volume is recreated empty, and the warnings name it.
        left_out = [dict(m, options={'attached_volumes': 'template_only'})
                    for m in members]
        warnings_2 = []
        graph_2 = discovery.discover(ServiceClients.for_user(
            cloud.layout.keystone_url, 'demo', cloud.layout.password,
            'demo', R1), left_out, lambda *found: warnings_2.append(found))
        data_2 = graph_2.by_resource('OS::Cinder::Volume', w['data'].id)
        assert data_2.action == 'template_only'
        named = [(key, message) for key, code, message in warnings_2
                 if code == 'volume_not_protected']
        assert [key for key, _m in named] == [data_2.key]
        assert w['data'].name in named[0][1]

        template_warnings = []
        tmpl, parameters = template.build(
            graph, lambda *found: template_warnings.append(found))
        # Owned network, default SNAT, no routes, QoS or address groups.
        assert template_warnings == []
        text = template.to_yaml(tmpl)
        template.validate(clients, text)
        # Discovery plus one validation call, whatever the server count.
        assert sum(clients.calls.values()) == sum(calls.values()) + 1
        print('discovery calls', calls)

        values = _region_two_parameters(conn2, parameters, keys['boot'])
        stack = conn2.orchestration.create_stack(
            name=unique_name, template=text, parameters=values,
            timeout_mins=10)
        stack = wait_for(
            lambda: _retrying(conn2.orchestration.get_stack, stack.id),
            ok=('create_complete',), bad=('create_failed',), timeout=600,
            interval=2)
        created = {r.logical_resource_id: r
                   for r in conn2.orchestration.resources(stack)}
        assert {r.status for r in created.values()} == {'CREATE_COMPLETE'}
        for member in members:
            key = graph.by_resource('OS::Nova::Server',
                                    member['resource_id']).key
            server = conn2.compute.get_server(
                created[key].physical_resource_id)
            assert server.status == 'ACTIVE'
            assert server.name == member['resource_name']
        port_key = graph.by_resource('OS::Neutron::Port', w['port1'].id).key
        port = conn2.network.get_port(created[port_key].physical_resource_id)
        assert [f['ip_address'] for f in port.fixed_ips] == ['10.79.0.10']
    finally:
        with contextlib.ExitStack() as later:
            later.callback(undo.run)
            if stack is not None:
                conn2.orchestration.delete_stack(stack, ignore_missing=True)
                wait_gone(lambda: conn2.orchestration.get_stack(stack.id),
                          timeout=600)
