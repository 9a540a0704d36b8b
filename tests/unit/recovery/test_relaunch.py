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

"""The recovery flow: checks first, data next, stack last; drills leave nothing.

The recovery modules (selection, mappings, restore, rewrite, stack) are
faked at their boundary; the manifest is read from a real checkpoint
container in an in-memory Swift account.
"""
import collections
import datetime
import types

import pytest

from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store
from dragon import exception
from dragon.protection import recorder as rec
from dragon.recovery import early_stack
from dragon.recovery import relaunch
from dragon import statuses
from tests.unit.checkpoint.fake_swift import FakeAccount
from tests.unit.protection.test_workflow import _graph

PROJECT = 'proj-1'
WHEN = datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.UTC)


def _checkpoint(account, project=PROJECT, warnings=None, domain=None,
                key_refs=None):
    writer = store.CheckpointWriter(account.connect(), project, 'pol-1',
                                    'three tier')
    writer.create(WHEN)
    writer.finish(manifest_mod.build(
        checkpoint_id='cp-1', project_id=project,
        policy={'id': 'pol-1', 'name': 'three tier'},
        source_region='RegionOne', graph=_graph().to_dict(),
        data={'server_web': {'kind': 'image', 'size': 100},
              'volume_db': {'kind': 'volume', 'size': 300}},
        parameters={'server_web_flavor': {'kind': 'flavor'}},
        chunk_container='c', started_at='2026-11-23T15:00:00Z',
        finished_at='2026-11-23T15:00:09Z', dragon_version='1',
        **({'warnings': warnings} if warnings is not None else {})),
        'resources: {}\n', [], domain, key_refs)
    return writer.container


class MemoryRows:
    """The recovery row and its events, in memory."""

    def __init__(self):
        self.row, self.events = {}, []
        self.batches = []   # the lengths of the events stored together
        self.rows = types.SimpleNamespace(
            name='recovery', update=self.update, event_add=self.add_event,
            events_add=self.add_events,
            resources_field='resource_status', warnings_field=None)

    def update(self, context, row_id, values, expected_claim=None):
        self.row.update(values)

    def add_event(self, context, row_id, level, message, resource=None):
        self.events.append((level, resource, message))

    def add_events(self, context, row_id, events):
        self.batches.append(len(events))
        self.events.extend((e['level'], e['resource'], e['message'])
                           for e in events)


class Fakes:
    """Records every call into the recovery modules."""

    def __init__(self, monkeypatch):
        self.calls = []
        self.intervals = []
        self.fail = {}
        self.templates = []
        mp = monkeypatch
        mp.setattr(relaunch.selection, 'select',
                   lambda graph, ids: {n.key for n in graph.nodes()})
        mp.setattr(relaunch.mappings_mod, 'resolve', self.resolve)
        mp.setattr(relaunch.restore_mod, 'estimate',
                   lambda record: record.get('size') or 0)
        mp.setattr(relaunch.restore_mod, 'restore', self.restore)
        mp.setattr(relaunch.restore_mod, 'cleanup', self.cleanup)
        mp.setattr(relaunch.rewrite_mod, 'rewrite', self.rewrite)
        mp.setattr(relaunch.stack_mod, 'validate',
                   lambda clients, template: self.calls.append(('validate',)))
        mp.setattr(relaunch.stack_mod, 'create', self.create)
        mp.setattr(relaunch.stack_mod, 'update', self.update)
        mp.setattr(relaunch.stack_mod, 'wait', self.wait)
        mp.setattr(relaunch.stack_mod, 'delete', self.delete)
        # raising=False: the DB function lands with the recoveries table.
        mp.setattr(relaunch.db_api, 'workload_policy_set_last_drill',
                   lambda ctx, pid, value: self.calls.append(
                       ('last_drill', pid, value['status'],
                        value['rto_seconds'] is not None)), raising=False)

    def resolve(self, manifest, clients, mappings, keys, mode):
        self.calls.append(('resolve', mode))
        if 'resolve' in self.fail:
            raise exception.MappingMissing(missing=['flavor m1.big'])
        return {'server_web_flavor': 'm1.tiny'}

    def restore(self, ctx, key, record, node=None):
        self.calls.append(('restore', key))
        if self.fail.get('restore') == key:
            raise exception.RestoreVerificationFailed(
                resource=key, checkpoint=ctx.checkpoint, reason='bad chunk')
        ctx.progress(record['size'])
        return {'image_id': 'img-' + key}

    def cleanup(self, ctx, restored):
        self.calls.append(('cleanup', tuple(sorted(restored))))

    def rewrite(self, template, index, values, restored, keys, mode, prefix,
                graph=None):
        """A network, and a server booted from its restored image."""
        self.calls.append(('rewrite', mode, tuple(sorted(restored))))
        image = (restored.get('server_web') or {}).get('image_id')
        if image and image.startswith(early_stack.MARK) and \
                'placeholder' in self.fail:
            raise exception.MappingMissing(missing=['image of server_web'])
        return {'parameters': {'image_web': {'type': 'string'}},
                'resources': {
                    'net': {'type': 'OS::Neutron::Net'},
                    'server_web': {'type': 'OS::Nova::Server', 'properties': {
                        'image': {'get_param': 'image_web'},
                        'networks': [{'network': {'get_resource': 'net'}}]}}},
                'outputs': {'ip': {'value': {'get_attr': [
                    'server_web', 'first_address']}}}}, \
            dict(values, image_web=image)

    def create(self, clients, name, template, params, timeout):
        self.calls.append(('create', name))
        self.templates.append(('create', template, params))
        return 'stack-1'

    def update(self, clients, name, stack_id, template, params, timeout):
        self.calls.append(('update', name, stack_id))
        self.templates.append(('update', template, params))

    def wait(self, clients, stack_id, timeout, progress_cb, *, interval,
             action=None):
        self.intervals.append(('wait', interval))
        self.calls.append(('wait', action))
        progress_cb([{'resource_name': 'server_web',
                      'physical_resource_id': 'new-s1',
                      'resource_status': '%s_COMPLETE' % action}])
        if 'stack' in self.fail:
            raise exception.StackFailed(stack='s', status='CREATE_FAILED',
                                        reason='server_web: no valid host')
        return '%s_COMPLETE' % action

    def delete(self, clients, stack_id, timeout, *, interval):
        self.calls.append(('delete_stack', stack_id))
        self.intervals.append(('delete', interval))

    def kinds(self):
        return [c[0] for c in self.calls]


