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

"""A failback run whose engine died: resumed before its recovery at home
began, rolled back cleanly after.

The state is test_failback's (the reverse policy's record, the home
region's Nova, the home site's Dragon); the row's release and the cast
are faked at ``run_kinds.RECOVERY.update`` and ``rpcapi.EngineAPI``.
"""

import types

import pytest

from dragon.recovery import failback
from dragon.recovery import failback_takeover
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery.test_failback import _recovery
from tests.unit.recovery.test_failback import Here
from tests.unit.recovery.test_failback import home  # noqa: F401 - fixture


class Engines:
    """The engines' ``recover`` cast (``Takeover``'s ``recast``)."""

    def __init__(self, fail=None):
        self.cast = []
        self.fail = fail

    def __call__(self, recovery_id):
        if self.fail:
            raise self.fail
        self.cast.append(recovery_id)


@pytest.fixture
def engines(monkeypatch):
    engines = Engines()
    released = []
    monkeypatch.setattr(failback_takeover, 'run_kinds', types.SimpleNamespace(
        RECOVERY=types.SimpleNamespace(
            update=lambda ctx, row_id, values, **kw: released.append(
                (values, kw)))))
    engines.released = released
    return engines


def _fenced(home):
    home.dragon.policy['status'] = 'suspended'
    home.cloud.servers.update({'a-srv': 'SHUTOFF', 'a-db': 'SHUTOFF'})
    home.record['run'].update(
        home_policy={'policy_id': 'pol-a', 'status_before': 'active',
                     'suspended': True, 'error': None},
        fenced=[{'server_id': 'a-srv', 'status_before': 'ACTIVE',
                 'status': 'SHUTOFF'},
                {'server_id': 'a-db', 'status_before': 'PAUSED',
                 'status': 'SHUTOFF'}])


def _take_over(home, conf, here=None, recast=None):
    recorder = Recorder()
    removed = []
    here = here or Here()
    clients = types.SimpleNamespace(in_region=lambda r: here,
                                    dragon=lambda: home.dragon)
    conf.set_override('region_name', 'RegionTwo', group='engine')
    done = failback_takeover.take_over(
        conf, _recovery(), 'claim-2', recorder, 'engine-1', 'engine-2',
        lambda c: removed.append(c), lambda: clients, recast)
    return done, recorder, removed, here


def test_a_run_that_died_before_its_recovery_at_home_is_resumed(
        home, conf, engines):
    _fenced(home)

    done, recorder, removed, here = _take_over(home, conf, recast=engines)

    assert done
    # Handed back (our claim released) and cast to any engine.
    [(values, kw)] = engines.released
    assert values == {'host': None, 'claim': None}
    assert kw['expected_claim'] == 'claim-2'
    assert engines.cast == ['fb-1']
    # Nothing undone: the servers stay fenced, the policy suspended.
    assert removed == [] and here.calls == []
    assert home.cloud.servers['a-srv'] == 'SHUTOFF'
    assert home.dragon.policy['status'] == 'suspended'
    assert home.record['run']['takeovers'] == 1
    [(level, message, _r)] = recorder.events
    assert level == 'warning' and 'resumes it (takeover 1 of 3)' in message


def test_a_run_that_died_while_quiescing_is_resumed_from_the_top(
        home, conf, engines):
    """No checkpoint yet, nothing fenced: handed back as it is; the
    server paused stays paused until the run goes on (or ends).
    """
    home.record['run'] = {'status': 'running', 'quiesce': 'pause',
                          'checkpoint_id': None, 'step': None,
                          'quiesced_at': '2026-12-01T10:00:00Z',
                          'quiesced': [{'server_id': 'b-srv',
                                        'status_before': 'ACTIVE'}]}

    done, recorder, removed, here = _take_over(home, conf, recast=engines)

    assert done and engines.cast == ['fb-1']
    assert removed == [] and here.calls == []
    assert home.record['run']['quiesced'] == [
        {'server_id': 'b-srv', 'status_before': 'ACTIVE'}]
    assert 'the servers quiesced here stay so' in recorder.events[0][1]


def test_a_run_that_died_while_quiescing_and_cannot_go_on_is_released(
        home, conf):
    home.record['run'] = {'status': 'running', 'quiesce': 'pause',
                          'checkpoint_id': None, 'step': None,
                          'quiesced': [{'server_id': 'b-srv',
                                        'status_before': 'ACTIVE'}]}

    done, recorder, removed, here = _take_over(home, conf, recast=None)

    assert done
    assert here.calls == [('unpause', 'b-srv')]
    assert home.record['run']['status'] == 'error'


def test_the_resumed_run_keeps_what_the_servers_were_first(home, conf):
    _fenced(home)

    assert failback.run(conf, _recovery(), home.clients, Recorder(), 'e2',
                        home.Recovery)

    # Found SHUTOFF by the second attempt; ACTIVE and PAUSED before the
    # first, which the rollback needs.
    assert [(f['server_id'], f['status_before'])
            for f in home.record['run']['fenced']] == [
        ('a-srv', 'ACTIVE'), ('a-db', 'PAUSED'), ('a-gone', None)]
    # Not suspended twice (it would find its own suspension).
    assert home.dragon.calls == []


