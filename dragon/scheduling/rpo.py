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

"""A policy's recovery point objective: how old its newest recovery point is.

The achieved RPO is the age of the capture time of the newest
``available`` checkpoint: that is the data a disaster now would lose. A
policy never protected counts from its creation, so a new policy is not
reported late before its first target has passed.
"""

import datetime
from typing import Any

from dragon import statuses


def status(policy: Any, newest: Any | None, now: datetime.datetime,
           at_risk_ratio: float) -> dict[str, Any] | None:
    """The RPO state of ``policy``; ``None`` when it sets no target.

    :param newest: its newest available checkpoint, or ``None``.
    :returns: ``{'target_seconds', 'achieved_seconds', 'state',
        'checkpoint_id', 'captured_at'}``; ``achieved_seconds`` is
        ``None`` while no checkpoint exists.
    """
    target = (policy.options or {}).get('rpo')
    if not target:
        return None
    since = newest.point_in_time if newest is not None else policy.created_at
    age = max((now - since).total_seconds(), 0.0)
    if age > target:
        state = statuses.Rpo.MISSED
    elif age > target * at_risk_ratio:
        state = statuses.Rpo.AT_RISK
    else:
        state = statuses.Rpo.OK
    return {
        'target_seconds': target,
        'achieved_seconds': round(age, 1) if newest is not None else None,
        'state': state,
        'checkpoint_id': newest.id if newest is not None else None,
        'captured_at': since if newest is not None else None,
    }
