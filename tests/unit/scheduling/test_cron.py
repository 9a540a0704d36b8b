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

import datetime
import time
import zoneinfo

import croniter
import pytest

from dragon import exception
from dragon.scheduling import cron

dt = datetime.datetime
UTC = datetime.UTC


def ticks(expr, timezone, start, end):
    """Every tick in (start, end], by repeated next_tick."""
    found = []
    tick = cron.next_tick(expr, timezone, start)
    while tick <= end:
        found.append(tick)
        tick = cron.next_tick(expr, timezone, tick)
    return found


def local(moments, timezone):
    zone = zoneinfo.ZoneInfo(timezone)
    return [m.replace(tzinfo=UTC).astimezone(zone).strftime('%H:%M %Z')
            for m in moments]


def assert_strictly_increasing(moments):
    assert all(a < b for a, b in zip(moments, moments[1:])), moments


# check_cron


def test_check_cron_normalizes_spaces():
    assert cron.check_cron('  0   3 * *\t1-5 ') == '0 3 * * 1-5'


@pytest.mark.parametrize('alias', sorted(cron.ALIASES))
def test_aliases_are_accepted_with_croniter_five_field_meaning(alias):
    assert cron.check_cron(alias.upper()) == alias
    assert (croniter.croniter.expand(alias)
            == croniter.croniter.expand(cron.ALIASES[alias]))


def test_daily_alias_ticks_at_local_midnight():
    assert cron.next_tick('@daily', 'Europe/Berlin', dt(2026, 6, 1, 12)) == (
        dt(2026, 6, 1, 22))


@pytest.mark.parametrize('expr, reason', [
    ('* * * *', 'it has 4 fields, a schedule needs exactly five'),
    ('61 * * * *', 'out of range'),
    ('every day', 'it has 2 fields'),
    ('* * * * * *', 'seconds and years fields are not supported'),
    ('0 0 1 1 * 0 2030', 'it has 7 fields'),
    ('@reboot', '@reboot has no meaning'),
    ('@often', 'unknown keyword'),
    ('', 'it has 0 fields'),
    ('0 0 31 2 *', "can never occur in month(s) [2]"),
    ('*/0 * * * *', "step '0'"),
    ('0 25 * * *', 'out of range'),
    ('0 0 * * mon#6', "Invalid day_of_week value: '6'"),
    ('R * * * *', 'random (R) and hashed (H)'),
    ('H(0-10) * * * *', 'random (R) and hashed (H)'),
    ('30 5-5 * * *', "the range '5-5' has equal bounds"),
    ('0 0 * JAN-jan *', "the range 'JAN-jan' has equal bounds"),
])
def test_check_cron_rejections_carry_the_reason(expr, reason):
    with pytest.raises(exception.Invalid) as error:
        cron.check_cron(expr)
    message = error.value.message
    assert f"cron '{' '.join(expr.split())}' is invalid: " in message
    assert reason in message
    assert 'Traceback' not in message


def test_check_cron_rejects_non_strings_and_huge_input():
    with pytest.raises(exception.Invalid, match='must be a string'):
        cron.check_cron(None)
    with pytest.raises(exception.Invalid, match='longer than 255') as error:
        cron.check_cron('1,' * 200 + '1 * * * *')
    assert len(error.value.message) < 100


def test_check_cron_accepts_croniter_extensions():
    assert cron.check_cron('0 9 L * *') == '0 9 L * *'
    assert cron.check_cron('0 9 * * mon#2') == '0 9 * * mon#2'
    assert cron.check_cron('0 0 29 2 *') == '0 0 29 2 *'


# The meaning of N/step in croniter 7, pinned.


def minutes_in_one_hour(expr):
    return [t.minute for t in ticks(expr, 'UTC', dt(2026, 1, 1, 0, 0) -
                                    datetime.timedelta(seconds=1),
                                    dt(2026, 1, 1, 0, 59))]


