"""Heat stack operations of a recovery: validate, create, wait, delete, name.

Everything goes through the target region's ``orchestration`` adapter.
Waiting reports the per-resource status on every change, so a recovery
shows which resource Heat is working on and why one failed.
"""

import datetime
import math
import re
import time
from typing import Any, Callable

from keystoneauth1 import exceptions as ks_exc

from dragon import exception
from dragon.protection import template as template_mod

POLL_INTERVAL = 2.0
READ_RETRIES = 3
NAME_LIMIT = 200  # Heat allows 255; leave room for nested stack names
_NAME_UNSAFE = re.compile(r'[^A-Za-z0-9_.-]+')

FIELDS = ('resource_name', 'resource_type', 'resource_status',
          'resource_status_reason', 'physical_resource_id')

ProgressCallback = Callable[[list[dict[str, Any]]], None]


def stack_name(policy_name: str, checkpoint_time: Any,
               prefix: str = '') -> str:
    """``<prefix>-<policy>-<checkpoint time>``, made a valid Heat name.

    Heat wants ``[A-Za-z][A-Za-z0-9_.-]*``: other characters become ``-``
    and a name not starting with a letter gets ``dragon-`` in front.

    :param checkpoint_time: a datetime or an ISO 8601 string.
    """
    if isinstance(checkpoint_time, datetime.datetime):
        stamp = checkpoint_time.strftime('%Y%m%dT%H%M%SZ')
    else:
        stamp = re.sub(r'[-:]|\.\d+', '', str(checkpoint_time or ''))
    parts = [_NAME_UNSAFE.sub('-', p).strip('-._')
             for p in (prefix, policy_name, stamp) if p]
    name = '-'.join(p for p in parts if p)
    if not name[:1].isalpha():
        name = 'dragon-' + name if name else 'dragon'
    return name[:NAME_LIMIT].rstrip('-._')


def _orchestration(clients: Any) -> Any:
    return clients.adapter('orchestration')


def _request(clients: Any, method: str, path: str, what: str,
             **kwargs: Any) -> Any:
    if method == 'get':
        # Polls run for minutes: a connection Heat's API dropped is retried.
        kwargs.setdefault('connect_retries', READ_RETRIES)
    try:
        return getattr(_orchestration(clients), method)(
            path, raise_exc=False, **kwargs)
    except ks_exc.ClientException as e:
        raise exception.RemoteServiceUnavailable(
            service='Heat', reason='%s: %s' % (what, e))


