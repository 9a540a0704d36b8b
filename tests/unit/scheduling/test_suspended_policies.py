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

"""A suspended policy's ticks are skipped; its schedules and trusts kept."""

import pytest

from dragon.db import api as db_api
from dragon import statuses
from tests.unit.scheduling.test_misfire_grace import _schedule
from tests.unit.scheduling.test_misfire_grace import ctx  # noqa: F401
from tests.unit.scheduling.test_misfire_grace import scheduler  # noqa: F401
from tests.unit.scheduling.test_misfire_grace import TICK


@pytest.mark.parametrize('status', ['suspended', 'active'])
def test_a_suspended_policy_skips_its_ticks(ctx, scheduler,  # noqa: F811
                                            status):
    schedule = _schedule(ctx, grace=60)
    db_api.workload_policy_update(ctx, schedule.policy_id,
                                  {'status': status})

    outcome = scheduler.fire(ctx, schedule, TICK)

    assert outcome.result == statuses.Tick.SKIPPED
    row = db_api.schedule_get(ctx, schedule.id)
    if status == 'suspended':
        assert 'the policy is suspended' in outcome.detail
        assert row.skipped_count == 1
        # Kept as it was: enabled, with its trust, ticking on.
        assert (row.enabled, row.trust_id, row.status) == (
            True, 'trust-s', 'active')
        assert row.next_tick_at > TICK
    else:
        assert 'no members' in outcome.detail
