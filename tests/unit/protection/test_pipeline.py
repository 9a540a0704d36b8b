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

"""Stages overlap, each bounded; the first failure stops the line."""
import threading
import time

import pytest

from dragon.protection import pipeline


class Counting:
    """A stage body that counts how many items are in it at once."""

    def __init__(self, log, name, pause=0.0):
        self.log, self.name, self.pause = log, name, pause
        self.now = self.most = 0
        self.lock = threading.Lock()

    def __call__(self, item):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.pause)
        with self.lock:
            self.now -= 1
            self.log.append((self.name, item))


def test_every_item_goes_through_every_stage_in_order():
    log = []
    pipeline.run(range(5), [pipeline.Stage('a', Counting(log, 'a'), 2),
                            pipeline.Stage('b', Counting(log, 'b'), 1)])
    for item in range(5):
        assert log.index(('a', item)) < log.index(('b', item))
    assert sorted(log) == sorted([(s, i) for s in 'ab' for i in range(5)])


def test_an_item_moves_on_while_others_are_still_in_the_stage_before():
    slow_done = threading.Event()
    seen = []

    def first(item):
        if item == 'slow':
            # Only ends once the quick item has been through stage two.
            assert slow_done.wait(5), 'stage two waited for stage one'

    def second(item):
        seen.append(item)
        if item == 'quick':
            slow_done.set()

    pipeline.run(['slow', 'quick'], [pipeline.Stage('one', first, 2),
                                     pipeline.Stage('two', second, 1)])
    assert seen == ['quick', 'slow']


def test_each_stage_keeps_its_own_bound():
    log = []
    wide, narrow = Counting(log, 'w', 0.02), Counting(log, 'n', 0.02)
    pipeline.run(range(8), [pipeline.Stage('w', wide, 8),
                            pipeline.Stage('n', narrow, 2)])
    assert wide.most > 2
    assert narrow.most == 2


def test_done_and_all_done_run_in_the_callers_thread_once():
    caller = threading.current_thread()
    calls = []

    def done(item):
        assert threading.current_thread() is caller
        calls.append(('done', item))

    def all_done():
        assert threading.current_thread() is caller
        calls.append('all')

    pipeline.run([1, 2, 3], [
        pipeline.Stage('a', lambda item: None, 3, done=done,
                       all_done=all_done),
        pipeline.Stage('b', lambda item: None, 1)])
    # All done once, after the last item's done.
    assert sorted(calls[:3]) == [('done', 1), ('done', 2), ('done', 3)]
    assert calls[3:] == ['all']


def test_no_items_still_ends_every_stage():
    ended = []
    pipeline.run([], [pipeline.Stage('a', None, 1,
                                     all_done=lambda: ended.append('a')),
                      pipeline.Stage('b', None, 1,
                                     all_done=lambda: ended.append('b'))])
    assert ended == ['a', 'b']


def test_the_first_failure_stops_the_line_and_is_raised():
    started, errors = [], []
    release = threading.Event()

    def first(item):
        started.append(item)
        if item == 0:
            raise ValueError('snapshot refused')
        if item == 1:
            # Under way when 0 fails: it finishes, and goes no further.
            assert release.wait(5)

    def on_error(error):
        errors.append(error)
        # Called at once, before the item under way is waited for.
        assert 1 in started and not release.is_set()
        release.set()

    second = []
    with pytest.raises(ValueError, match='snapshot refused'):
        pipeline.run(range(6), [
            pipeline.Stage('one', first, 2,
                           all_done=lambda: second.append('all')),
            pipeline.Stage('two', second.append, 2)], on_error=on_error)
    assert len(errors) == 1
    # Items queued behind the two under way never started (but for the
    # one the failed item's thread may have taken before the cancel).
    assert {0, 1} <= set(started) <= {0, 1, 2}
    assert second == []


def test_a_failing_callback_stops_the_line():
    def done(item):
        raise RuntimeError('row taken over')

    ran = []
    with pytest.raises(RuntimeError, match='taken over'):
        pipeline.run([1], [pipeline.Stage('a', lambda item: None, 1,
                                          done=done),
                           pipeline.Stage('b', ran.append, 1)])
    assert ran == []
