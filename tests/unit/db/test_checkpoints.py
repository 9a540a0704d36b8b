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

"""The checkpoint index: one protect at a time, claims, orphans, events."""

import datetime
import threading

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon import exception


@pytest.fixture
def ctx():
    return context.get_admin_context()


@pytest.fixture
def policy(db, ctx):
    return db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'name': 'app', 'options': {}})


def _create(ctx, policy, **values):
    """A checkpoint as an engine runs it: admitted from the queue."""
    return db_api.checkpoint_create(ctx, {
        'project_id': policy.project_id, 'user_id': 'u1',
        'policy_id': policy.id, 'policy_name': policy.name,
        'status': 'protecting', **values})


def _age(ctx, checkpoint_id, **times):
    with db_api.main_context_manager.writer.using(ctx) as session:
        session.execute(db_api.sa.update(db_api.models.Checkpoint)
                        .where(db_api.models.Checkpoint.id == checkpoint_id)
                        .values(**times))


def test_create_starts_queued_with_empty_progress(ctx, policy):
    checkpoint = db_api.checkpoint_create(ctx, {
        'project_id': policy.project_id, 'user_id': 'u1',
        'policy_id': policy.id, 'policy_name': policy.name,
        'trust_id': 't1'})
    found = db_api.checkpoint_get(ctx, checkpoint.id)
    assert found.status == 'queued'
    assert found.active_policy_id == policy.id
    assert (found.bytes_done, found.bytes_total) == (0, 0)
    assert found.resources == [] and found.stats == {}
    assert found.host is None and found.trust_id == 't1'


def test_second_protect_of_a_policy_is_refused_while_one_runs(ctx, policy):
    first = _create(ctx, policy, status='queued')
    with pytest.raises(exception.ProtectionInProgress) as raised:
        _create(ctx, policy)
    db_api.checkpoint_update(ctx, first.id, {'status': 'protecting'})
    assert db_api.checkpoint_get(ctx, first.id).active_policy_id == policy.id
    with pytest.raises(exception.ProtectionInProgress):
        _create(ctx, policy, status='queued')
    assert raised.value.code == 409
    db_api.checkpoint_update(ctx, first.id, {'status': 'available'})
    assert db_api.checkpoint_get(ctx, first.id).active_policy_id is None
    second = _create(ctx, policy)
    assert second.status == 'protecting'


def test_unique_constraint_refuses_a_racing_protect(ctx, policy):
    """Past the pre-check, the unique constraint still says 409."""
    _create(ctx, policy)
    with pytest.raises(exception.ProtectionInProgress):
        db_api.checkpoint_create(ctx, {
            'project_id': 'p1', 'policy_id': policy.id, 'policy_name': 'x',
            'status': 'available', 'active_policy_id': policy.id})


