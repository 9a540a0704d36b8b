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

"""Step 1 of the engine's failback run: quiesce here, start the final checkpoint.

test_failback's state (the reverse policy's record, the final
checkpoint, the home region), a fresh run; the backup site's Nova and
Cinder faked at ``ServiceClients.connection`` (``Backup``), the new
checkpoint's row at ``db_api.checkpoint_create``.
"""

import time
import types

from openstack import exceptions as sdk_exc
import pytest

from dragon import exception
from dragon.recovery import failback
from dragon.recovery import failback_quiesce
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery.test_failback import _recovery
from tests.unit.recovery.test_failback import home  # noqa: F401 - fixture


class FakeNova:
    """Servers by id with their status; what was asked, in order.

    A server asked to pause or stop gets there after ``lag`` looks (never
    if ``stuck``).
    """

    def __init__(self, servers, stuck=(), lag=0):
        self.servers = dict(servers)
        self.stuck = set(stuck)
        self.lag = lag
        self.calls = []
        self._pending = {}

    def get_server(self, server_id):
        self.calls.append(('get', server_id))
        if server_id not in self.servers:
            raise sdk_exc.NotFoundException('gone')
        if server_id in self._pending:
            status, looks = self._pending[server_id]
            if looks <= 0:
                del self._pending[server_id]
                self.servers[server_id] = status
            else:
                self._pending[server_id] = (status, looks - 1)
        return types.SimpleNamespace(id=server_id,
                                     status=self.servers[server_id])

    def _act(self, name, server_id, status):
        self.calls.append((name, server_id))
        if server_id in self.stuck:
            return
        if self.lag:
            self._pending[server_id] = (status, self.lag)
        else:
            self.servers[server_id] = status

    def pause_server(self, server_id):
        self._act('pause', server_id, 'PAUSED')

    def stop_server(self, server_id):
        self._act('stop', server_id, 'SHUTOFF')

    def unpause_server(self, server_id):
        self._act('unpause', server_id, 'ACTIVE')

    def start_server(self, server_id):
        self._act('start', server_id, 'ACTIVE')

    def actions(self):
        return [c for c in self.calls if c[0] != 'get']


class Backup:
    """The backup site's clients of the trust: its Nova and Cinder."""

    def __init__(self, nova, attachments=None):
        self.nova = nova
        self.attachments = attachments or {}

    def get_volume(self, volume_id):
        if volume_id not in self.attachments:
            raise sdk_exc.NotFoundException('gone')
        return types.SimpleNamespace(id=volume_id, attachments=[
            {'server_id': s} for s in self.attachments[volume_id]])

    @property
    def connection(self):
        return types.SimpleNamespace(
            compute=self.nova,
            block_storage=types.SimpleNamespace(get_volume=self.get_volume))


def _member(kind, resource_id):
    return types.SimpleNamespace(resource_type=kind, resource_id=resource_id)


@pytest.fixture
def fresh(home, conf, monkeypatch):
    """A run as the API hands it over: nothing quiesced, no checkpoint."""
    conf.set_override('failback_quiesce_timeout', 1, group='recovery')
    home.record['run'] = {'status': 'running', 'quiesce': 'pause',
                          'checkpoint_id': None, 'quiesced': [],
                          'quiesced_at': None}
    home.policy.members = [_member('server', 'b-srv'),
                           _member('volume', 'b-vol'),
                           _member('volume', 'b-gone')]
    nova = FakeNova({'b-srv': 'ACTIVE', 'b-db': 'ACTIVE',
                     'b-idle': 'SHUTOFF'})
    home.here = Backup(nova, {'b-vol': ['b-db', 'b-idle']})
    home.nova = nova
    home.created = []
    home.log = []
    real_save = home.save_run

    def save_run(policy_id, **values):
        home.log.append(('save', sorted(values)))
        return real_save(policy_id, **values)
    monkeypatch.setattr(failback, 'save_run', save_run)

    def create(ctx, values):
        home.log.append(('create', values['id']))
        home.created.append(values)
        return types.SimpleNamespace(status='queued', **values)
    monkeypatch.setattr(failback_quiesce.db_api, 'checkpoint_create',
                        create)
    monkeypatch.setattr(failback_quiesce.db_api, 'checkpoint_event_add',
                        lambda ctx, i, level, message: None)
    # The final checkpoint the engine starts is test_failback's cp-final.
    monkeypatch.setattr(failback_quiesce, 'uuid', types.SimpleNamespace(
        uuid4=lambda: 'cp-final'))
    return home


