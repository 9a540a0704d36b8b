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

"""Schedules in the database: the tick compare-and-swap, firing, admission caps."""

import datetime
import threading

import pytest

from dragon import context
from dragon.db import api as db_api

T0 = datetime.datetime(2026, 12, 3, 10, 0)


@pytest.fixture
def ctx():
    return context.get_admin_context()


def _policy(ctx, project='p1', name='app'):
    return db_api.workload_policy_create(ctx, {
        'project_id': project, 'user_id': 'u1', 'name': name,
        'options': {}})


def _schedule(ctx, policy, **values):
    return db_api.schedule_create(ctx, {
        'policy_id': policy.id, 'project_id': policy.project_id,
        'user_id': 'u1', 'cron': '* * * * *', 'timezone': 'UTC',
        'enabled': True, 'jitter': 0, 'misfire_grace': 60,
        'status': 'active', 'trust_id': 'trust-s', 'run_count': 0,
        'skipped_count': 0, 'missed_count': 0, 'next_tick_at': T0,
        'next_run_at': T0, **values})


def _fire(ctx, schedule, policy, tick=T0):
    return db_api.schedule_fire(
        ctx, schedule.id, tick,
        {'next_tick_at': tick + datetime.timedelta(minutes=1),
         'next_run_at': tick + datetime.timedelta(minutes=1),
         'last_tick_at': tick, 'last_run_at': tick},
        {'project_id': policy.project_id, 'user_id': 'u1',
         'policy_id': policy.id, 'policy_name': policy.name,
         'trust_id': 'trust-s', 'schedule_id': schedule.id,
         'trigger': 'schedule'}, 'started by schedule')


def test_due_lists_only_enabled_healthy_schedules_whose_time_came(db, ctx):
    policy = _policy(ctx)
    due = _schedule(ctx, policy)
    _schedule(ctx, policy, enabled=False)
    _schedule(ctx, policy, status='error')
    _schedule(ctx, policy, next_tick_at=T0 + datetime.timedelta(hours=1),
              next_run_at=T0 + datetime.timedelta(hours=1))
    assert [s.id for s in db_api.schedule_get_due(ctx, T0)] == [due.id]
    assert db_api.schedule_get_due(ctx, T0 - datetime.timedelta(
        seconds=1)) == []


def test_a_tick_fires_once_however_many_engines_race(db, ctx):
    policy = _policy(ctx)
    schedule = _schedule(ctx, policy)
    results, barrier = [], threading.Barrier(4)

    def engine():
        barrier.wait()
        results.append(_fire(ctx, schedule, policy))

    threads = [threading.Thread(target=engine) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = [r for r in results if r is not None]
    assert len(started) == 1
    assert started[0][0] == 'started'
    checkpoint = started[0][1]
    assert checkpoint.status == 'queued'
    assert checkpoint.trigger == 'schedule'
    assert checkpoint.schedule_id == schedule.id
    row = db_api.schedule_get(ctx, schedule.id)
    assert row.run_count == 1
    assert row.last_result == 'started'
    assert row.last_checkpoint_id == checkpoint.id
    assert row.next_tick_at == T0 + datetime.timedelta(minutes=1)
    assert len(db_api.checkpoint_get_all(ctx, policy_id=policy.id)) == 1


def test_a_tick_while_the_previous_run_is_active_is_skipped(db, ctx):
    policy = _policy(ctx)
    schedule = _schedule(ctx, policy)
    result, first = _fire(ctx, schedule, policy)
    assert result == 'started'
    second_tick = T0 + datetime.timedelta(minutes=1)
    result, reason = _fire(ctx, db_api.schedule_get(ctx, schedule.id),
                           policy, second_tick)
    assert result == 'skipped'
    assert first.id in reason and 'still queued or protecting' in reason
    row = db_api.schedule_get(ctx, schedule.id)
    assert (row.run_count, row.skipped_count) == (1, 1)
    assert row.last_result == 'skipped'
    assert row.next_tick_at == second_tick + datetime.timedelta(minutes=1)
    assert len(db_api.checkpoint_get_all(ctx, policy_id=policy.id)) == 1


def test_a_moved_tick_is_not_fired_again(db, ctx):
    policy = _policy(ctx)
    schedule = _schedule(ctx, policy)
    assert db_api.schedule_advance(ctx, schedule.id, T0, {
        'next_tick_at': T0 + datetime.timedelta(minutes=1)})
    assert _fire(ctx, schedule, policy) is None
    assert not db_api.schedule_advance(ctx, schedule.id, T0, {})


def test_a_schedule_or_a_recovery_lends_its_trust(db, ctx):
    _schedule(ctx, _policy(ctx))
    db_api.recovery_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'mode': 'failback',
        'recovery_point': '', 'target_region': 'RegionOne',
        'trust_id': 'trust-fb'})
    assert db_api.trust_lent(ctx, 'trust-s')
    # A failback's final checkpoint borrows its recovery's.
    assert db_api.trust_lent(ctx, 'trust-fb')
    assert not db_api.trust_lent(ctx, 'trust-run')


