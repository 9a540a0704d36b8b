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

"""Tick arithmetic of policy schedules: cron lines in time zones, jitter and misfires.

Pure functions: no database, no clock (``now`` is always passed in). Every
datetime in and out is naive UTC, as Dragon stores it
(``dragon.common.timeutils.utcnow``).

Cron lines have the five classic fields, evaluated on the **local wall
clock** of the schedule's time zone. Daylight-saving transitions neither skip
nor double a run:

* a local time that does not exist (spring forward: Europe/Berlin has no
  02:30 on 2026-03-29) runs once, at the first instant after the gap
  (03:00 local, 01:00 UTC there);
* a local time that exists twice (fall back: 02:30 happens twice in Berlin on
  2026-10-25) runs once, at its first occurrence (02:30 CEST, 00:30 UTC).

So the ticks are strictly increasing in UTC and never repeat: cron times that
fall into a gap collapse onto the instant the gap ends (and onto a tick at
that instant), and the repeated hour of a fall back is not run a second time.

croniter is used to validate expressions and to find the days that match;
the hours and minutes of a day and their conversion to UTC are done here
with ``zoneinfo``, rather than trusting croniter's own time zone handling.
"""

import bisect
import collections.abc
import dataclasses
import datetime
import functools
import hashlib
import math
import re
import zoneinfo

import croniter

from dragon import exception

# The database column is String(255).
MAX_CRON_LENGTH = 255
# The database column is String(64).
MAX_TIMEZONE_LENGTH = 64

# The keyword forms croniter accepts with plain five-field meaning when no
# hash_id is given (with one, croniter hashes them to random-looking times).
# A unit test checks that croniter expands each exactly as written here.
ALIASES = {
    '@yearly': '0 0 1 1 *',
    '@annually': '0 0 1 1 *',
    '@monthly': '0 0 1 * *',
    '@weekly': '0 0 * * 0',
    '@daily': '0 0 * * *',
    '@midnight': '0 0 * * *',
    '@hourly': '0 * * * *',
}

_FIELD_NAMES = ('minute', 'hour', 'day-of-month', 'month', 'day-of-week')
# croniter splits fields on ASCII whitespace only; so do we.
_FIELD_RE = re.compile(r'\S+', re.ASCII)
# Jenkins-style H (hashed) and R (random) values, with optional range/step.
_HASH_OR_RANDOM_RE = re.compile(r'^[hr](\(\d+-\d+\))?(/\d+)?$', re.IGNORECASE)
_RANGE_RE = re.compile(r'^([0-9a-z]+)-([0-9a-z]+)(/\d+)?$', re.IGNORECASE)
# Area/Location names as in the tz database; keeps paths and odd characters
# out before zoneinfo looks at the file system.
_TIMEZONE_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$')
# Links whose meaning depends on the host, not on the tz database.
_HOST_ZONES = frozenset({'localtime', 'posixrules'})

_MICROSECOND = datetime.timedelta(microseconds=1)
_DAY = datetime.timedelta(days=1)


def _invalid_cron(expr: str, reason: str) -> exception.Invalid:
    return exception.Invalid(reason=f"cron '{expr}' is invalid: {reason}")


