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

"""Polling: quick at first, never late by much more than GROWTH, capped."""
import itertools

from dragon.protection.data import waiting


def _checks(interval, until):
    """The times of the checks of a wait, up to ``until`` seconds."""
    times, now = [0.0], 0.0
    for pause in waiting.intervals(interval):
        now += pause
        times.append(now)
        if now >= until:
            return times


def test_the_first_checks_come_quickly():
    first = list(itertools.islice(waiting.intervals(2.0), 3))
    assert first == [waiting.FIRST_INTERVAL] * 3


def test_an_object_ready_after_t_is_seen_by_about_t_plus_growth():
    checks = _checks(2.0, 30)
    for ready in (0.35, 0.8, 1.5, 4.0, 7.0):
        seen = next(t for t in checks if t >= ready)
        assert seen <= max(ready * (1 + waiting.GROWTH),
                           ready + waiting.FIRST_INTERVAL) + 1e-9, ready
    # A short wait costs a few reads more than doubling pauses would.
    assert len([t for t in checks if 0 < t <= 4.0]) == 16


def test_pauses_never_exceed_the_interval():
    pauses = list(itertools.islice(waiting.intervals(2.0), 200))
    assert max(pauses) == 2.0 and pauses[-1] == 2.0
    assert list(itertools.islice(waiting.intervals(0), 3)) == [0, 0, 0]
    assert max(itertools.islice(waiting.intervals(0.05), 50)) == 0.05
