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

"""Recoveries (a checkpoint relaunched in a target region) and their events.

Claims, orphans, paging and events work as for checkpoints
(``dragon.db.api.runs``).  A drill's outcome is also kept on its policy
(``workload_policy_set_last_drill``) when this database knows the policy.
"""

import datetime
from typing import Any

import sqlalchemy as sa

from dragon.db.api.connection import main_context_manager
from dragon.db.api.connection import retry_if_locked as _retry_if_locked
from dragon.db.api.connection import shown as _shown
from dragon.db.api import runs
from dragon.db import models
from dragon import exception
from dragon import statuses

STATUS = statuses.Recovery
RECOVERY_SORT_KEYS = ('created_at',)
_EVENTS = (models.RecoveryEvent, 'recovery_id')


def _query(project_id: str | None) -> sa.Select:
    return runs.query(models.Recovery, project_id)


def _get(session: Any, recovery_id: str,
         project_id: str | None = None) -> models.Recovery:
    return runs.get(session, models.Recovery, recovery_id, project_id,
                    exception.RecoveryNotFound)


@_retry_if_locked
@main_context_manager.writer
def recovery_create(context: Any, values: dict[str, Any],
                    exclusive: bool = False) -> models.Recovery:
    """Create a recovery, ``recovering`` unless ``values`` says otherwise.

    ``values`` holds project_id, user_id, mode, recovery_point,
    target_region and optionally checkpoint_id, policy_id, policy_name,
    mappings, resources, timeout, trust_id.

    :param exclusive: refuse while another recovery of the same recovery
        point into the same region is ``recovering``. The locking read
        settles two requests racing: on MySQL one is a deadlock victim and
        is run again (``retry_if_locked``), on SQLite writers serialize.
    :raises dragon.exception.RecoveryInProgress: ``exclusive`` and one is.
    """
    session = context.session
    _refuse_deleting_checkpoint(session, values['project_id'],
                                values['recovery_point'])
    if exclusive:
        running = _running(session, values['project_id'],
                           values['recovery_point'], values['target_region'],
                           lock=True)
        if running is not None:
            raise exception.RecoveryInProgress(
                id=running, recovery_point=values['recovery_point'],
                region=values['target_region'])
    recovery = models.Recovery(**{'status': STATUS.RECOVERING, **values})
    session.add(recovery)
    session.flush()
    return recovery


def _refuse_deleting_checkpoint(session: Any, project_id: str,
                                recovery_point: str) -> None:
    """No recovery starts from a container its checkpoint is leaving.

    The checkpoint row (if this database has one for the container) is
    locked before the recovery is added, the order a delete takes too
    (``checkpoints._refuse_delete_while_recovered``), so a delete and a
    recovery racing see each other.
    """
    status = session.execute(
        sa.select(models.Checkpoint.id, models.Checkpoint.status).where(
            models.Checkpoint.project_id == project_id,
            models.Checkpoint.container == recovery_point)
        .limit(1).with_for_update()).first()
    if status is not None and status.status == statuses.Checkpoint.DELETING:
        raise exception.CheckpointBusy(
            id=status.id, status=status.status, action='recovering it',
            allowed=statuses.Checkpoint.AVAILABLE)


def _running(session: Any, project_id: str, recovery_point: str,
             target_region: str, lock: bool = False) -> str | None:
    query = sa.select(models.Recovery.id).where(
        models.Recovery.project_id == project_id,
        models.Recovery.status == STATUS.RECOVERING,
        models.Recovery.recovery_point == recovery_point,
        models.Recovery.target_region == target_region).limit(1)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


@main_context_manager.reader
def recovery_get_running(context: Any, project_id: str, recovery_point: str,
                         target_region: str) -> str | None:
    """The id of a recovering recovery of ``recovery_point`` into a region."""
    return _running(context.session, project_id, recovery_point,
                    target_region)