@pytest.fixture
def env(conf, monkeypatch):
    account = FakeAccount()
    container = _checkpoint(account)
    fakes = Fakes(monkeypatch)
    rows = MemoryRows()
    sizes = {'img-server_web': 100, 'img-volume_db': 300}

    class Glance:
        def get(self, path):
            image_id = path.rsplit('/', 1)[-1]
            return types.SimpleNamespace(json=lambda: {
                'id': image_id, 'size': sizes[image_id]})

    clients = types.SimpleNamespace(
        swift=account.connect, project_id=PROJECT, region_name='RegionTwo',
        calls=collections.Counter(), adapter=lambda service: Glance())
    # One Swift for every region, as in the shared minicloud.
    clients.in_region = lambda region: clients

    def recover(mode='failover', point=container, **fields):
        recovery = types.SimpleNamespace(
            id='rec-1', mode=mode, recovery_point=point,
            target_region='RegionTwo', resources=[], mappings={},
            timeout=600, policy_id='pol-1', **fields)
        ok = relaunch.Recovery(conf, recovery, clients,
                               rec.RunRecorder(None, 'rec-1', rows.rows)).run()
        return ok, rows.row

    return types.SimpleNamespace(recover=recover, fakes=fakes, rows=rows,
                                 account=account, sizes=sizes, conf=conf)


def test_failover_restores_rewrites_and_launches(env):
    ok, row = env.recover()
    assert ok and row['status'] == 'succeeded' and row['error'] is None
    # The network first, while the data is restored; then the rest.
    assert env.fakes.kinds() == ['resolve', 'rewrite', 'validate', 'create',
                                 'restore', 'restore', 'rewrite', 'validate',
                                 'wait', 'update', 'wait']
    [(_, early, early_params), (_, full, params)] = env.fakes.templates
    assert list(early['resources']) == ['net']
    assert 'outputs' not in early and 'parameters' not in early
    assert early_params == {}
    assert set(full['resources']) == {'net', 'server_web'}
    assert params['image_web'] == 'img-server_web'
    assert [c for c in env.fakes.calls if c[0] == 'wait'] == [
        ('wait', 'CREATE'), ('wait', 'UPDATE')]
    assert row['stack_status'] == 'UPDATE_COMPLETE'
    assert any('need no restored data (net)' in e[2]
               for e in env.rows.events)
    assert ('rewrite', 'failover', ('server_web', 'volume_db')) in \
        env.fakes.calls
    assert row['restored'] == {'server_web': {'image_id': 'img-server_web'},
                               'volume_db': {'image_id': 'img-volume_db'}}
    assert row['stack_id'] == 'stack-1'
    assert row['stack_name'].startswith('three-tier-20261123T150000Z')
    assert row['rto_seconds'] >= 0 and 'torn_down' not in row
    assert row['bytes_done'] == row['bytes_total'] == 400
    web = next(r for r in row['resource_status'] if r['key'] == 'server_web')
    assert web['target_id'] == 'new-s1'
    assert web['status'] == statuses.Resource.DONE


