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

"""verify_every_days: the scheduler starts a read-back of the newest checkpoint, once."""

import datetime

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon.scheduling import scheduler as scheduler_mod

NOW = datetime.datetime(2026, 12, 3, 12, 0)


@pytest.fixture
def ctx(db):
    return context.get_admin_context()


def _policy(ctx, days=7, trust='trust-s', enabled=True):
    policy = db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'name': 'app-%s' % days,
        'options': {'verify_every_days': days}})
    db_api.schedule_create(ctx, {
        'policy_id': policy.id, 'project_id': 'p1', 'user_id': 'u1',
        'cron': '0 * * * *', 'timezone': 'UTC', 'enabled': enabled,
        'jitter': 0, 'misfire_grace': 60, 'status': 'active',
        'trust_id': trust, 'run_count': 0, 'skipped_count': 0,
        'missed_count': 0})
    return policy


def _available(ctx, policy, minutes_ago, verification=None):
    checkpoint = db_api.checkpoint_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'policy_id': policy.id,
        'policy_name': policy.name, 'status': 'available',
        'container': 'c-%d' % minutes_ago,
        'captured_at': NOW - datetime.timedelta(minutes=minutes_ago),
        'verification': verification})
    return checkpoint.id


def _verified(days_ago):
    when = NOW - datetime.timedelta(days=days_ago)
    return {'id': 'v-old', 'status': 'ok',
            'started_at': when.isoformat() + 'Z'}


def _scheduler(conf):
    return scheduler_mod.Scheduler(conf, 'e1')


def test_the_newest_checkpoint_is_read_back_with_the_schedule_trust(
        ctx, conf):
    policy = _policy(ctx)
    _available(ctx, policy, 120, _verified(8))
    newest = _available(ctx, policy, 60)
    jobs = []
    started = _scheduler(conf).check_verifications(
        lambda *job: jobs.append(job), NOW)
    assert started == [newest]
    (checkpoint_id, verification_id, read_data, trust_id, keep), = jobs
    assert (checkpoint_id, read_data, trust_id, keep) == (
        newest, True, 'trust-s', True)
    row = db_api.checkpoint_get(ctx, newest)
    assert row.verification['id'] == verification_id
    assert row.verification['status'] == 'running'
    assert 'scheduled verification' in db_api.checkpoint_event_get_all(
        ctx, newest)[-1].message
    # Running now: a second engine (or the next poll) starts nothing.
    assert _scheduler(conf).check_verifications(
        lambda *job: jobs.append(job), NOW) == []
    assert len(jobs) == 1


def test_a_recent_verification_of_any_checkpoint_is_enough(ctx, conf):
    policy = _policy(ctx)
    _available(ctx, policy, 120, _verified(2))
    _available(ctx, policy, 60)
    assert _scheduler(conf).check_verifications(lambda *j: None, NOW) == []


def test_without_an_enabled_schedule_nothing_starts(ctx, conf):
    policy = _policy(ctx, enabled=False)
    _available(ctx, policy, 60)
    assert _scheduler(conf).check_verifications(lambda *j: None, NOW) == []


def test_two_engines_start_one_verification(ctx, conf):
    policy = _policy(ctx)
    newest = _available(ctx, policy, 60)
    checkpoint = db_api.checkpoint_get(ctx, newest)
    assert db_api.checkpoint_claim_verification(ctx, newest, None,
                                                {'id': 'a'})
    assert not db_api.checkpoint_claim_verification(
        ctx, newest, (checkpoint.verification or {}).get('id'), {'id': 'b'})
    assert db_api.checkpoint_get(ctx, newest).verification == {'id': 'a'}
