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

"""Polling an OpenStack object until it reaches a status, with a deadline."""

import time
from typing import Any, Callable, Iterable, Iterator

from dragon import exception

# The first check of an object waited for comes this soon.  Most waits
# end within seconds (a snapshot taken, a volume created) and a point in
# time held while servers are paused should not wait a whole poll
# interval.
FIRST_INTERVAL = 0.1
# After that a check comes GROWTH times the time waited so far after the
# previous one, up to the caller's interval: an object ready after t
# seconds is seen by about t * (1 + GROWTH), where doubling pauses saw it
# up to 2t late (a 4 s upload noticed at 6.3 s), for a few more reads
# while the wait is short (16 to reach 4 s, 6 when doubling).
GROWTH = 0.2


def intervals(interval: float) -> Iterator[float]:
    """Pauses between checks: ``FIRST_INTERVAL``, then ``GROWTH`` times
    the time waited so far, never more than ``interval``.
    """
    waited = 0.0
    while True:
        pause = min(max(FIRST_INTERVAL, waited * GROWTH), interval)
        yield pause
        waited += pause


class Gone(Exception):
    """``fetch`` raises it when the object no longer exists."""


def wait_for(fetch: Callable[[], dict], *, ok: Iterable[str],
             bad: Iterable[str] = ('error',), timeout: float,
             interval: float, resource: str, what: str,
             obj_id: str) -> dict:
    """Call ``fetch()`` until the object's ``status`` is one of ``ok``.

    Checks come quickly at first and back off (``intervals``) to one per
    ``interval``.

    :returns: the object as last fetched.
    :raises dragon.exception.ResourceFailed: status in ``bad`` (or gone).
    :raises dragon.exception.ResourceTimeout: ``timeout`` seconds passed.
    """
    ok, bad = set(ok), set(bad)
    deadline = time.monotonic() + timeout
    pauses = intervals(interval)
    while True:
        try:
            obj = fetch()
        except Gone:
            raise exception.ResourceFailed(
                resource=resource, what=what, id=obj_id, status='deleted',
                wanted='/'.join(sorted(ok)), detail='')
        status = (obj.get('status') or '').lower()
        if status in ok:
            return obj
        if status in bad:
            detail = reason(obj)
            raise exception.ResourceFailed(
                resource=resource, what=what, id=obj_id, status=status,
                wanted='/'.join(sorted(ok)),
                detail=': %s' % detail if detail else '')
        if time.monotonic() >= deadline:
            raise exception.ResourceTimeout(
                resource=resource, what=what, id=obj_id, status=status,
                timeout=timeout, wanted='/'.join(sorted(ok)))
        time.sleep(next(pauses))


def wait_until(fetch: Callable[[], Any], done: Callable[[Any], bool], *,
               timeout: float, interval: float, resource: str, what: str,
               obj_id: str, wanted: str,
               describe: Callable[[Any], str] = str) -> Any:
    """Call ``fetch()`` until ``done(result)``; a generic ``wait_for``."""
    deadline = time.monotonic() + timeout
    pauses = intervals(interval)
    while True:
        result = fetch()
        if done(result):
            return result
        if time.monotonic() >= deadline:
            raise exception.ResourceTimeout(
                resource=resource, what=what, id=obj_id,
                status=describe(result), timeout=timeout, wanted=wanted)
        time.sleep(next(pauses))


def reason(obj: dict) -> str:
    """Why a failed object failed, from the fields services put it in."""
    for key in ('fail_reason', 'status_reason', 'message'):
        if obj.get(key):
            return str(obj[key])
    return ''
