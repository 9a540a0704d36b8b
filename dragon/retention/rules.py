"""Retention rules of a policy: checked and normalized (the planner comes next)."""

from typing import Any
import zoneinfo

from dragon.common import durations
from dragon import exception

TIERS = ('hourly', 'daily', 'weekly', 'monthly', 'yearly')


def normalize(retention: dict[str, Any]) -> dict[str, Any]:
    """Validated retention with ``max_age`` in seconds.

    :raises dragon.exception.Invalid: rules that would keep nothing.
    """
    result = dict(retention)
    if result.get('max_age') is not None:
        result['max_age'] = durations.parse(result['max_age'],
                                            'retention max_age')
        if result['max_age'] < 3600:
            raise exception.Invalid(
                reason='retention max_age must be at least 1h')
    if result.get('timezone') is not None:
        try:
            zoneinfo.ZoneInfo(result['timezone'])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise exception.Invalid(reason='retention timezone %r is not an '
                                    'IANA time zone' % result['timezone'][:64])
    keeps = [result.get('keep_last'), result.get('max_age')] + [
        result.get(t) for t in TIERS]
    if not any(keeps):
        raise exception.Invalid(
            reason='retention would keep nothing: give keep_last, max_age or '
                   'a count of hourly, daily, weekly, monthly or yearly '
                   'checkpoints above 0')
    return result
