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

"""Heat's validation of a protection's template, not repeated for the same one.

A policy protected every hour mostly yields the same template; Heat's
answer for it does not change in between, so an engine process remembers
the templates Heat accepted (by region, project and sha256 of the YAML)
for ``TTL`` seconds, at most ``SIZE`` of them.  Only acceptances are
kept: a rejected template is sent to Heat again next time.
"""

import collections
import hashlib
import threading
import time
from typing import Any, Callable

# Templates remembered per engine process, and for how long (seconds): an
# hour lets a Heat upgrade or a changed constraint be seen within one.
SIZE = 256
TTL = 3600.0


class ValidatedTemplates:
    """The templates Heat accepted lately; thread-safe, bounded (LRU).

    :param size: templates kept at most.
    :param ttl: seconds an acceptance holds.
    :param clock: monotonic seconds (tests pass their own).
    """

    def __init__(self, size: int = SIZE, ttl: float = TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: collections.OrderedDict[tuple[Any, ...], float] = (
            collections.OrderedDict())

    @staticmethod
    def key(clients: Any, template_yaml: str) -> tuple[Any, ...]:
        return (clients.region_name, getattr(clients, 'project_id', None),
                hashlib.sha256(template_yaml.encode('utf-8')).hexdigest())

    def validate(self, clients: Any, template_yaml: str,
                 validate: Callable[[Any, str], Any]) -> bool:
        """``validate(clients, template_yaml)`` unless Heat accepted it lately.

        :returns: whether Heat was asked (``False``: a remembered answer).
        :raises: what ``validate`` raises; nothing is remembered then.
        """
        key = self.key(clients, template_yaml)
        now = self._clock()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen < self.ttl:
                self._seen.move_to_end(key)
                return False
        validate(clients, template_yaml)
        with self._lock:
            self._seen[key] = self._clock()
            self._seen.move_to_end(key)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
        return True


# One per engine process: what every protection run of the process shares
# (the runs are threads of it).
VALIDATED = ValidatedTemplates()
