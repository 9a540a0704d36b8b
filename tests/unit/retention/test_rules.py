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

"""The retention planner: who is kept, by which rule, in which time zone."""

import datetime

import pytest

from dragon import exception
from dragon.retention import rules

NOW = datetime.datetime(2026, 12, 10, 12, 0)


def cp(cid, when, status='available', hold=False, captured=True):
    """Captured at ``when`` (naive UTC), created a minute later."""
    created = when + datetime.timedelta(minutes=1)
    return {'id': cid, 'status': status, 'hold': hold,
            'created_at': created, 'captured_at': when if captured else None}


def daily(n, hour=3):
    """n available checkpoints, one a day at ``hour`` UTC, newest 'd0'."""
    return [cp('d%d' % i, datetime.datetime(2026, 12, 10, hour) -
               datetime.timedelta(days=i)) for i in range(n)]


def verdicts(checkpoints, retention, timezone='UTC', now=NOW):
    return {v.checkpoint_id: v for v in
            rules.plan(checkpoints, retention, now, timezone)}


def kept(checkpoints, retention, **kwargs):
    return sorted(cid for cid, v in
                  verdicts(checkpoints, retention, **kwargs).items() if v.keep)


def test_one_verdict_per_checkpoint_newest_first():
    result = rules.plan(list(reversed(daily(4))), {'keep_last': 2}, NOW)
    assert [v.checkpoint_id for v in result] == ['d0', 'd1', 'd2', 'd3']
    assert [v.keep for v in result] == [True, True, False, False]
    assert result[3].reasons == [rules.NO_RULE]


def test_keep_last_keeps_the_newest_n():
    result = verdicts(daily(5), {'keep_last': 3})
    assert result['d0'].reasons == ['newest available', 'keep_last 3']
    assert result['d2'].reasons == ['keep_last 3']
    assert not result['d3'].keep and not result['d4'].keep


def test_no_rules_keeps_everything():
    for retention in (None, {}):
        result = verdicts(daily(3), retention)
        assert all(v.keep for v in result.values())
        assert result['d2'].reasons == [rules.NO_RULES]


def test_the_newest_available_is_always_kept():
    # max_age alone, every checkpoint older than it: the newest stays.
    result = verdicts(daily(3), {'max_age': 3600})
    assert result['d0'].reasons == ['newest available']
    assert [result['d1'].keep, result['d2'].keep] == [False, False]


def test_other_statuses_are_kept_and_do_not_count():
    checkpoints = [cp('run', NOW, status='protecting'),
                   cp('bad', NOW - datetime.timedelta(hours=1),
                      status='error')] + daily(3)
    result = verdicts(checkpoints, {'keep_last': 2})
    assert result['run'].reasons == ['not available (protecting)']
    assert result['bad'].reasons == ['not available (error)']
    # the failed ones do not take places of the two kept
    assert result['d0'].reasons == ['newest available', 'keep_last 2']
    assert result['d1'].reasons == ['keep_last 2']
    assert not result['d2'].keep


def test_a_deleting_checkpoint_is_left_alone():
    result = verdicts([cp('x', NOW, status='deleting')] + daily(2),
                      {'keep_last': 1})
    assert result['x'].keep and result['x'].reasons == [
        'not available (deleting)']


def test_held_checkpoints_are_kept_and_do_not_count():
    checkpoints = daily(4)
    checkpoints[1]['hold'] = True
    checkpoints[3]['hold'] = True
    result = verdicts(checkpoints, {'keep_last': 2})
    assert result['d1'].reasons == ['on hold']
    assert result['d3'].reasons == ['on hold']
    assert result['d2'].reasons == ['keep_last 2']
    assert result['d0'].keep


def test_a_held_newest_is_still_the_newest_available():
    checkpoints = daily(3)
    checkpoints[0]['hold'] = True
    result = verdicts(checkpoints, {'keep_last': 1})
    assert result['d0'].reasons == ['on hold', 'newest available']
    assert result['d1'].reasons == ['keep_last 1']
    assert not result['d2'].keep


