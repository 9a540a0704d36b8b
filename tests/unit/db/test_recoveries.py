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

"""The recovery index: creation, paging, claims, orphans, events, last drill."""

import datetime

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon import exception

CONTAINER = 'dragon_p1_app_20261123T120000Z'


@pytest.fixture
def ctx(db):
    return context.get_admin_context()


def _create(ctx, project='p1', **values):
    return db_api.recovery_create(ctx, {
        'project_id': project, 'user_id': 'u1', 'mode': 'failover',
        'recovery_point': CONTAINER, 'target_region': 'RegionTwo',
        **values})


def test_create_starts_recovering_with_empty_results(ctx):
    recovery = _create(ctx, trust_id='t1', mappings={'name_prefix': 'b-'},
                       resources=['srv-1'], timeout=600, mode='drill')
    found = db_api.recovery_get(ctx, recovery.id)
    assert found.status == 'recovering' and found.mode == 'drill'
    assert found.mappings == {'name_prefix': 'b-'}
    assert found.resources == ['srv-1'] and found.timeout == 600
    assert found.restored == {} and found.resource_status == []
    assert found.torn_down is False and found.host is None
    assert (found.bytes_done, found.bytes_total) == (0, 0)
    assert found.checkpoint_id is None and found.policy_id is None
    assert found.trust_id == 't1' and found.rto_seconds is None


def test_workflow_updates_are_stored(ctx):
    """The keys the recovery workflow writes, with their JSON shapes."""
    recovery = _create(ctx)
    now = datetime.datetime(2026, 11, 23, 12, 0, 0, 123456)
    db_api.recovery_update(ctx, recovery.id, {
        'resource_status': [{'key': 'server_web', 'status': 'done'}],
        'bytes_done': 5, 'bytes_total': 10, 'started_at': now,
        'finished_at': now, 'status': 'succeeded', 'error': None,
        'rto_seconds': 12.644565888, 'torn_down': True, 'stack_id': 's1',
        'stack_name': 'app-x', 'stack_status': 'CREATE_COMPLETE',
        'restored': {'server_web': {'image_id': 'img-1'}},
        'policy_id': 'pol-1', 'policy_name': 'app'})
    found = db_api.recovery_get(ctx, recovery.id)
    assert found.resource_status[0]['status'] == 'done'
    assert found.restored == {'server_web': {'image_id': 'img-1'}}
    assert found.rto_seconds == 12.644565888 and found.torn_down is True
    assert found.started_at == now and found.status == 'succeeded'
    assert (found.policy_id, found.policy_name) == ('pol-1', 'app')


def test_get_of_another_project_is_not_found(ctx):
    recovery = _create(ctx)
    assert db_api.recovery_get(ctx, recovery.id, project_id='p1')
    with pytest.raises(exception.RecoveryNotFound) as raised:
        db_api.recovery_get(ctx, recovery.id, project_id='p2')
    assert raised.value.code == 404
    with pytest.raises(exception.RecoveryNotFound):
        db_api.recovery_get(ctx, 'nope')
    with pytest.raises(exception.RecoveryNotFound):
        db_api.recovery_update(ctx, 'nope', {'status': 'error'})


def test_get_all_filters_sorts_newest_first_and_pages(ctx):
    ids = []
    for status in ('succeeded', 'error', 'succeeded'):
        recovery = _create(ctx)
        db_api.recovery_update(ctx, recovery.id, {'status': status})
        ids.append(recovery.id)
    _create(ctx, project='p2')
    assert [r.id for r in db_api.recovery_get_all(ctx, project_id='p1')] \
        == ids[::-1]
    assert len(db_api.recovery_get_all(ctx)) == 4
    assert [r.id for r in db_api.recovery_get_all(
        ctx, project_id='p1', status='succeeded')] == [ids[2], ids[0]]
    page = db_api.recovery_get_all(ctx, project_id='p1', limit=2)
    assert [r.id for r in page] == [ids[2], ids[1]]
    rest = db_api.recovery_get_all(ctx, project_id='p1', limit=2,
                                   marker=page[-1].id)
    assert [r.id for r in rest] == [ids[0]]
    assert [r.id for r in db_api.recovery_get_all(
        ctx, project_id='p1', sort_dir='asc')] == ids
    with pytest.raises(exception.InvalidMarker):
        db_api.recovery_get_all(ctx, project_id='p2', marker=ids[0])
    with pytest.raises(exception.Invalid):
        db_api.recovery_get_all(ctx, sort_key='status')


def test_update_with_expected_status_refuses_others(ctx):
    recovery = _create(ctx)
    with pytest.raises(exception.RecoveryBusy) as raised:
        db_api.recovery_update(ctx, recovery.id, {'status': 'deleting'},
                               expected_status=('succeeded', 'error'))
    assert raised.value.code == 409
    db_api.recovery_update(ctx, recovery.id, {'status': 'error'})
    assert db_api.recovery_update(
        ctx, recovery.id, {'status': 'deleting'},
        expected_status=('succeeded', 'error')).status == 'deleting'