def check_cron(expr: str) -> str:
    """Validate a five-field cron line and return it with single spaces.

    Fields are minute, hour, day of month, month, day of week, with the
    syntax croniter 7 understands (lists, ranges, steps, names, ``L``,
    ``W``, ``#``). Refused, because a schedule could not honour them:

    * seconds or years fields (six or seven fields): ticks are minutes;
    * ``@reboot``: a schedule has no boot; the keyword forms ``@hourly``,
      ``@daily``/``@midnight``, ``@weekly``, ``@monthly`` and
      ``@yearly``/``@annually`` are accepted (see ``ALIASES``);
    * ``R`` (random) and ``H`` (hashed) values: every engine must compute the
      same ticks, and the spread of start times is the policy's jitter;
    * ranges with equal bounds (``5-5``): croniter reads them as the whole
      cycle (``30 5-5 * * *`` would run every hour), which nobody means;
      write the single value;
    * days that never happen (``0 0 31 2 *``).

    **Steps after a start value** (croniter 7): ``N/S`` means N, N+S,
    N+2S, ... up to the end of the field, starting again at N in the next
    hour, day, ...; it is *not* a cycle through the whole field. In the minute
    field ``5/15`` is :05 :20 :35 :50 and ``10/20`` is :10 :30 :50; when N+S
    passes the end of the field, ``N/S`` is N alone (``59/15`` is minute 59,
    ``23/5`` in the hour field is 23:00). croniter before 7 read a start at
    the end of the field as the whole cycle (``59/15`` ran at :00 :15 :30
    :45).

    :raises dragon.exception.Invalid: with the reason, croniter's own when
        croniter refuses the line.
    """
    if not isinstance(expr, str):
        raise exception.Invalid(reason='cron must be a string')
    if len(expr) > MAX_CRON_LENGTH:
        raise exception.Invalid(
            reason=f'cron is longer than {MAX_CRON_LENGTH} characters')
    fields = _FIELD_RE.findall(expr)
    normalized = ' '.join(fields)
    if len(fields) == 1 and fields[0].startswith('@'):
        alias = fields[0].lower()
        if alias in ALIASES:
            return alias
        if alias == '@reboot':
            raise _invalid_cron(
                normalized, '@reboot has no meaning for a schedule')
        raise _invalid_cron(normalized, 'unknown keyword; use one of '
                            + ', '.join(ALIASES))
    if len(fields) != len(_FIELD_NAMES):
        extra = (' (seconds and years fields are not supported)'
                 if len(fields) > len(_FIELD_NAMES) else '')
        raise _invalid_cron(
            normalized,
            f'it has {len(fields)} fields, a schedule needs exactly five '
            f'({", ".join(_FIELD_NAMES)}){extra}')
    for name, field in zip(_FIELD_NAMES, fields):
        for part in field.split(','):
            if _HASH_OR_RANDOM_RE.match(part):
                raise _invalid_cron(
                    normalized,
                    f"{name} field: random (R) and hashed (H) values are not "
                    f"supported; use the policy's jitter to spread start "
                    f"times")
            bounds = _RANGE_RE.match(part)
            if bounds and _same_value(bounds.group(1), bounds.group(2)):
                raise _invalid_cron(
                    normalized,
                    f"{name} field: the range '{part}' has equal bounds, "
                    f"which croniter reads as every {name}; write "
                    f"'{bounds.group(1)}' alone")
    try:
        croniter.croniter.expand(normalized, strict=True)
        # A line croniter expands may still never match (day 31 of months
        # that have fewer); look for one tick to be sure.
        croniter.croniter(_day_expression(normalized),
                          datetime.datetime(2000, 1, 1)).get_next(
                              datetime.datetime)
    except croniter.CroniterError as error:
        raise _invalid_cron(normalized, _reason(error)) from None
    return normalized


def _same_value(low: str, high: str) -> bool:
    if low.isdigit() and high.isdigit():
        return int(low) == int(high)
    return low.lower() == high.lower()


def _reason(error: Exception) -> str:
    # croniter wraps unexpected errors with a whole traceback; its last line
    # is the reason.
    lines = [line for line in str(error).splitlines() if line.strip()]
    reason = lines[-1].strip() if lines else type(error).__name__
    return reason[:200]