def _run(home, conf, recorder=None):
    recorder = recorder or Recorder()
    done = failback.run(conf, _recovery(), home.clients, recorder, 'e1',
                        home.Recovery, admit=home.admitted.append)
    return done, recorder


def _messages(recorder):
    return [m for _l, m, _r in recorder.events]


def test_the_engine_quiesces_then_starts_the_final_checkpoint(fresh, conf):
    fresh.nova.lag = 2

    done, recorder = _run(fresh, conf)

    assert done
    # Every running server asked before any is waited for; the one
    # stopped already and the volume gone are left alone.
    actions = fresh.nova.actions()
    assert actions == [('pause', 'b-srv'), ('pause', 'b-db')]
    last_ask = fresh.nova.calls.index(('pause', 'b-db'))
    assert fresh.nova.calls[last_ask - 1] == ('pause', 'b-srv')
    assert fresh.nova.servers == {'b-srv': 'PAUSED', 'b-db': 'PAUSED',
                                  'b-idle': 'SHUTOFF'}
    run = fresh.record['run']
    assert run['quiesced'] == [
        {'server_id': 'b-srv', 'status_before': 'ACTIVE'},
        {'server_id': 'b-db', 'status_before': 'ACTIVE'}]
    # The final checkpoint: the recovery's trust, its id on the run
    # (before its row, so a takeover never makes a second) and the row.
    [created] = fresh.created
    assert created['id'] == 'cp-final' == run['checkpoint_id']
    assert created['trust_id'] == 'trust-fb'
    assert created['policy_id'] == 'pol-rev'
    assert created['project_id'] == 'p1' and created['user_id'] == 'u1'
    saves = [e for e in fresh.log if e[0] == 'create' or
             'checkpoint_id' in e[1]]
    assert saves == [('save', ['checkpoint_id']), ('create', 'cp-final')]
    assert fresh.admitted == ['cp-final']
    assert {'checkpoint_id': 'cp-final'} in recorder.flushes
    # The downtime counts from the quiesce.
    assert run['quiesced_at'] and run['downtime_seconds'] >= 0
    messages = _messages(recorder)
    assert messages[0] == ('step 1/6: quiescing 3 server(s) here: pausing '
                           '2 (1 already paused or stopped)')
    assert 'server b-srv here paused' in messages
    assert 'server b-db here paused' in messages
    assert 'final checkpoint cp-final of policy web-reverse started' in \
        messages
    assert [m.split(':')[0] for m in messages if m.startswith('step ')] == [
        'step 1/6', 'step 2/6', 'step 3/6', 'step 4/6', 'step 5/6',
        'step 6/6']
    assert run['status'] == 'awaiting_commit'


def test_stop_leaves_the_servers_shutoff(fresh, conf):
    fresh.record['run']['quiesce'] = 'stop'

    done, recorder = _run(fresh, conf)

    assert done
    assert fresh.nova.actions() == [('stop', 'b-srv'), ('stop', 'b-db')]
    assert fresh.nova.servers['b-srv'] == 'SHUTOFF'
    assert 'server b-srv here stopped' in _messages(recorder)


