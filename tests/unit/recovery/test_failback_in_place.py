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

"""A failback's recovery at home: in place or a new stack, and in place.

The final checkpoint is in_place.fakes' graph taken at the backup site
(its ids are the backup site's: srv-web, srv-db, vol-data); the workload
at home has other ids (a-web, a-db, a-data).  Home's Nova and Cinder are
in_place.test_run's fakes (the plan's reads) and fake_cloud (the swap);
its Neutron is in_place.test_recreate's.  The checkpoint the failover
recovered from (HOME_POINT) has the servers as they stood at home: on
network a-net, subnet a-subnet, security group a-sg.
"""

import types

from openstack import exceptions as sdk_exc
import pytest

from dragon.checkpoint import chunks as chunks_mod
from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.recovery import failback_in_place as fip
from dragon.recovery.in_place import window
from dragon.recovery import restore as restore_mod
from dragon.recovery.restore import images as images_mod
from tests.unit.recovery.in_place import fake_cloud
from tests.unit.recovery.in_place import fakes
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery.in_place import test_recreate
from tests.unit.recovery.in_place.test_run import _clients as _run_clients

HOME = 'RegionOne'
# What the failback record and the failover recovery say.
MEMBERS = [{'resource_type': 'server', 'resource_id': 'srv-web',
            'source_id': 'a-web'},
           {'resource_type': 'server', 'resource_id': 'srv-db',
            'source_id': 'a-db'}]
FAILOVER_STATUS = [
    {'id': 'a-web', 'target_id': 'srv-web'},
    {'id': 'a-db', 'target_id': 'srv-db'},
    # The member's volume, pulled in by its server.
    {'id': 'a-data', 'target_id': 'vol-data'},
    # A resource whose restore failed has no target.
    {'id': 'a-tmp', 'target_id': None}]
SERVER_AT_HOME = {'status': 'SHUTOFF', 'image': {'id': 'img-base'},
                  'flavor': {'original_name': 'm1.small'}}
VOLUME_AT_HOME = {'status': 'in-use', 'size': 1,
                  'attachments': [{'server_id': 'a-web',
                                   'device': '/dev/vdb'}]}


FINAL_POINT, HOME_POINT = 'dragon_p1_web_final', 'dragon_p1_web_home'


def _manifest():
    """fakes' checkpoint at the backup site, its servers and volume only.

    Its servers booted from images (the failover's), data on web.
    """
    manifest = fakes.manifest(region='RegionTwo')
    manifest['graph']['nodes'] = [n for n in manifest['graph']['nodes']
                                  if n['key'] != 'bucket_logs']
    for node in manifest['graph']['nodes']:
        if node['type'] == fakes.SERVER:
            node['properties']['image'] = {'id': 'img-at-backup'}
        if node['key'] == 'volume_data':
            node['properties']['attachments'] = [
                {'server_id': 'srv-web', 'device': '/dev/vdb'}]
    manifest['started_at'] = '2026-12-01T10:00:00'
    manifest['data'] = {'server_web': {'kind': 'image', 'size': 1 << 20},
                        'server_db': {'kind': 'image', 'size': 1 << 20},
                        'volume_data': {'kind': 'volume', 'size': 1 << 30}}
    return manifest


def _home_manifest():
    """The checkpoint the failover recovered from: the servers at home.

    Each on its own port of network a-net (subnet a-subnet, a fixed IP),
    in group a-sg, with key pair k1.
    """
    graph = graph_mod.ResourceGraph()
    for key, kind, resource_id, props in (
            ('net', 'OS::Neutron::Net', 'a-net', {}),
            ('sg', 'OS::Neutron::SecurityGroup', 'a-sg', {}),
            ('key', 'OS::Nova::KeyPair', 'k1', {'name': 'k1'})):
        graph.add(graph_mod.Node(key, graph_mod.Resource(
            kind, resource_id, key), properties=props))
    for name, address in (('web', '10.0.0.5'), ('db', '10.0.0.7')):
        graph.add(graph_mod.Node('port_' + name, graph_mod.Resource(
            'OS::Neutron::Port', 'a-port-' + name, ''), properties={
                'network': 'net', 'security_groups': ['sg'],
                'fixed_ips': [{'subnet_id': 'a-subnet',
                               'ip_address': address}]},
            depends_on=('net', 'sg')))
        graph.add(graph_mod.Node('server_' + name, graph_mod.Resource(
            fakes.SERVER, 'a-' + name, name), member=True, properties={
                'flavor': {'original_name': 'm1.small'},
                'ports': ['port_' + name], 'key_pair': 'key',
                'metadata': {'tier': name}, 'image': {'id': 'img-base'}},
            depends_on=('port_' + name, 'key')))
    return {'graph': graph.to_dict(), 'source_region': HOME,
            'project_id': 'p1', 'data': {}}