def test_start_and_step_runs_from_start_to_end_of_field():
    assert minutes_in_one_hour('5/15 * * * *') == [5, 20, 35, 50]
    assert minutes_in_one_hour('10/20 * * * *') == [10, 30, 50]


def test_start_and_step_is_not_a_whole_cycle():
    # croniter < 7 read this as */15 (:00 :15 :30 :45).
    assert minutes_in_one_hour('59/15 * * * *') == [59]
    assert ticks('0 23/5 * * *', 'UTC', dt(2026, 1, 1), dt(2026, 1, 3)) == [
        dt(2026, 1, 1, 23), dt(2026, 1, 2, 23)]


def test_docstring_tells_users_the_step_meaning():
    assert "'5/15' is :05 :20 :35 :50" in cron.check_cron.__doc__.replace(
        '``', "'")


# check_timezone


@pytest.mark.parametrize('name', ['UTC', 'Europe/Berlin', 'Etc/GMT+5',
                                  'America/Argentina/Buenos_Aires'])
def test_check_timezone_returns_the_zone(name):
    assert cron.check_timezone(name) == zoneinfo.ZoneInfo(name)


@pytest.mark.parametrize('name', [
    '', '../etc', '/etc/localtime', 'Europe/../Europe/Berlin', 'Europe/',
    'Nope/Zone', 'utc', 'Europe', 'localtime', 'posixrules', ' UTC',
    'Europe/Berlin\x00', 'A' * 65, None, 3])
def test_check_timezone_rejections(name):
    with pytest.raises(exception.Invalid, match='timezone'):
        cron.check_timezone(name)


def test_next_tick_rejects_bad_input():
    with pytest.raises(exception.Invalid, match='timezone'):
        cron.next_tick('0 * * * *', '../etc/passwd', dt(2026, 1, 1))
    with pytest.raises(exception.Invalid, match='cron'):
        cron.next_tick('0 * * *', 'UTC', dt(2026, 1, 1))


# next_tick without DST


def test_every_minute_sequence():
    found = ticks('* * * * *', 'UTC', dt(2026, 1, 1, 23, 58, 30),
                  dt(2026, 1, 2, 0, 2))
    assert found == [dt(2026, 1, 1, 23, 59), dt(2026, 1, 2, 0, 0),
                     dt(2026, 1, 2, 0, 1), dt(2026, 1, 2, 0, 2)]


def test_hourly_sequence_is_strictly_after():
    assert cron.next_tick('0 * * * *', 'UTC', dt(2026, 1, 1, 5)) == dt(
        2026, 1, 1, 6)
    assert cron.next_tick('0 * * * *', 'UTC',
                          dt(2026, 1, 1, 5, 59, 59, 999999)) == dt(
        2026, 1, 1, 6)
    found = ticks('0 * * * *', 'UTC', dt(2026, 12, 31, 21), dt(2027, 1, 1, 2))
    assert found == [dt(2026, 12, 31, 22), dt(2026, 12, 31, 23),
                     dt(2027, 1, 1, 0), dt(2027, 1, 1, 1), dt(2027, 1, 1, 2)]


def test_cron_is_read_on_the_local_wall_clock():
    # 09:00 on weekdays in Tokyo (UTC+9, no DST) is 00:00 UTC.
    found = ticks('0 9 * * mon-fri', 'Asia/Tokyo', dt(2026, 6, 5, 1),
                  dt(2026, 6, 9, 1))
    # Friday the 5th has passed; no ticks on the weekend.
    assert found == [dt(2026, 6, 8, 0), dt(2026, 6, 9, 0)]


def test_aware_input_is_read_as_its_instant():
    berlin = zoneinfo.ZoneInfo('Europe/Berlin')
    after = dt(2026, 6, 1, 7, 30, tzinfo=berlin)  # 05:30 UTC
    assert cron.next_tick('0 * * * *', 'UTC', after) == dt(2026, 6, 1, 6)