def test_concurrent_protects_create_exactly_one(ctx, policy):
    results = []

    def protect():
        try:
            results.append(_create(context.get_admin_context(), policy).id)
        except exception.ProtectionInProgress:
            results.append(None)

    threads = [threading.Thread(target=protect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([r for r in results if r]) == 1
    assert len(db_api.checkpoint_get_all(ctx, policy_id=policy.id)) == 1


def test_get_of_another_project_is_not_found(ctx, policy):
    checkpoint = _create(ctx, policy)
    assert db_api.checkpoint_get(ctx, checkpoint.id, project_id='p1')
    with pytest.raises(exception.CheckpointNotFound):
        db_api.checkpoint_get(ctx, checkpoint.id, project_id='p2')
    with pytest.raises(exception.CheckpointNotFound):
        db_api.checkpoint_get(ctx, 'nope')


def test_get_all_filters_sorts_newest_first_and_pages(ctx, policy):
    ids = []
    for status in ('available', 'error', 'available'):
        checkpoint = _create(ctx, policy)
        db_api.checkpoint_update(ctx, checkpoint.id, {'status': status})
        ids.append(checkpoint.id)
    other = db_api.workload_policy_create(ctx, {
        'project_id': 'p2', 'name': 'other', 'options': {}})
    _create(ctx, other)
    assert [c.id for c in db_api.checkpoint_get_all(ctx, project_id='p1')] \
        == ids[::-1]
    assert len(db_api.checkpoint_get_all(ctx)) == 4
    assert [c.id for c in db_api.checkpoint_get_all(
        ctx, project_id='p1', status='available')] == [ids[2], ids[0]]
    page = db_api.checkpoint_get_all(ctx, project_id='p1', limit=2)
    assert [c.id for c in page] == [ids[2], ids[1]]
    rest = db_api.checkpoint_get_all(ctx, project_id='p1', limit=2,
                                     marker=page[-1].id)
    assert [c.id for c in rest] == [ids[0]]
    assert [c.id for c in db_api.checkpoint_get_all(
        ctx, policy_id=policy.id, sort_dir='asc')] == ids
    with pytest.raises(exception.InvalidMarker):
        db_api.checkpoint_get_all(ctx, project_id='p2', marker=ids[0])
    with pytest.raises(exception.Invalid):
        db_api.checkpoint_get_all(ctx, sort_key='status')


def test_update_with_expected_status_refuses_others(ctx, policy):
    checkpoint = _create(ctx, policy)
    with pytest.raises(exception.CheckpointBusy):
        db_api.checkpoint_update(ctx, checkpoint.id, {'status': 'deleting'},
                                 expected_status=('available', 'error'))
    db_api.checkpoint_update(ctx, checkpoint.id, {'status': 'error'})
    updated = db_api.checkpoint_update(
        ctx, checkpoint.id, {'status': 'deleting'},
        expected_status=('available', 'error'))
    assert updated.status == 'deleting'


def test_claim_succeeds_once(ctx, policy):
    checkpoint = _create(ctx, policy)
    assert db_api.checkpoint_claim(ctx, checkpoint.id, 'e1')
    assert not db_api.checkpoint_claim(ctx, checkpoint.id, 'e2')
    found = db_api.checkpoint_get(ctx, checkpoint.id)
    assert found.host == 'e1' and found.started_at is not None
    assert not db_api.checkpoint_claim(ctx, 'missing', 'e1')


def test_claim_needs_the_expected_status(ctx, policy):
    checkpoint = _create(ctx, policy)
    db_api.checkpoint_update(ctx, checkpoint.id, {'status': 'available'})
    assert not db_api.checkpoint_claim(ctx, checkpoint.id, 'e1')
    db_api.checkpoint_update(ctx, checkpoint.id,
                             {'status': 'deleting', 'host': None})
    assert db_api.checkpoint_claim(ctx, checkpoint.id, 'e1',
                                   status='deleting')


def test_fail_orphans_of_a_restarting_host(ctx, policy):
    mine = _create(ctx, policy)
    db_api.checkpoint_claim(ctx, mine.id, 'e1')
    other_policy = db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'name': 'b', 'options': {}})
    theirs = _create(ctx, other_policy)
    db_api.checkpoint_claim(ctx, theirs.id, 'e2')
    assert db_api.checkpoint_fail_orphans(ctx, host='e1') == [mine.id]
    failed = db_api.checkpoint_get(ctx, mine.id)
    assert failed.status == 'error'
    assert failed.error == 'the engine running it stopped (host e1)'
    assert failed.active_policy_id is None and failed.finished_at
    assert db_api.checkpoint_get(ctx, theirs.id).status == 'protecting'
    events = db_api.checkpoint_event_get_all(ctx, mine.id)
    assert [(e.level, e.message) for e in events] == [
        ('error', 'the engine running it stopped (host e1)')]
    # The policy may be protected again.
    _create(ctx, policy)


def test_fail_orphans_of_dead_engines_and_unclaimed_ones(ctx, policy):
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    policies = [policy] + [db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'name': n, 'options': {}}) for n in 'bcde']
    db_api.engine_service_heartbeat(ctx, 'alive', 'dragon-engine', '1')
    db_api.engine_service_heartbeat(ctx, 'dead', 'dragon-engine', '1')
    with db_api.main_context_manager.writer.using(ctx) as session:
        session.execute(db_api.sa.update(db_api.models.EngineService)
                        .where(db_api.models.EngineService.host == 'dead')
                        .values(updated_at=now - datetime.timedelta(hours=1)))
    on_alive, on_dead, on_unknown, fresh, stale = (
        _create(ctx, p) for p in policies)
    db_api.checkpoint_claim(ctx, on_alive.id, 'alive')
    db_api.checkpoint_claim(ctx, on_dead.id, 'dead')
    db_api.checkpoint_claim(ctx, on_unknown.id, 'never-beat')
    _age(ctx, stale.id, created_at=now - datetime.timedelta(hours=1),
         updated_at=None)
    dead_before = now - datetime.timedelta(minutes=1)
    failed = db_api.checkpoint_fail_orphans(ctx, dead_before=dead_before)
    assert sorted(failed) == sorted([on_dead.id, on_unknown.id, stale.id])
    assert db_api.checkpoint_get(ctx, on_alive.id).status == 'protecting'
    assert db_api.checkpoint_get(ctx, fresh.id).status == 'protecting'
    assert 'no engine' in db_api.checkpoint_get(ctx, stale.id).error
    assert db_api.checkpoint_fail_orphans(ctx, dead_before=dead_before) == []


def test_fail_orphans_without_criteria_does_nothing(ctx, policy):
    _create(ctx, policy)
    assert db_api.checkpoint_fail_orphans(ctx) == []