def _clients(servers=None, volumes=None, network=None, backup=None):
    """Home's clients (in_region: the backup site's, for its copies)."""
    clients = _run_clients(servers=servers, volumes=volumes)
    clients.connection.network = network or test_recreate.Network()
    clients.connection.compute.find_keypair = (
        lambda name, ignore_missing=True: types.SimpleNamespace(name=name))
    clients.in_region = lambda region: backup
    return clients


class Asked(dict):
    """Nova's servers, remembering which ids were asked for."""

    def __init__(self, *args):
        super().__init__(*args)
        self.asked = []

    def __contains__(self, key):
        self.asked.append(key)
        return super().__contains__(key)


@pytest.fixture
def site(monkeypatch):
    state = types.SimpleNamespace(
        manifest=_manifest(), home=_home_manifest(),
        failover=list(FAILOVER_STATUS), network=test_recreate.Network(),
        servers=Asked({'a-web': dict(SERVER_AT_HOME),
                       'a-db': dict(SERVER_AT_HOME)}),
        volumes={'a-data': dict(VOLUME_AT_HOME)}, read=[])

    def open_checkpoint(conf, session, swift, region, container):
        state.read.append((region, container))
        found = {FINAL_POINT: state.manifest, HOME_POINT: state.home}[
            container]
        if isinstance(found, Exception):
            raise found
        if isinstance(found, dict) and region not in found.get(
                'readable_in', (HOME,)):
            raise sdk_exc.NotFoundException('no %s in %s' % (container,
                                                              region))
        return found, None
    monkeypatch.setattr(fip.run_mod.keyring, 'open_checkpoint', open_checkpoint)

    def recovery_get(ctx, recovery_id):
        if state.failover is None:
            raise exception.RecoveryNotFound(id=recovery_id)
        return types.SimpleNamespace(resource_status=state.failover,
                                     recovery_point=HOME_POINT)
    monkeypatch.setattr(fip.db_api, 'recovery_get', recovery_get)
    state.clients = lambda: _clients(
        servers=state.servers, volumes=state.volumes, network=state.network,
        backup=_clients(servers={}, volumes={}))
    state.choose = lambda members=MEMBERS, conf=None: fip.choose(
        conf, _recovery(), state.clients(),
        {'recovery_id': 'failover-1', 'members': members})
    return state


def _recovery(**fields):
    return types.SimpleNamespace(**{
        'id': 'fb-1', 'policy_id': 'pol-rev', 'target_region': HOME,
        'recovery_point': FINAL_POINT, 'plan': None,
        'replaced': [], **fields})


# -- the mapping
def test_home_ids_pair_the_backup_sites_ids_with_those_at_home():
    members = [{'resource_type': 'volume', 'resource_id': 'b-vol',
                'source_id': 'a-vol'}]
    status = [{'id': 'a-vol-then', 'target_id': 'b-vol'},
              {'id': 'a-srv', 'target_id': 'b-srv'},
              {'id': 'a-gone', 'target_id': None}]

    # The member's own pair wins; a resource never made here has none.
    assert fip.home_ids(members, status) == {'b-vol': 'a-vol',
                                             'b-srv': 'a-srv'}


def test_a_deleted_failover_leaves_the_members_pairs(site):
    site.failover = None

    assert fip.failover_status({'recovery_id': 'failover-1'}) == []