def test_rare_days_are_found():
    # Feb 29 only: from 2026, the next is 2028.
    assert cron.next_tick('0 0 29 2 *', 'UTC', dt(2026, 1, 1)) == dt(
        2028, 2, 29)
    assert cron.next_tick('0 12 L * *', 'UTC', dt(2026, 2, 10)) == dt(
        2026, 2, 28, 12)


# DST: a wall time in a gap runs once at the end of the gap; a repeated one
# runs once, at its first occurrence.


def test_berlin_spring_forward_daily_runs_once_at_end_of_gap():
    found = ticks('30 2 * * *', 'Europe/Berlin', dt(2026, 3, 27),
                  dt(2026, 3, 31))
    assert found == [dt(2026, 3, 27, 1, 30), dt(2026, 3, 28, 1, 30),
                     dt(2026, 3, 29, 1, 0),   # 03:00 CEST, the gap's end
                     dt(2026, 3, 30, 0, 30)]


def test_berlin_spring_forward_hourly_no_duplicates():
    found = ticks('0 * * * *', 'Europe/Berlin', dt(2026, 3, 28, 21, 30),
                  dt(2026, 3, 29, 4))
    assert_strictly_increasing(found)
    assert found == [dt(2026, 3, 28, 22), dt(2026, 3, 28, 23),
                     dt(2026, 3, 29, 0), dt(2026, 3, 29, 1),
                     dt(2026, 3, 29, 2), dt(2026, 3, 29, 3),
                     dt(2026, 3, 29, 4)]
    assert local(found[2:5], 'Europe/Berlin') == [
        '01:00 CET', '03:00 CEST', '04:00 CEST']


def test_berlin_spring_forward_every_half_hour_gap_collapses():
    found = ticks('*/30 * * * *', 'Europe/Berlin', dt(2026, 3, 29, 0),
                  dt(2026, 3, 29, 2))
    # Wall 02:00, 02:30 (gap) and 03:00 are all 01:00 UTC: one tick.
    assert found == [dt(2026, 3, 29, 0, 30), dt(2026, 3, 29, 1),
                     dt(2026, 3, 29, 1, 30), dt(2026, 3, 29, 2)]


def test_berlin_fall_back_daily_runs_once_at_first_occurrence():
    found = ticks('30 2 * * *', 'Europe/Berlin', dt(2026, 10, 24),
                  dt(2026, 10, 26, 12))
    assert found == [dt(2026, 10, 24, 0, 30),
                     dt(2026, 10, 25, 0, 30),   # 02:30 CEST, not 02:30 CET
                     dt(2026, 10, 26, 1, 30)]


def test_berlin_fall_back_half_hourly_no_duplicate_instants():
    found = ticks('*/30 * * * *', 'Europe/Berlin', dt(2026, 10, 24, 23),
                  dt(2026, 10, 25, 3))
    assert_strictly_increasing(found)
    assert len(set(found)) == len(found)
    assert local(found, 'Europe/Berlin') == [
        '01:30 CEST', '02:00 CEST', '02:30 CEST',
        '03:00 CET', '03:30 CET', '04:00 CET']


def test_next_tick_from_inside_the_repeated_hour():
    # 01:15 UTC is 02:15 CET, the second 02:15: the rest of the repeated
    # hour already ran in its first occurrence.
    assert cron.next_tick('*/30 * * * *', 'Europe/Berlin',
                          dt(2026, 10, 25, 1, 15)) == dt(2026, 10, 25, 2)
    assert cron.next_tick('30 2 * * *', 'Europe/Berlin',
                          dt(2026, 10, 25, 1, 15)) == dt(2026, 10, 26, 1, 30)


def test_next_tick_at_the_end_of_a_gap_is_strictly_after():
    assert cron.next_tick('*/30 * * * *', 'Europe/Berlin',
                          dt(2026, 3, 29, 1)) == dt(2026, 3, 29, 1, 30)