def test_a_failback_recovers_as_a_failover_and_awaits_commit(env):
    ok, row = env.recover(mode='failback')
    assert ok and row['status'] == 'awaiting_commit' and row['error'] is None
    assert env.fakes.calls[0] == ('resolve', 'failover')
    assert ('rewrite', 'failover', ('server_web', 'volume_db')) in \
        env.fakes.calls
    assert row['stack_id'] == 'stack-1' and 'torn_down' not in row
    # Not finished: the commit or rollback ends it.
    assert 'finished_at' not in row


def test_a_drill_tears_everything_down_and_records_its_rto(env):
    ok, row = env.recover(mode='drill')
    assert ok and row['status'] == 'succeeded' and row['torn_down']
    assert env.fakes.calls[-3:] == [
        ('delete_stack', 'stack-1'),
        ('cleanup', ('server_web', 'volume_db')),
        ('last_drill', 'pol-1', 'succeeded', True)]
    assert env.fakes.calls[0] == ('resolve', 'drill')


def test_stack_polls_and_parallel_restores_are_the_operators(
        env, monkeypatch):
    workers = []
    real = relaunch.concurrent.futures.ThreadPoolExecutor

    def pool(max_workers):
        workers.append(max_workers)
        return real(max_workers)

    monkeypatch.setattr(relaunch.concurrent.futures, 'ThreadPoolExecutor',
                        pool)
    ok, _row = env.recover(mode='drill')
    assert ok and workers == [2]                    # the defaults, as before
    assert env.fakes.intervals == [('wait', 2.0), ('wait', 2.0),
                                   ('delete', 2.0)]
    env.conf.set_override('stack_poll_interval', 0.5, group='recovery')
    env.conf.set_override('parallel_restores', 5, group='recovery')
    env.fakes.intervals.clear()
    ok, _row = env.recover(mode='drill')
    assert ok and workers == [2, 5]
    assert env.fakes.intervals == [('wait', 0.5), ('wait', 0.5),
                                   ('delete', 0.5)]


def test_a_drill_fails_when_a_restored_image_is_not_whole(env):
    env.sizes['img-volume_db'] = 299
    ok, row = env.recover(mode='drill')
    assert not ok and '299 bytes' in row['error'] and row['torn_down']


def test_a_missing_mapping_fails_before_anything_is_made(env):
    env.fakes.fail['resolve'] = True
    ok, row = env.recover()
    assert not ok and row['status'] == 'error'
    assert 'm1.big' in row['error']
    assert env.fakes.kinds() == ['resolve']


def test_a_corrupt_chunk_fails_naming_the_resource_and_removes_restored(env):
    # One at a time, largest first: volume_db is restored, then
    # server_web's chunk is bad.
    env.conf.set_override('parallel_restores', 1, group='recovery')
    env.fakes.fail['restore'] = 'server_web'
    ok, row = env.recover()
    assert not ok and 'server_web' in row['error'] and \
        'bad chunk' in row['error']
    # The stack's early part goes with the restored data: a failover whose
    # restore failed keeps nothing.
    assert 'update' not in env.fakes.kinds()
    assert ('delete_stack', 'stack-1') in env.fakes.calls
    assert env.fakes.calls[-1] == ('cleanup', ('volume_db',))
    assert row['torn_down']
    failed = next(r for r in row['resource_status'] if r['key'] == 'server_web')
    assert failed['status'] == statuses.Resource.ERROR


def test_a_failed_stack_of_a_failover_is_kept_for_diagnosis(env):
    env.fakes.fail['stack'] = True
    ok, row = env.recover()
    assert not ok and 'no valid host' in row['error']
    assert 'delete_stack' not in env.fakes.kinds()
    assert any('kept for diagnosis' in e[2] for e in env.rows.events)


def test_the_largest_data_is_restored_first(env):
    env.conf.set_override('parallel_restores', 1, group='recovery')
    ok, _row = env.recover()
    assert ok
    assert [c[1] for c in env.fakes.calls if c[0] == 'restore'] == [
        'volume_db', 'server_web']          # 300 bytes, then 100


def test_without_early_stack_the_stack_is_made_in_one_piece(env):
    env.conf.set_override('early_stack', False, group='recovery')
    ok, row = env.recover()
    assert ok and row['stack_status'] == 'CREATE_COMPLETE'
    assert env.fakes.kinds() == ['resolve', 'restore', 'restore', 'rewrite',
                                 'validate', 'create', 'wait']


def test_an_early_part_that_cannot_be_prepared_is_no_failure(env):
    env.fakes.fail['placeholder'] = True
    ok, row = env.recover()
    assert ok and row['stack_status'] == 'CREATE_COMPLETE'
    assert env.fakes.kinds() == ['resolve', 'rewrite', 'restore', 'restore',
                                 'rewrite', 'validate', 'create', 'wait']
    assert any('made in one piece' in e[2] and 'image of server_web' in e[2]
               for e in env.rows.events)