# -- the choice
def test_every_server_surviving_at_home_means_in_place(site):
    choice = site.choose()

    assert choice.in_place, choice.reason
    assert choice.describe() == ('in place into 2 surviving server(s) and '
                                 '1 volume(s)')
    assert choice.record() == {'mode': 'in_place', 'reason': None,
                               'servers': 2, 'volumes': 1,
                               'new_servers': 0, 'new_volumes': 0}
    # Nothing to boot again: the home checkpoint is not read.
    assert [c for _r, c in site.read] == [FINAL_POINT]
    # Each checkpoint member is the resource at home by its id there.
    assert {e['id']: (e['current_id'], e['action'])
            for e in choice.plan} == {
        'srv-web': ('a-web', 'rebuild'), 'srv-db': ('a-db', 'rebuild'),
        'vol-data': ('a-data', 'replace')}
    assert all('is server a-' in e['detail'] or 'is volume a-' in
               e['detail'] for e in choice.plan)
    assert 'the one at RegionOne the failover recovered it from' in \
        choice.plan[0]['detail']


class Neutron(test_recreate.Network):
    """Home's Neutron, remembering which ids were asked for."""

    def _get(self, resource_id):
        self.got.append(resource_id)
        return super()._get(resource_id)

    get_network = get_subnet = get_security_group = _get


def test_a_server_gone_at_home_is_recreated_in_place_beside_the_rest(site):
    del site.servers['a-db']
    site.network = Neutron()
    site.network.got = []

    choice = site.choose()

    assert choice.in_place, choice.reason
    assert choice.record() == {'mode': 'in_place', 'reason': None,
                               'servers': 1, 'volumes': 1,
                               'new_servers': 1, 'new_volumes': 0}
    assert choice.describe() == ('in place into 1 surviving server(s) and '
                                 '1 volume(s), 1 server(s) recreated')
    # Per resource: the survivors in place, the gone one booted again.
    assert {e['id']: (e['current_id'], e['action'])
            for e in choice.plan} == {
        'srv-web': ('a-web', 'rebuild'), 'srv-db': ('a-db', 'recreate'),
        'vol-data': ('a-data', 'replace')}
    # Where it stood at home: the checkpoint the failover recovered from,
    # read at home.
    assert site.read == [(HOME, FINAL_POINT), (HOME, HOME_POINT)]
    graph, node = choice.places.of('server_db')
    assert (node.key, node.resource.id) == ('server_db', 'a-db')
    # What it stands on is checked at home by its ids there; the final
    # checkpoint's (the backup site's net-1) are never asked.
    assert site.network.got == ['a-net', 'a-subnet', 'a-sg']


def test_a_gone_server_whose_network_is_gone_at_home_means_a_new_stack(site):
    del site.servers['a-db']
    site.network = test_recreate.Network(gone={'a-net'})

    choice = site.choose()

    assert not choice.in_place
    assert choice.record()['mode'] == 'new_stack'
    assert choice.describe() == (
        'as a new stack (server db (a-db) is gone from the region and its '
        'network a-net is too: in-place restore never makes networks; '
        'recover it with a failover)')


def test_a_gone_server_that_booted_from_a_volume_means_a_new_stack(site):
    del site.servers['a-db']
    for node in site.manifest['graph']['nodes']:
        if node['key'] == 'server_db':
            node['properties']['image'] = ''

    choice = site.choose()

    assert not choice.in_place
    assert 'server db (a-db) is gone from the region and booted from a ' \
        'volume: a failback does not recreate it in place yet' in \
        choice.reason


def test_a_gone_server_without_its_home_checkpoint_means_a_new_stack(site):
    del site.servers['a-db']
    site.home = sdk_exc.HttpException('swift is down', http_status=503)

    choice = site.choose()

    assert not choice.in_place
    assert choice.reason.startswith(
        'server db (a-db) is gone from the region and the checkpoint '
        'dragon_p1_web_home the failover recovered it from cannot be read')
    assert choice.reason.endswith('where it stood there is not known')