def _error(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return 'HTTP %s' % response.status_code
    error = body.get('error') if isinstance(body, dict) else None
    message = (error or {}).get('message') if isinstance(error, dict) \
        else None
    if not message and isinstance(body, dict):
        message = body.get('explanation') or body.get('title')
    return '%s (HTTP %s)' % (message, response.status_code) if message \
        else 'HTTP %s' % response.status_code


def _as_yaml(template: Any) -> str:
    return template if isinstance(template, str) else \
        template_mod.to_yaml(template)


def validate(clients: Any, template: dict[str, Any] | str) -> dict[str, Any]:
    """Have the target's Heat validate ``template``.

    :returns: Heat's answer.
    :raises dragon.exception.TemplateInvalid: Heat rejected it.
    :raises dragon.exception.RemoteServiceUnavailable:
    """
    return template_mod.validate(clients, _as_yaml(template))


def create(clients: Any, name: str, template: dict[str, Any] | str,
           params: dict[str, Any], timeout: float) -> str:
    """Create stack ``name``; returns its id (Heat works on it afterwards).

    Rollback is disabled: a failed stack stays for diagnosis until
    ``delete``.  Heat's own timeout is ``timeout`` rounded up to minutes.

    :raises dragon.exception.StackFailed: Heat refused the request.
    :raises dragon.exception.RemoteServiceUnavailable:
    """
    body = {'stack_name': name, 'template': _as_yaml(template),
            'parameters': {k: '' if v is None else v
                           for k, v in (params or {}).items()},
            'timeout_mins': max(1, math.ceil(timeout / 60.0)),
            'disable_rollback': True}
    response = _request(clients, 'post', '/stacks', 'creating stack %s'
                        % name, json=body)
    if response.status_code >= 400:
        raise exception.StackFailed(stack=name, status='not created',
                                    reason=_error(response))
    return response.json()['stack']['id']


def get(clients: Any, stack_id: str) -> dict[str, Any] | None:
    """The stack (``stack_status``, ``stack_status_reason``, ...) or None.

    A deleted stack is ``None`` (or ``DELETE_COMPLETE``, depending on
    whether Heat still shows it).
    """
    response = _request(clients, 'get', '/stacks/%s' % stack_id,
                        'reading stack %s' % stack_id)
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise exception.RemoteServiceUnavailable(
            service='Heat', reason='reading stack %s: %s' % (
                stack_id, _error(response)))
    return response.json()['stack']


def resources(clients: Any, stack: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-resource status of ``stack`` (as ``get`` returns it).

    :returns: Heat's fields, sorted by name: ``[{"resource_name",
        "resource_type", "resource_status", "resource_status_reason",
        "physical_resource_id"}]``.
    """
    response = _request(
        clients, 'get', '/stacks/%s/%s/resources' % (stack['stack_name'],
                                                     stack['id']),
        'listing the resources of stack %s' % stack['id'])
    if response.status_code == 404:
        return []
    if response.status_code >= 400:
        raise exception.RemoteServiceUnavailable(
            service='Heat', reason='listing resources of %s: %s' % (
                stack['id'], _error(response)))
    return sorted(({k: r.get(k) for k in FIELDS}
                   for r in response.json().get('resources') or ()),
                  key=lambda r: r['resource_name'] or '')


def _failures(items: list[dict[str, Any]]) -> str:
    return '; '.join('%s: %s' % (r['resource_name'],
                                 r['resource_status_reason'] or
                                 r['resource_status'])
                     for r in items
                     if (r['resource_status'] or '').endswith('FAILED'))


def wait(clients: Any, stack_id: str, timeout: float,
         progress_cb: ProgressCallback | None = None,
         interval: float = POLL_INTERVAL, action: str | None = None) -> str:
    """Wait until the stack's current action completes.

    :param action: wait for this action (``CREATE``, ``DELETE``): a
        status of another action (the one before a request Heat has not
        started on yet) counts as in progress.
    :param progress_cb: called with the stack's resources (as
        ``resources()`` returns them) whenever a status changed.
    :returns: the final status (``CREATE_COMPLETE``, ...).
    :raises dragon.exception.StackFailed: the action failed or the stack
        vanished; ``resources`` on the exception lists each resource.
    :raises dragon.exception.StackTimeout: ``timeout`` seconds passed.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    items: list[dict[str, Any]] = []
    while True:
        stack = get(clients, stack_id)
        if stack is None:
            raise exception.StackFailed(stack=stack_id, status='gone',
                                        reason='the stack no longer exists',
                                        resources=items)
        status = stack.get('stack_status') or ''
        items = resources(clients, stack)
        seen = (status, [(r['resource_name'], r['resource_status'])
                         for r in items])
        if seen != last and progress_cb is not None:
            progress_cb(items)
        last = seen
        current = action is None or status.startswith(action + '_')
        if current and status.endswith('_COMPLETE'):
            return status
        if current and status.endswith('_FAILED'):
            raise exception.StackFailed(
                stack=stack.get('stack_name') or stack_id, status=status,
                reason=_failures(items) or stack.get('stack_status_reason')
                or 'no reason given', resources=items)
        if time.monotonic() >= deadline:
            busy = [r['resource_name'] for r in items
                    if (r['resource_status'] or '').endswith('IN_PROGRESS')]
            raise exception.StackTimeout(
                stack=stack.get('stack_name') or stack_id, status=status,
                timeout=timeout,
                reason='in progress: %s' % (', '.join(busy) or 'nothing'),
                resources=items)
        time.sleep(interval)


def delete(clients: Any, stack_id: str, timeout: float,
           interval: float = POLL_INTERVAL) -> None:
    """Delete the stack and wait until it is gone; gone already is fine.

    :raises dragon.exception.StackFailed: Heat failed to delete it
        (``DELETE_FAILED``; what is left is in ``resources``).
    :raises dragon.exception.StackTimeout:
    """
    stack = get(clients, stack_id)
    if stack is None or stack.get('stack_status') == 'DELETE_COMPLETE':
        return
    if stack.get('stack_status') != 'DELETE_IN_PROGRESS':
        response = _request(
            clients, 'delete', '/stacks/%s/%s' % (stack['stack_name'],
                                                  stack['id']),
            'deleting stack %s' % stack_id)
        if response.status_code == 404:
            return
        if response.status_code >= 400:
            raise exception.StackFailed(
                stack=stack['stack_name'], status=stack.get('stack_status'),
                reason='delete refused: %s' % _error(response))
    try:
        wait(clients, stack_id, timeout, interval=interval, action='DELETE')
    except exception.StackFailed as e:
        if e.status == 'gone':
            return
        raise
