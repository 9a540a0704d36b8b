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

"""The engine's failback run: wait, wait, fence, recover; commit, rollback.

(Its step 1, the quiesce and the final checkpoint: test_failback_quiesce.)

The database is faked at the module's reads and writes (the reverse
policy's record, the final checkpoint), the home region's Nova and
Cinder at ``swap.Cloud`` (``in_place.fake_cloud``), the recovery at home
by a class that records it ran.
"""

import types

from openstack import exceptions as sdk_exc
import pytest

from dragon.recovery import failback
from dragon.recovery import failback_in_place
from dragon.recovery.in_place import swap as swap_mod
from tests.unit.recovery.in_place import fake_cloud
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery import test_failback_home as failback_home_test
from tests.unit.recovery.test_failback_home import HomeDragon


class Cloud(fake_cloud.Cloud):
    """fake_cloud's, with Nova's stop of a paused server and a gone one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deleted = []
        self.compute = types.SimpleNamespace(
            stop_server=lambda i: self.servers.__setitem__(i, 'SHUTOFF'),
            delete_server=self.deleted.append)

    def stop(self, server_id):
        if server_id not in self.servers:
            raise sdk_exc.NotFoundException('gone')
        before = self.servers[server_id]
        if before == 'ACTIVE':
            super().stop(server_id)
        return before

    def _wait_server(self, server_id, ok, resource):
        pass


class Home:
    """The state the run reads and writes, and what it did."""

    def __init__(self, monkeypatch):
        self.record = {
            'recovery_id': 'failover-1', 'source_region': 'RegionOne',
            'source_policy_id': 'pol-a', 'source_policy_name': 'web',
            'members': [
                {'resource_type': 'server', 'resource_id': 'b-srv',
                 'source_id': 'a-srv'},
                {'resource_type': 'volume', 'resource_id': 'b-vol',
                 'source_id': 'a-vol'},
                {'resource_type': 'server', 'resource_id': 'b-old',
                 'source_id': 'a-gone'}],
            'run': {'checkpoint_id': 'cp-final', 'quiesce': 'pause',
                    'quiesced_at': '2026-12-01T10:00:00Z',
                    'quiesced': [{'server_id': 'b-srv',
                                  'status_before': 'ACTIVE'}]}}
        self.checkpoint = types.SimpleNamespace(
            id='cp-final', status='available', error=None,
            container='dragon_p1_pol_20261201T100000Z',
            stats={'uploaded_bytes': 1000}, replication={})
        self.replication = [{'status': 'replicating'},
                            {'status': 'replicated', 'copied_bytes': 2000}]
        self.cloud = Cloud(servers={'a-srv': 'ACTIVE', 'a-db': 'PAUSED'},
                           volumes={'a-vol': {'attachments': [
                               ('a-db', '/dev/vdb')]}})
        self.order = []
        # The run resumed after its step 1 (the quiesce and the final
        # checkpoint: test_failback_quiesce).
        self.policy = types.SimpleNamespace(
            id='pol-rev', name='web-reverse', project_id='p1', members=[],
            failback=self.record)
        monkeypatch.setattr(failback, 'policy_of', lambda r: self.policy)
        self.admitted = []
        monkeypatch.setattr(failback, 'save_run', self.save_run)
        self.policy_updates = []
        monkeypatch.setattr(failback.db_api, 'workload_policy_update',
                            lambda ctx, i, values: self.policy_updates.append(
                                (i, values)))
        monkeypatch.setattr(failback.db_api, 'checkpoint_get',
                            self.checkpoint_get)
        monkeypatch.setattr(swap_mod, 'Cloud', lambda c, conf: self.cloud)
        monkeypatch.setattr(failback.db_api, 'recovery_get',
                            lambda ctx, i: types.SimpleNamespace(
                                resource_status=[
                                    {'id': 'b-vol', 'target_id': 'a-vol2'},
                                    {'id': 'b-srv', 'target_id': 'a-srv2'}]))
        self.dragon = HomeDragon(members=[
            {'resource_type': 'volume', 'resource_id': 'a-vol',
             'action': 'snapshot_data', 'options': {}}])
        self.here = Here()
        self.clients = types.SimpleNamespace(dragon=lambda: self.dragon,
                                             in_region=lambda r: self.here)
        home = self

        class Recovery:
            def __init__(self, conf, recovery, clients, recorder, host=''):
                self.recovery = recovery
                self.recorder = recorder
                self.stack_id = None
                self.restored = {}

            def run(self):
                home.order.append(('recover', self.recovery.recovery_point,
                                   dict(home.cloud.servers),
                                   home.dragon.policy['status']))
                self.recorder.flush(status='awaiting_commit')
                return home.recovers

            def teardown(self):
                home.order.append(('teardown', self.stack_id))
        self.Recovery = Recovery
        self.recovers = True
        # Nothing of the workload at home to go into (the in-place tests
        # say otherwise).
        self.choice = failback_in_place.Choice(
            failback_in_place.NEW_STACK, 'none of it survives at RegionOne')
        monkeypatch.setattr(failback_in_place, 'choose',
                            lambda conf, recovery, clients, record:
                            self.choice)

    def save_run(self, policy_id, **values):
        self.record['run'] = dict(self.record['run'], **values)
        return self.record['run']

    def checkpoint_get(self, ctx, checkpoint_id):
        assert checkpoint_id == 'cp-final'
        state = (self.replication.pop(0) if len(self.replication) > 1
                 else self.replication[0])
        self.checkpoint.replication = state
        return self.checkpoint


@pytest.fixture
def home(monkeypatch, conf):
    conf.set_override('failback_poll_interval', 0.01, group='recovery')
    conf.set_override('failback_replication_timeout', 1, group='recovery')
    return Home(monkeypatch)


def _recovery(**fields):
    return types.SimpleNamespace(**{
        'id': 'fb-1', 'policy_id': 'pol-rev', 'target_region': 'RegionOne',
        'recovery_point': '', 'window_action': None, 'stack_id': 's-a',
        'restored': {}, 'status': 'recovering', 'commit_deadline': None,
        'resource_status': [], 'checkpoint_id': None, 'user_id': 'u1',
        'project_id': 'p1', 'trust_id': 'trust-fb', **fields})


def test_a_resumed_run_keeps_its_first_start(home, conf):
    """Taken over by another engine, the run's RTO counts from its start."""
    import datetime
    first = datetime.datetime(2026, 12, 5, 9, 0, 0)
    recorder = Recorder()

    assert failback.run(conf, _recovery(started_at=first), home.clients,
                        recorder, 'e2', home.Recovery)

    assert recorder.flushes[0]['started_at'] == first
    fresh = Recorder()
    failback.run(conf, _recovery(), home.clients, fresh, 'e1', home.Recovery)
    assert fresh.flushes[0]['started_at'] > first