def test_events_in_order_and_deleted_with_the_checkpoint(ctx, policy):
    checkpoint = _create(ctx, policy)
    db_api.checkpoint_event_add(ctx, checkpoint.id, 'info', 'started')
    db_api.checkpoint_event_add(ctx, checkpoint.id, 'warning', 'slow',
                                resource='server_web_1a2b3c4d')
    events = db_api.checkpoint_event_get_all(ctx, checkpoint.id)
    assert [(e.level, e.resource, e.message) for e in events] == [
        ('info', None, 'started'),
        ('warning', 'server_web_1a2b3c4d', 'slow')]
    assert events[0].time <= events[1].time
    db_api.checkpoint_delete(ctx, checkpoint.id)
    assert db_api.checkpoint_event_get_all(ctx, checkpoint.id) == []
    with pytest.raises(exception.CheckpointNotFound):
        db_api.checkpoint_get(ctx, checkpoint.id)
    with pytest.raises(exception.CheckpointNotFound):
        db_api.checkpoint_delete(ctx, checkpoint.id)


def test_count_by_policy_survives_policy_delete(ctx, policy):
    assert db_api.checkpoint_count_by_policy(ctx, policy.id) == 0
    checkpoint = _create(ctx, policy)
    db_api.checkpoint_update(ctx, checkpoint.id, {'status': 'available'})
    _create(ctx, policy)
    assert db_api.checkpoint_count_by_policy(ctx, policy.id) == 2
    db_api.workload_policy_delete(ctx, policy.id)
    assert db_api.checkpoint_count_by_policy(ctx, policy.id) == 2
    assert db_api.checkpoint_get(ctx, checkpoint.id).policy_name == 'app'


def test_mark_deleting_takes_only_an_available_checkpoint_not_on_hold(
        ctx, policy):
    free = _create(ctx, policy, status='available')
    held = _create(ctx, policy, status='available', hold=True)
    failed = _create(ctx, policy, status='error')
    assert db_api.checkpoint_mark_deleting(ctx, free.id, host='e1')
    found = db_api.checkpoint_get(ctx, free.id)
    assert (found.status, found.host) == ('deleting', 'e1')
    # a second pass (or a second engine) gets nothing
    assert not db_api.checkpoint_mark_deleting(ctx, free.id, host='e2')
    assert not db_api.checkpoint_mark_deleting(ctx, held.id)
    assert not db_api.checkpoint_mark_deleting(ctx, failed.id)
    assert db_api.checkpoint_get(ctx, held.id).status == 'available'
    assert db_api.checkpoint_get(ctx, failed.id).status == 'error'
    assert not db_api.checkpoint_mark_deleting(ctx, 'nope')


def test_a_held_checkpoint_never_becomes_deleting(ctx, policy):
    checkpoint = _create(ctx, policy, status='available')
    db_api.checkpoint_update(ctx, checkpoint.id, {'hold': True})
    with pytest.raises(exception.CheckpointOnHold):
        db_api.checkpoint_update(ctx, checkpoint.id, {'status': 'deleting'},
                                 expected_status=('available', 'error'))
    assert db_api.checkpoint_get(ctx, checkpoint.id).status == 'available'


def _recovering(ctx, checkpoint, project=None):
    return db_api.recovery_create(ctx, {
        'project_id': project or checkpoint.project_id, 'user_id': 'u1',
        'mode': 'drill', 'recovery_point': checkpoint.container,
        'target_region': 'RegionTwo'})


def test_a_checkpoint_being_recovered_is_not_deleted_under_it(ctx, policy):
    checkpoint = _create(ctx, policy, status='available', container='c-1')
    recovery = _recovering(ctx, checkpoint)
    with pytest.raises(exception.CheckpointInRecovery) as refused:
        db_api.checkpoint_update(ctx, checkpoint.id, {'status': 'deleting'},
                                 expected_status=('available', 'error'))
    assert recovery.id in str(refused.value)
    assert refused.value.code == 409
    # Retention passes it by as well.
    assert not db_api.checkpoint_mark_deleting(ctx, checkpoint.id, host='e1')
    assert db_api.checkpoint_get(ctx, checkpoint.id).status == 'available'
    # Once the recovery has ended, both may delete it.
    db_api.recovery_update(ctx, recovery.id, {'status': 'succeeded'})
    assert db_api.checkpoint_mark_deleting(ctx, checkpoint.id, host='e1')


def test_another_projects_recovery_of_the_same_name_does_not_block(
        ctx, policy):
    checkpoint = _create(ctx, policy, status='available', container='c-2')
    _recovering(ctx, checkpoint, project='other')
    db_api.checkpoint_update(ctx, checkpoint.id, {'status': 'deleting'},
                             expected_status=('available',))
    assert db_api.checkpoint_get(ctx, checkpoint.id).status == 'deleting'


def test_no_recovery_starts_from_a_checkpoint_being_deleted(ctx, policy):
    checkpoint = _create(ctx, policy, status='available', container='c-3')
    db_api.checkpoint_update(ctx, checkpoint.id, {'status': 'deleting'})
    with pytest.raises(exception.CheckpointBusy) as refused:
        _recovering(ctx, checkpoint)
    assert 'deleting' in str(refused.value)
    assert db_api.recovery_get_all(ctx) == []
