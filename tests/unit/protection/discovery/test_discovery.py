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
from dragon.protection import discovery
from dragon.protection.graph import ResourceGraph
from tests.unit.protection import fakes


def _discover(world, members=None, warnings=None):
    warn = ((lambda *w: warnings.append(w)) if warnings is not None
            else discovery.warnings_mod.ignore)
    return discovery.discover(fakes.Clients(world),
                              members or fakes.server_members(world), warn)


def _node(graph, type_, resource_id):
    node = graph.by_resource(type_, resource_id)
    assert node is not None, (type_, resource_id)
    return node


def test_server_dependencies_are_all_in_the_graph():
    world = fakes.World(servers=1)
    graph = _discover(world)
    web = _node(graph, 'OS::Nova::Server', fakes.server_id(0))
    assert web.key == 'server_web_0_50000000'
    assert web.member and web.action == 'image_snapshot'
    port = graph.get(web.properties['ports'][0])
    keypair = _node(graph, 'OS::Nova::KeyPair', 'ops')
    group = _node(graph, 'OS::Nova::ServerGroup', fakes.GROUP)
    assert set(web.depends_on) == {port.key, keypair.key, group.key}
    net = _node(graph, 'OS::Neutron::Net', fakes.NET)
    subnet = _node(graph, 'OS::Neutron::Subnet', fakes.SUBNET)
    web_sg = _node(graph, 'OS::Neutron::SecurityGroup', fakes.SG_WEB)
    default_sg = _node(graph, 'OS::Neutron::SecurityGroup', fakes.SG_DEFAULT)
    assert set(port.depends_on) == {net.key, subnet.key, web_sg.key,
                                    default_sg.key}
    assert port.properties['fixed_ips'] == [
        {'subnet': subnet.key, 'subnet_id': fakes.SUBNET,
         'ip_address': '10.0.0.10'}]
    assert subnet.depends_on == (net.key,)
    assert subnet.properties['host_routes'][0]['nexthop'] == '10.0.0.254'
    ext = _node(graph, 'OS::Neutron::Net', fakes.EXT_NET)
    assert ext.properties['owned'] is False and ext.properties['external']
    router = _node(graph, 'OS::Neutron::Router', fakes.ROUTER)
    assert router.depends_on == (ext.key,)
    iface = _node(graph, 'OS::Neutron::RouterInterface',
                  'router-port:' + fakes.SUBNET)
    assert set(iface.depends_on) == {router.key, subnet.key}
    fip = _node(graph, 'OS::Neutron::FloatingIP', 'fip-1')
    assert set(fip.depends_on) == {port.key, ext.key, iface.key}
    # Rules refer to groups; a reference is not a dependency (no cycles).
    assert {r['remote_group'] for r in web_sg.properties['rules']} == {
        None, default_sg.key}
    assert default_sg.properties['rules'][1]['remote_group'] == 'self' or \
        default_sg.properties['rules'][0]['remote_group'] == 'self'
    assert keypair.properties['public_key'] == 'ssh-ed25519 AAAA ops'
    assert web.properties['flavor']['original_name'] == 'm1.tiny'
    assert web.properties['image']['name'] == 'cirros'
    assert web.properties['user_data'] is None
    assert 'administrators' in web.properties['user_data_note']


def test_volumes_boot_mapping_and_implicit_actions():
    world = fakes.World(servers=1)
    graph = _discover(world, fakes.server_members(
        world, action='template_only', bfv_action='image_snapshot'))
    db = _node(graph, 'OS::Nova::Server', fakes.BFV)
    boot = _node(graph, 'OS::Cinder::Volume', fakes.BOOT_VOL)
    assert boot.key in db.depends_on and not boot.member
    assert boot.action == 'snapshot_data'
    assert 'carries data' in boot.properties['implicit_action_reason']
    assert db.properties['block_devices'] == [{
        'volume': boot.key, 'volume_id': fakes.BOOT_VOL,
        'device': '/dev/vda', 'boot_index': 0,
        'delete_on_termination': False}]
    assert db.properties['image'] is None
    data = _node(graph, 'OS::Cinder::Volume', fakes.DATA_VOL)
    # Not a member: the volume type's default action, never an empty disk.
    assert data.action == 'snapshot_data' and not data.member
    assert 'not a member' in data.properties['implicit_action_reason']
    assert 'default action' in data.properties['implicit_action_reason']
    web = _node(graph, 'OS::Nova::Server', fakes.server_id(0))
    attachment = _node(graph, 'OS::Cinder::VolumeAttachment', 'att-data')
    assert set(attachment.depends_on) == {web.key, data.key}
    assert attachment.properties['mountpoint'] == '/dev/vdb'