def test_the_stale_servers_are_fenced_before_the_recovery_at_home(
        home, conf):
    recorder = Recorder()

    assert failback.run(conf, _recovery(), home.clients, recorder, 'e1',
                        home.Recovery)

    # The member server and the server the member volume is on: stopped
    # (never deleted) before the recovery at home began, and the original
    # policy there suspended.
    [(step, point, servers, policy)] = home.order
    assert step == 'recover'
    assert point == home.checkpoint.container
    assert servers == {'a-srv': 'SHUTOFF', 'a-db': 'SHUTOFF'}
    assert policy == 'suspended'
    assert home.record['run']['home_policy'] == {
        'policy_id': 'pol-a', 'status_before': 'active', 'suspended': True,
        'error': None}
    # What the commit will point the original policy's members at.
    assert [(m['source_id'], m['home_id'])
            for m in home.record['run']['moved']] == [
        ('a-srv', 'a-srv2'), ('a-vol', 'a-vol2'), ('a-gone', None)]
    run = home.record['run']
    assert [(f['server_id'], f['status_before'], f['status'])
            for f in run['fenced']] == [
        ('a-srv', 'ACTIVE', 'SHUTOFF'), ('a-db', 'PAUSED', 'SHUTOFF'),
        ('a-gone', None, 'gone')]
    assert run['data_moved'] == {'uploaded_bytes': 1000,
                                 'replicated_bytes': 2000}
    assert run['status'] == 'awaiting_commit'
    assert run['downtime_seconds'] > 0
    assert home.cloud.deleted == []
    assert recorder.final()['recovery_point'] == home.checkpoint.container
    messages = [m for _l, m, _r in recorder.events]
    assert [m.split(':')[0] for m in messages
            if m.startswith('step ')] == [
        'step 1/6', 'step 2/6', 'step 3/6', 'step 4/6', 'step 5/6',
        'step 6/6']
    # The choice, said and kept.
    assert ('step 5/6: recovering %s at RegionOne as a new stack (none of '
            'it survives at RegionOne)' % home.checkpoint.container
            ) in messages
    assert run['home_restore'] == {
        'mode': 'new_stack', 'reason': 'none of it survives at RegionOne',
        'servers': 0, 'volumes': 0, 'new_servers': 0, 'new_volumes': 0}
    assert any('fenced: stale server a-srv stopped' in m for m in messages)


