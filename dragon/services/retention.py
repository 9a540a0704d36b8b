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

"""The retention preview: what a policy's retention would delete, and why."""

import dataclasses
import datetime
from typing import Any

from dragon.common import timeutils
from dragon.db import api as db_api
from dragon.db import models
from dragon.retention import rules


@dataclasses.dataclass
class Preview:
    """The rules, their time zone and each checkpoint with its verdict."""

    rules: dict[str, Any]
    timezone: str
    checkpoints: list[tuple[models.Checkpoint, rules.Verdict]]


def preview(context: Any, policy: models.WorkloadPolicy,
            now: datetime.datetime | None = None) -> Preview:
    """Plan retention over the policy's checkpoints without deleting any.

    The periods are in the retention's time zone, else the schedule's
    (``rules.timezone_for``), as the engine's prune uses them.
    """
    retention = (policy.options or {}).get('retention') or {}
    timezone = rules.timezone_for(retention,
                                  getattr(policy, 'schedules', None) or ())
    checkpoints = db_api.checkpoint_get_all(context, policy_id=policy.id)
    by_id = {c.id: c for c in checkpoints}
    verdicts = rules.plan(checkpoints, retention,
                          now or timeutils.utcnow(), timezone)
    return Preview(dict(retention), timezone,
                   [(by_id[v.checkpoint_id], v) for v in verdicts])
