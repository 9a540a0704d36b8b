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

"""A run's phase and rate: an ETA only while bytes move at a measured rate."""

import datetime

import pytest

from dragon.common import progress

MiB = 1024 * 1024
NOW = datetime.datetime(2026, 12, 3, 21, 0, 0)


def test_pace_leaves_out_the_waits_between_bytes():
    pace = progress.Pace()
    t = 0.0
    for _ in range(6):              # 2 MiB/s for 5 s
        pace.add(2 * MiB, t)
        t += 1.0
    t += 600.0                      # ten minutes waiting for a snapshot
    for _ in range(6):
        pace.add(2 * MiB, t)
        t += 1.0
    # The first bytes after a wait say nothing about the rate.
    assert pace.seconds == 10.0
    assert pace.rate() == 2 * MiB


def test_pace_has_no_rate_before_enough_was_seen():
    pace = progress.Pace()
    pace.add(MiB, 0.0)
    pace.add(MiB, 1.0)
    assert pace.rate() is None                      # 1 s, 1 MiB
    for t in range(2, 12):
        pace.add(1024, float(t))
    assert pace.seconds >= progress.MIN_SECONDS
    assert pace.rate() is None                      # too few bytes


def _stored(name, speed=MiB, age=1.0):
    return {'name': name, 'done': 1, 'total': 2, 'bytes_per_second': speed,
            'bytes_at': (NOW - datetime.timedelta(seconds=age)).isoformat()}


def test_eta_while_transferring_is_bytes_left_over_the_rate():
    # 100 MiB left at 1 MiB/s, the last bytes one second ago.
    assert progress.eta(_stored(progress.TRANSFERRING), 100 * MiB,
                        200 * MiB, NOW) == 99.0
    assert progress.eta(_stored(progress.RESTORING), 100 * MiB, 200 * MiB,
                        NOW) == 99.0


@pytest.mark.parametrize('stored,done,total', [
    (None, 1, 2),
    (_stored(progress.CAPTURING), MiB, 200 * MiB),
    (_stored(progress.PREPARING), MiB, 200 * MiB),
    (_stored(progress.LAUNCHING), MiB, 200 * MiB),
    (_stored(progress.TRANSFERRING, speed=None), MiB, 200 * MiB),
    (_stored(progress.TRANSFERRING, age=60.0), MiB, 200 * MiB),
    (_stored(progress.TRANSFERRING), 0, 200 * MiB),
    (_stored(progress.TRANSFERRING), 200 * MiB, 200 * MiB),
    ({'name': progress.TRANSFERRING, 'bytes_per_second': MiB,
      'bytes_at': 'not a time'}, MiB, 200 * MiB),
])
def test_no_eta_that_would_mean_nothing(stored, done, total):
    assert progress.eta(stored, done, total, NOW) is None
