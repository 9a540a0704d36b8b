"""Polling an OpenStack object until it reaches a status, with a deadline."""

import time
from typing import Any, Callable, Iterable

from dragon import exception


class Gone(Exception):
    """``fetch`` raises it when the object no longer exists."""


def wait_for(fetch: Callable[[], dict], *, ok: Iterable[str],
             bad: Iterable[str] = ('error',), timeout: float,
             interval: float, resource: str, what: str,
             obj_id: str) -> dict:
    """Call ``fetch()`` until the object's ``status`` is one of ``ok``.

    :returns: the object as last fetched.
    :raises dragon.exception.ResourceFailed: status in ``bad`` (or gone).
    :raises dragon.exception.ResourceTimeout: ``timeout`` seconds passed.
    """
    ok, bad = set(ok), set(bad)
    deadline = time.monotonic() + timeout
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
            detail = _reason(obj)
            raise exception.ResourceFailed(
                resource=resource, what=what, id=obj_id, status=status,
                wanted='/'.join(sorted(ok)),
                detail=': %s' % detail if detail else '')
        if time.monotonic() >= deadline:
            raise exception.ResourceTimeout(
                resource=resource, what=what, id=obj_id, status=status,
                timeout=timeout, wanted='/'.join(sorted(ok)))
        time.sleep(interval)


def wait_until(fetch: Callable[[], Any], done: Callable[[Any], bool], *,
               timeout: float, interval: float, resource: str, what: str,
               obj_id: str, wanted: str,
               describe: Callable[[Any], str] = str) -> Any:
    """Call ``fetch()`` until ``done(result)``; a generic ``wait_for``."""
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if done(result):
            return result
        if time.monotonic() >= deadline:
            raise exception.ResourceTimeout(
                resource=resource, what=what, id=obj_id,
                status=describe(result), timeout=timeout, wanted=wanted)
        time.sleep(interval)


def _reason(obj: dict) -> str:
    for key in ('fail_reason', 'status_reason', 'message'):
        if obj.get(key):
            return str(obj[key])
    return ''