def test_the_timeout_is_for_the_whole_set_and_releases_them(fresh, conf):
    conf.set_override('failback_quiesce_timeout', 1, group='recovery')
    fresh.nova.stuck.update({'b-srv', 'b-db'})
    began = time.monotonic()

    done, recorder = _run(fresh, conf)

    # One timeout for both, not one each.
    assert time.monotonic() - began < 1.9
    assert not done
    final = recorder.final()
    assert final['status'] == 'error'
    assert final['error'] == ('Failback failed at its quiesce: server(s) '
                              'b-srv, b-db not PAUSED after 1 s')
    assert fresh.record['run']['status'] == 'error'
    assert fresh.created == [] and fresh.admitted == []
    assert fresh.order == []            # nothing at home


def test_what_was_paused_is_released_when_another_is_late(fresh, conf):
    fresh.nova.stuck.add('b-db')

    done, recorder = _run(fresh, conf)

    assert not done
    # b-srv paused, then unpaused again; b-db never got there (ACTIVE).
    assert fresh.nova.actions() == [('pause', 'b-srv'), ('pause', 'b-db'),
                                    ('unpause', 'b-srv')]
    assert fresh.nova.servers['b-srv'] == 'ACTIVE'
    assert 'server b-srv at the backup site running again' in \
        _messages(recorder)


def test_a_server_in_error_fails_the_run_before_any_is_asked(fresh, conf):
    fresh.nova.servers['b-db'] = 'ERROR'

    done, recorder = _run(fresh, conf)

    assert not done
    assert fresh.nova.actions() == []
    assert 'server b-db is ERROR: it can be neither paused nor stopped' in \
        recorder.final()['error']


def test_a_server_in_error_while_pausing_fails_at_once(fresh, conf):
    conf.set_override('failback_quiesce_timeout', 60, group='recovery')
    real = fresh.nova.pause_server

    def pause(server_id):
        real(server_id)
        if server_id == 'b-db':
            fresh.nova.servers['b-db'] = 'ERROR'
    fresh.nova.pause_server = pause
    began = time.monotonic()

    done, recorder = _run(fresh, conf)

    assert not done and time.monotonic() - began < 5
    assert recorder.final()['error'] == ('Failback failed at its quiesce: '
                                         'server b-db went ERROR while '
                                         'being paused')
    # b-srv, paused, runs again; b-db is left as Nova has it.
    assert fresh.nova.servers['b-srv'] == 'ACTIVE'


def test_a_server_stopped_meanwhile_counts_as_quiesced(fresh, conf):
    real = fresh.nova.pause_server

    def pause(server_id):
        if server_id == 'b-db':     # someone stopped it first
            fresh.nova.servers['b-db'] = 'SHUTOFF'
            return
        real(server_id)
    fresh.nova.pause_server = pause

    done, recorder = _run(fresh, conf)

    assert done
    assert 'server b-db here stopped' in _messages(recorder)


def test_a_checkpoint_that_cannot_start_releases_the_servers(
        fresh, conf, monkeypatch):
    def busy(ctx, values):
        raise exception.ProtectionInProgress(policy_id='pol-rev')
    monkeypatch.setattr(failback_quiesce.db_api, 'checkpoint_create', busy)

    done, recorder = _run(fresh, conf)

    assert not done
    assert fresh.nova.servers == {'b-srv': 'ACTIVE', 'b-db': 'ACTIVE',
                                  'b-idle': 'SHUTOFF'}
    assert recorder.final()['error'] == (
        'Workload policy pol-rev is already being protected; wait until '
        'its running checkpoint ends.')
    run = fresh.record['run']
    assert run['status'] == 'error' and run['error']
    assert run['checkpoint_id'] is None