def check_timezone(name: str) -> zoneinfo.ZoneInfo:
    """Return the zone of an IANA time zone name (``Europe/Berlin``, ``UTC``).

    Names are checked before ``zoneinfo`` opens a file, so paths
    (``../etc``, ``/etc/localtime``) never reach the file system, and the
    host-dependent links ``localtime`` and ``posixrules`` are refused: a
    schedule must mean the same on every engine.

    :raises dragon.exception.Invalid: empty, malformed or unknown names.
    """
    if not isinstance(name, str) or not name:
        raise exception.Invalid(reason='timezone must be a non-empty string')
    if (len(name) > MAX_TIMEZONE_LENGTH or not _TIMEZONE_RE.match(name)
            or name in _HOST_ZONES):
        raise exception.Invalid(
            reason=f"timezone '{name[:MAX_TIMEZONE_LENGTH]}' is not an IANA "
                   f"time zone name")
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, LookupError, OSError):
        # LookupError covers ZoneInfoNotFoundError; OSError a directory
        # name such as 'Europe'.
        raise exception.Invalid(
            reason=f"timezone '{name}' is unknown") from None


@dataclasses.dataclass(frozen=True)
class _Cron:
    """A checked cron line split into what a day needs and which days match."""

    times: tuple[datetime.time, ...]
    day_expression: str

    def matching_days(self, start: datetime.date,
                      forward: bool = True) -> collections.abc.Iterator[
                          datetime.date]:
        """Days the line runs on, from ``start`` (included) on or back."""
        midnight = datetime.datetime.combine(start, datetime.time())
        if forward:
            days = croniter.croniter(self.day_expression,
                                     midnight - _MICROSECOND)
            step = days.get_next
        else:
            days = croniter.croniter(self.day_expression, midnight + _DAY)
            step = days.get_prev
        while True:
            yield step(datetime.datetime).date()


class _DayWalls(collections.abc.Sequence):
    """The local wall times of one day's ticks, made only when looked at."""

    def __init__(self, day: datetime.date,
                 times: tuple[datetime.time, ...]) -> None:
        self.day = day
        self.times = times

    def __len__(self) -> int:
        return len(self.times)

    def __getitem__(self, index):
        return datetime.datetime.combine(self.day, self.times[index])


def _day_expression(five: str) -> str:
    dom, month, dow = five.split()[2:]
    return f'0 0 {dom} {month} {dow}'


# Parsing and checking costs more than the arithmetic that follows and a
# deployment has few distinct cron lines; the cache holds pure results only.
@functools.lru_cache(maxsize=512)
def _parse(cron: str) -> _Cron:
    five = check_cron(cron)
    five = ALIASES.get(five, five)
    expanded = croniter.croniter.expand(five)[0]
    minutes = range(60) if expanded[0] == ['*'] else sorted(expanded[0])
    hours = range(24) if expanded[1] == ['*'] else sorted(expanded[1])
    return _Cron(
        times=tuple(datetime.time(h, m) for h in hours for m in minutes),
        day_expression=_day_expression(five))


def _naive_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is not None:
        return moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment


def _local_date(moment: datetime.datetime,
                zone: zoneinfo.ZoneInfo) -> datetime.date:
    return moment.replace(tzinfo=datetime.UTC).astimezone(zone).date()