def test_new_york_spring_and_fall():
    spring = ticks('30 2 * * *', 'America/New_York', dt(2026, 3, 7),
                   dt(2026, 3, 9, 12))
    assert spring == [dt(2026, 3, 7, 7, 30), dt(2026, 3, 8, 7),
                      dt(2026, 3, 9, 6, 30)]
    fall = ticks('30 1 * * *', 'America/New_York', dt(2026, 10, 31),
                 dt(2026, 11, 2, 12))
    assert fall == [dt(2026, 10, 31, 5, 30), dt(2026, 11, 1, 5, 30),
                    dt(2026, 11, 2, 6, 30)]
    hourly = ticks('0 * * * *', 'America/New_York', dt(2026, 11, 1, 3),
                   dt(2026, 11, 1, 8))
    assert local(hourly, 'America/New_York') == [
        '00:00 EDT', '01:00 EDT', '02:00 EST', '03:00 EST']


def test_lord_howe_half_hour_dst():
    # Fall back 02:00 LHDT (+11) -> 01:30 LHST (+10:30) on 2026-04-05.
    fall = ticks('*/30 * * * *', 'Australia/Lord_Howe', dt(2026, 4, 4, 13),
                 dt(2026, 4, 4, 16))
    assert fall == [dt(2026, 4, 4, 13, 30), dt(2026, 4, 4, 14),
                    dt(2026, 4, 4, 14, 30), dt(2026, 4, 4, 15, 30),
                    dt(2026, 4, 4, 16)]
    # Spring forward 02:00 LHST -> 02:30 LHDT on 2026-10-04.
    spring = ticks('*/30 * * * *', 'Australia/Lord_Howe', dt(2026, 10, 3, 14),
                   dt(2026, 10, 3, 16, 30))
    assert spring == [dt(2026, 10, 3, 14, 30), dt(2026, 10, 3, 15),
                      dt(2026, 10, 3, 15, 30), dt(2026, 10, 3, 16),
                      dt(2026, 10, 3, 16, 30)]
    assert local(spring[2:4], 'Australia/Lord_Howe') == [
        '02:30 +11', '03:00 +11']


@pytest.mark.parametrize('timezone, day, repeated', [
    ('Europe/Berlin', dt(2026, 3, 29), None),
    ('Europe/Berlin', dt(2026, 10, 25), 60),
    ('America/New_York', dt(2026, 3, 8), None),
    ('America/New_York', dt(2026, 11, 1), 60),
    ('Australia/Lord_Howe', dt(2026, 4, 5), 30),
    ('Australia/Lord_Howe', dt(2026, 10, 4), None),
])
def test_quarter_hours_around_transitions_never_repeat(timezone, day,
                                                       repeated):
    found = ticks('*/15 * * * *', timezone, day - datetime.timedelta(days=2),
                  day + datetime.timedelta(days=2))
    assert_strictly_increasing(found)
    quarter = datetime.timedelta(minutes=15)
    pauses = [b - a for a, b in zip(found, found[1:]) if b - a != quarter]
    # A spring forward keeps the UTC rhythm (the gap's wall times collapse
    # onto its end); a fall back pauses once, for its repeated wall times.
    if repeated is None:
        assert pauses == []
    else:
        assert pauses == [quarter + datetime.timedelta(minutes=repeated)]


# first_tick


def test_first_tick_starts_from_now():
    assert cron.first_tick('0 * * * *', 'UTC', None, None,
                           dt(2026, 1, 1, 5, 10)) == dt(2026, 1, 1, 6)


def test_first_tick_counts_a_tick_exactly_at_start_at():
    assert cron.first_tick('0 * * * *', 'UTC', dt(2026, 2, 1, 8), None,
                           dt(2026, 1, 1, 5, 10)) == dt(2026, 2, 1, 8)
    assert cron.first_tick('0 * * * *', 'UTC', dt(2026, 2, 1, 8, 1), None,
                           dt(2026, 1, 1, 5, 10)) == dt(2026, 2, 1, 9)