def test_a_home_swift_that_does_not_take_the_copy_fails_before_fencing(
        home, conf):
    home.replication = [{'status': 'failed', 'attempts': 1,
                         'error': 'RegionOne Swift: connection refused',
                         'retry_at': 'soon'}]
    recorder = Recorder()

    assert not failback.run(conf, _recovery(), home.clients, recorder,
                            'e1', home.Recovery)

    final = recorder.final()
    assert final['status'] == 'error'
    assert 'replication' in final['error']
    assert 'connection refused' in final['error']
    assert 'nothing was changed at RegionOne' in final['error']
    assert home.cloud.servers == {'a-srv': 'ACTIVE', 'a-db': 'PAUSED'}
    assert home.order == []
    assert home.record['run']['status'] == 'error'


def test_a_failed_final_checkpoint_fails_the_run(home, conf):
    home.checkpoint.status = 'error'
    home.checkpoint.error = 'snapshot refused'
    recorder = Recorder()

    assert not failback.run(conf, _recovery(), home.clients, recorder,
                            'e1', home.Recovery)

    assert 'snapshot refused' in recorder.final()['error']
    assert home.order == []


def test_a_failed_recovery_at_home_keeps_the_servers_fenced(home, conf):
    home.recovers = False

    assert not failback.run(conf, _recovery(), home.clients, Recorder(),
                            'e1', home.Recovery)

    assert home.record['run']['status'] == 'error'
    assert home.cloud.servers['a-srv'] == 'SHUTOFF'


class Here:
    """The backup site's clients (release_quiesced): its Nova, where
    ``ServiceClients`` has it (``connection.compute``).
    """

    def __init__(self):
        self.servers = {'b-srv': 'PAUSED'}
        self.calls = []

    @property
    def connection(self):
        return types.SimpleNamespace(compute=types.SimpleNamespace(
            get_server=lambda i: types.SimpleNamespace(
                status=self.servers[i]),
            unpause_server=lambda i: self.calls.append(('unpause', i)),
            start_server=lambda i: self.calls.append(('start', i))))