def test_a_resumed_quiesce_keeps_the_first_entries(fresh, conf):
    """The first engine died after pausing b-srv: quiesced again,
    harmlessly; b-srv keeps its entry (ACTIVE before), b-db is paused.
    """
    fresh.record['run'].update(
        quiesced=[{'server_id': 'b-srv', 'status_before': 'ACTIVE'},
                  {'server_id': 'b-db', 'status_before': 'ACTIVE'}],
        quiesced_at='2026-12-01T10:00:00Z')
    fresh.nova.servers['b-srv'] = 'PAUSED'

    done, recorder = _run(fresh, conf)

    assert done
    assert fresh.nova.actions() == [('pause', 'b-db')]
    run = fresh.record['run']
    assert run['quiesced'] == [
        {'server_id': 'b-srv', 'status_before': 'ACTIVE'},
        {'server_id': 'b-db', 'status_before': 'ACTIVE'}]
    # The downtime counts from the first quiesce.
    assert run['quiesced_at'] == '2026-12-01T10:00:00Z'
    assert len(fresh.created) == 1


def test_a_recorded_checkpoint_is_not_started_twice(fresh, conf):
    fresh.record['run'].update(
        checkpoint_id='cp-final', quiesced_at='2026-12-01T10:00:00Z',
        quiesced=[{'server_id': 'b-srv', 'status_before': 'ACTIVE'}])
    fresh.nova.servers['b-srv'] = 'PAUSED'

    done, recorder = _run(fresh, conf)

    assert done
    assert fresh.created == [] and fresh.nova.actions() == []
    assert 'step 1/6: the 1 server(s) here were quiesced before (pause)' \
        in _messages(recorder)


def test_a_recorded_checkpoint_without_its_row_is_made_with_that_id(
        fresh, conf, monkeypatch):
    """The first engine died between recording the id and the row."""
    fresh.record['run'].update(checkpoint_id='cp-final',
                               quiesced_at='2026-12-01T10:00:00Z')
    made = fresh.checkpoint_get

    def checkpoint_get(ctx, checkpoint_id):
        if not fresh.created:
            raise exception.CheckpointNotFound(id=checkpoint_id)
        return made(ctx, checkpoint_id)
    monkeypatch.setattr(failback.db_api, 'checkpoint_get', checkpoint_get)

    done, _recorder = _run(fresh, conf)

    assert done
    assert [c['id'] for c in fresh.created] == ['cp-final']
    assert fresh.admitted == ['cp-final']


def test_a_checkpoint_the_engines_were_not_told_of_waits_its_round(
        fresh, conf):
    def refused(checkpoint_id):
        raise ConnectionError('broker down')

    recorder = Recorder()

    done = failback.run(conf, _recovery(), fresh.clients, recorder, 'e1',
                        fresh.Recovery, admit=refused)

    assert done        # its admission round took it (cp-final available)
    assert len(fresh.created) == 1
    assert ('warning', 'final checkpoint cp-final: the engines were not '
            'told (ConnectionError); it waits queued for their next '
            'admission round', None) in recorder.events


def test_a_workload_without_servers_here_has_nothing_to_quiesce(fresh,
                                                                  conf):
    fresh.policy.members = [_member('volume', 'b-gone')]

    done, recorder = _run(fresh, conf)

    assert done and fresh.nova.actions() == []
    assert 'step 1/6: no server of the workload here to quiesce' in \
        _messages(recorder)
    assert fresh.record['run']['quiesced'] == []
    assert len(fresh.created) == 1


def test_release_starts_only_what_ran_before():
    nova = FakeNova({'a': 'PAUSED', 'b': 'SHUTOFF', 'c': 'SHUTOFF'})
    events = []

    failback_quiesce.release(nova, [
        {'server_id': 'a', 'status_before': 'ACTIVE'},
        {'server_id': 'b', 'status_before': 'ACTIVE'},
        {'server_id': 'c', 'status_before': 'SHUTOFF'},
        {'server_id': 'gone', 'status_before': 'ACTIVE'}],
        lambda level, message: events.append(message))

    assert nova.actions() == [('unpause', 'a'), ('start', 'b')]
    assert len(events) == 2