def test_the_home_checkpoint_is_read_from_the_backup_sites_copy_too(site):
    """Home's Swift lost it: the replicated copy says where it stood."""
    del site.servers['a-db']
    site.home['readable_in'] = ('RegionTwo',)
    conf = types.SimpleNamespace(engine=types.SimpleNamespace(
        region_name='RegionTwo'))
    backup = _clients(servers={}, volumes={})
    backup.region_name = 'RegionTwo'
    site.clients = lambda: _clients(servers=site.servers,
                                    volumes=site.volumes, backup=backup)

    choice = site.choose(conf=conf)

    assert choice.in_place, choice.reason
    assert site.read[-2:] == [(HOME, HOME_POINT), ('RegionTwo', HOME_POINT)]


def test_a_gone_server_after_a_deleted_failover_means_a_new_stack(site):
    del site.servers['a-db']
    site.failover = None

    choice = site.choose()

    assert not choice.in_place
    assert 'server db (a-db) is gone from the region and the failover ' \
        'recovery is gone' in choice.reason


def test_a_server_made_at_the_backup_site_is_never_looked_up_at_home(site):
    # The backup site's id happens to answer at home: not asked.
    site.servers['srv-db'] = dict(SERVER_AT_HOME)

    site.failover = [s for s in FAILOVER_STATUS if s['id'] != 'a-db']

    choice = site.choose(members=MEMBERS[:1])

    assert not choice.in_place
    assert choice.reason == (
        'server db (srv-db) is gone from the region and has no id there: '
        'the failover did not make it from a server there, so it has no '
        'place there to be recreated in')
    assert 'srv-db' not in site.servers.asked


def test_a_volume_made_at_the_backup_site_is_made_anew_in_place(site):
    site.failover = [s for s in FAILOVER_STATUS if s['id'] != 'a-data']

    choice = site.choose()

    assert choice.in_place, choice.reason
    assert [e['action'] for e in choice.plan
            if e['id'] == 'vol-data'] == ['recreate']
    assert choice.describe().endswith('and 0 volume(s), 1 volume(s) made '
                                      'anew')


def test_what_in_place_refuses_means_a_new_stack_with_the_reasons(site):
    site.servers['a-web']['flavor'] = {'original_name': 'm1.large'}
    site.volumes['a-data']['size'] = 2

    choice = site.choose()

    assert not choice.in_place
    assert 'keep_current_flavor' in choice.reason
    assert 'shrink_volumes' in choice.reason


def test_nothing_surviving_at_home_means_a_new_stack(site):
    site.servers.clear()
    site.volumes.clear()

    choice = site.choose()

    assert not choice.in_place
    assert "none of the workload's servers and volumes survives at " \
        "RegionOne" in choice.reason


def test_a_checkpoint_that_cannot_be_read_means_a_new_stack(site):
    site.manifest = sdk_exc.HttpException('swift is down', http_status=503)

    choice = site.choose()

    assert not choice.in_place
    assert choice.reason.startswith('the in-place plan could not be made')


def test_the_run_went_in_place_when_its_plan_is_kept():
    assert fip.chosen(_recovery(plan=[{'key': 'server_web'}]))
    assert not fip.chosen(_recovery(plan=None))
    assert not fip.chosen(types.SimpleNamespace())


# -- in place at home
def _restores_images(monkeypatch):
    """Restores give img-<key>; no chunk store, no policy member moved."""
    monkeypatch.setattr(chunks_mod, 'project_store',
                        lambda *args, **kwargs: 'chunks')
    monkeypatch.setattr(restore_mod, 'restore',
                        lambda ctx, key, record, node=None: {
                            'image_id': 'img-%s' % key})
    monkeypatch.setattr(window, 'follow_member', lambda *args: False)


@pytest.fixture
def swap(site, monkeypatch):
    _restores_images(monkeypatch)
    # Fenced: stopped before the recovery.
    return fake_cloud.install(monkeypatch, fake_cloud.Cloud(
        servers={'a-web': 'SHUTOFF', 'a-db': 'SHUTOFF'},
        images={'a-web': 'img-base', 'a-db': 'img-base'},
        volumes={'a-data': {'status': 'in-use',
                            'attachments': [('a-web', '/dev/vdb')]}}))