def _closing(home, monkeypatch, action, delete_stale=False, moved=None,
             servers=None, **fields):
    here = Here()
    clients = types.SimpleNamespace(in_region=lambda region: here,
                                    dragon=lambda: home.dragon)
    removed = []
    monkeypatch.setattr(failback, '_remove_failover',
                        lambda conf, record, h, rec: removed.append(
                            record['recovery_id']))
    home.dragon.policy['status'] = 'suspended'
    home.record['run'].update(
        home_policy={'policy_id': 'pol-a', 'status_before': 'active',
                     'suspended': True, 'error': None},
        moved=moved or [{'resource_type': 'volume', 'source_id': 'a-vol',
                         'home_id': 'a-vol2'}],
        delete_stale=delete_stale,
        fenced=[{'server_id': 'a-srv', 'status_before': 'ACTIVE',
                 'status': 'SHUTOFF'},
                {'server_id': 'a-db', 'status_before': 'SHUTOFF',
                 'status': 'SHUTOFF'},
                {'server_id': 'a-gone', 'status_before': None,
                 'status': 'gone'}])
    home.cloud.servers.update(servers or {'a-srv': 'SHUTOFF',
                                          'a-db': 'SHUTOFF'})
    recorder = Recorder()
    done = failback.finish(
        types.SimpleNamespace(engine=types.SimpleNamespace(
            region_name='RegionTwo')),
        _recovery(status='committing' if action == 'commit'
                  else 'rolling_back', window_action=action, **fields),
        clients, recorder, home.Recovery)
    return done, recorder, here, removed


def test_commit_removes_the_failover_here_and_keeps_the_stale_servers(
        home, monkeypatch):
    done, recorder, here, removed = _closing(home, monkeypatch, 'commit')

    assert done
    assert removed == ['failover-1']
    assert home.cloud.deleted == []
    assert home.cloud.servers['a-srv'] == 'SHUTOFF'
    assert recorder.final()['status'] == 'committed'
    assert home.record['run']['status'] == 'committed'
    assert any('kept, stopped: a-srv, a-db' in m
               for _l, m, _r in recorder.events)
    assert home.order == [] and here.calls == []
    # The original policy protects the recovered workload again.
    assert home.dragon.policy['status'] == 'active'
    assert list(home.dragon.members_of) == ['a-vol2']
    assert 'the original policy pol-a at home is active again, on the ' \
        'recovered workload' in recorder.events[-1][1]
    # The reverse policy's members are gone with the failover: suspended.
    assert home.policy_updates == [('pol-rev', {'status': 'suspended'})]


def test_a_commit_that_cannot_reach_the_home_dragon_commits_anyway(
        home, monkeypatch):
    home.dragon.error = failback_home_test.ks_exc.ConnectFailure('refused')

    done, recorder, _here, removed = _closing(home, monkeypatch, 'commit')

    assert done and removed == ['failover-1']
    assert recorder.final()['status'] == 'committed'
    run = home.record['run']
    assert run['status'] == 'committed'
    assert run['home_policy']['error'].startswith('not moved')
    assert any(level == 'warning' and 'pol-a at RegionOne' in message
               for level, message, _r in recorder.events)
    assert '(see the events)' in recorder.events[-1][1]


def test_commit_deletes_the_stale_servers_only_when_asked(home,
                                                          monkeypatch):
    done, recorder, _here, _removed = _closing(home, monkeypatch, 'commit',
                                               delete_stale=True)

    assert done
    assert home.cloud.deleted == ['a-srv', 'a-db']


def test_rollback_deletes_the_home_stack_and_puts_both_sites_back(
        home, monkeypatch):
    done, recorder, here, removed = _closing(home, monkeypatch, 'rollback')

    assert done
    assert home.order == [('teardown', 's-a')]
    # Started again only what was running when it was fenced.
    assert home.cloud.servers == {'a-srv': 'ACTIVE', 'a-db': 'SHUTOFF'}
    assert here.calls == [('unpause', 'b-srv')]
    assert removed == []
    assert recorder.final()['status'] == 'rolled_back'
    assert home.record['run']['status'] == 'rolled_back'
    # The original policy as it was: active, on the stale servers.
    assert home.dragon.policy['status'] == 'active'
    assert list(home.dragon.members_of) == ['a-vol']
    assert home.policy_updates == []     # the reverse policy goes on


def test_a_failed_commit_awaits_commit_again(home, monkeypatch):
    def boom(*args):
        raise failback.exception.StackFailed(stack='s-b', status='DELETE_'
                                             'FAILED', reason='stuck')
    monkeypatch.setattr(failback, '_remove_failover', boom)
    home.record['run']['fenced'] = []
    recorder = Recorder()

    assert not failback.finish(
        types.SimpleNamespace(engine=types.SimpleNamespace(
            region_name='RegionTwo')),
        _recovery(status='committing', window_action='commit'),
        types.SimpleNamespace(in_region=lambda r: Here(),
                              dragon=lambda: home.dragon), recorder,
        home.Recovery)

    final = recorder.final()
    assert final['status'] == 'awaiting_commit'
    assert 'DELETE_FAILED' in final['error']


