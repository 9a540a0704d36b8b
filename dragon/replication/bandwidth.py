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

"""A cap on the bytes per second an engine's replications send.

The link between two sites is usually shared with the workload itself: a
first copy of a large policy must not fill it.  One ``Throttle`` per engine
process is shared by all its copies and their threads, so the cap holds
whatever the number of replications running.  It is a virtual-time token
bucket: each piece reserves its share of the link and waits only for what
it reserved beyond one second of burst, so a cap that is never reached
costs nothing.
"""

import threading
import time
from typing import Callable

# Seconds of traffic allowed at once before the cap applies.
BURST_SECONDS = 1.0


class Throttle:
    """Lets at most ``rate`` bytes per second through, across threads."""

    def __init__(self, rate: int,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError('a throttle needs a positive rate')
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        # When the bytes reserved so far will have gone at ``rate``.
        self._free_at = 0.0

    def take(self, size: int) -> float:
        """Wait until ``size`` more bytes may be sent; return the wait."""
        if size <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            self._free_at = max(self._free_at, now) + size / self.rate
            wait = self._free_at - now - BURST_SECONDS
        if wait > 0:
            self._sleep(wait)
            return wait
        return 0.0


_shared: dict[int, Throttle] = {}
_shared_lock = threading.Lock()


def for_rate(rate: int) -> Throttle | None:
    """The process's throttle for ``rate`` bytes/s; ``None`` when 0 (no cap).

    The same object for the same rate, so every copy of the engine shares
    one budget; a new rate (the option changed and the engine reloaded)
    gets a fresh one.
    """
    if not rate:
        return None
    with _shared_lock:
        throttle = _shared.get(rate)
        if throttle is None:
            _shared.clear()
            throttle = _shared[rate] = Throttle(rate)
        return throttle
