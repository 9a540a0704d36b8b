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

"""A schedule protects an encrypted policy like any other (the run encrypts)."""

import datetime

from dragon.db import api as db_api
from dragon import statuses
from tests.unit.scheduling.test_misfire_grace import ctx  # noqa: F401
from tests.unit.scheduling.test_misfire_grace import scheduler  # noqa: F401
from tests.unit.scheduling.test_misfire_grace import TICK


def test_a_tick_of_an_encrypted_policy_starts_its_protection(
        ctx, scheduler):  # noqa: F811
    policy = db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'name': 'enc', 'options': {},
        'encryption': {'key_ref': 'k1', 'recovery_key_refs': {}},
        'members': [{'resource_type': 'volume', 'resource_id': 'v1',
                     'resource_name': 'v1', 'action': 'cinder_backup',
                     'options': {}, 'exclusive_resource_id': None}]})
    schedule = db_api.schedule_create(ctx, {
        'policy_id': policy.id, 'project_id': 'p1', 'user_id': 'u1',
        'cron': '0 * * * *', 'timezone': 'UTC', 'enabled': True,
        'jitter': 0, 'misfire_grace': 0, 'status': 'active',
        'trust_id': 'trust-s', 'run_count': 0, 'skipped_count': 0,
        'missed_count': 0, 'next_tick_at': TICK})
    outcome = scheduler.fire(ctx, schedule,
                             TICK + datetime.timedelta(seconds=1))
    assert outcome.result == statuses.Tick.STARTED, outcome.detail
    assert len(db_api.checkpoint_get_all(ctx, policy_id=policy.id)) == 1
    assert db_api.schedule_get(ctx, schedule.id).skipped_count == 0