def test_first_tick_ignores_a_past_start_at():
    assert cron.first_tick('0 * * * *', 'UTC', dt(2025, 1, 1), None,
                           dt(2026, 1, 1, 5)) == dt(2026, 1, 1, 6)


def test_first_tick_respects_end_at():
    now = dt(2026, 1, 1, 5, 10)
    assert cron.first_tick('0 * * * *', 'UTC', None, dt(2026, 1, 1, 6),
                           now) == dt(2026, 1, 1, 6)
    assert cron.first_tick('0 * * * *', 'UTC', None,
                           dt(2026, 1, 1, 5, 59), now) is None
    assert cron.first_tick('0 * * * *', 'UTC', dt(2026, 3, 1),
                           dt(2026, 2, 1), now) is None


# jitter_offset


def test_jitter_is_stable_and_pinned():
    # Pinned: a change would move every schedule of every deployment.
    assert cron.jitter_offset('policy-1', 3600) == 1009
    assert cron.jitter_offset(
        '3f2a7c1e-0000-4000-8000-000000000001', 300) == 76


def test_jitter_without_window_is_zero():
    assert cron.jitter_offset('policy-1', 0) == 0
    assert cron.jitter_offset('policy-1', -5) == 0
    assert cron.jitter_offset('policy-1', 1) == 0


def test_jitter_spreads_policies_over_the_window():
    offsets = [cron.jitter_offset(f'policy-{i}', 300) for i in range(500)]
    assert all(0 <= o < 300 for o in offsets)
    # 500 uniform draws from 300 values give 243 distinct ones on average
    # (300 * (1 - (299/300)**500)), with a spread of about 5.
    assert len(set(offsets)) > 225
    # And no clumping: each tenth of the window gets 50 +- 20 policies.
    tenths = [sum(1 for o in offsets if o // 30 == t) for t in range(10)]
    assert all(30 <= n <= 70 for n in tenths), tenths
    assert min(offsets) < 30 and max(offsets) > 270


# plan


HOURLY = '0 * * * *'


def test_plan_not_due_changes_nothing():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 6, 0, 4),
                       60, 5)
    assert result == cron.TickPlan(None, 0, dt(2026, 1, 1, 6),
                                   dt(2026, 1, 1, 6, 0, 5))


def test_plan_on_time():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 6, 0, 5),
                       60, 5)
    assert result == cron.TickPlan(dt(2026, 1, 1, 6), 0, dt(2026, 1, 1, 7),
                                   dt(2026, 1, 1, 7, 0, 5))


def test_plan_late_within_grace_runs():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 6, 1, 5),
                       60, 5)
    assert result.run_tick == dt(2026, 1, 1, 6)
    assert result.missed == 0


def test_plan_late_beyond_grace_misses():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 6, 1, 6),
                       60, 5)
    assert result == cron.TickPlan(None, 1, dt(2026, 1, 1, 7),
                                   dt(2026, 1, 1, 7, 0, 5))


def test_plan_downtime_over_five_ticks_runs_the_latest_once():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6),
                       dt(2026, 1, 1, 10, 0, 30), 60, 5)
    assert result == cron.TickPlan(dt(2026, 1, 1, 10), 4, dt(2026, 1, 1, 11),
                                   dt(2026, 1, 1, 11, 0, 5))


def test_plan_downtime_beyond_grace_runs_nothing():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6),
                       dt(2026, 1, 1, 10, 30), 60, 5)
    assert result == cron.TickPlan(None, 5, dt(2026, 1, 1, 11),
                                   dt(2026, 1, 1, 11, 0, 5))


def test_plan_offset_decides_which_ticks_are_due():
    # 10:00 + 120 s is not due at 10:01: the latest due tick is 09:00.
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6),
                       dt(2026, 1, 1, 10, 1), 3600, 120)
    assert result == cron.TickPlan(dt(2026, 1, 1, 9), 3, dt(2026, 1, 1, 10),
                                   dt(2026, 1, 1, 10, 2))