def _queued(ctx, project='p1', name=None):
    policy = _policy(ctx, project, name or 'app-%s' % id(object()))
    return db_api.checkpoint_create(ctx, {
        'project_id': project, 'user_id': 'u1', 'policy_id': policy.id,
        'policy_name': policy.name})


def test_protections_queue_and_are_admitted_first_come_first_served(
        db, ctx):
    first, second, third = (_queued(ctx, name='a'), _queued(ctx, name='b'),
                            _queued(ctx, name='c'))
    assert first.status == 'queued'
    assert db_api.checkpoint_queue(ctx) == [first.id, second.id, third.id]
    assert db_api.checkpoint_admit(ctx, 'e1', slots=2) == [first.id,
                                                           second.id]
    row = db_api.checkpoint_get(ctx, first.id)
    assert (row.status, row.host) == ('protecting', 'e1')
    assert row.started_at is not None
    assert db_api.checkpoint_queue(ctx) == [third.id]
    assert db_api.checkpoint_admit(ctx, 'e2', slots=0) == []


def test_global_cap_keeps_the_rest_queued(db, ctx):
    ids = [_queued(ctx, name=n).id for n in 'abc']
    assert db_api.checkpoint_admit(ctx, 'e1', 5, max_running=2) == ids[:2]
    assert db_api.checkpoint_admit(ctx, 'e2', 5, max_running=2) == []
    db_api.checkpoint_update(ctx, ids[0], {'status': 'available'})
    assert db_api.checkpoint_admit(ctx, 'e2', 5, max_running=2) == ids[2:]


def test_project_cap_does_not_hold_back_other_projects(db, ctx):
    a1 = _queued(ctx, 'pa', 'a1').id
    a2 = _queued(ctx, 'pa', 'a2').id
    b1 = _queued(ctx, 'pb', 'b1').id
    assert db_api.checkpoint_admit(ctx, 'e1', 5,
                                   max_running_per_project=1) == [a1, b1]
    assert db_api.checkpoint_queue(ctx) == [a2]


def test_concurrent_admissions_never_exceed_the_global_cap(db, ctx):
    for n in range(6):
        _queued(ctx, name='p%d' % n)
    admitted, barrier = [], threading.Barrier(3)

    def engine(host):
        barrier.wait()
        admitted.extend(db_api.checkpoint_admit(ctx, host, 3,
                                                max_running=2))

    threads = [threading.Thread(target=engine, args=('e%d' % i,))
               for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 2
    assert len(set(admitted)) == 2


def test_rpo_state_moves_by_compare_and_swap(db, ctx):
    policy = _policy(ctx)
    assert db_api.workload_policy_set_rpo_state(ctx, policy.id, None,
                                                'missed')
    assert not db_api.workload_policy_set_rpo_state(ctx, policy.id, None,
                                                    'missed')
    assert db_api.workload_policy_set_rpo_state(ctx, policy.id, 'missed',
                                                'ok')
