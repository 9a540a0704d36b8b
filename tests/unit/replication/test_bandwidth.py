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

"""The replication bandwidth cap: a token bucket on a fake clock."""
import pytest

from dragon.replication import bandwidth

MiB = 1024 * 1024


class Clock:
    """Time that passes only when someone sleeps (or a send is timed)."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def _throttle(rate):
    clock = Clock()
    return bandwidth.Throttle(rate, clock=clock, sleep=clock.sleep), clock


def test_a_burst_of_one_second_goes_at_once():
    throttle, clock = _throttle(4 * MiB)
    for _ in range(4):
        assert throttle.take(MiB) == 0.0
    assert clock.slept == []


def test_a_long_copy_takes_its_size_over_the_rate():
    throttle, clock = _throttle(2 * MiB)
    for _ in range(40):             # 40 MiB, sent instantly each time
        throttle.take(MiB)
    # 20 s of traffic at 2 MiB/s, less the one-second burst.
    assert clock.now == pytest.approx(20.0 - bandwidth.BURST_SECONDS)


def test_time_spent_sending_counts_toward_the_budget():
    throttle, clock = _throttle(MiB)
    for _ in range(10):
        throttle.take(MiB)
        clock.now += 1.0            # the link itself is as slow as the cap
    assert clock.slept == []


def test_copies_sharing_an_engines_throttle_share_its_rate():
    throttle, clock = _throttle(MiB)
    for _ in range(5):              # two copies taking turns
        throttle.take(MiB)
        throttle.take(MiB)
    assert clock.now == pytest.approx(10.0 - bandwidth.BURST_SECONDS)


def test_an_idle_link_does_not_save_up_more_than_the_burst():
    throttle, clock = _throttle(MiB)
    clock.now = 3600.0
    throttle.take(MiB)
    throttle.take(MiB)
    assert clock.slept == [pytest.approx(1.0)]


def test_no_rate_is_no_throttle_and_a_rate_is_one_per_process():
    assert bandwidth.for_rate(0) is None
    first = bandwidth.for_rate(10 * MiB)
    assert bandwidth.for_rate(10 * MiB) is first
    other = bandwidth.for_rate(20 * MiB)
    assert other is not first and other.rate == 20 * MiB


def test_a_throttle_needs_a_rate():
    with pytest.raises(ValueError):
        bandwidth.Throttle(0)
