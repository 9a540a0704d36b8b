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

"""Recovery RPC end to end: casts, claims, the shared pool, orphans, trusts.

Engines on the fake transport and a real database; the recovery workflow
is replaced by a recording fake, as in ``test_checkpoints``.
"""

import datetime
import sys
import types

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon.engine import manager
from dragon.engine import rpcapi
from dragon import exception
# The engine, client and trust fixtures are the checkpoint tests' own.
from tests.unit.engine.test_checkpoints import _checkpoint
from tests.unit.engine.test_checkpoints import _ctx
from tests.unit.engine.test_checkpoints import _RecordingClient
from tests.unit.engine.test_checkpoints import _wait
from tests.unit.engine.test_checkpoints import client  # noqa: F401
from tests.unit.engine.test_checkpoints import engines  # noqa: F401
from tests.unit.engine.test_checkpoints import FakeWorkflow
from tests.unit.engine.test_checkpoints import trusts  # noqa: F401
from tests.unit.engine.test_checkpoints import workflow  # noqa: F401

ADMIN = context.get_admin_context


class FakeRecoveryWorkflow(FakeWorkflow):
    """Stands in for dragon.recovery.workflow; ends recoveries."""

    admit = None

    def run(self, conf, recovery_id, host='', admit=None):
        self._enter('run', conf, recovery_id, host)
        self.admit = admit
        db_api.recovery_update(ADMIN(), recovery_id, {'status': 'succeeded'})
        return True

    def delete(self, conf, recovery_id, host=''):
        self._enter('delete', conf, recovery_id, host)
        db_api.recovery_delete(ADMIN(), recovery_id)


@pytest.fixture
def recovery_workflow(monkeypatch):
    fake = FakeRecoveryWorkflow()
    module = types.ModuleType('fake_recovery_workflow')
    module.run = fake.run
    module.delete = fake.delete
    monkeypatch.setitem(sys.modules, 'fake_recovery_workflow', module)
    monkeypatch.setattr(manager, 'RECOVERY_WORKFLOW_MODULE',
                        'fake_recovery_workflow')
    return fake


def _recovery(trust_id='t1', **values):
    return db_api.recovery_create(ADMIN(), {
        'project_id': 'p1', 'user_id': 'u1', 'mode': 'failover',
        'recovery_point': 'dragon_p1_app_20261123T120000Z',
        'target_region': 'RegionTwo', 'trust_id': trust_id, **values}).id


def _status(recovery_id):
    return db_api.recovery_get(ADMIN(), recovery_id).status


def test_recover_runs_the_workflow_on_the_pool_and_drops_the_trust(
        engines, client, recovery_workflow, trusts):
    engines('e1')
    recovery_id = _recovery()
    client.recover(_ctx(), recovery_id)
    assert _wait(lambda: _status(recovery_id) == 'succeeded')
    name, got_id, host, thread = recovery_workflow.calls[0]
    assert (name, got_id, host) == ('run', recovery_id, 'e1')
    assert thread.startswith('dragon-')
    assert _wait(lambda: db_api.recovery_get(
        ADMIN(), recovery_id).trust_id is None)
    assert trusts == [('session-of-t1', 't1')]
    assert db_api.recovery_get(ADMIN(), recovery_id).host == 'e1'


def test_a_recovery_run_may_ask_the_engines_to_admit_a_checkpoint(
        engines, client, recovery_workflow, trusts, monkeypatch, conf):
    """A failback starts its final checkpoint: admitted at once (a
    ``protect`` cast), not at the engines' next admission round.
    """
    engines('e1')
    recovery_id = _recovery()
    client.recover(_ctx(), recovery_id)
    assert _wait(lambda: _status(recovery_id) == 'succeeded')
    admit = recovery_workflow.admit
    assert admit.__func__ is manager.EngineManager.ask_admission
    casts = []
    monkeypatch.setattr(rpcapi, 'EngineAPI', lambda conf: types.SimpleNamespace(
        protect=lambda ctx, checkpoint_id: casts.append(checkpoint_id)))

    admit('cp-final')

    assert casts == ['cp-final']


def test_a_redelivered_recover_runs_once(engines, client, recovery_workflow,
                                         trusts):
    engines('e1')
    engines('e2')
    recovery_workflow.gate.clear()
    recovery_id = _recovery()
    client.recover(_ctx(), recovery_id)
    client.recover(_ctx(), recovery_id)
    assert _wait(lambda: len(recovery_workflow.calls) == 1)
    recovery_workflow.gate.set()
    assert _wait(lambda: _status(recovery_id) == 'succeeded')
    assert len(recovery_workflow.calls) == 1