def test_boot_volume_of_template_only_server_is_template_only():
    world = fakes.World(servers=1)
    graph = _discover(world, fakes.server_members(world,
                                                  action='template_only'))
    assert _node(graph, 'OS::Cinder::Volume',
                 fakes.BOOT_VOL).action == 'template_only'


def test_member_volume_keeps_its_action():
    world = fakes.World(servers=1)
    members = fakes.server_members(world) + [
        fakes.member('volume', fakes.DATA_VOL, 'cinder_backup', 'data')]
    graph = _discover(world, members)
    data = _node(graph, 'OS::Cinder::Volume', fakes.DATA_VOL)
    assert data.member and data.action == 'cinder_backup'
    assert 'implicit_action_reason' not in data.properties
    assert data.properties['metadata'] == {'k': 'v'}


def test_volume_only_policy_reads_only_cinder():
    world = fakes.World(servers=1)
    graph = _discover(world, [fakes.member('volume', fakes.DATA_VOL,
                                           'snapshot_data')])
    assert len(graph) == 1
    assert dict(world.calls) == {'block-storage': 1}


def test_call_count_does_not_grow_with_servers():
    counts = []
    for n in (1, 20):
        world = fakes.World(servers=n)
        graph = _discover(world)
        assert len([x for x in graph.nodes()
                    if x.resource.type == 'OS::Nova::Server']) == n + 1
        counts.append(dict(world.calls))
    assert counts[0] == counts[1]
    # servers, key pairs, server groups; the project's ports and floating
    # IPs, the ports' networks, subnets, router ports, routers, the
    # routers' external networks, security groups; volumes; images.
    assert counts[0] == {'compute': 3, 'network': 8, 'block-storage': 1,
                         'image': 1}


def test_lists_ask_for_the_largest_page_and_run_in_parallel():
    world = fakes.World(servers=2)
    _discover(world)
    limits = {kind: query.get('limit') for _, kind, query in world.log}
    assert limits['servers'] == limits['volumes'] == 1000
    assert limits['images'] == 1000
    # Nova pages server groups by offset: a marker would be refused.
    assert limits['server_groups'] is None
    assert limits['keypairs'] == 1000
    # Neutron answers everything unless its operator set a page.
    assert limits['ports'] is None and limits['ips'] is None
    projects = {kind: query.get('project_id') for _, kind, query in world.log
                if kind in ('ports', 'ips') and not {
                    'device_id', 'port_id', 'network_id'} & set(query)}
    assert projects == {'ports': fakes.PROJECT, 'ips': fakes.PROJECT}
    # The first lists of each service overlap, on the run's pool.
    for kind in ('servers', 'server_groups', 'ports', 'ips', 'volumes',
                 'images', 'keypairs', 'security_groups'):
        assert all(t.startswith('discovery') for t in world.threads[kind])


def test_a_port_another_project_owns_is_read_by_device_id():
    world = fakes.World(servers=1)
    port = next(p for p in world.neutron['ports']
                if p['device_id'] == fakes.server_id(0))
    port['project_id'] = 'admin'
    port['mac_address'] = 'fa:16:3e:00:00:99'
    world.nova['servers'][0]['addresses']['private'][0][
        'OS-EXT-IPS-MAC:mac_addr'] = 'fa:16:3e:00:00:99'
    graph = _discover(world)
    web = _node(graph, 'OS::Nova::Server', fakes.server_id(0))
    assert graph.get(web.properties['ports'][0]).resource.id == port['id']
    assert [q['device_id'] for _, kind, q in world.log
            if kind == 'ports' and 'device_id' in q] == [[fakes.server_id(0)]]


