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

"""A run's phase and its transfer rate, and the only ETA Dragon states.

A protection spends much of its time where no byte moves: discovering,
waiting for Nova and Cinder to capture, waiting for a snapshot to become
readable.  An ETA extrapolated from the run's elapsed time over those
waits climbs to hours and then drops to seconds, so it is stated only
while bytes move: in a transfer phase, from the rate measured while they
flowed (waits between them left out), once enough of them were seen,
and not when the last bytes are older than ``STALE_SECONDS``.

The engine (``Pace`` in the run's recorder) writes the phase with the
rate; the API turns it into ``progress`` with ``eta``.
"""

import dataclasses
import datetime

# Phases of a protection ...
PREPARING = 'preparing'         # discovery, template, plan
CAPTURING = 'capturing'         # snapshots and images being started
TRANSFERRING = 'transferring'   # data into the chunk store
FINISHING = 'finishing'         # temporaries removed, manifest written
# ... and of a recovery (PREPARING too: manifest, selection, mappings).
RESTORING = 'restoring'         # images and volumes from the chunk store
LAUNCHING = 'launching'         # the stack created, servers until ACTIVE
VERIFYING = 'verifying'         # a drill's restored data checked
TEARING_DOWN = 'tearing_down'   # a drill's stack and data removed

PHASES = (PREPARING, CAPTURING, TRANSFERRING, FINISHING, RESTORING,
          LAUNCHING, VERIFYING, TEARING_DOWN)
# The phases in which bytes move, the only ones with an ETA.
MOVING = (TRANSFERRING, RESTORING)

# Bytes that follow the previous ones within GAP_SECONDS count towards the
# rate; a longer pause (a snapshot still being taken) is left out.
GAP_SECONDS = 5.0
# No ETA before this many seconds of flowing bytes and this many bytes:
# the first chunks say little about the rate.
MIN_SECONDS = 5.0
MIN_BYTES = 8 * 1024 * 1024
# No ETA when the last bytes moved longer ago than this: the run waits.
STALE_SECONDS = 15.0


@dataclasses.dataclass
class Pace:
    """The rate of bytes while they flow, fed by a run's upload threads.

    Not thread-safe: the recorder calls it under its lock.
    """

    moved: int = 0
    seconds: float = 0.0
    last: float | None = None

    def add(self, nbytes: int, now: float) -> None:
        """``nbytes`` more moved at monotonic time ``now``."""
        if self.last is not None and 0 <= now - self.last <= GAP_SECONDS:
            self.seconds += now - self.last
            self.moved += nbytes
        self.last = now

    def rate(self) -> float | None:
        """Bytes per second while flowing; None until enough was seen."""
        if self.seconds < MIN_SECONDS or self.moved < MIN_BYTES:
            return None
        return self.moved / self.seconds


def phase(name: str | None, done: int | None = None,
          total: int | None = None) -> dict:
    """The stored form of a phase (``done`` of ``total`` items, if counted)."""
    return {'name': name, 'done': done, 'total': total,
            'bytes_per_second': None, 'bytes_at': None}


def eta(stored: dict | None, bytes_done: int, bytes_total: int,
        now: datetime.datetime) -> float | None:
    """Seconds left, or None when no ETA would mean anything.

    :param stored: the run's stored phase (``phase`` plus the rate and
        the time of the last bytes, naive UTC ISO 8601).
    :param now: naive UTC, as the database stores times.
    """
    if not stored or stored.get('name') not in MOVING:
        return None
    speed, at = stored.get('bytes_per_second'), stored.get('bytes_at')
    if not speed or not at or not 0 < bytes_done < bytes_total:
        return None
    try:
        age = (now - datetime.datetime.fromisoformat(at)).total_seconds()
    except (TypeError, ValueError):
        return None
    if age > STALE_SECONDS:
        return None
    return round(max(0.0, (bytes_total - bytes_done) / speed - max(0.0, age)),
                 1)