def test_a_crashing_workflow_leaves_error_without_internals(
        engines, client, recovery_workflow, trusts):
    engines('e1')
    recovery_workflow.error = KeyError('secret detail')
    recovery_id = _recovery()
    client.recover(_ctx(), recovery_id)
    assert _wait(lambda: _status(recovery_id) == 'error')
    recovery = db_api.recovery_get(ADMIN(), recovery_id)
    assert 'KeyError' in recovery.error and 'secret' not in recovery.error
    assert recovery.finished_at
    events = db_api.recovery_event_get_all(ADMIN(), recovery_id)
    assert events[-1].level == 'error'
    assert _wait(lambda: trusts == [('session-of-t1', 't1')])
    recovery_workflow.error = exception.MappingMissing(missing=['flavor x'])
    other = _recovery()
    client.recover(_ctx(), other)
    assert _wait(lambda: _status(other) == 'error')
    assert 'flavor x' in db_api.recovery_get(ADMIN(), other).error


def test_delete_recovery_runs_the_delete_workflow(engines, client,
                                                  recovery_workflow, trusts):
    engines('e1')
    recovery_id = _recovery()
    db_api.recovery_update(ADMIN(), recovery_id,
                           {'status': 'deleting', 'trust_id': 't2'})
    client.delete_recovery(_ctx(), recovery_id)
    assert _wait(lambda: not db_api.recovery_get_all(ADMIN()))
    assert recovery_workflow.calls[0][:3] == ('delete', recovery_id, 'e1')
    assert _wait(lambda: trusts == [('session-of-t2', 't2')])


def test_casts_for_rows_in_another_state_are_ignored(
        engines, client, recovery_workflow, trusts):
    engines('e1')
    recovery_id = _recovery()
    db_api.recovery_update(ADMIN(), recovery_id, {'status': 'succeeded'})
    client.recover(_ctx(), recovery_id)
    client.delete_recovery(_ctx(), recovery_id)
    client.delete_recovery(_ctx(), 'no-such-recovery')
    assert client.ping(_ctx(), timeout=5)
    assert recovery_workflow.calls == []


def test_recoveries_and_checkpoints_share_the_bounded_pool(
        engines, client, rpc_conf, workflow, recovery_workflow, trusts):
    rpc_conf.set_override('max_concurrent_runs', 2, group='engine')
    engines('e1')
    workflow.gate.clear()
    recovery_workflow.gate.clear()
    checkpoint_id, recoveries = _checkpoint(), [_recovery(), _recovery()]
    client.protect(_ctx(), checkpoint_id)
    for recovery_id in recoveries:
        client.recover(_ctx(), recovery_id)
    assert _wait(lambda: workflow.running + recovery_workflow.running == 2)
    assert _wait(lambda: all(db_api.recovery_get(ADMIN(), r).host == 'e1'
                             for r in recoveries))
    assert client.ping(_ctx(), timeout=5)['host'] == 'e1'
    assert workflow.running + recovery_workflow.running == 2
    workflow.gate.set()
    recovery_workflow.gate.set()
    assert _wait(lambda: all(_status(r) == 'succeeded' for r in recoveries))


@pytest.fixture
def roll_backs(monkeypatch):
    """dragon.recovery.workflow.roll_back recorded; it fails the row."""
    from dragon.recovery import workflow
    calls = []

    def roll_back(conf, recovery_id, claim, dead_host, host='',
                  recast=None):
        calls.append((recovery_id, dead_host, host))
        db_api.recovery_update(ADMIN(), recovery_id, {
            'status': 'error', 'error': 'rolled back'},
            expected_claim=claim)
        return True

    monkeypatch.setattr(workflow, 'roll_back', roll_back)
    return calls


def test_start_rolls_back_the_recoveries_this_host_had(
        rpc_conf, db, engines, recovery_workflow, trusts, roll_backs):
    mine, theirs = _recovery(), _recovery(trust_id='t9')
    db_api.recovery_claim(ADMIN(), mine, 'e1')
    old_claim = db_api.recovery_get(ADMIN(), mine).claim
    db_api.recovery_claim(ADMIN(), theirs, 'e2')
    db_api.engine_service_heartbeat(ADMIN(), 'e2', 'dragon-engine', '1')
    engines('e1')
    assert roll_backs == [(mine, 'e1', 'e1')]
    recovery = db_api.recovery_get(ADMIN(), mine)
    assert (recovery.status, recovery.error) == ('error', 'rolled back')
    # Fenced: the dead run's claim no longer writes.
    with pytest.raises(exception.RunTakenOver):
        db_api.recovery_update(ADMIN(), mine, {'bytes_done': 1},
                               expected_claim=old_claim)
    assert _status(theirs) == 'recovering'