def test_a_floating_ip_another_project_owns_is_read_by_port_id():
    world = fakes.World(servers=1)
    world.neutron['floatingips'][0]['project_id'] = 'admin'
    graph = _discover(world)
    assert _node(graph, 'OS::Neutron::FloatingIP', 'fip-1')
    assert [kind for _, kind, q in world.log if 'port_id' in q] == ['ips']


def test_no_extra_call_when_nova_and_neutron_agree():
    world = fakes.World(servers=3)
    _discover(world)
    assert not [q for _, _, q in world.log
                if 'device_id' in q or 'port_id' in q]


def test_unreachable_service_is_named():
    from keystoneauth1 import exceptions as ks_exc
    world = fakes.World(servers=1)
    world.failures[('block_storage', 'volumes')] = ks_exc.ConnectFailure(
        'connection refused')
    with pytest.raises(exception.DiscoveryFailed,
                       match="the project's volumes: block-storage "
                             "unreachable: connection refused"):
        _discover(world)


def test_graph_is_json_and_round_trips():
    world = fakes.World(servers=2)
    graph = _discover(world)
    data = json.loads(json.dumps(graph.to_dict()))
    assert ResourceGraph.from_dict(data).to_dict() == data


def test_missing_member_server_fails_with_its_name():
    world = fakes.World(servers=1)
    with pytest.raises(exception.DiscoveryFailed, match='server gone .*lost'):
        _discover(world, [fakes.member('server', 'gone', 'image_snapshot',
                                       'lost')])


def test_unreadable_dependency_fails_naming_it():
    world = fakes.World(servers=1)
    world.failures[('network', 'routers')] = 403
    with pytest.raises(exception.DiscoveryFailed,
                       match='routers c0000000.*: HTTP 403: denied by '
                             'policy'):
        _discover(world)


def test_invisible_key_pair_fails():
    world = fakes.World(servers=1)
    world.nova['keypairs'] = []
    with pytest.raises(exception.DiscoveryFailed, match='key pair ops'):
        _discover(world)


def test_invisible_router_fails():
    world = fakes.World(servers=1)
    world.neutron['routers'] = []
    with pytest.raises(exception.DiscoveryFailed, match='router c0000000'):
        _discover(world)


def test_volume_without_cinder_attachment_fails():
    world = fakes.World(servers=1)
    world.volumes[1]['attachments'] = []
    with pytest.raises(exception.DiscoveryFailed,
                       match='no attachment to that server'):
        _discover(world)


def test_unknown_resource_type():
    with pytest.raises(exception.UnknownResourceType, match='server, .*volume'):
        _discover(fakes.World(), [fakes.member('network', 'x', 'a')])


def test_servers_are_read_page_after_page(monkeypatch):
    monkeypatch.setattr(discovery._api, 'PAGE', 50)
    world = fakes.World(servers=120)
    graph = _discover(world)
    pages = [entry for entry in world.log if entry[1] == 'servers']
    assert len(pages) == 3
    assert len([n for n in graph.nodes()
                if n.resource.type == 'OS::Nova::Server']) == 121


def test_attached_volumes_template_only_is_named_in_the_warnings():
    world = fakes.World(servers=1)
    warnings = []
    graph = _discover(world, fakes.server_members(
        world, options={'attached_volumes': 'template_only'}), warnings)
    data = _node(graph, 'OS::Cinder::Volume', fakes.DATA_VOL)
    assert data.action == 'template_only'
    assert 'attached_volumes' in data.properties['implicit_action_reason']
    volume_warnings = [w for w in warnings
                       if w[1] == 'volume_not_protected']
    assert [(w[0]) for w in volume_warnings] == [data.key]
    assert 'data' in volume_warnings[0][2]
    assert 'recreated empty' in volume_warnings[0][2]
    # The boot volume of the server whose action carries data: protected.
    assert _node(graph, 'OS::Cinder::Volume',
                 fakes.BOOT_VOL).action == 'snapshot_data'