def _conf():
    return types.SimpleNamespace(recovery=types.SimpleNamespace(
        in_place_commit_window=60))


def test_in_place_rebuilds_the_servers_at_home_and_starts_them(site, swap):
    choice = site.choose()
    recorder = Recorder()

    assert fip.recover(_conf(), _recovery(), _clients(
        servers=site.servers, volumes=site.volumes), recorder, choice)

    final = recorder.final()
    assert final['status'] == 'awaiting_commit', final.get('error')
    # The failback's window: no deadline, only the user closes it.
    assert final['commit_deadline'] is None
    assert final['rto_seconds'] >= 0
    # The same servers, rebuilt from the final images and running.
    assert swap.servers == {'a-web': 'ACTIVE', 'a-db': 'ACTIVE'}
    assert swap.images['a-web'] == 'img-server_web'
    assert fip.kept_servers(types.SimpleNamespace(
        replaced=final['replaced'])) == {'a-web', 'a-db'}
    # The volume at home replaced at its device, the old one kept.
    [volume] = [r for r in final['replaced'] if r['kind'] == 'volume']
    assert (volume['old_volume_id'], volume['server_id'],
            volume['device']) == ('a-data', 'a-web', '/dev/vdb')
    assert swap.device_of(volume['new_volume_id'], 'a-web') == '/dev/vdb'
    assert 'a-data' in swap.vols
    messages = [m for _l, m, _r in recorder.events]
    assert 'server a-web started: it runs the workload at RegionOne' in \
        messages
    assert any(m.startswith('workload running in RegionOne in place: 1 '
                            'volume(s) replaced, 2 server(s) rebuilt')
               for m in messages)


def test_a_failed_swap_at_home_puts_everything_back_stopped(site, swap):
    choice = site.choose()
    swap.fail_on = 'attach'
    attach = swap.attach

    def once(server_id, volume_id, device):
        # The restored volume's attach fails; putting the old back works.
        if volume_id == 'a-data':
            swap.fail_on = None
        return attach(server_id, volume_id, device)
    swap.attach = once
    recorder = Recorder()

    assert not fip.recover(_conf(), _recovery(), _clients(
        servers=site.servers, volumes=site.volumes), recorder, choice)

    final = recorder.final()
    assert final['status'] == 'error' and 'attach failed' in final['error']
    # As fenced: the old disk (web was rebuilt before the attach failed,
    # db was not) and volume back, the servers stopped.
    [web] = [r for r in final['replaced'] if r['server_id'] == 'a-web' and
             r['kind'] == 'server']
    assert swap.images == {'a-web': web['saved_image_id'],
                           'a-db': 'img-base'}
    assert swap.servers == {'a-web': 'SHUTOFF', 'a-db': 'SHUTOFF'}
    assert swap.device_of('a-data', 'a-web') == '/dev/vdb'
    assert [v for v in swap.vols if v != 'a-data'] == []
    assert any('the recovery in place at RegionOne failed' in m
               for _l, m, _r in recorder.events)


def test_commit_deletes_the_replaced_volume_and_former_disks(site, swap):
    choice = site.choose()
    recorder = Recorder()
    clients = _clients(servers=site.servers, volumes=site.volumes)
    assert fip.recover(_conf(), _recovery(), clients, recorder, choice)
    replaced = recorder.final()['replaced']
    saved = [r['saved_image_id'] for r in replaced if r['kind'] == 'server']

    note = fip.commit(_conf(), _recovery(replaced=replaced), clients,
                      recorder)

    assert note.startswith('in place (2 server(s) rebuilt, 1 volume(s) '
                           'restored')
    assert 'a-data' not in swap.vols
    assert set(saved) <= set(swap.images_deleted)
    assert swap.servers == {'a-web': 'ACTIVE', 'a-db': 'ACTIVE'}
    assert {r['state'] for r in recorder.final()['replaced']} == {
        window.COMMITTED}