# -- in place into the surviving workload at home
def test_a_surviving_workload_is_recovered_in_place(home, conf,
                                                    monkeypatch):
    home.choice = failback_in_place.Choice(
        failback_in_place.IN_PLACE, plan=[
            {'key': 'server_web', 'type': 'OS::Nova::Server', 'id': 'b-srv',
             'current_id': 'a-srv', 'action': 'rebuild'},
            {'key': 'volume_data', 'type': 'OS::Cinder::Volume',
             'id': 'b-vol', 'current_id': 'a-vol', 'action': 'replace'}])

    def recover(conf, recovery, clients, recorder, choice):
        home.order.append(('in place', choice.plan[0]['current_id'],
                           dict(home.cloud.servers)))
        recorder.flush(status='awaiting_commit')
        return True
    monkeypatch.setattr(failback_in_place, 'recover', recover)

    class Ordered(Recorder):
        def flush(self, force=False, **values):
            if 'plan' in values:
                home.order.append(('plan', home.record['run'].get('step')))
            super().flush(force, **values)
    recorder = Ordered()

    assert failback.run(conf, _recovery(), home.clients, recorder, 'e1',
                        home.Recovery)

    # The plan is on the row before the step is (a takeover reads it);
    # fenced first, then in place, and no new stack.
    assert home.order == [
        ('plan', None),
        ('in place', 'a-srv', {'a-srv': 'SHUTOFF', 'a-db': 'SHUTOFF'})]
    run = home.record['run']
    assert run['status'] == 'awaiting_commit'
    assert run['home_restore'] == {'mode': 'in_place', 'reason': None,
                                   'servers': 1, 'volumes': 1,
                                   'new_servers': 0, 'new_volumes': 0}
    assert ('step 5/6: recovering %s at RegionOne in place into 1 '
            'surviving server(s) and 1 volume(s)' % home.checkpoint.container
            ) in [m for _l, m, _r in recorder.events]


def _swapped(home):
    """Home after a swap in place: a-srv rebuilt and running again, its
    volume a-vol replaced by a-vol3; a-db fenced, not in the checkpoint.
    """
    home.cloud = Cloud(
        servers=dict(SWAPPED_SERVERS),
        images={'a-srv': 'img-final'},
        volumes={'a-vol': {'metadata': {'dragon_replaced_by': 'fb-1'}},
                 'a-vol3': {'status': 'in-use',
                            'attachments': [('a-srv', '/dev/vdb')],
                            'metadata': {'dragon_restore': 'fb-1'}}})
    home.dragon = HomeDragon(members=[
        {'resource_type': 'server', 'resource_id': 'a-srv',
         'action': 'image_snapshot', 'options': {}},
        {'resource_type': 'volume', 'resource_id': 'a-vol',
         'action': 'snapshot_data', 'options': {}}])
    return {'plan': [{'key': 'server_web', 'action': 'rebuild'}],
            'replaced': [
                {'key': 'server_web', 'kind': 'server', 'server_id': 'a-srv',
                 'previous_image_id': 'img-base',
                 'saved_image_id': 'img-saved',
                 'restored_image_id': 'img-final',
                 'server_status': 'SHUTOFF', 'state': 'swapped'},
                {'key': 'volume_data', 'kind': 'volume',
                 'old_volume_id': 'a-vol', 'new_volume_id': 'a-vol3',
                 'image_id': None, 'server_id': 'a-srv',
                 'device': '/dev/vdb', 'server_status': 'SHUTOFF',
                 'state': 'swapped'}]}