def _to_utc(wall: datetime.datetime,
            zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The naive UTC instant of a local wall time, by the DST rule above.

    A time repeated by a fall back is taken at its first occurrence (fold 0).
    A time in a spring-forward gap does not round-trip; it becomes the
    instant the gap ends, found by bisecting between the two readings of the
    wall time (before it, the old offset holds; at it, the new one).
    """
    as_old = wall.replace(tzinfo=zone, fold=0).astimezone(datetime.UTC)
    if as_old.astimezone(zone).replace(tzinfo=None) == wall:
        return as_old.replace(tzinfo=None)
    # In a gap fold=0 reads the wall time with the offset before the gap (an
    # instant after the gap) and fold=1 with the offset after it (an instant
    # before); the end of the gap lies between, on a whole second.
    as_new = wall.replace(tzinfo=zone, fold=1).astimezone(datetime.UTC)
    after_gap = as_old.astimezone(zone).utcoffset()
    before = math.floor(as_new.timestamp())
    after = math.ceil(as_old.timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        instant = datetime.datetime.fromtimestamp(middle, zone)
        if instant.utcoffset() == after_gap:
            after = middle
        else:
            before = middle
    return datetime.datetime.fromtimestamp(after, datetime.UTC).replace(
        tzinfo=None)


def _transition_free(day: datetime.date, zone: zoneinfo.ZoneInfo) -> bool:
    # Zones change offset at most once a day, so equal offsets at both
    # midnights mean every wall time of the day exists exactly once.
    midnight = datetime.datetime.combine(day, datetime.time())
    return zone.utcoffset(midnight) == zone.utcoffset(midnight + _DAY)


def _first_after(parsed: _Cron, zone: zoneinfo.ZoneInfo,
                 after: datetime.datetime) -> datetime.datetime:
    # The day before too: a gap across midnight maps its wall times onto the
    # next day.
    for day in parsed.matching_days(_local_date(after, zone) - _DAY):
        walls = _DayWalls(day, parsed.times)
        # UTC is non-decreasing along a day's wall times, so bisect works.
        index = bisect.bisect_right(walls, after,
                                    key=lambda wall: _to_utc(wall, zone))
        if index < len(walls):
            return _to_utc(walls[index], zone)
    raise AssertionError('unreachable: matching_days does not end')


def _last_in(parsed: _Cron, zone: zoneinfo.ZoneInfo,
             low: datetime.datetime,
             high: datetime.datetime) -> datetime.datetime | None:
    """The latest tick in ``(low, high]``, or None."""
    stop = _local_date(low, zone) - _DAY
    for day in parsed.matching_days(_local_date(high, zone) + _DAY,
                                    forward=False):
        if day < stop:
            return None
        walls = _DayWalls(day, parsed.times)
        index = bisect.bisect_right(walls, high,
                                    key=lambda wall: _to_utc(wall, zone))
        if index:
            tick = _to_utc(walls[index - 1], zone)
            return tick if tick > low else None
    return None


def _count_in(parsed: _Cron, zone: zoneinfo.ZoneInfo,
              low: datetime.datetime, high: datetime.datetime,
              limit: int) -> int:
    """How many ticks lie in ``(low, high]``, counting up to ``limit``.

    Whole days without a DST transition are counted from the number of
    times in a day, so a month of every-minute ticks costs 30 steps.
    """
    count = 0
    last = None
    stop = _local_date(high, zone) + _DAY
    for day in parsed.matching_days(_local_date(low, zone) - _DAY):
        if day > stop or count >= limit:
            break
        walls = _DayWalls(day, parsed.times)

        def to_utc(wall):
            return _to_utc(wall, zone)

        begin = bisect.bisect_right(walls, low, key=to_utc)
        end = bisect.bisect_right(walls, high, key=to_utc)
        if begin >= end:
            continue
        if _transition_free(day, zone):
            count += end - begin
            if to_utc(walls[begin]) == last:
                count -= 1
            last = to_utc(walls[end - 1])
            continue
        for index in range(begin, end):
            tick = to_utc(walls[index])
            if tick != last:
                count += 1
                last = tick
    return min(count, limit)


def next_tick(cron: str, timezone: str,
              after: datetime.datetime) -> datetime.datetime:
    """The first tick strictly after ``after`` (naive UTC in and out).

    The cron line is read on the wall clock of ``timezone``; the module
    docstring gives the rule for the hours a DST transition skips or repeats.

    :raises dragon.exception.Invalid: a bad cron line or time zone.
    """
    zone = check_timezone(timezone)
    return _first_after(_parse(cron), zone, _naive_utc(after))


def first_tick(cron: str, timezone: str,
               start_at: datetime.datetime | None,
               end_at: datetime.datetime | None,
               now: datetime.datetime) -> datetime.datetime | None:
    """The first tick of a new (or re-enabled) schedule, or None if it ends first.

    No tick before ``start_at`` runs, but a tick exactly at ``start_at``
    does; no tick after ``end_at`` runs, a tick exactly at it does. Ticks
    already past (``now`` or before) are not run: a schedule starts from now.
    """
    after = _naive_utc(now)
    if start_at is not None:
        after = max(after, _naive_utc(start_at) - _MICROSECOND)
    tick = next_tick(cron, timezone, after)
    if end_at is not None and tick > _naive_utc(end_at):
        return None
    return tick


def jitter_offset(policy_id: str, window: int) -> int:
    """A policy's stable offset in seconds, in ``[0, window)``; 0 without a window.

    Spreads the start of many policies on the same cron line (500 policies on
    ``0 * * * *`` should not all start in the same second) while each policy
    keeps its own rhythm. Derived from sha256 of the id, never ``hash()``,
    which differs between processes.
    """
    if window <= 0:
        return 0
    digest = hashlib.sha256(policy_id.encode('utf-8')).digest()
    return int.from_bytes(digest[:8], 'big') % window


@dataclasses.dataclass(frozen=True)
class TickPlan:
    """What an engine does with a due schedule (see ``plan``)."""

    # The tick to run now (at most one), or None.
    run_tick: datetime.datetime | None
    # Ticks that came due and will never run.
    missed: int
    # The tick to wait for next; None: the schedule is finished (end_at).
    next_tick: datetime.datetime | None
    # next_tick plus the jitter offset: when the schedule is next due.
    next_run: datetime.datetime | None


def plan(cron: str, timezone: str, next_tick_at: datetime.datetime,
         now: datetime.datetime, misfire_grace: int, offset: int,
         start_at: datetime.datetime | None = None,
         end_at: datetime.datetime | None = None,
         max_count: int = 100000) -> TickPlan:
    """Decide which tick of a due schedule runs, how many were missed, what next.

    The due ticks are ``next_tick_at`` = T1 < T2 < ... < Tk, every tick with
    Ti + offset <= now (and within ``start_at``/``end_at``; ticks outside
    them are not part of the schedule and are not counted). Only the latest,
    Tk, may run, and only if it is at most ``misfire_grace`` seconds late:
    on time that is the normal run; after downtime it is a single catch-up,
    never a burst of old runs. Every other due tick is missed (Tk too when
    out of grace); the count stops at ``max_count``. The next tick is the
    first after Tk, None once past ``end_at``.

    Not due yet (now < next_tick_at + offset): nothing runs, nothing changes.
    """
    next_tick_at = _naive_utc(next_tick_at)
    now = _naive_utc(now)
    shift = datetime.timedelta(seconds=offset)
    if now < next_tick_at + shift:
        return TickPlan(None, 0, next_tick_at, next_tick_at + shift)
    zone = check_timezone(timezone)
    parsed = _parse(cron)
    start_at = None if start_at is None else _naive_utc(start_at)
    end_at = None if end_at is None else _naive_utc(end_at)

    # Ticks in (low, due] are due besides T1; T1 itself only within bounds.
    due = now - shift
    if end_at is not None:
        due = min(due, end_at)
    low = next_tick_at
    if start_at is not None:
        low = max(low, start_at - _MICROSECOND)
    first_counts = ((start_at is None or next_tick_at >= start_at)
                    and (end_at is None or next_tick_at <= end_at))

    latest = _last_in(parsed, zone, low, due) if due > low else None
    count = int(first_counts)
    if latest is not None:
        count += _count_in(parsed, zone, low, due, max_count)
    elif first_counts:
        latest = next_tick_at

    run_tick = None
    missed = count
    if latest is not None:
        lateness = now - (latest + shift)
        if lateness <= datetime.timedelta(seconds=misfire_grace):
            run_tick = latest
            missed -= 1
    missed = min(missed, max_count)

    following = _first_after(parsed, zone,
                             latest if latest is not None else low)
    if end_at is not None and following > end_at:
        return TickPlan(run_tick, missed, None, None)
    return TickPlan(run_tick, missed, following, following + shift)
