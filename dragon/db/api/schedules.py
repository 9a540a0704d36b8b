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

"""Schedules of workload policies: their rows, due ticks and the tick claim.

A tick is taken by a compare-and-swap on ``next_tick_at``: whichever
engine moves it first owns that tick, so each tick runs once however many
engines poll. ``schedule_fire`` takes the tick and starts its checkpoint
(or records why it was skipped) in one transaction, so no crash between
the two can lose a tick or run it twice.
"""

import datetime
from typing import Any

import sqlalchemy as sa

from dragon.db.api import checkpoints as checkpoints_api
from dragon.db.api.connection import main_context_manager
from dragon.db.api.connection import retry_if_locked as _retry_if_locked
from dragon.db.api.connection import shown as _shown
from dragon.db.api import runs
from dragon.db import models
from dragon import exception
from dragon import statuses

STATUS = statuses.Schedule
TICK = statuses.Tick


def _get(session: Any, schedule_id: str,
         policy_id: str | None = None) -> models.Schedule:
    query = sa.select(models.Schedule).filter_by(id=schedule_id)
    if policy_id is not None:
        query = query.filter_by(policy_id=policy_id)
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise exception.ScheduleNotFound(id=_shown(schedule_id))
    return row


@_retry_if_locked
@main_context_manager.writer
def schedule_create(context: Any, values: dict[str, Any]) -> models.Schedule:
    """Create a schedule of ``values['policy_id']``."""
    schedule = models.Schedule(**values)
    context.session.add(schedule)
    context.session.flush()
    return schedule


@main_context_manager.reader
def schedule_get(context: Any, schedule_id: str,
                 policy_id: str | None = None) -> models.Schedule:
    """Return schedule ``schedule_id`` (of ``policy_id`` if given).

    :raises dragon.exception.ScheduleNotFound:
    """
    return _get(context.session, schedule_id, policy_id)


@main_context_manager.reader
def schedule_get_all(context: Any, policy_id: str | None = None,
                     project_id: str | None = None
                     ) -> list[models.Schedule]:
    """Schedules of a policy or a project, oldest first."""
    query = sa.select(models.Schedule)
    if policy_id is not None:
        query = query.filter_by(policy_id=policy_id)
    if project_id is not None:
        query = query.filter_by(project_id=project_id)
    return list(context.session.execute(
        query.order_by(models.Schedule.created_at,
                       models.Schedule.id)).scalars())


@_retry_if_locked
@main_context_manager.writer
def schedule_update(context: Any, schedule_id: str,
                    values: dict[str, Any]) -> models.Schedule:
    """Change a schedule.

    :raises dragon.exception.ScheduleNotFound:
    """
    schedule = _get(context.session, schedule_id)
    for key, value in values.items():
        setattr(schedule, key, value)
    context.session.flush()
    return schedule


@_retry_if_locked
@main_context_manager.writer
def schedule_delete(context: Any, schedule_id: str) -> None:
    """Forget a schedule (its trust is the caller's to delete first).

    :raises dragon.exception.ScheduleNotFound:
    """
    context.session.delete(_get(context.session, schedule_id))
    context.session.flush()


@main_context_manager.reader
def schedule_get_due(context: Any, now: datetime.datetime,
                     limit: int = 100) -> list[models.Schedule]:
    """Enabled, healthy schedules whose next run time has come, oldest due first."""
    return list(context.session.execute(
        sa.select(models.Schedule)
        .where(models.Schedule.enabled.is_(True),
               models.Schedule.status == STATUS.ACTIVE,
               models.Schedule.next_run_at.is_not(None),
               models.Schedule.next_run_at <= now)
        .order_by(models.Schedule.next_run_at, models.Schedule.id)
        .limit(limit)).scalars())


def _advance(session: Any, schedule_id: str,
             expected_tick: datetime.datetime | None,
             values: dict[str, Any]) -> bool:
    result = session.execute(
        sa.update(models.Schedule)
        .where(models.Schedule.id == schedule_id,
               models.Schedule.next_tick_at == expected_tick,
               models.Schedule.status == STATUS.ACTIVE,
               models.Schedule.enabled.is_(True))
        .values(updated_at=models.utcnow(), **values)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@_retry_if_locked
@main_context_manager.writer
def schedule_advance(context: Any, schedule_id: str,
                     expected_tick: datetime.datetime | None,
                     values: dict[str, Any]) -> bool:
    """Move a schedule past the tick ``expected_tick`` if nobody did yet.

    :returns: whether this caller took the tick (compare-and-swap).
    """
    return _advance(context.session, schedule_id, expected_tick, values)


@_retry_if_locked
@main_context_manager.writer
def schedule_fire(context: Any, schedule_id: str,
                  expected_tick: datetime.datetime, values: dict[str, Any],
                  checkpoint_values: dict[str, Any], message: str
                  ) -> tuple[str, Any] | None:
    """Take tick ``expected_tick`` and start its checkpoint, in one transaction.

    :param values: the schedule's next tick, counts and last times.
    :param checkpoint_values: the queued checkpoint to create.
    :param message: its first event.
    :returns: ``None`` when another engine took the tick; ``('started',
        checkpoint)``; or ``('skipped', reason)`` when the policy's
        previous checkpoint is still queued or protecting.
    """
    session = context.session
    schedule = _get(session, schedule_id)
    if not _advance(session, schedule_id, expected_tick, values):
        return None
    session.refresh(schedule)
    running = checkpoints_api._active_of_policy(session,
                                                schedule.policy_id)
    if running is not None:
        reason = ('checkpoint %s of an earlier run is still queued or '
                  'protecting' % running)
        schedule.last_result = TICK.SKIPPED
        schedule.last_reason = reason
        schedule.skipped_count += 1
        session.flush()
        return TICK.SKIPPED, reason
    checkpoint = checkpoints_api._create(session, checkpoint_values)
    runs.event_add(session, models.CheckpointEvent, 'checkpoint_id',
                   checkpoint.id, 'info', message, None)
    schedule.last_result = TICK.STARTED
    schedule.last_reason = None
    schedule.last_checkpoint_id = checkpoint.id
    schedule.run_count += 1
    session.flush()
    return TICK.STARTED, checkpoint
