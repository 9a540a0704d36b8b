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

"""Checkpoint RPC end to end: casts, claims, the bounded pool, orphans, trusts.

The engines run on the fake transport and a real database; the protection
workflow is replaced by a recording fake so these tests are about the
engine's bookkeeping only.
"""

import datetime
import sys
import threading
import time
import types

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon.engine import manager
from dragon.engine import rpcapi
from dragon.engine import service
from dragon import exception
from dragon import identity

ADMIN = context.get_admin_context


def _wait(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class FakeWorkflow:
    """Stands in for dragon.protection.workflow; marks checkpoints done."""

    def __init__(self):
        self.calls = []
        self.gate = threading.Event()
        self.gate.set()
        self.running = 0
        self.most_running = 0
        self.error = None
        self._lock = threading.Lock()

    def _enter(self, name, conf, checkpoint_id, host):
        with self._lock:
            self.calls.append((name, checkpoint_id, host,
                               threading.current_thread().name))
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            self.gate.wait(10)
            if self.error:
                raise self.error
        finally:
            with self._lock:
                self.running -= 1

    def run(self, conf, checkpoint_id, host=''):
        self._enter('run', conf, checkpoint_id, host)
        db_api.checkpoint_update(ADMIN(), checkpoint_id,
                                 {'status': 'available'})
        return True

    def delete(self, conf, checkpoint_id, host=''):
        self._enter('delete', conf, checkpoint_id, host)
        db_api.checkpoint_delete(ADMIN(), checkpoint_id)


@pytest.fixture
def workflow(monkeypatch):
    fake = FakeWorkflow()
    module = types.ModuleType('fake_workflow')
    module.run = fake.run
    module.delete = fake.delete
    monkeypatch.setitem(sys.modules, 'fake_workflow', module)
    monkeypatch.setattr(manager, 'WORKFLOW_MODULE', 'fake_workflow')
    return fake


@pytest.fixture
def trusts(monkeypatch):
    deleted = []
    monkeypatch.setattr(identity, 'trust_session',
                        lambda conf, trust_id: 'session-of-%s' % trust_id)
    monkeypatch.setattr(identity, 'delete_trust',
                        lambda session, trust_id, conf=None:
                        deleted.append((session, trust_id)))
    return deleted


@pytest.fixture
def engines(rpc_conf, db, fake_transport):
    started = []

    def start(host):
        rpc_conf.set_override('host', host, group='engine')
        engine = service.EngineService(rpc_conf, transport=fake_transport)
        engine.start()
        started.append(engine)
        return engine

    yield start
    for engine in started:
        engine.stop()


@pytest.fixture
def client(rpc_conf, fake_transport):
    return rpcapi.EngineAPI(rpc_conf, transport=fake_transport)


_names = iter(range(10 ** 6))


def _checkpoint(trust_id='t1', project='p1', status='queued'):
    ctx = ADMIN()
    policy = db_api.workload_policy_create(ctx, {
        'project_id': project, 'name': 'app-%d' % next(_names),
        'options': {}})
    return db_api.checkpoint_create(ctx, {
        'project_id': project, 'user_id': 'u1', 'policy_id': policy.id,
        'policy_name': policy.name, 'trust_id': trust_id,
        'status': status}).id


def _status(checkpoint_id):
    return db_api.checkpoint_get(ADMIN(), checkpoint_id).status


def _ctx():
    return context.RequestContext(user_id='u1', project_id='p1')


def test_protect_runs_the_workflow_on_the_pool_and_drops_the_trust(
        engines, client, workflow, trusts):
    engines('e1')
    checkpoint_id = _checkpoint()
    client.protect(_ctx(), checkpoint_id)
    assert _wait(lambda: _status(checkpoint_id) == 'available')
    name, got_id, host, thread = workflow.calls[0]
    assert (name, got_id, host) == ('run', checkpoint_id, 'e1')
    assert thread.startswith('dragon-checkpoint')
    assert _wait(lambda: db_api.checkpoint_get(
        ADMIN(), checkpoint_id).trust_id is None)
    assert trusts == [('session-of-t1', 't1')]
    assert db_api.checkpoint_get(ADMIN(), checkpoint_id).host == 'e1'


def test_a_failback_final_checkpoint_leaves_its_recoverys_trust(
        engines, client, workflow, trusts):
    """It borrowed the trust of its failback's recovery (the run goes on
    with it until the commit): its end deletes nothing.
    """
    engines('e1')
    db_api.recovery_create(ADMIN(), {
        'project_id': 'p1', 'user_id': 'u1', 'mode': 'failback',
        'recovery_point': '', 'target_region': 'RegionOne',
        'trust_id': 't-fb'})
    checkpoint_id = _checkpoint(trust_id='t-fb')
    client.protect(_ctx(), checkpoint_id)
    assert _wait(lambda: db_api.checkpoint_get(
        ADMIN(), checkpoint_id).trust_id is None)
    assert _status(checkpoint_id) == 'available'
    assert trusts == []


def test_a_redelivered_protect_runs_once(engines, client, workflow, trusts):
    engines('e1')
    engines('e2')
    workflow.gate.clear()
    checkpoint_id = _checkpoint()
    client.protect(_ctx(), checkpoint_id)
    client.protect(_ctx(), checkpoint_id)
    assert _wait(lambda: len(workflow.calls) == 1)
    time.sleep(0.3)
    workflow.gate.set()
    assert _wait(lambda: _status(checkpoint_id) == 'available')
    assert len(workflow.calls) == 1


def test_a_crashing_workflow_leaves_error_with_the_reason(
        engines, client, workflow, trusts):
    engines('e1')
    workflow.error = exception.DiscoveryFailed(resource='server x',
                                               reason='gone')
    checkpoint_id = _checkpoint()
    client.protect(_ctx(), checkpoint_id)
    assert _wait(lambda: _status(checkpoint_id) == 'error')
    checkpoint = db_api.checkpoint_get(ADMIN(), checkpoint_id)
    assert 'server x' in checkpoint.error and checkpoint.finished_at
    assert checkpoint.active_policy_id is None
    # The event follows the status write.
    assert _wait(lambda: db_api.checkpoint_event_get_all(
        ADMIN(), checkpoint_id)[-1].level == 'error')
    assert _wait(lambda: trusts == [('session-of-t1', 't1')])


def test_an_unexpected_error_names_no_internals(engines, client, workflow,
                                                trusts):
    engines('e1')
    workflow.error = KeyError('secret detail')
    checkpoint_id = _checkpoint()
    client.protect(_ctx(), checkpoint_id)
    assert _wait(lambda: _status(checkpoint_id) == 'error')
    error = db_api.checkpoint_get(ADMIN(), checkpoint_id).error
    assert 'KeyError' in error and 'secret' not in error


def test_pool_bounds_concurrent_runs_and_rpc_stays_responsive(
        engines, client, rpc_conf, workflow, trusts):
    rpc_conf.set_override('max_concurrent_runs', 2, group='engine')
    engines('e1')
    workflow.gate.clear()
    ids = [_checkpoint() for _ in range(3)]
    for checkpoint_id in ids:
        client.protect(_ctx(), checkpoint_id)
    assert _wait(lambda: workflow.running == 2)
    assert client.ping(_ctx(), timeout=5)['host'] == 'e1'
    # Two run; the third waits queued in the database, not in the pool,
    # so that a peer with a free slot may take it.
    assert sorted(_status(i) for i in ids) == ['protecting', 'protecting',
                                                'queued']
    time.sleep(0.2)
    assert workflow.running == 2
    workflow.gate.set()
    assert _wait(lambda: all(_status(i) == 'available' for i in ids))
    assert workflow.most_running == 2


def test_delete_checkpoint_runs_the_delete_workflow(engines, client,
                                                    workflow, trusts):
    engines('e1')
    checkpoint_id = _checkpoint()
    db_api.checkpoint_update(ADMIN(), checkpoint_id,
                             {'status': 'deleting', 'trust_id': 't2'})
    client.delete_checkpoint(_ctx(), checkpoint_id)
    assert _wait(lambda: not db_api.checkpoint_get_all(ADMIN()))
    assert workflow.calls[0][:3] == ('delete', checkpoint_id, 'e1')
    assert _wait(lambda: trusts == [('session-of-t2', 't2')])


def test_protect_of_a_checkpoint_in_another_state_is_ignored(
        engines, client, workflow, trusts):
    engines('e1')
    checkpoint_id = _checkpoint()
    db_api.checkpoint_update(ADMIN(), checkpoint_id, {'status': 'error'})
    client.protect(_ctx(), checkpoint_id)
    client.delete_checkpoint(_ctx(), 'no-such-checkpoint')
    assert client.ping(_ctx(), timeout=5)  # casts were handled before
    time.sleep(0.2)
    assert workflow.calls == []


@pytest.fixture
def swift_of_runs(monkeypatch):
    """The Swift a takeover looks into: containers and their completeness."""
    from dragon.checkpoint import store
    from dragon.engine import takeover
    from dragon.protection import workflow
    containers = {}
    cleaned = []
    monkeypatch.setattr(takeover.Takeover, '_swift', lambda self, row: 'sw')
    monkeypatch.setattr(store, 'container_metadata',
                        lambda swift, name: containers.get(name))
    monkeypatch.setattr(store, 'read_manifest', lambda swift, name: {
        'stats': {'stored_bytes': 7}})
    monkeypatch.setattr(workflow, 'cleanup_orphan',
                        lambda conf, checkpoint_id: cleaned.append(
                            checkpoint_id))
    return containers, cleaned


def test_start_takes_over_the_checkpoints_this_host_had(
        rpc_conf, db, engines, workflow, trusts, swift_of_runs):
    containers, cleaned = swift_of_runs
    rpc_conf.set_override('max_concurrent_runs', 1, group='engine')
    # The requeued run is admitted by the scheduler loop's next poll.
    rpc_conf.set_override('poll_interval', 1, group='scheduler')
    workflow.gate.clear()
    mine = _checkpoint(status='protecting')
    db_api.checkpoint_claim(ADMIN(), mine, 'e1')
    dead_claim = db_api.checkpoint_get(ADMIN(), mine).claim
    other = _checkpoint(status='protecting')
    db_api.checkpoint_claim(ADMIN(), other, 'e2')
    db_api.engine_service_heartbeat(ADMIN(), 'e2', 'dragon-engine', '1')
    engines('e1')
    # Requeued (then admitted again by e1 itself), its leftovers removed.
    assert cleaned == [mine]
    events = [e.message for e in
              db_api.checkpoint_event_get_all(ADMIN(), mine)]
    assert any('the engine running it (host e1) stopped; taken over' in m
               and 'takeover 1 of 3' in m for m in events), events
    assert _wait(lambda: workflow.running == 1)
    checkpoint = db_api.checkpoint_get(ADMIN(), mine)
    assert (checkpoint.status, checkpoint.host) == ('protecting', 'e1')
    assert checkpoint.stats == {'takeovers': 1}
    assert checkpoint.claim != dead_claim
    # The dead run's late writes are refused.
    with pytest.raises(exception.RunTakenOver):
        db_api.checkpoint_update(ADMIN(), mine, {'status': 'available'},
                                 expected_claim=dead_claim)
    # Its trust serves the new run; the other engine's run is untouched.
    assert trusts == []
    assert checkpoint.trust_id == 't1'
    assert _status(other) == 'protecting'
    workflow.gate.set()
    assert _wait(lambda: _status(mine) == 'available')


def test_a_complete_container_is_reconciled_not_run_again(
        rpc_conf, db, engines, workflow, trusts, swift_of_runs):
    containers, cleaned = swift_of_runs
    mine = _checkpoint(status='protecting')
    db_api.checkpoint_claim(ADMIN(), mine, 'e1')
    db_api.checkpoint_update(ADMIN(), mine, {'container': 'dragon_p1_x'})
    containers['dragon_p1_x'] = {store_complete(): 'true'}
    engines('e1')
    checkpoint = db_api.checkpoint_get(ADMIN(), mine)
    assert checkpoint.status == 'available'
    assert checkpoint.stats == {'stored_bytes': 7}
    assert cleaned == [] and workflow.calls == []
    assert 'reconciled from Swift' in db_api.checkpoint_event_get_all(
        ADMIN(), mine)[-1].message


def store_complete():
    from dragon.checkpoint import store
    return store.COMPLETE


def test_a_protection_that_keeps_killing_engines_gives_up(
        rpc_conf, db, engines, workflow, trusts, swift_of_runs):
    mine = _checkpoint(status='protecting')
    db_api.checkpoint_claim(ADMIN(), mine, 'e1')
    db_api.checkpoint_update(ADMIN(), mine, {'stats': {'takeovers': 3}})
    engines('e1')
    checkpoint = db_api.checkpoint_get(ADMIN(), mine)
    assert checkpoint.status == 'error'
    assert 'stopped 4 times' in checkpoint.error


def test_the_operator_sets_how_often_a_protection_is_taken_over(
        rpc_conf, db, engines, workflow, trusts, swift_of_runs):
    rpc_conf.set_override('max_takeovers', 0, group='engine')
    mine = _checkpoint(status='protecting')
    db_api.checkpoint_claim(ADMIN(), mine, 'e1')
    engines('e1')
    checkpoint = db_api.checkpoint_get(ADMIN(), mine)
    assert checkpoint.status == 'error'
    assert 'stopped 1 times' in checkpoint.error


def test_periodic_check_takes_over_checkpoints_of_dead_engines(
        rpc_conf, db, engines, workflow, trusts, swift_of_runs):
    rpc_conf.set_override('orphan_check_interval', 1, group='engine')
    rpc_conf.set_override('service_down_time', 5, group='engine')
    rpc_conf.set_override('poll_interval', 1, group='scheduler')
    db_api.engine_service_heartbeat(ADMIN(), 'dead', 'dragon-engine', '1')
    with db_api.main_context_manager.writer.using(ADMIN()) as session:
        session.execute(db_api.sa.update(db_api.models.EngineService)
                        .values(updated_at=datetime.datetime(2020, 1, 1)))
    checkpoint_id = _checkpoint(status='protecting')
    db_api.checkpoint_claim(ADMIN(), checkpoint_id, 'dead')
    engines('e1')
    assert _wait(lambda: _status(checkpoint_id) == 'available')
    assert workflow.calls[0][:3] == ('run', checkpoint_id, 'e1')
    assert any('host dead' in e.message for e in
               db_api.checkpoint_event_get_all(ADMIN(), checkpoint_id))


def test_a_full_engine_leaves_protections_queued_for_its_peers(
        rpc_conf, db, fake_transport, client, workflow, trusts):
    rpc_conf.set_override('max_concurrent_runs', 1, group='engine')
    rpc_conf.set_override('host', 'e1', group='engine')
    engine = service.EngineService(rpc_conf, transport=fake_transport)
    engine.start()
    workflow.gate.clear()
    running, queued = _checkpoint(), _checkpoint()
    client.protect(_ctx(), running)
    assert _wait(lambda: workflow.running == 1)
    client.protect(_ctx(), queued)
    assert client.ping(_ctx(), timeout=5)  # the cast was handled
    assert db_api.checkpoint_get(ADMIN(), queued).host is None
    assert db_api.checkpoint_queue(ADMIN()) == [queued]
    engine._manager.closed = True  # as stop() does first
    threading.Timer(0.5, workflow.gate.set).start()
    engine.stop()
    assert _status(running) == 'available'
    # Not failed with the engine: still queued, for the next engine.
    assert _status(queued) == 'queued'
    assert db_api.checkpoint_get(ADMIN(), queued).host is None


class _RecordingClient:

    def __init__(self):
        self.prepared = []

    def prepare(self, **kwargs):
        self.prepared.append(kwargs)
        return self

    def cast(self, context, method, **kwargs):
        self.prepared[-1]['cast'] = (method, kwargs)


def test_rpc_methods_name_the_version_that_introduced_them(rpc_conf,
                                                           fake_transport):
    client = rpcapi.EngineAPI(rpc_conf, transport=fake_transport)
    client._client = _RecordingClient()
    client.protect(_ctx(), 'c1')
    client.delete_checkpoint(_ctx(), 'c2')
    first, second = client._client.prepared
    assert first['version'] == '1.1'
    assert first['cast'] == ('protect', {'checkpoint_id': 'c1'})
    assert second['version'] == '1.2'
    assert second['cast'] == ('delete_checkpoint', {'checkpoint_id': 'c2'})
    assert rpcapi.RPC_API_VERSION >= '1.2'