def test_a_failed_drill_is_torn_down_and_recorded(env):
    env.fakes.fail['stack'] = True
    ok, row = env.recover(mode='drill')
    assert not ok and row['torn_down']
    assert ('delete_stack', 'stack-1') in env.fakes.calls
    assert env.fakes.calls[-1] == ('last_drill', 'pol-1', 'error', False)


def test_another_projects_checkpoint_is_not_found(env):
    other = _checkpoint(env.account, project='other')
    ok, row = env.recover(point=other)
    assert not ok and 'No complete checkpoint' in row['error']
    assert env.fakes.calls == []


def test_an_incomplete_checkpoint_is_not_found(env):
    writer = store.CheckpointWriter(env.account.connect(), PROJECT, 'p', 'x')
    writer.create(WHEN + datetime.timedelta(hours=1))
    ok, row = env.recover(point=writer.container)
    assert not ok and 'is not complete in the object store of' in row['error']
    assert writer.container in row['error']


@pytest.fixture
def notified(env, notifications, monkeypatch):
    """Notifications of the run; the row read back is the in-memory one."""
    monkeypatch.setattr(relaunch.db_api, 'recovery_get',
                        lambda context, recovery_id: types.SimpleNamespace(
                            id=recovery_id, mode='drill', **env.rows.row))
    return notifications


def test_a_recovery_notifies_start_and_end_with_mode_and_rto(env, notified):
    from dragon.notifications import samples
    ok, row = env.recover(mode='drill')
    assert ok and notified.types() == ['dragon.recovery.create.start',
                                       'dragon.recovery.create.end']
    payload = notified[1][2]
    data = payload['dragon_object.data']
    assert data['mode'] == 'drill' and data['status'] == 'succeeded'
    assert data['rto_seconds'] == row['rto_seconds']
    samples.check_against_sample('dragon.recovery.create.end', payload,
                                 priority=notified[1][1],
                                 publisher_id=notified[1][3])


def test_a_failed_recovery_notifies_its_error(env, notified):
    env.fakes.fail['resolve'] = True
    ok, row = env.recover()
    assert not ok and notified.types() == ['dragon.recovery.create.start',
                                           'dragon.recovery.create.error']
    assert 'm1.big' in notified[1][2]['dragon_object.data']['error']


def test_a_failbacks_recovery_at_home_leaves_notifying_to_its_run(
        env, notified):
    # dragon.recovery.workflow notifies the whole failback: it starts
    # before this step and ends at the commit.
    ok, row = env.recover(mode='failback')
    assert ok and notified.types() == []


def test_an_unreadable_row_sends_the_one_the_run_has(env, notifications,
                                                     monkeypatch):
    def unreadable(context, recovery_id):
        raise RuntimeError('database gone')

    monkeypatch.setattr(relaunch.db_api, 'recovery_get', unreadable)
    ok, row = env.recover()
    assert ok and notifications.types()[-1] == 'dragon.recovery.create.end'
    assert notifications[-1][2]['dragon_object.data']['id'] == 'rec-1'


def test_a_drill_goes_through_its_phases(env, monkeypatch):
    seen = []
    phase = rec.RunRecorder.phase

    def record_phase(self, name, total=None):
        seen.append((name, total))
        phase(self, name, total)

    monkeypatch.setattr(rec.RunRecorder, 'phase', record_phase)
    ok, row = env.recover(mode='drill')
    assert ok
    assert seen == [('preparing', None), ('restoring', 2),
                    ('launching', None), ('verifying', None),
                    ('tearing_down', None)]
    assert row['phase']['name'] == 'tearing_down'
    assert row['phase'] == dict(row['phase'], done=None, total=None)


def test_the_checkpoint_warnings_are_stored_in_one_call(env):
    """Said again at prepare, one event each, written together."""
    warnings = [{'resource': None, 'code': 'no_quota',
                 'message': 'quotas are not recorded'}] + [
        {'resource': 'server_web', 'code': 'user_data',
         'message': 'user data %d not visible' % i} for i in range(300)]
    container = _checkpoint(env.account, warnings=warnings)
    ok, _row = env.recover(point=container)
    assert ok
    said = [e for e in env.rows.events if e[0] == 'warning']
    assert len(said) == 301 and env.rows.batches == [301]
    assert said[0] == ('warning', None, 'the checkpoint does not carry '
                       'everything: quotas are not recorded')
    assert said[-1][1] == 'server_web'
    # The other events stay one call each, in order around the batch.
    assert env.rows.events[0][2].startswith('failover of ')
    assert env.rows.events[1][2].startswith('checkpoint of policy ')
