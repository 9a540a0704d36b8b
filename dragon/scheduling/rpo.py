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
