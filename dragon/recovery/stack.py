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

"""Heat stack operations of a recovery: validate, create, wait, delete, name.

Everything goes through python-heatclient on the target region's
``orchestration`` adapter (``ServiceClients.heat()``), so each request is
counted with the run's other API calls.  Waiting reports the per-resource
status on every change, so a recovery shows which resource Heat is
working on and why one failed.

heatclient's ``template_utils`` is not needed: the template is generated
in memory and is self-contained (no ``get_file``, no nested template
URLs), so there are no files to gather; it is sent as YAML.
"""

import datetime
import math
import re
import time
from typing import Any, Callable

from oslo_log import log as logging

from dragon.common import heat as heat_errors
from dragon import exception
from dragon.protection import template as template_mod

LOG = logging.getLogger(__name__)

# A stack create Heat answers with a 500 is tried again, this many times in
# all, waiting CREATE_RETRY_DELAY x the attempt's number between them.
CREATE_ATTEMPTS = 3
CREATE_RETRY_DELAY = 2.0

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
    fields = {'stack_name': name, **_body(template, params, timeout)}
    attempt = 1
    while True:
        try:
            with heat_errors.reachable('creating stack %s' % name):
                return clients.heat().stacks.create(**fields)['stack']['id']
        except heat_errors.HTTPException as e:
            if heat_errors.status(e) != 500 or attempt == CREATE_ATTEMPTS:
                raise exception.StackFailed(stack=name, status='not created',
                                            reason=heat_errors.reason(e))
            # Heat answers 500 when Keystone refuses the stack's trust with
            # a 409, as it does for two stacks one user creates in the same
            # second (seen on the minicloud).  Whether the stack was stored
            # anyway is read back: one found by its name is this one.
            found = get(clients, name)
            if found is not None and found.get('stack_status') != \
                    'DELETE_COMPLETE':
                return found['id']
            LOG.warning('Heat failed to create stack %s (%s); trying again '
                        '(attempt %d of %d)', name, heat_errors.reason(e),
                        attempt + 1, CREATE_ATTEMPTS)
            time.sleep(CREATE_RETRY_DELAY * attempt)
            attempt += 1


def _body(template: dict[str, Any] | str, params: dict[str, Any],
          timeout: float) -> dict[str, Any]:
    """What a create and an update send.

    Rollback disabled, Heat's own timeout ``timeout`` rounded up to
    minutes.
    """
    return {'template': _as_yaml(template),
            'parameters': {k: '' if v is None else v
                           for k, v in (params or {}).items()},
            'timeout_mins': max(1, math.ceil(timeout / 60.0)),
            'disable_rollback': True}


def update(clients: Any, name: str, stack_id: str,
           template: dict[str, Any] | str, params: dict[str, Any],
           timeout: float) -> None:
    """Replace the stack's template and parameters (Heat works on it after).

    Resources whose definition is unchanged are kept as they are; new ones
    are created.  A failed update stays for diagnosis, like a failed
    create.

    :raises dragon.exception.StackFailed: Heat refused the request.
    :raises dragon.exception.RemoteServiceUnavailable:
    """
    try:
        with heat_errors.reachable('updating stack %s' % stack_id):
            clients.heat().stacks.update(
                _identifier({'stack_name': name, 'id': stack_id}),
                **_body(template, params, timeout))
    except heat_errors.HTTPException as e:
        raise exception.StackFailed(stack=name, status='not updated',
                                    reason=heat_errors.reason(e))


def get(clients: Any, stack_id: str) -> dict[str, Any] | None:
    """The stack (``stack_status``, ``stack_status_reason``, ...) or None.

    A deleted stack is ``None`` (or ``DELETE_COMPLETE``, depending on
    whether Heat still shows it).  Outputs are not resolved: nothing here
    reads them, and resolving them costs Heat a walk of the stack.
    """
    try:
        with heat_errors.reachable('reading stack %s' % stack_id):
            return clients.heat().stacks.get(
                stack_id, resolve_outputs=False).to_dict()
    except heat_errors.HTTPException as e:
        if heat_errors.status(e) == 404:
            return None
        raise exception.RemoteServiceUnavailable(
            service=heat_errors.SERVICE, reason='reading stack %s: %s' % (
                stack_id, heat_errors.reason(e)))


def _identifier(stack: dict[str, Any]) -> str:
    """``<name>/<id>``: Heat answers it directly, a bare id is redirected."""
    return '%s/%s' % (stack['stack_name'], stack['id'])


def resources(clients: Any, stack: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-resource status of ``stack`` (as ``get`` returns it).

    :returns: Heat's fields, sorted by name: ``[{"resource_name",
        "resource_type", "resource_status", "resource_status_reason",
        "physical_resource_id"}]``.
    """
    try:
        with heat_errors.reachable('listing the resources of stack %s'
                                   % stack['id']):
            found = clients.heat().resources.list(_identifier(stack))
    except heat_errors.HTTPException as e:
        if heat_errors.status(e) == 404:
            return []
        raise exception.RemoteServiceUnavailable(
            service=heat_errors.SERVICE,
            reason='listing resources of %s: %s' % (
                stack['id'], heat_errors.reason(e)))
    return sorted(({k: r.to_dict().get(k) for k in FIELDS} for r in found),
                  key=lambda r: r['resource_name'] or '')


def _failures(items: list[dict[str, Any]]) -> str:
    return '; '.join('%s: %s' % (r['resource_name'],
                                 r['resource_status_reason'] or
                                 r['resource_status'])
                     for r in items
                     if (r['resource_status'] or '').endswith('FAILED'))


def wait(clients: Any, stack_id: str, timeout: float,
         progress_cb: ProgressCallback | None = None, *,
         interval: float, action: str | None = None) -> str:
    """Wait until the stack's current action completes.

    :param interval: seconds between two polls (``[recovery]
        stack_poll_interval``).

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


def delete(clients: Any, stack_id: str, timeout: float, *,
           interval: float) -> None:
    """Delete the stack and wait until it is gone; gone already is fine.

    :raises dragon.exception.StackFailed: Heat failed to delete it
        (``DELETE_FAILED``; what is left is in ``resources``).
    :raises dragon.exception.StackTimeout:
    """
    stack = get(clients, stack_id)
    if stack is None or stack.get('stack_status') == 'DELETE_COMPLETE':
        return
    if stack.get('stack_status') != 'DELETE_IN_PROGRESS':
        try:
            with heat_errors.reachable('deleting stack %s' % stack_id):
                clients.heat().stacks.delete(_identifier(stack))
        except heat_errors.HTTPException as e:
            if heat_errors.status(e) == 404:
                return
            raise exception.StackFailed(
                stack=stack['stack_name'], status=stack.get('stack_status'),
                reason='delete refused: %s' % heat_errors.reason(e))
    try:
        wait(clients, stack_id, timeout, interval=interval, action='DELETE')
    except exception.StackFailed as e:
        if e.status == 'gone':
            return
        raise
