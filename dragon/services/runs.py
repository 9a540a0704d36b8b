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

"""What protect and recover requests share: trusts, casts, Swift reads.

Both hand a long run to an engine by RPC cast with a Keystone trust made
from the caller (``dragon.identity``); both read checkpoints from Swift
with the caller's own token.
"""

import datetime
from typing import Any, Callable

from oslo_log import log as logging

from dragon.db import run_kinds
from dragon import exception
from dragon import identity
from dragon import statuses

LOG = logging.getLogger(__name__)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def check_scope(context: Any, project_id: str) -> None:
    """The trust delegates the caller's roles on their token's project.

    An administrator acting on another project's object would delegate
    roles of the wrong project, so a token of that project is required.
    """
    if context.project_id != project_id:
        raise exception.ProjectScopeRequired(project_id=project_id)


def cast_failed(context: Any, kind: run_kinds.RunKind, row_id: str,
                trust_id: str, error: Exception, action: str
                ) -> exception.DragonException:
    """Record that no engine got the request; return the 503 to raise.

    The row is left ``error`` (so it may be retried or deleted) and the
    trust made for the run is deleted.
    """
    reason = ('the message broker did not take the %s request (%s)' %
              (action, type(error).__name__))
    LOG.error("%s %s: %s", kind.name, row_id, reason)
    try:
        kind.update(context, row_id, {
            'status': statuses.Run.ERROR,
            'error': 'Dragon engines unreachable: ' + reason,
            'finished_at': now(), 'trust_id': None})
        kind.event_add(context, row_id, 'error',
                       'Dragon engines unreachable: ' + reason)
    finally:
        identity.delete_trust(context, trust_id)
    return kind.unavailable(reason=reason, id=row_id)


def start(context: Any, kind: run_kinds.RunKind,
          create: Callable[[str], Any], message: Callable[[Any], str],
          cast: Callable[[Any, str], None], action: str,
          redelegate: bool = False, expires: bool = True) -> Any:
    """Make a trust, the row (``create(trust_id)``), its first event, the cast.

    :param redelegate: the trust may be delegated once more (to Heat).
    :param expires: the trust expires (``[engine] trust_expiry_hours``);
        False for a run that keeps it for longer (an in-place restore's
        commit window), which deletes it when it ends.

    :raises dragon.exception.TrustRefused:
    :raises dragon.exception.TrustFailed:
    :raises dragon.exception.TrustConflict:
    :raises kind.unavailable: the cast failed; the row is left ``error``.
    """
    trust_id = identity.create_trust(context, redelegate=redelegate,
                                     expires=expires)
    try:
        row = create(trust_id)
    except Exception:
        identity.delete_trust(context, trust_id)
        raise
    kind.event_add(context, row.id, 'info', message(row))
    try:
        cast(context, row.id)
    except Exception as e:  # noqa: BLE001 - any broker failure is a 503
        raise cast_failed(context, kind, row.id, trust_id, e, action)
    return row


def request_delete(context: Any, kind: run_kinds.RunKind, row: Any,
                   deletable: tuple[str, ...],
                   cast: Callable[[Any, str], None]) -> Any:
    """Mark an ended run ``deleting``, give it a fresh trust and cast it.

    The row is claimed (``deletable`` → ``deleting`` in one transaction)
    before the trust is made: of two deletes racing, the loser is refused
    with ``kind.busy`` and makes no trust. If the trust cannot be made the
    row is put back as it was.

    :raises dragon.exception.ProjectScopeRequired: another project's.
    :raises kind.busy: not in ``deletable`` (e.g. already deleting).
    :raises dragon.exception.NotFound: deleted meanwhile.
    :raises dragon.exception.TrustRefused:
    :raises dragon.exception.TrustFailed:
    :raises dragon.exception.TrustConflict:
    :raises kind.unavailable: the cast failed; the row is left ``error``
        and may be deleted again.
    """
    check_scope(context, row.project_id)
    if row.status not in deletable:
        raise kind.busy(id=row.id, status=row.status, action='deleting',
                        allowed=' or '.join(deletable))
    try:
        claimed = kind.update(
            context, row.id, {'status': statuses.Run.DELETING, 'host': None,
                              'trust_id': None, 'error': None},
            expected_status=deletable)
    except kind.busy as e:
        # Another request got there first (a second delete).
        raise kind.busy(id=row.id, status=e.kwargs.get('status'),
                        action='deleting', allowed=' or '.join(deletable))
    try:
        trust_id = identity.create_trust(context)
    except Exception:
        # As it was, so the caller may try again: the status read before
        # the claim is the one it replaced (only a delete leaves these).
        try:
            kind.update(context, row.id, {
                'status': row.status, 'host': row.host,
                'trust_id': row.trust_id, 'error': row.error},
                expected_status=(statuses.Run.DELETING,))
        except exception.DragonException as e:
            LOG.warning("%s %s: not put back to %s: %s", kind.name, row.id,
                        row.status, type(e).__name__)
        raise
    try:
        claimed = kind.update(context, row.id, {'trust_id': trust_id},
                              expected_status=(statuses.Run.DELETING,))
    except Exception:
        identity.delete_trust(context, trust_id)
        raise
    kind.event_add(context, row.id, 'info',
                   'deletion requested by user %s' % context.user_id)
    try:
        cast(context, row.id)
    except Exception as e:  # noqa: BLE001 - any broker failure is a 503
        raise cast_failed(context, kind, row.id, trust_id, e, 'delete')
    return claimed


def read_swift(what: str, call: Callable[..., Any], *args: Any,
               **kwargs: Any) -> Any:
    """Call the checkpoint store; Swift's 401/403 to the caller is a 403."""
    try:
        return call(*args, **kwargs)
    except exception.CheckpointStoreError as e:
        if e.kwargs.get('reason') in (401, 403):
            raise exception.SwiftForbidden(what=what)
        raise