def test_max_age_keeps_those_captured_within_it():
    result = verdicts(daily(5), {'max_age': 2 * 86400})
    # d0 03:00 today, d1 yesterday 03:00 (33h ago), d2 57h ago
    assert result['d1'].reasons == ['within max_age 2d']
    assert not result['d2'].keep


def test_max_age_counts_from_the_capture_not_the_creation():
    late = cp('late', NOW - datetime.timedelta(hours=30))
    late['created_at'] = NOW - datetime.timedelta(hours=1)
    newest = cp('new', NOW)
    assert kept([newest, late], {'max_age': 86400}) == ['new']


def test_created_at_is_used_without_a_capture_time():
    old = cp('old', NOW - datetime.timedelta(hours=30), captured=False)
    assert kept([cp('new', NOW), old], {'max_age': 86400}) == ['new']
    young = cp('young', NOW - datetime.timedelta(hours=2), captured=False)
    assert kept([cp('new', NOW), young], {'max_age': 86400}) == [
        'new', 'young']


def test_max_age_may_still_be_a_duration_string():
    assert verdicts(daily(2), {'max_age': '2d'})['d1'].reasons == [
        'within max_age 2d']


def test_daily_keeps_the_newest_of_each_day():
    checkpoints = []
    for day in range(4):
        for hour in (1, 9, 17):
            checkpoints.append(cp('%d-%02d' % (day, hour),
                                  datetime.datetime(2026, 12, 9 - day, hour)))
    result = verdicts(checkpoints, {'daily': 3})
    assert [cid for cid, v in sorted(result.items()) if v.keep] == [
        '0-17', '1-17', '2-17']
    assert result['0-17'].reasons == ['newest available', 'daily 2026-12-09']
    assert result['2-17'].reasons == ['daily 2026-12-07']


def test_periods_without_checkpoints_do_not_use_up_the_count():
    checkpoints = [cp('a', datetime.datetime(2026, 12, 9, 3)),
                   cp('b', datetime.datetime(2026, 12, 1, 3)),
                   cp('c', datetime.datetime(2026, 11, 20, 3))]
    assert kept(checkpoints, {'daily': 3}) == ['a', 'b', 'c']


def test_tiers_and_rules_are_a_union_with_every_reason():
    result = verdicts(daily(40), {'keep_last': 2, 'daily': 3, 'weekly': 2,
                                  'monthly': 2, 'yearly': 1})
    assert result['d0'].reasons == [
        'newest available', 'keep_last 2', 'daily 2026-12-10',
        'weekly 2026-W50', 'monthly 2026-12', 'yearly 2026']
    assert result['d1'].reasons == ['keep_last 2', 'daily 2026-12-09']
    assert result['d2'].reasons == ['daily 2026-12-08']
    # 2026-12-06 is a Sunday: the newest of ISO week 49
    assert result['d4'].reasons == ['weekly 2026-W49']
    # the newest of November
    assert result['d10'].reasons == ['monthly 2026-11']
    assert sum(v.keep for v in result.values()) == 5


def test_hourly_tier():
    checkpoints = [cp('m%d' % m, NOW - datetime.timedelta(minutes=m))
                   for m in (0, 20, 40, 60, 80, 100, 120)]
    result = verdicts(checkpoints, {'hourly': 2})
    # 12:00 is one hour; 11:40 and 11:20 are the next
    assert result['m0'].reasons == ['newest available',
                                    'hourly 2026-12-10 12:00']
    assert result['m20'].reasons == ['hourly 2026-12-10 11:00']
    assert kept(checkpoints, {'hourly': 2}) == ['m0', 'm20']


def test_yearly_and_weekly_at_the_iso_year_boundary():
    # 2027-01-01 (Fri) is in ISO week 2026-W53
    checkpoints = [cp('jan1', datetime.datetime(2027, 1, 1, 10)),
                   cp('dec31', datetime.datetime(2026, 12, 31, 10)),
                   cp('dec27', datetime.datetime(2026, 12, 27, 10))]
    now = datetime.datetime(2027, 1, 2)
    result = verdicts(checkpoints, {'weekly': 2, 'yearly': 2}, now=now)
    assert result['jan1'].reasons == ['newest available', 'weekly 2026-W53',
                                      'yearly 2027']
    assert result['dec31'].reasons == ['yearly 2026']
    assert result['dec27'].reasons == ['weekly 2026-W52']


