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

"""misfire_grace counts on top of the engines' look interval."""

import datetime

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon.scheduling import scheduler as scheduler_mod
from dragon import statuses

TICK = datetime.datetime(2026, 12, 3, 12, 0)


@pytest.fixture
def ctx(db):
    return context.get_admin_context()


def _schedule(ctx, grace):
    # No members: a tick that runs ends "skipped: no members", so the test
    # tells a tick that ran from one that was missed without an engine.
    policy = db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'name': 'app',
        'options': {}})
    return db_api.schedule_create(ctx, {
        'policy_id': policy.id, 'project_id': 'p1', 'user_id': 'u1',
        'cron': '0 * * * *', 'timezone': 'UTC', 'enabled': True,
        'jitter': 0, 'misfire_grace': grace, 'status': 'active',
        'trust_id': 'trust-s', 'run_count': 0, 'skipped_count': 0,
        'missed_count': 0, 'next_tick_at': TICK})


@pytest.fixture
def scheduler(conf, monkeypatch):
    monkeypatch.setattr(scheduler_mod, 'check_trust', lambda *a: None)
    conf.set_override('poll_interval', 10, group='scheduler')
    return scheduler_mod.Scheduler(conf, 'e1')


@pytest.mark.parametrize('late', [0, 5, 10])
def test_grace_zero_still_runs_a_tick_found_within_the_look_interval(
        ctx, scheduler, late):
    schedule = _schedule(ctx, grace=0)
    outcome = scheduler.fire(ctx, schedule,
                             TICK + datetime.timedelta(seconds=late))
    assert outcome.result == statuses.Tick.SKIPPED
    assert 'no members' in outcome.detail


def test_grace_zero_misses_a_tick_later_than_the_look_interval(
        ctx, scheduler):
    schedule = _schedule(ctx, grace=0)
    outcome = scheduler.fire(ctx, schedule,
                             TICK + datetime.timedelta(seconds=11))
    assert outcome.result == statuses.Tick.MISSED
    assert 'more than 10 s (misfire_grace 0 s + poll_interval)' in \
        outcome.detail
    assert db_api.schedule_get(ctx, schedule.id).missed_count == 1


def test_grace_is_added_to_the_look_interval(ctx, scheduler):
    schedule = _schedule(ctx, grace=60)
    ran = scheduler.fire(ctx, schedule, TICK + datetime.timedelta(seconds=70))
    assert ran.result == statuses.Tick.SKIPPED