def _assert_rolled_back(home, recorder, removed, here):
    assert len(removed) == 1
    assert home.cloud.servers == {'a-srv': 'ACTIVE', 'a-db': 'SHUTOFF'}
    assert here.calls == [('unpause', 'b-srv')]
    assert home.dragon.policy['status'] == 'active'
    final = recorder.final()
    assert final['status'] == 'error' and final['torn_down']
    assert 'rolled back by engine engine-2' in final['error']
    run = home.record['run']
    assert run['status'] == 'error' and 'rolled back' in run['error']


def test_a_run_that_died_during_its_recovery_at_home_is_rolled_back(
        home, conf, engines):
    _fenced(home)
    home.record['run']['step'] = failback.RECOVER_STEP

    done, recorder, removed, here = _take_over(home, conf, recast=engines)

    assert done and engines.cast == []
    _assert_rolled_back(home, recorder, removed, here)
    assert 'its recovery at RegionOne had begun' in recorder.final()['error']


def test_the_roll_back_works_with_the_engines_own_clients(
        home, conf, engines, monkeypatch):
    """The engine's ``ServiceClients`` (only its connection and the home
    Dragon faked): the rollback once asked them for a ``compute()`` they
    do not have, so that every rollback of a failback ended ``roll back
    incomplete`` (found by the kill -9 functional test).
    """
    from keystoneauth1 import session as ks_session

    from dragon.cloud import clients as clients_mod
    _fenced(home)
    home.record['run']['step'] = failback.RECOVER_STEP
    here = Here()
    monkeypatch.setattr(clients_mod.ServiceClients, 'connection',
                        property(lambda self: here.connection))
    monkeypatch.setattr(clients_mod.ServiceClients, 'dragon',
                        lambda self: home.dragon)
    conf.set_override('region_name', 'RegionTwo', group='engine')
    clients = clients_mod.ServiceClients(ks_session.Session(), 'RegionOne',
                                         conf)
    recorder = Recorder()
    removed = []

    assert failback_takeover.take_over(
        conf, _recovery(), 'claim-2', recorder, 'engine-1', 'engine-2',
        removed.append, lambda: clients, engines)

    _assert_rolled_back(home, recorder, removed, here)


def test_a_run_taken_over_too_often_is_rolled_back(home, conf, engines):
    _fenced(home)
    home.record['run']['takeovers'] = 3

    done, recorder, removed, here = _take_over(home, conf, recast=engines)

    assert engines.cast == []
    _assert_rolled_back(home, recorder, removed, here)
    assert 'taken over 4 times' in recorder.final()['error']


def test_without_the_engines_cast_it_is_rolled_back(home, conf):
    _fenced(home)

    done, recorder, removed, here = _take_over(home, conf, recast=None)

    _assert_rolled_back(home, recorder, removed, here)


def test_a_run_that_cannot_be_handed_back_is_rolled_back(home, conf,
                                                         engines):
    _fenced(home)
    engines.fail = RuntimeError('broker down')

    done, recorder, removed, here = _take_over(home, conf, recast=engines)

    _assert_rolled_back(home, recorder, removed, here)
    assert any('cannot be handed back to the engines' in m
               for _l, m, _r in recorder.events)
    assert 'it could not be resumed' in recorder.final()['error']


def test_a_roll_back_that_fails_says_what_is_left(home, conf, engines):
    _fenced(home)
    home.record['run']['step'] = failback.RECOVER_STEP
    recorder = Recorder()

    def boom(clients):
        raise failback.exception.StackFailed(
            stack='s-a', status='DELETE_FAILED', reason='stuck')
    clients = types.SimpleNamespace(in_region=lambda r: Here(),
                                    dragon=lambda: home.dragon)

    assert not failback_takeover.take_over(
        conf, _recovery(), 'claim-2', recorder, 'engine-1', 'engine-2',
        boom, lambda: clients, engines)

    final = recorder.final()
    assert final['status'] == 'error' and not final['torn_down']
    assert 'roll back incomplete' in final['error']
    assert 'DELETE_FAILED' in final['error']


def test_the_engine_that_takes_over_hands_a_failback_run_here(monkeypatch):
    from dragon.recovery import workflow
    recovery = types.SimpleNamespace(id='fb-1', mode='failback',
                                     status='recovering', claim='c1')
    monkeypatch.setattr(workflow.db_api, 'recovery_get',
                        lambda ctx, i: recovery)
    monkeypatch.setattr(workflow.rec, 'RunRecorder',
                        lambda *a, **kw: 'recorder')
    calls = []
    monkeypatch.setattr(
        failback_takeover, 'take_over',
        lambda *args: calls.append(args) or True)

    def recast(recovery_id):
        pass

    assert workflow.roll_back('conf', 'fb-1', 'claim-2', 'engine-1',
                              'engine-2', recast=recast)

    [(conf, row, claim, recorder, dead, host, _remove, _clients,
      handed)] = calls
    assert (row, claim, recorder, dead, host, handed) == (
        recovery, 'claim-2', 'recorder', 'engine-1', 'engine-2', recast)