@main_context_manager.reader
def recovery_get_in_window(context: Any, project_id: str, target_region: str,
                           policy_id: str | None, recovery_point: str
                           ) -> models.Recovery | None:
    """An in-place restore of the same workload that is not closed yet.

    Recovering (not a dry run) or in its window, in the region, of the
    same policy (any of its checkpoints) or, without a policy, of the same
    recovery point.
    """
    same = (models.Recovery.policy_id == policy_id if policy_id
            else models.Recovery.recovery_point == recovery_point)
    return context.session.execute(
        sa.select(models.Recovery).where(
            models.Recovery.project_id == project_id,
            models.Recovery.mode == 'in_place',
            models.Recovery.dry_run.is_(False),
            models.Recovery.target_region == target_region,
            models.Recovery.status.in_(
                (STATUS.RECOVERING,) + STATUS.IN_WINDOW),
            same).limit(1)).scalar_one_or_none()


@main_context_manager.reader
def recovery_get_settled_in_place(context: Any, project_id: str,
                                  target_region: str
                                  ) -> list[models.Recovery]:
    """The project's in-place restores in the region whose restored volumes stayed.

    Committed or expired (the window ended keeping both), in the order
    they were closed: what ``dragon.recovery.in_place.lineage`` follows.
    """
    return list(context.session.execute(
        sa.select(models.Recovery).where(
            models.Recovery.project_id == project_id,
            models.Recovery.mode == 'in_place',
            models.Recovery.target_region == target_region,
            models.Recovery.status.in_((STATUS.COMMITTED, STATUS.EXPIRED)))
        .order_by(models.Recovery.finished_at, models.Recovery.created_at,
                  models.Recovery.id)).scalars().all())


@main_context_manager.reader
def recovery_get_window_due(context: Any, now: datetime.datetime
                            ) -> list[models.Recovery]:
    """In-place restores awaiting commit whose window ended by ``now``."""
    return list(context.session.execute(
        sa.select(models.Recovery).where(
            models.Recovery.status == STATUS.AWAITING_COMMIT,
            models.Recovery.commit_deadline <= now)
        .order_by(models.Recovery.commit_deadline)).scalars().all())


@main_context_manager.reader
def recovery_get(context: Any, recovery_id: str,
                 project_id: str | None = None) -> models.Recovery:
    """Return recovery ``recovery_id``, of ``project_id`` if given.

    :raises dragon.exception.RecoveryNotFound:
    """
    return _get(context.session, recovery_id, project_id)


@main_context_manager.reader
def recovery_get_all(context: Any, project_id: str | None = None,
                     status: str | None = None, limit: int | None = None,
                     marker: str | None = None, sort_key: str = 'created_at',
                     sort_dir: str = 'desc') -> list[models.Recovery]:
    """Return recoveries, newest first by default, filtered when asked.

    :raises dragon.exception.Invalid: unknown sort key or direction.
    :raises dragon.exception.InvalidMarker: ``marker`` is not in the list.
    """
    query = _query(project_id)
    if status is not None:
        query = query.filter_by(status=status)
    return runs.page(context.session, query, models.Recovery,
                     RECOVERY_SORT_KEYS, _query(project_id), limit, marker,
                     sort_key, sort_dir)


@_retry_if_locked
@main_context_manager.writer
def recovery_update(context: Any, recovery_id: str, values: dict[str, Any],
                    expected_status: tuple[str, ...] | None = None,
                    expected_claim: str | None = None) -> models.Recovery:
    """Change a recovery.

    :param expected_status: refuse unless the current status is one of
        these (checked in the same transaction as the change).
    :param expected_claim: refuse unless the run still holds this claim.
    :raises dragon.exception.RecoveryNotFound:
    :raises dragon.exception.RecoveryBusy: not in ``expected_status``.
    :raises dragon.exception.RunTakenOver: another engine took it over.
    """
    recovery = _get(context.session, recovery_id)
    runs.check_claim(recovery, expected_claim)
    if expected_status is not None and \
            recovery.status not in expected_status:
        raise exception.RecoveryBusy(
            id=recovery_id, status=recovery.status, action='this change',
            allowed=' or '.join(expected_status))
    for key, value in values.items():
        setattr(recovery, key, value)
    context.session.flush()
    return recovery


