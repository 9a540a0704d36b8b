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
in_place.test_run's fakes (the plan's reads) and fake_cloud (the swap).
"""

import types

from openstack import exceptions as sdk_exc
import pytest

from dragon.checkpoint import chunks as chunks_mod
from dragon import exception
from dragon.recovery import failback_in_place as fip
from dragon.recovery.in_place import window
from dragon.recovery import restore as restore_mod
from tests.unit.recovery.in_place import fake_cloud
from tests.unit.recovery.in_place import fakes
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery.in_place.test_run import _clients

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


def _manifest():
    """fakes' checkpoint at the backup site, its servers and volume only."""
    manifest = fakes.manifest(region='RegionTwo')
    manifest['graph']['nodes'] = [n for n in manifest['graph']['nodes']
                                  if n['key'] != 'bucket_logs']
    manifest['started_at'] = '2026-12-01T10:00:00'
    manifest['data'] = {'server_web': {'kind': 'image', 'size': 1 << 20},
                        'server_db': {'kind': 'image', 'size': 1 << 20},
                        'volume_data': {'kind': 'volume', 'size': 1 << 30}}
    return manifest


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
        manifest=_manifest(), failover=list(FAILOVER_STATUS),
        servers=Asked({'a-web': dict(SERVER_AT_HOME),
                       'a-db': dict(SERVER_AT_HOME)}),
        volumes={'a-data': dict(VOLUME_AT_HOME)})

    def open_checkpoint(conf, session, swift, region, container):
        if isinstance(state.manifest, Exception):
            raise state.manifest
        assert region == HOME and container == 'dragon_p1_web_final'
        return state.manifest, None
    monkeypatch.setattr(fip.run_mod.keyring, 'open_checkpoint', open_checkpoint)

    def recovery_get(ctx, recovery_id):
        if state.failover is None:
            raise exception.RecoveryNotFound(id=recovery_id)
        return types.SimpleNamespace(resource_status=state.failover)
    monkeypatch.setattr(fip.db_api, 'recovery_get', recovery_get)
    state.choose = lambda members=MEMBERS: fip.choose(
        None, _recovery(), _clients(servers=state.servers,
                                    volumes=state.volumes),
        {'recovery_id': 'failover-1', 'members': members})
    return state


def _recovery(**fields):
    return types.SimpleNamespace(**{
        'id': 'fb-1', 'policy_id': 'pol-rev', 'target_region': HOME,
        'recovery_point': 'dragon_p1_web_final', 'plan': None,
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
                               'new_volumes': 0}
    # Each checkpoint member is the resource at home by its id there.
    assert {e['id']: (e['current_id'], e['action'])
            for e in choice.plan} == {
        'srv-web': ('a-web', 'rebuild'), 'srv-db': ('a-db', 'rebuild'),
        'vol-data': ('a-data', 'replace')}
    assert all('is server a-' in e['detail'] or 'is volume a-' in
               e['detail'] for e in choice.plan)
    assert 'the one at RegionOne the failover recovered it from' in \
        choice.plan[0]['detail']


def test_a_server_gone_at_home_means_a_new_stack_saying_which(site):
    del site.servers['a-db']

    choice = site.choose()

    assert not choice.in_place
    assert choice.record()['mode'] == 'new_stack'
    assert choice.describe() == (
        'as a new stack (server db (srv-db) has no surviving server at '
        'RegionOne to rebuild in place)')


def test_a_server_made_at_the_backup_site_is_never_looked_up_at_home(site):
    # The backup site's id happens to answer at home: not asked.
    site.servers['srv-db'] = dict(SERVER_AT_HOME)

    site.failover = [s for s in FAILOVER_STATUS if s['id'] != 'a-db']

    choice = site.choose(members=MEMBERS[:1])

    assert not choice.in_place
    assert 'server db (srv-db) has no surviving server' in choice.reason
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
@pytest.fixture
def swap(site, monkeypatch):
    monkeypatch.setattr(chunks_mod, 'project_store',
                        lambda *args, **kwargs: 'chunks')
    monkeypatch.setattr(restore_mod, 'restore',
                        lambda ctx, key, record, node=None: {
                            'image_id': 'img-%s' % key})
    monkeypatch.setattr(window, 'follow_member', lambda *args: False)
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