def test_plan_stops_at_end_at():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 6, 0, 5),
                       60, 5, end_at=dt(2026, 1, 1, 6, 30))
    assert result == cron.TickPlan(dt(2026, 1, 1, 6), 0, None, None)


def test_plan_does_not_count_ticks_after_end_at():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 12),
                       60, 0, end_at=dt(2026, 1, 1, 8))
    assert result == cron.TickPlan(None, 3, None, None)


def test_plan_tick_already_past_end_at_finishes():
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 9), dt(2026, 1, 1, 9),
                       60, 0, end_at=dt(2026, 1, 1, 8))
    assert result == cron.TickPlan(None, 0, None, None)


def test_plan_does_not_run_or_count_ticks_before_start_at():
    # next_tick_at predates a start_at set later: 06:00 and 07:00 are not
    # part of the schedule, 08:00 is the first due tick.
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 8),
                       60, 0, start_at=dt(2026, 1, 1, 8))
    assert result == cron.TickPlan(dt(2026, 1, 1, 8), 0, dt(2026, 1, 1, 9),
                                   dt(2026, 1, 1, 9))
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 7),
                       60, 0, start_at=dt(2026, 1, 1, 7, 30))
    assert result == cron.TickPlan(None, 0, dt(2026, 1, 1, 8),
                                   dt(2026, 1, 1, 8))
    result = cron.plan(HOURLY, 'UTC', dt(2026, 1, 1, 6), dt(2026, 1, 1, 7, 45),
                       3600, 0, start_at=dt(2026, 1, 1, 7, 30))
    assert result == cron.TickPlan(None, 0, dt(2026, 1, 1, 8),
                                   dt(2026, 1, 1, 8))


def test_plan_counts_dst_ticks_once():
    fall = cron.plan('*/30 * * * *', 'Europe/Berlin', dt(2026, 10, 24, 22),
                     dt(2026, 10, 25, 3), 60, 0)
    # 22:00 .. 00:30 UTC, then 02:00 .. 03:00: the repeated hour is skipped.
    assert fall == cron.TickPlan(dt(2026, 10, 25, 3), 8,
                                 dt(2026, 10, 25, 3, 30),
                                 dt(2026, 10, 25, 3, 30))
    spring = cron.plan('*/30 * * * *', 'Europe/Berlin', dt(2026, 3, 28, 22),
                       dt(2026, 3, 29, 3), 60, 0)
    assert spring.missed == 10   # 11 half hours of UTC, one runs


def test_plan_count_agrees_with_next_tick_across_a_dst_month():
    start, now = dt(2026, 10, 25), dt(2026, 11, 5, 0, 0, 30)
    expected = len(ticks('*/20 * * * *', 'America/New_York', start, now))
    result = cron.plan('*/20 * * * *', 'America/New_York', start, now, 60, 0)
    assert expected == 11 * 72 - 3   # the repeated hour runs once
    assert result.run_tick == dt(2026, 11, 5)
    assert result.missed == expected  # start itself is due, one runs


def test_plan_a_month_of_minutes_is_fast():
    began = time.perf_counter()
    result = cron.plan('* * * * *', 'Europe/Berlin', dt(2026, 3, 1),
                       dt(2026, 3, 31), 60, 0)
    elapsed = time.perf_counter() - began
    assert result == cron.TickPlan(dt(2026, 3, 31), 30 * 1440,
                                   dt(2026, 3, 31, 0, 1),
                                   dt(2026, 3, 31, 0, 1))
    assert elapsed < 0.5


def test_plan_caps_the_missed_count():
    result = cron.plan('* * * * *', 'UTC', dt(2026, 1, 1), dt(2026, 3, 1),
                       0, 0, max_count=1000)
    assert result.missed == 1000
    assert result.run_tick == dt(2026, 3, 1)
    assert result.next_tick == dt(2026, 3, 1, 0, 1)