@_retry_if_locked
@main_context_manager.writer
def recovery_claim(context: Any, recovery_id: str, host: str,
                   status: str = STATUS.RECOVERING) -> bool:
    """Make ``host`` the engine running the recovery, if nobody is.

    :returns: whether this engine now owns it (unclaimed and in ``status``).
    """
    return runs.claim(context.session, models.Recovery, recovery_id, host,
                      status)


@main_context_manager.reader
def recovery_get_orphans(context: Any, host: str | None = None,
                         dead_before: datetime.datetime | None = None
                         ) -> list[models.Recovery]:
    """Recoveries no live engine works on (see ``runs.orphans``).

    Recovering, or closing an in-place window (committing, rolling back).
    """
    return runs.orphans(context.session, models.Recovery, STATUS.WORKING,
                        host, dead_before)


@_retry_if_locked
@main_context_manager.writer
def recovery_take_over(context: Any, recovery_id: str,
                       old_claim: str | None, host: str,
                       status: str = STATUS.RECOVERING) -> str | None:
    """Make ``host`` the owner of an orphaned recovery in ``status`` (CAS).

    :returns: the new claim, or ``None`` if another engine took it first.
    """
    return runs.take_over(context.session, models.Recovery, recovery_id,
                          old_claim, status, host)


@_retry_if_locked
@main_context_manager.writer
def recovery_fail_orphans(context: Any, host: str | None = None,
                          dead_before: datetime.datetime | None = None
                          ) -> list[str]:
    """Fail the recoveries no engine is working on any more.

    Orphans are found as for checkpoints (``runs.orphans``) and become
    ``error`` with the reason; what they made stays for diagnosis and is
    removed by deleting the recovery.

    :returns: the ids of the recoveries failed.
    """
    return runs.fail_orphans(context.session, models.Recovery, _EVENTS,
                             (STATUS.RECOVERING, STATUS.DELETING),
                             STATUS.DELETING, host,
                             dead_before)


@_retry_if_locked
@main_context_manager.writer
def recovery_delete(context: Any, recovery_id: str) -> None:
    """Forget a recovery and its events (what it made is not touched).

    :raises dragon.exception.RecoveryNotFound:
    """
    session = context.session
    recovery = _get(session, recovery_id)
    runs.delete_events(session, *_EVENTS, recovery_id)
    session.delete(recovery)
    session.flush()


@_retry_if_locked
@main_context_manager.writer
def recovery_event_add(context: Any, recovery_id: str, level: str,
                       message: str, resource: str | None = None
                       ) -> models.RecoveryEvent:
    """Append one line to the history of ``recovery_id``."""
    return runs.event_add(context.session, *_EVENTS, recovery_id, level,
                          message, resource)


@_retry_if_locked
@main_context_manager.writer
def recovery_events_add(context: Any, recovery_id: str,
                        events: list[dict[str, Any]]) -> int:
    """Append many lines to the history of ``recovery_id`` at once."""
    return runs.events_add(context.session, *_EVENTS, recovery_id, events)


@main_context_manager.reader
def recovery_event_get_all(context: Any, recovery_id: str
                           ) -> list[models.RecoveryEvent]:
    """Return the events of ``recovery_id``, oldest first."""
    return runs.event_get_all(context.session, *_EVENTS, recovery_id)


@_retry_if_locked
@main_context_manager.writer
def workload_policy_set_last_drill(context: Any, policy_id: str,
                                   value: dict[str, Any] | None
                                   ) -> models.WorkloadPolicy:
    """Record the outcome of the latest drill of a live policy.

    ``value`` is ``{"recovery_id", "at", "rto_seconds", "status"}``.

    :raises dragon.exception.PolicyNotFound: unknown here (e.g. a
        checkpoint of another site's policy) or deleted.
    """
    policy = context.session.execute(
        sa.select(models.WorkloadPolicy).filter_by(
            id=policy_id, deleted='')).scalar_one_or_none()
    if policy is None:
        raise exception.PolicyNotFound(id=_shown(policy_id))
    policy.last_drill = value
    context.session.flush()
    return policy