# What failback.run kept for the commit: the server is itself.
MOVED_IN_PLACE = [
    {'resource_type': 'server', 'source_id': 'a-srv', 'home_id': 'a-srv'},
    {'resource_type': 'volume', 'source_id': 'a-vol', 'home_id': 'a-vol3'}]
SWAPPED_SERVERS = {'a-srv': 'ACTIVE', 'a-db': 'SHUTOFF'}


def test_commit_in_place_keeps_the_servers_and_deletes_what_was_replaced(
        home, monkeypatch):
    fields = _swapped(home)

    done, recorder, _here, removed = _closing(
        home, monkeypatch, 'commit', delete_stale=True, moved=MOVED_IN_PLACE,
        servers=SWAPPED_SERVERS, **fields)

    assert done and removed == ['failover-1']
    cloud = home.cloud
    # What in-place commit deletes: the replaced volume, the former disk.
    assert 'a-vol' not in cloud.vols and 'img-saved' in cloud.images_deleted
    # The rebuilt server is the workload: never deleted, not even with
    # delete_stale; a fenced one not rebuilt is stale.
    assert cloud.deleted == ['a-db']
    assert cloud.servers['a-srv'] == 'ACTIVE'
    assert cloud.device_of('a-vol3', 'a-srv') == '/dev/vdb'
    # The original policy keeps its server member and follows the volume.
    assert sorted(home.dragon.members_of) == ['a-srv', 'a-vol3']
    assert ('remove', 'a-srv') not in home.dragon.calls
    assert recorder.final()['status'] == 'committed'
    assert 'the workload runs at RegionOne in place (1 server(s) rebuilt, '\
        '1 volume(s) restored' in recorder.events[-1][1]


def test_commit_in_place_starts_a_fenced_server_holding_a_restored_volume(
        home, monkeypatch):
    """Only the volume was protected: its server was fenced, not rebuilt;
    it holds the restored volume now and runs again, as before the run.
    """
    fields = _swapped(home)
    fields['plan'] = [{'key': 'volume_data', 'action': 'replace'}]
    fields['replaced'] = [e for e in fields['replaced']
                          if e['kind'] == 'volume']
    home.cloud.servers['a-srv'] = 'SHUTOFF'

    done, recorder, _here, _removed = _closing(
        home, monkeypatch, 'commit', delete_stale=True,
        moved=MOVED_IN_PLACE[1:],
        servers={'a-srv': 'SHUTOFF', 'a-db': 'SHUTOFF'}, **fields)

    assert done
    cloud = home.cloud
    assert cloud.servers['a-srv'] == 'ACTIVE'
    assert cloud.deleted == ['a-db']     # fenced, holding nothing restored
    assert cloud.device_of('a-vol3', 'a-srv') == '/dev/vdb'
    assert any('server a-srv at RegionOne holds the restored data and runs '
               'again' in m for _l, m, _r in recorder.events)
    assert recorder.final()['status'] == 'committed'


def test_rollback_in_place_puts_the_disks_and_volumes_back(home,
                                                           monkeypatch):
    fields = _swapped(home)
    monkeypatch.setattr(failback_in_place.closing, '_adopt_untracked',
                        lambda cloud, recovery_id, replaced, event: None)
    monkeypatch.setattr(failback_in_place.window, 'follow_member',
                        lambda *args: False)

    done, recorder, here, removed = _closing(home, monkeypatch, 'rollback',
                                             servers=SWAPPED_SERVERS,
                                             **fields)

    assert done and removed == []
    cloud = home.cloud
    assert home.order == []             # no stack to tear down
    assert cloud.images['a-srv'] == 'img-saved'
    assert cloud.device_of('a-vol', 'a-srv') == '/dev/vdb'
    assert 'a-vol3' not in cloud.vols
    # Fenced ACTIVE: running again, as before the run.
    assert cloud.servers == {'a-srv': 'ACTIVE', 'a-db': 'SHUTOFF'}
    assert here.calls == [('unpause', 'b-srv')]
    assert recorder.final()['status'] == 'rolled_back'
    assert 'the volumes and disks swapped at RegionOne are put back' in \
        recorder.events[-1][1]