def test_claim_succeeds_once_and_needs_the_status(ctx):
    recovery = _create(ctx)
    assert db_api.recovery_claim(ctx, recovery.id, 'e1')
    assert not db_api.recovery_claim(ctx, recovery.id, 'e2')
    found = db_api.recovery_get(ctx, recovery.id)
    assert found.host == 'e1' and found.started_at is not None
    assert not db_api.recovery_claim(ctx, 'missing', 'e1')
    db_api.recovery_update(ctx, recovery.id,
                           {'status': 'deleting', 'host': None})
    assert not db_api.recovery_claim(ctx, recovery.id, 'e1')
    assert db_api.recovery_claim(ctx, recovery.id, 'e1', status='deleting')


def test_fail_orphans_of_a_restarting_host(ctx):
    mine, theirs, deleting = _create(ctx), _create(ctx), _create(ctx)
    db_api.recovery_claim(ctx, mine.id, 'e1')
    db_api.recovery_claim(ctx, theirs.id, 'e2')
    db_api.recovery_update(ctx, deleting.id, {'status': 'deleting'})
    db_api.recovery_claim(ctx, deleting.id, 'e1', status='deleting')
    assert sorted(db_api.recovery_fail_orphans(ctx, host='e1')) == sorted(
        [mine.id, deleting.id])
    failed = db_api.recovery_get(ctx, mine.id)
    assert failed.status == 'error' and failed.finished_at
    assert failed.error == 'the engine running it stopped (host e1)'
    assert 'delete it again' in db_api.recovery_get(ctx, deleting.id).error
    assert db_api.recovery_get(ctx, theirs.id).status == 'recovering'
    events = db_api.recovery_event_get_all(ctx, mine.id)
    assert [(e.level, e.message) for e in events] == [
        ('error', 'the engine running it stopped (host e1)')]


def test_fail_orphans_of_dead_engines_and_unclaimed_ones(ctx):
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    db_api.engine_service_heartbeat(ctx, 'alive', 'dragon-engine', '1')
    on_alive, on_dead, fresh, stale = (_create(ctx) for _ in range(4))
    db_api.recovery_claim(ctx, on_alive.id, 'alive')
    db_api.recovery_claim(ctx, on_dead.id, 'dead')
    with db_api.main_context_manager.writer.using(ctx) as session:
        session.execute(db_api.sa.update(db_api.models.Recovery)
                        .where(db_api.models.Recovery.id == stale.id)
                        .values(created_at=now - datetime.timedelta(hours=1),
                                updated_at=None))
    dead_before = now - datetime.timedelta(minutes=1)
    failed = db_api.recovery_fail_orphans(ctx, dead_before=dead_before)
    assert sorted(failed) == sorted([on_dead.id, stale.id])
    assert db_api.recovery_get(ctx, on_alive.id).status == 'recovering'
    assert db_api.recovery_get(ctx, fresh.id).status == 'recovering'
    assert 'no engine' in db_api.recovery_get(ctx, stale.id).error
    assert db_api.recovery_fail_orphans(ctx) == []


def test_events_in_order_and_deleted_with_the_recovery(ctx):
    recovery = _create(ctx)
    db_api.recovery_event_add(ctx, recovery.id, 'info', 'started')
    db_api.recovery_event_add(ctx, recovery.id, 'warning', 'slow',
                              resource='server_web_1a2b3c4d')
    events = db_api.recovery_event_get_all(ctx, recovery.id)
    assert [(e.level, e.resource, e.message) for e in events] == [
        ('info', None, 'started'),
        ('warning', 'server_web_1a2b3c4d', 'slow')]
    db_api.recovery_delete(ctx, recovery.id)
    assert db_api.recovery_event_get_all(ctx, recovery.id) == []
    with pytest.raises(exception.RecoveryNotFound):
        db_api.recovery_get(ctx, recovery.id)
    with pytest.raises(exception.RecoveryNotFound):
        db_api.recovery_delete(ctx, recovery.id)


def test_last_drill_is_kept_on_a_live_policy(ctx):
    policy = db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'name': 'app', 'options': {}})
    assert db_api.workload_policy_get(ctx, policy.id).last_drill is None
    drill = {'recovery_id': 'r1', 'at': '2026-11-23T12:00:00Z',
             'rto_seconds': 42.0, 'status': 'succeeded'}
    db_api.workload_policy_set_last_drill(ctx, policy.id, drill)
    assert db_api.workload_policy_get(ctx, policy.id).last_drill == drill
    with pytest.raises(exception.PolicyNotFound):
        db_api.workload_policy_set_last_drill(ctx, 'elsewhere', drill)
    db_api.workload_policy_delete(ctx, policy.id)
    with pytest.raises(exception.PolicyNotFound):
        db_api.workload_policy_set_last_drill(ctx, policy.id, drill)