def test_days_are_counted_in_the_given_time_zone():
    # 23:30 UTC on Dec 8 is 08:30 on Dec 9 in Tokyo, 18:30 on Dec 8 in
    # New York; 01:00 UTC on Dec 9 is 20:00 on Dec 8 in New York.
    checkpoints = [cp('late', datetime.datetime(2026, 12, 9, 1, 0)),
                   cp('early', datetime.datetime(2026, 12, 8, 23, 30)),
                   cp('before', datetime.datetime(2026, 12, 8, 12, 0))]
    # UTC: late on Dec 9, early the newest of Dec 8
    assert kept(checkpoints, {'daily': 2}) == ['early', 'late']
    utc = verdicts(checkpoints, {'daily': 2})
    assert utc['late'].reasons[-1] == 'daily 2026-12-09'
    assert utc['early'].reasons == ['daily 2026-12-08']
    # New York: all three on Dec 8; only the newest kept
    assert kept(checkpoints, {'daily': 2},
                timezone='America/New_York') == ['late']
    # Tokyo: late and early on Dec 9, before on Dec 8 (21:00)
    tokyo = verdicts(checkpoints, {'daily': 2}, timezone='Asia/Tokyo')
    assert tokyo['late'].reasons[-1] == 'daily 2026-12-09'
    assert not tokyo['early'].keep
    assert tokyo['before'].reasons == ['daily 2026-12-08']


def test_the_retention_time_zone_wins_over_the_given_one():
    checkpoints = [cp('late', datetime.datetime(2026, 12, 9, 1, 0)),
                   cp('early', datetime.datetime(2026, 12, 8, 23, 30))]
    assert kept(checkpoints, {'daily': 2, 'timezone': 'America/New_York'},
                timezone='UTC') == ['late']
    assert kept(checkpoints, {'daily': 2, 'timezone': 'UTC'},
                timezone='America/New_York') == ['early', 'late']


def test_the_repeated_hour_when_clocks_go_back_is_two_hours():
    # Europe/Berlin leaves summer time at 01:00 UTC on 2026-10-25:
    # 00:30 UTC and 01:30 UTC are both 02:30 local.
    checkpoints = [cp('second', datetime.datetime(2026, 10, 25, 1, 30)),
                   cp('first', datetime.datetime(2026, 10, 25, 0, 30))]
    result = verdicts(checkpoints, {'hourly': 2},
                      timezone='Europe/Berlin',
                      now=datetime.datetime(2026, 10, 25, 2))
    assert result['first'].reasons == ['hourly 2026-10-25 02:00']
    assert result['second'].keep


def test_aware_times_and_rows_are_accepted():
    class Row:
        def __init__(self, cid, when):
            self.id, self.status, self.hold = cid, 'available', False
            self.created_at, self.captured_at = when, None

    rows = [Row('a', datetime.datetime(2026, 12, 9, tzinfo=datetime.UTC)),
            Row('b', datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))]
    result = rules.plan(rows, {'keep_last': 1},
                        NOW.replace(tzinfo=datetime.UTC))
    assert [(v.checkpoint_id, v.keep) for v in result] == [
        ('a', True), ('b', False)]


def test_nothing_to_plan():
    assert rules.plan([], {'keep_last': 1}, NOW) == []


def test_normalize_refuses_rules_that_keep_nothing():
    with pytest.raises(exception.Invalid, match='keep nothing'):
        rules.normalize({'daily': 0, 'timezone': 'UTC'})
    with pytest.raises(exception.Invalid, match='IANA'):
        rules.normalize({'daily': 1, 'timezone': 'Mars/Olympus'})
    with pytest.raises(exception.Invalid, match='at least 1h'):
        rules.normalize({'max_age': '30m'})
    assert rules.normalize({'max_age': '30d'}) == {'max_age': 30 * 86400}
