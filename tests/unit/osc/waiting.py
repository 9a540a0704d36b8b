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

"""Helpers of the ``--wait`` tests: a clock that never sleeps, live-line frames."""


class FakeClock:
    """``now``/``sleep`` of ``progress.Clock`` without real sleeps.

    :param interrupt_after: after this many sleeps the next one raises
        KeyboardInterrupt, as Ctrl-C would.
    """

    def __init__(self, start=0.0, interrupt_after=None):
        self.time = start
        self.sleeps = []
        self.interrupt_after = interrupt_after

    def now(self):
        return self.time

    def sleep(self, seconds):
        if self.interrupt_after is not None and \
                len(self.sleeps) >= self.interrupt_after:
            raise KeyboardInterrupt
        self.sleeps.append(seconds)
        self.time += seconds


def live_frames(err):
    """The header line and the redrawn frames of a live progress line.

    Every frame fills the terminal but its last column, and the live line
    is ended before anything else is written.
    """
    header, live = err.split('\n', 1)
    frames = live.split('\r')[1:]
    assert all(len(frame.rstrip('\n')) == 99 for frame in frames)
    assert live.endswith('\n')
    return header, frames