def test_periodic_check_rolls_back_recoveries_of_dead_engines(
        rpc_conf, db, engines, recovery_workflow, trusts, roll_backs):
    rpc_conf.set_override('orphan_check_interval', 1, group='engine')
    rpc_conf.set_override('service_down_time', 5, group='engine')
    db_api.engine_service_heartbeat(ADMIN(), 'dead', 'dragon-engine', '1')
    with db_api.main_context_manager.writer.using(ADMIN()) as session:
        session.execute(db_api.sa.update(db_api.models.EngineService)
                        .values(updated_at=datetime.datetime(2020, 1, 1)))
    recovery_id = _recovery()
    db_api.recovery_claim(ADMIN(), recovery_id, 'dead')
    engines('e1')
    assert _wait(lambda: _status(recovery_id) == 'error')
    assert roll_backs == [(recovery_id, 'dead', 'e1')]


def test_rpc_methods_name_the_version_that_introduced_them(rpc_conf,
                                                           fake_transport):
    client = rpcapi.EngineAPI(rpc_conf, transport=fake_transport)
    client._client = _RecordingClient()
    client.recover(_ctx(), 'r1')
    client.delete_recovery(_ctx(), 'r2')
    first, second = client._client.prepared
    assert first['version'] == '1.3'
    assert first['cast'] == ('recover', {'recovery_id': 'r1'})
    assert second['version'] == '1.4'
    assert second['cast'] == ('delete_recovery', {'recovery_id': 'r2'})
    assert rpcapi.RPC_API_VERSION >= '1.4'


# -- in-place windows
class WindowWorkflow(FakeRecoveryWorkflow):
    """An in-place run ends awaiting commit; finish closes the window."""

    def run(self, conf, recovery_id, host='', admit=None):
        self._enter('run', conf, recovery_id, host)
        db_api.recovery_update(ADMIN(), recovery_id, {
            'status': 'awaiting_commit',
            'commit_deadline': datetime.datetime(2020, 1, 1)})
        return True

    def finish(self, conf, recovery_id, host=''):
        self._enter('finish', conf, recovery_id, host)
        row = db_api.recovery_get(ADMIN(), recovery_id)
        ends = {'commit': 'committed', 'keep': 'expired',
                'rollback': 'rolled_back'}[row.window_action]
        db_api.recovery_update(ADMIN(), recovery_id, {'status': ends},
                               expected_claim=row.claim)
        return True


@pytest.fixture
def window_workflow(monkeypatch):
    fake = WindowWorkflow()
    module = types.ModuleType('fake_window_workflow')
    module.run, module.finish = fake.run, fake.finish
    monkeypatch.setitem(sys.modules, 'fake_window_workflow', module)
    monkeypatch.setattr(manager, 'RECOVERY_WORKFLOW_MODULE',
                        'fake_window_workflow')
    return fake


def test_a_window_keeps_the_trust_and_closes_as_asked(
        engines, client, window_workflow, trusts):
    engine = engines('e1')
    recovery_id = _recovery(mode='in_place')
    client.recover(_ctx(), recovery_id)
    assert _wait(lambda: _status(recovery_id) == 'awaiting_commit')
    # The window's close needs the trust: kept.
    assert db_api.recovery_get(ADMIN(), recovery_id).trust_id == 't1'
    assert trusts == []
    db_api.recovery_update(ADMIN(), recovery_id, {
        'status': 'rolling_back', 'window_action': 'rollback',
        'host': None, 'claim': None})
    client.close_window(_ctx(), recovery_id)
    assert _wait(lambda: _status(recovery_id) == 'rolled_back')
    assert _wait(lambda: trusts == [('session-of-t1', 't1')])
    assert [c[0] for c in window_workflow.calls] == ['run', 'finish']
    # A close for a recovery not closing is ignored.
    client.close_window(_ctx(), recovery_id)
    assert engine._manager.expire_windows() == []


@pytest.mark.parametrize('expiry,ends', [('keep', 'expired'),
                                         ('commit', 'committed'),
                                         ('rollback', 'rolled_back')])