def test_attached_volumes_protected_by_default_warn_nothing():
    world = fakes.World(servers=1)
    warnings = []
    _discover(world, fakes.server_members(world), warnings)
    assert not [w for w in warnings if w[1] == 'volume_not_protected']


def test_boot_volume_of_a_template_only_server_is_named_in_the_warnings():
    world = fakes.World(servers=1)
    warnings = []
    graph = _discover(world, fakes.server_members(
        world, action='template_only'), warnings)
    boot = _node(graph, 'OS::Cinder::Volume', fakes.BOOT_VOL)
    assert boot.action == 'template_only'
    assert (boot.key, 'volume_not_protected') in {
        (w[0], w[1]) for w in warnings}
    # Its data volume is still protected (attached_volumes: protect).
    assert _node(graph, 'OS::Cinder::Volume',
                 fakes.DATA_VOL).action == 'snapshot_data'


def test_a_volume_another_server_protects_is_not_left_empty():
    world = fakes.World(servers=1)
    bfv = next(s for s in world.nova['servers'] if s['id'] == fakes.BFV)
    bfv['os-extended-volumes:volumes_attached'].append(
        {'id': fakes.DATA_VOL, 'delete_on_termination': False})
    volume = next(v for v in world.volumes if v['id'] == fakes.DATA_VOL)
    volume['multiattach'] = True
    volume['attachments'].append({'server_id': fakes.BFV,
                                  'device': '/dev/vdc',
                                  'attachment_id': 'att-data-2'})
    members = fakes.server_members(world)
    for found in members:
        if found['resource_id'] != fakes.BFV:
            found['options'] = {'attached_volumes': 'template_only'}
    warnings = []
    graph = _discover(world, members, warnings)
    assert _node(graph, 'OS::Cinder::Volume',
                 fakes.DATA_VOL).action == 'snapshot_data'
    assert not [w for w in warnings if w[1] == 'volume_not_protected']


def test_user_data_hidden_by_nova_is_a_warning():
    world = fakes.World(servers=1)
    warnings = []
    graph = _discover(world, None, warnings)
    web = _node(graph, 'OS::Nova::Server', fakes.server_id(0))
    assert (web.key, 'user_data_not_readable') in {
        (w[0], w[1]) for w in warnings}
    for server in world.nova['servers']:
        server['OS-EXT-SRV-ATTR:user_data'] = None
    warnings.clear()
    _discover(world, None, warnings)
    assert not [w for w in warnings if w[1] == 'user_data_not_readable']


def test_a_started_list_is_read_once_and_its_failure_raised_when_needed():
    import concurrent.futures
    from dragon.protection.discovery import base
    calls = []

    def fetch():
        calls.append(1)
        raise exception.DiscoveryFailed(resource='x', reason='HTTP 500')
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for run in (base.DiscoveryRun(None, pool=pool),
                    base.DiscoveryRun(None)):
            run.start('x', fetch)
            run.start('x', fetch)   # begun already: not again
            with pytest.raises(exception.DiscoveryFailed, match='HTTP 500'):
                run.once('x', fetch)
            run.start('y', lambda: 42)
            assert run.once('y', fetch) == 42
    assert len(calls) == 2


def test_a_template_only_server_on_a_restored_image_is_a_warning():
    world = fakes.World(servers=1)
    world.images[0]['name'] = 'dragon-restore-server_web-20261201T100000Z'
    warnings = []
    graph = _discover(world, fakes.server_members(
        world, action='template_only'), warnings)
    web = _node(graph, 'OS::Nova::Server', fakes.server_id(0))
    assert (web.key, 'image_only_in_this_region') in {
        (w[0], w[1]) for w in warnings}
    # Its disk in the checkpoint carries it: no warning.
    warnings.clear()
    _discover(world, None, warnings)
    assert not [w for w in warnings if w[1] == 'image_only_in_this_region']
    # Nor an image of any other name.
    world.images[0]['name'] = 'cirros'
    _discover(world, fakes.server_members(world, action='template_only'),
              warnings)
    assert not [w for w in warnings if w[1] == 'image_only_in_this_region']
