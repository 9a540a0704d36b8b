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

"""Retention rules of a policy: checked, and planned over its checkpoints."""

from collections.abc import Mapping
import dataclasses
import datetime
from typing import Any, Iterable
import zoneinfo

from dragon.common import durations
from dragon import exception
from dragon import statuses

TIERS = ('hourly', 'daily', 'weekly', 'monthly', 'yearly')
# What a deleted checkpoint's reasons say: no rule keeps it.
NO_RULE = 'no rule keeps it'
NO_RULES = 'no retention rules'
ON_HOLD = 'on hold'
NEWEST = 'newest available'


def describe_age(seconds: int) -> str:
    """``max_age`` as people set it: ``30d`` rather than ``4w2d``."""
    for unit, size in (('d', 86400), ('h', 3600)):
        if seconds % size == 0:
            return '%d%s' % (seconds // size, unit)
    return durations.describe(seconds)


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


def timezone_for(retention: dict[str, Any] | None,
                 schedules: Iterable[Any] = ()) -> str:
    """The time zone of a policy's retention periods.

    The retention's own ``timezone``, else that of the policy's first
    enabled schedule (of its first schedule if none is enabled), else UTC.
    """
    if retention and retention.get('timezone'):
        return retention['timezone']
    schedules = list(schedules or ())
    chosen = next((s for s in schedules if _field(s, 'enabled') is not False),
                  schedules[0] if schedules else None)
    return (chosen is not None and _field(chosen, 'timezone')) or 'UTC'


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What retention does with one checkpoint, and why."""

    checkpoint_id: str
    keep: bool
    reasons: list[str]


def _field(checkpoint: Any, name: str) -> Any:
    if isinstance(checkpoint, Mapping):
        return checkpoint.get(name)
    return getattr(checkpoint, name, None)


def _utc(value: datetime.datetime) -> datetime.datetime:
    """Aware UTC from the database's naive UTC (or any aware time)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC)


def captured(checkpoint: Any) -> datetime.datetime:
    """When its data was captured (else created), as aware UTC."""
    return _utc(_field(checkpoint, 'captured_at') or
                _field(checkpoint, 'created_at'))


def period(tier: str, when: datetime.datetime,
           zone: zoneinfo.ZoneInfo) -> tuple[Any, str]:
    """The ``tier`` period holding ``when`` in ``zone``: (key, label).

    Hours are told apart by their UTC offset too, so the hour repeated
    when clocks go back is two periods (same label).
    """
    local = when.astimezone(zone)
    if tier == 'hourly':
        label = local.strftime('%Y-%m-%d %H:00')
        return (label, local.utcoffset()), label
    if tier == 'daily':
        label = local.strftime('%Y-%m-%d')
    elif tier == 'weekly':
        year, week, _day = local.isocalendar()
        label = '%04d-W%02d' % (year, week)
    elif tier == 'monthly':
        label = local.strftime('%Y-%m')
    elif tier == 'yearly':
        label = local.strftime('%Y')
    else:
        raise ValueError('unknown retention tier %r' % tier)
    return label, label


def plan(checkpoints: Iterable[Any], retention: dict[str, Any] | None,
         now: datetime.datetime, timezone: str = 'UTC') -> list[Verdict]:
    """What retention keeps, and why: one verdict each, newest first.

    Each checkpoint (a row or a mapping) has ``id``, ``status``,
    ``created_at``, ``captured_at`` (``None``: ``created_at`` is used) and
    ``hold``; times are naive UTC as the database stores them (or aware).
    "Newest" is by capture time.

    The rules are a union, as in restic: a checkpoint is kept when any rule
    keeps it, and its reasons name every rule that does.

    * Only ``available`` checkpoints may be deleted, and only they count
      toward ``keep_last`` and the tiers. Any other status is kept
      (``'not available (error)'``): a failed or running checkpoint is
      never what a count keeps.
    * A checkpoint on hold is kept (``'on hold'``) and counts toward
      nothing: holding one does not push another out.
    * The newest available checkpoint is always kept (``'newest
      available'``), held or not, whatever the rules say.
    * ``keep_last N``: the newest N available ones (``'keep_last N'``).
    * ``max_age`` (seconds): those captured at most that long before
      ``now`` (``'within max_age 30d'``).
    * ``hourly``, ``daily``, ``weekly`` (ISO weeks), ``monthly``,
      ``yearly`` with count n: the newest checkpoint of each of the n most
      recent periods that have one (``'daily 2026-12-01'``). Periods are
      in ``retention['timezone']``, else in ``timezone`` (the schedule's).

    Without rules (``retention`` empty or ``None``) everything is kept
    (``'no retention rules'``). A checkpoint no rule keeps gets
    ``keep=False`` and the single reason ``'no rule keeps it'``.
    """
    ordered = sorted(checkpoints, key=lambda c: (
        captured(c), _utc(_field(c, 'created_at')), str(_field(c, 'id'))),
        reverse=True)
    reasons: dict[str, list[str]] = {str(_field(c, 'id')): []
                                     for c in ordered}
    retention = dict(retention or {})
    rules_given = any(retention.get(k) for k in ('keep_last', 'max_age')
                      + TIERS)
    available = [c for c in ordered if _field(c, 'status') ==
                 statuses.Checkpoint.AVAILABLE]
    candidates = [c for c in available if not _field(c, 'hold')]
    for checkpoint in ordered:
        why = reasons[str(_field(checkpoint, 'id'))]
        status = _field(checkpoint, 'status')
        if status != statuses.Checkpoint.AVAILABLE:
            why.append('not available (%s)' % status)
        if _field(checkpoint, 'hold'):
            why.append(ON_HOLD)
        if not rules_given:
            why.append(NO_RULES)
    if available:
        reasons[str(_field(available[0], 'id'))].append(NEWEST)

    keep_last = retention.get('keep_last') or 0
    for checkpoint in candidates[:keep_last]:
        reasons[str(_field(checkpoint, 'id'))].append(
            'keep_last %d' % keep_last)

    if retention.get('max_age'):
        max_age = durations.parse(retention['max_age'], 'retention max_age')
        oldest = _utc(now) - datetime.timedelta(seconds=max_age)
        for checkpoint in candidates:
            if captured(checkpoint) >= oldest:
                reasons[str(_field(checkpoint, 'id'))].append(
                    'within max_age %s' % describe_age(max_age))

    zone = zoneinfo.ZoneInfo(retention.get('timezone') or timezone or 'UTC')
    for tier in TIERS:
        left = retention.get(tier) or 0
        last_key = None
        for checkpoint in candidates:
            if left <= 0:
                break
            key, label = period(tier, captured(checkpoint), zone)
            if key == last_key:
                continue    # an older checkpoint of a period already kept
            last_key = key
            left -= 1
            reasons[str(_field(checkpoint, 'id'))].append(
                '%s %s' % (tier, label))

    verdicts = []
    for checkpoint in ordered:
        why = reasons[str(_field(checkpoint, 'id'))]
        verdicts.append(Verdict(str(_field(checkpoint, 'id')), bool(why),
                                why or [NO_RULE]))
    return verdicts