def test_an_ended_window_is_closed_once_as_configured(
        rpc_conf, engines, window_workflow, trusts, expiry, ends):
    rpc_conf.set_override('in_place_window_expiry', expiry, group='recovery')
    first, second = engines('e1'), engines('e2')
    due = _recovery(mode='in_place')
    later = _recovery(mode='in_place')
    db_api.recovery_update(ADMIN(), due, {
        'status': 'awaiting_commit', 'host': 'gone',
        'commit_deadline': datetime.datetime(2020, 1, 1)})
    db_api.recovery_update(ADMIN(), later, {
        'status': 'awaiting_commit',
        'commit_deadline': datetime.datetime(2999, 1, 1)})
    closed = first._manager.expire_windows() + second._manager.expire_windows()
    assert closed == [due]
    assert _wait(lambda: _status(due) == ends)
    assert _status(later) == 'awaiting_commit'
    assert db_api.recovery_get(ADMIN(), due).window_action == expiry
    events = [e.message for e in db_api.recovery_event_get_all(ADMIN(), due)]
    assert any('the commit window ended' in m and expiry in m
               for m in events), events


def test_a_close_left_by_a_dead_engine_is_taken_over(
        rpc_conf, db, engines, trusts, monkeypatch):
    from dragon.recovery import workflow
    calls = []

    def roll_back(conf, recovery_id, claim, dead_host, host='',
                  recast=None):
        row = db_api.recovery_get(ADMIN(), recovery_id)
        calls.append((row.status, dead_host))
        db_api.recovery_update(ADMIN(), recovery_id, {'status': 'committed'},
                               expected_claim=claim)
        return True
    monkeypatch.setattr(workflow, 'roll_back', roll_back)
    recovery_id = _recovery(mode='in_place')
    db_api.recovery_update(ADMIN(), recovery_id, {
        'status': 'committing', 'window_action': 'commit'})
    db_api.recovery_claim(ADMIN(), recovery_id, 'e1', status='committing')
    engines('e1')
    assert calls == [('committing', 'e1')]
    assert _status(recovery_id) == 'committed'


def test_close_window_names_version_1_6(rpc_conf, fake_transport):
    client = rpcapi.EngineAPI(rpc_conf, transport=fake_transport)
    client._client = _RecordingClient()
    client.close_window(_ctx(), 'r1')
    prepared, = client._client.prepared
    assert prepared['version'] == '1.6'
    assert prepared['cast'] == ('close_window', {'recovery_id': 'r1'})
    assert rpcapi.RPC_API_VERSION == '1.6'


@pytest.mark.parametrize('resumed', [True, False])
def test_a_takeover_says_whether_it_resumed_or_rolled_back(
        monkeypatch, conf, resumed):
    from dragon.engine import rpcapi
    from dragon.engine import takeover
    from dragon.recovery import workflow
    casts = []
    monkeypatch.setattr(takeover.db_api, 'recovery_take_over',
                        lambda *a, **kw: 'claim-2')
    monkeypatch.setattr(rpcapi, 'EngineAPI', lambda conf: types.SimpleNamespace(
        recover=lambda ctx, recovery_id: casts.append(recovery_id)))

    def roll_back(conf, recovery_id, claim, dead_host, host='', recast=None):
        if resumed:           # a failback run handed back to the engines
            recast(recovery_id)

    monkeypatch.setattr(workflow, 'roll_back', roll_back)
    released = _releases(monkeypatch, takeover, 'error')
    row = types.SimpleNamespace(id='r1', claim='claim-1', host='e9',
                                status='recovering')

    outcome = takeover.Takeover(conf, 'e1').recovery(ADMIN(), row)

    assert outcome.result == ('requeued' if resumed else 'rolled_back')
    assert casts == (['r1'] if resumed else [])
    # A run rolled back is over: its trust goes; a resumed one keeps it.
    assert released == ([] if resumed else [('r1', 'trust-1')])


def _releases(monkeypatch, takeover, status):
    from dragon.engine import manager
    released = []
    monkeypatch.setattr(takeover.db_api, 'recovery_get',
                        lambda ctx, rid: types.SimpleNamespace(
                            id=rid, status=status, trust_id='trust-1'))
    monkeypatch.setattr(manager, 'release_trust',
                        lambda conf, admin, rid, trust_id, kind:
                        released.append((rid, trust_id)))
    return released


@pytest.mark.parametrize('status', ['awaiting_commit', 'recovering'])
def test_a_takeover_keeps_the_trust_of_a_run_not_over(monkeypatch, conf,
                                                      status):
    from dragon.engine import takeover
    from dragon.recovery import workflow
    monkeypatch.setattr(takeover.db_api, 'recovery_take_over',
                        lambda *a, **kw: 'claim-2')
    monkeypatch.setattr(workflow, 'roll_back', lambda *a, **kw: None)
    released = _releases(monkeypatch, takeover, status)
    row = types.SimpleNamespace(id='r1', claim='claim-1', host='e9',
                                status='recovering')

    takeover.Takeover(conf, 'e1').recovery(ADMIN(), row)

    assert released == []