def test_a_boot_volume_means_a_new_stack_saying_which(site):
    """An in-place restore re-images boot volumes; a failback does not."""
    manifest = fakes.manifest(region='RegionTwo', boot=True)
    manifest['graph']['nodes'] = [n for n in manifest['graph']['nodes']
                                  if n['key'] != 'bucket_logs']
    manifest['data'] = _manifest()['data']
    site.manifest = manifest
    site.servers['a-web'] = dict(SERVER_AT_HOME, image='')
    site.volumes['a-data'] = dict(VOLUME_AT_HOME, attachments=[
        {'server_id': 'a-web', 'device': '/dev/vda'}])

    choice = site.choose()

    assert not choice.in_place
    assert 'is the boot volume of server server_web: a failback does not ' \
        're-image boot volumes in place' in choice.describe()


# -- in place at home, a server gone there
@pytest.fixture
def mixed(site, monkeypatch):
    """a-db gone at home (deleted while the workload ran at the backup
    site); a-web and its volume survive, fenced.
    """
    del site.servers['a-db']
    _restores_images(monkeypatch)
    monkeypatch.setattr(images_mod, 'tagged_images', lambda c, rid: [])
    monkeypatch.setattr(images_mod, 'images_with', lambda c, k, v: [])
    cloud = fake_cloud.install(monkeypatch, fake_cloud.Cloud(
        servers={'a-web': 'SHUTOFF'}, images={'a-web': 'img-base'},
        volumes={'a-data': {'status': 'in-use',
                            'attachments': [('a-web', '/dev/vdb')]}}))
    state = types.SimpleNamespace(cloud=cloud, choice=site.choose(),
                                  clients=site.clients(),
                                  recorder=Recorder())
    assert state.choice.in_place, state.choice.reason
    return state


def test_a_gone_server_is_booted_where_it_stood_at_home(mixed):
    assert fip.recover(_conf(), _recovery(), mixed.clients, mixed.recorder,
                       mixed.choice)

    final = mixed.recorder.final()
    assert final['status'] == 'awaiting_commit', final.get('error')
    [made] = [r for r in final['replaced'] if r['kind'] == 'new_server']
    assert (made['recreates'], made['state']) == ('a-db', 'swapped')
    new = made['server_id']
    # On its network, subnet, group, key pair and flavor at home (the
    # final checkpoint names the backup site's), from its final disk, and
    # tagged with the final checkpoint's key (what a takeover finds it by).
    request = mixed.cloud.requests[new]
    assert request == {
        'name': 'db', 'flavor_id': 'f-1', 'image_id': 'img-server_db',
        'networks': [{'uuid': 'a-net', 'fixed_ip': '10.0.0.7'}],
        'metadata': {'tier': 'db', 'dragon_restore': 'fb-1',
                     'dragon_restore_key': 'server_db'},
        'security_groups': [{'name': 'a-sg'}], 'key_name': 'k1'}
    # The survivors in place: web rebuilt from its final image, its
    # volume replaced at its device; both servers run the workload.
    assert mixed.cloud.servers == {'a-web': 'ACTIVE', new: 'ACTIVE'}
    assert mixed.cloud.images['a-web'] == 'img-server_web'
    [volume] = [r for r in final['replaced'] if r['kind'] == 'volume']
    assert mixed.cloud.device_of(volume['new_volume_id'], 'a-web') == \
        '/dev/vdb'
    messages = [m for _l, m, _r in mixed.recorder.events]
    assert any(m.startswith('workload running in RegionOne in place: 1 '
                            'volume(s) replaced, 1 server(s) rebuilt, 1 '
                            'server(s) recreated') for m in messages)


def test_a_gone_servers_volume_goes_on_it_booted_again(site, mixed):
    """web gone at home, its volume left detached there.

    The volume is replaced and the new one attached to web booted again.
    """
    site.servers['a-db'] = dict(SERVER_AT_HOME)
    del site.servers['a-web']
    site.volumes['a-data'] = dict(VOLUME_AT_HOME, status='available',
                                  attachments=[])
    mixed.cloud.servers = {'a-db': 'SHUTOFF'}
    mixed.cloud.images = {'a-db': 'img-base'}
    mixed.cloud.vols['a-data'].update(status='available', attachments=[])
    choice = site.choose()
    assert choice.in_place, choice.reason

    assert fip.recover(_conf(), _recovery(), mixed.clients, mixed.recorder,
                       choice)

    replaced = mixed.recorder.final()['replaced']
    [made] = [r for r in replaced if r['kind'] == 'new_server']
    assert made['recreates'] == 'a-web'
    assert mixed.cloud.requests[made['server_id']]['networks'] == [
        {'uuid': 'a-net', 'fixed_ip': '10.0.0.5'}]
    [volume] = [r for r in replaced if r['kind'] == 'volume']
    assert mixed.cloud.device_of(volume['new_volume_id'],
                                 made['server_id']) == '/dev/vdb'
    assert mixed.cloud.vols['a-data']['attachments'] == []


def test_commit_keeps_the_recreated_server(mixed):
    assert fip.recover(_conf(), _recovery(), mixed.clients, mixed.recorder,
                       mixed.choice)
    replaced = mixed.recorder.final()['replaced']
    [new] = [r['server_id'] for r in replaced if r['kind'] == 'new_server']

    note = fip.commit(_conf(), _recovery(replaced=replaced), mixed.clients,
                      mixed.recorder)

    assert note.startswith('in place (1 server(s) rebuilt, 1 server(s) '
                           'recreated, 1 volume(s) restored')
    assert mixed.cloud.servers == {'a-web': 'ACTIVE', new: 'ACTIVE'}
    # The workload's own now: no restore tag a cleanup would find.
    assert mixed.cloud.metadata[new] == {'tier': 'db'}
    assert 'a-data' not in mixed.cloud.vols
    assert {r['state'] for r in mixed.recorder.final()['replaced']} == {
        window.COMMITTED}


def test_rollback_deletes_the_recreated_server_and_puts_back_the_rest(
        mixed):
    assert fip.recover(_conf(), _recovery(), mixed.clients, mixed.recorder,
                       mixed.choice)
    replaced = mixed.recorder.final()['replaced']
    [web] = [r for r in replaced if r['kind'] == 'server']

    fip.put_back(_conf(), _recovery(replaced=replaced), mixed.clients,
                 mixed.recorder)

    # As fenced (failback.undo_run starts it again if it ran): web
    # stopped on its former disk with its volume, db gone as it was;
    # nothing the run made is left.
    assert mixed.cloud.servers == {'a-web': 'SHUTOFF'}
    assert mixed.cloud.images['a-web'] == web['saved_image_id']
    assert mixed.cloud.device_of('a-data', 'a-web') == '/dev/vdb'
    assert list(mixed.cloud.vols) == ['a-data']
    assert {r['state'] for r in mixed.recorder.final()['replaced']} == {
        window.ROLLED_BACK}


def test_a_takeover_deletes_a_server_booted_before_its_id_was_saved(mixed):
    """The engine died between Nova's answer and the write.

    The engine that takes the run over finds the server by its tags and
    deletes it.
    """
    booted = fip.HomeRestore(
        _conf(), _recovery(), mixed.clients, mixed.recorder,
        mixed.choice.manifest, mixed.choice.domain, mixed.choice.lookup,
        places=mixed.choice.places)
    graph, node = booted.place('server_db')
    orphan = mixed.cloud.create_server(fip.apply_mod.recreate.request(
        mixed.clients, graph, node, 'img-server_db', 'fb-1',
        lambda *a: None, key='server_db'))
    replaced = [{'key': 'server_db', 'name': 'db', 'kind': 'new_server',
                 'recreates': 'a-db', 'server_id': None,
                 'restored_image_id': 'img-server_db',
                 'server_status': None, 'state': window.READY}]

    fip.put_back(_conf(), _recovery(replaced=replaced), mixed.clients,
                 mixed.recorder)

    assert orphan not in mixed.cloud.servers
    assert mixed.recorder.final()['replaced'][0]['state'] == \
        window.ROLLED_BACK
