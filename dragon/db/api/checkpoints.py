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

"""Checkpoints (the index of protection runs) and their events.

A checkpoint row is the primary site's bookkeeping; the Swift container
it names is what a backup site recovers from. ``active_policy_id`` is set
while the checkpoint is ``protecting`` and cleared when it leaves that
status, so its unique constraint refuses a concurrent protect of the same
policy on every database, even when two requests race.
"""

import datetime
from typing import Any

from oslo_db import exception as db_exc
import sqlalchemy as sa

from dragon.db.api.connection import main_context_manager
from dragon.db.api.connection import retry_if_locked as _retry_if_locked
from dragon.db.api import runs
from dragon.db import models
from dragon import exception
from dragon import statuses

STATUS = statuses.Checkpoint
CHECKPOINT_SORT_KEYS = ('created_at',)


def _query(project_id: str | None) -> sa.Select:
    return runs.query(models.Checkpoint, project_id)


def _recovering_clause(checkpoint: Any) -> Any:
    """Recoveries reading ``checkpoint``'s container now (a row or the model).

    Matched by container, not by ``checkpoint_id``: a recovery started from
    the recovery point (the container's name) reads the same objects.
    """
    return sa.and_(
        models.Recovery.project_id == checkpoint.project_id,
        models.Recovery.recovery_point == checkpoint.container,
        models.Recovery.status == statuses.Recovery.RECOVERING)


def _refuse_delete_while_recovered(session: Any,
                                   checkpoint: models.Checkpoint) -> None:
    """A checkpoint a recovery is reading is not deleted under it.

    The checkpoint row is locked first, as ``recovery_create`` does before
    it adds a recovery, so of a delete and a recovery racing one waits for
    the other and then sees it; the recoveries are read with a locking read
    so MySQL shows the committed rows, not this transaction's snapshot.
    """
    if not checkpoint.container:
        return
    session.execute(sa.select(models.Checkpoint.id)
                    .where(models.Checkpoint.id == checkpoint.id)
                    .with_for_update())
    recovery_id = session.execute(
        sa.select(models.Recovery.id).where(_recovering_clause(checkpoint))
        .limit(1).with_for_update()).scalar_one_or_none()
    if recovery_id is not None:
        raise exception.CheckpointInRecovery(id=checkpoint.id,
                                             recovery=recovery_id)


def _get(session: Any, checkpoint_id: str,
         project_id: str | None = None) -> models.Checkpoint:
    return runs.get(session, models.Checkpoint, checkpoint_id, project_id,
                    exception.CheckpointNotFound)


@_retry_if_locked
@main_context_manager.writer
def checkpoint_create(context: Any, values: dict[str, Any]
                      ) -> models.Checkpoint:
    """Create a checkpoint (status ``queued`` unless ``values`` says otherwise).

    ``values`` holds project_id, user_id, policy_id, policy_name and
    optionally container, trust_id, resources.

    :raises dragon.exception.ProtectionInProgress: the policy already has a
        checkpoint being protected.
    """
    return _create(context.session, values)


def _create(session: Any, values: dict[str, Any]) -> models.Checkpoint:
    values = {'status': STATUS.QUEUED, **values}
    policy_id = values['policy_id']
    if values['status'] in STATUS.ACTIVE:
        values['active_policy_id'] = policy_id
        if _active_of_policy(session, policy_id) is not None:
            raise exception.ProtectionInProgress(policy_id=policy_id)
    checkpoint = models.Checkpoint(**values)
    session.add(checkpoint)
    try:
        session.flush()
    except db_exc.DBDuplicateEntry:
        # Lost the race to a concurrent protect of the same policy.
        raise exception.ProtectionInProgress(policy_id=policy_id)
    return checkpoint


def _active_of_policy(session: Any, policy_id: str) -> str | None:
    """The id of the queued or protecting checkpoint of ``policy_id``."""
    return session.execute(
        sa.select(models.Checkpoint.id).filter_by(
            active_policy_id=policy_id)).scalar_one_or_none()


@main_context_manager.reader
def checkpoint_get(context: Any, checkpoint_id: str,
                   project_id: str | None = None) -> models.Checkpoint:
    """Return checkpoint ``checkpoint_id``, of ``project_id`` if given.

    :raises dragon.exception.CheckpointNotFound:
    """
    return _get(context.session, checkpoint_id, project_id)


@main_context_manager.reader
def checkpoint_get_all(context: Any, project_id: str | None = None,
                       policy_id: str | None = None,
                       status: str | None = None, limit: int | None = None,
                       marker: str | None = None,
                       sort_key: str = 'created_at',
                       sort_dir: str = 'desc') -> list[models.Checkpoint]:
    """Return checkpoints, newest first by default, filtered when asked.

    Keyset pagination: the page after checkpoint ``marker`` in the order
    of (``sort_key``, id).

    :raises dragon.exception.Invalid: unknown sort key or direction.
    :raises dragon.exception.InvalidMarker: ``marker`` is not in the list.
    """
    query = _query(project_id)
    if policy_id is not None:
        query = query.filter_by(policy_id=policy_id)
    if status is not None:
        query = query.filter_by(status=status)
    return runs.page(context.session, query, models.Checkpoint,
                     CHECKPOINT_SORT_KEYS, _query(project_id), limit, marker,
                     sort_key, sort_dir)


@_retry_if_locked
@main_context_manager.writer
def checkpoint_update(context: Any, checkpoint_id: str,
                      values: dict[str, Any],
                      expected_status: tuple[str, ...] | None = None,
                      expected_claim: str | None = None
                      ) -> models.Checkpoint:
    """Change a checkpoint; leaving ``protecting`` frees its policy.

    :param expected_status: refuse unless the current status is one of
        these (checked in the same transaction as the change).
    :param expected_claim: refuse unless the run still holds this claim:
        the writes of an engine whose run was taken over.
    :raises dragon.exception.CheckpointNotFound:
    :raises dragon.exception.CheckpointBusy: not in ``expected_status``.
    :raises dragon.exception.RunTakenOver: the claim moved on.
    """
    session = context.session
    checkpoint = _get(session, checkpoint_id)
    runs.check_claim(checkpoint, expected_claim)
    if expected_status is not None and \
            checkpoint.status not in expected_status:
        raise exception.CheckpointBusy(
            id=checkpoint_id, status=checkpoint.status,
            action='this change', allowed=' or '.join(expected_status))
    values = dict(values)
    if values.get('status') == STATUS.DELETING:
        if checkpoint.hold:
            # In the same transaction as the change: a hold set a moment
            # before a delete wins, whoever checked it earlier.
            raise exception.CheckpointOnHold(id=checkpoint_id)
        _refuse_delete_while_recovered(session, checkpoint)
    if 'status' in values:
        values['active_policy_id'] = (
            checkpoint.policy_id if values['status'] in STATUS.ACTIVE
            else None)
    for key, value in values.items():
        setattr(checkpoint, key, value)
    try:
        session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.ProtectionInProgress(policy_id=checkpoint.policy_id)
    return checkpoint


@_retry_if_locked
@main_context_manager.writer
def checkpoint_claim(context: Any, checkpoint_id: str, host: str,
                     status: str = STATUS.PROTECTING) -> bool:
    """Make ``host`` the engine running the checkpoint, if nobody is.

    One conditional UPDATE, so two engines handed the same checkpoint
    (a redelivered message) cannot both run it.

    :returns: whether this engine now owns it (unclaimed and in ``status``).
    """
    return runs.claim(context.session, models.Checkpoint, checkpoint_id,
                      host, status)


@_retry_if_locked
@main_context_manager.writer
def checkpoint_mark_deleting(context: Any, checkpoint_id: str,
                             host: str | None = None) -> bool:
    """Move an ``available`` checkpoint not on hold nor being recovered to
    ``deleting``.

    One conditional UPDATE, so a hold set, a recovery or a deletion started
    since the caller looked wins: retention deletes only what is still fair
    game.
    ``host`` claims the deletion (an engine that dies leaves an orphan the
    orphan check fails).

    :returns: whether the checkpoint is now ``deleting`` (for the caller).
    """
    now = models.utcnow()
    result = context.session.execute(
        sa.update(models.Checkpoint)
        .where(models.Checkpoint.id == checkpoint_id,
               models.Checkpoint.status == STATUS.AVAILABLE,
               models.Checkpoint.hold == sa.false(),
               ~sa.exists().where(_recovering_clause(models.Checkpoint)))
        .values(status=STATUS.DELETING, host=host, updated_at=now, error=None)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@_retry_if_locked
@main_context_manager.writer
def checkpoint_fail_orphans(context: Any, host: str | None = None,
                            dead_before: datetime.datetime | None = None
                            ) -> list[str]:
    """Fail the checkpoints no engine is working on any more.

    A ``protecting`` or ``deleting`` checkpoint is an orphan when it is
    claimed by ``host`` (that engine is starting, so it runs nothing), or
    when ``dead_before`` is given and it is claimed by an engine whose last
    heartbeat is older (or that has none), or it was never claimed and has
    not changed since before ``dead_before``. Orphans become ``error``
    with the reason; their policy may be protected again.

    :returns: the ids of the checkpoints failed.
    """
    return runs.fail_orphans(
        context.session, models.Checkpoint,
        (models.CheckpointEvent, 'checkpoint_id'),
        (STATUS.PROTECTING, STATUS.DELETING), STATUS.DELETING, host,
        dead_before, active_policy_id=None)


@_retry_if_locked
@main_context_manager.writer
def checkpoint_delete(context: Any, checkpoint_id: str) -> None:
    """Forget a checkpoint and its events (its container is not touched).

    :raises dragon.exception.CheckpointNotFound:
    """
    session = context.session
    checkpoint = _get(session, checkpoint_id)
    runs.delete_events(session, models.CheckpointEvent, 'checkpoint_id',
                       checkpoint_id)
    session.delete(checkpoint)
    session.flush()


@main_context_manager.reader
def checkpoint_get_project_ids(context: Any) -> list[str]:
    """Every project that has a checkpoint row, sorted."""
    return sorted(context.session.execute(
        sa.select(models.Checkpoint.project_id).distinct()).scalars())


@main_context_manager.reader
def checkpoint_count_by_policy(context: Any, policy_id: str) -> int:
    """Return how many checkpoints were taken under ``policy_id``."""
    return context.session.execute(
        sa.select(sa.func.count()).select_from(models.Checkpoint)
        .where(models.Checkpoint.policy_id == policy_id)).scalar_one()


@_retry_if_locked
@main_context_manager.writer
def checkpoint_event_add(context: Any, checkpoint_id: str, level: str,
                         message: str, resource: str | None = None
                         ) -> models.CheckpointEvent:
    """Append one line to the history of ``checkpoint_id``."""
    return runs.event_add(context.session, models.CheckpointEvent,
                          'checkpoint_id', checkpoint_id, level, message,
                          resource)


@_retry_if_locked
@main_context_manager.writer
def checkpoint_events_add(context: Any, checkpoint_id: str,
                          events: list[dict[str, Any]]) -> int:
    """Append many lines to the history of ``checkpoint_id`` at once.

    A discovery of hundreds of resources may warn about each: one
    transaction instead of one per line (see ``runs.events_add``).
    """
    return runs.events_add(context.session, models.CheckpointEvent,
                           'checkpoint_id', checkpoint_id, events)


@main_context_manager.reader
def checkpoint_event_get_all(context: Any, checkpoint_id: str
                             ) -> list[models.CheckpointEvent]:
    """Return the events of ``checkpoint_id``, oldest first."""
    return runs.event_get_all(context.session, models.CheckpointEvent,
                              'checkpoint_id', checkpoint_id)


@_retry_if_locked
@main_context_manager.writer
def checkpoint_admit(context: Any, host: str, slots: int,
                     max_running: int = 0, max_running_per_project: int = 0
                     ) -> list[str]:
    """Move the oldest ``queued`` checkpoints to ``protecting`` on ``host``.

    First come, first served within the caps: at most ``max_running``
    protecting in all (0: no cap) and ``max_running_per_project`` of one
    project (a project at its cap does not hold back the others), and at
    most ``slots`` for this engine. The locking read of every queued and
    protecting row serializes engines admitting at the same time on
    MySQL (InnoDB locks the index range, so a concurrent admission waits
    and then counts the rows this one promoted); SQLite serializes the
    writers itself.

    :returns: the ids now claimed by ``host``, oldest first.
    """
    if slots <= 0:
        return []
    session = context.session
    rows = list(session.execute(
        sa.select(models.Checkpoint)
        .where(models.Checkpoint.status.in_(STATUS.ACTIVE))
        .order_by(models.Checkpoint.created_at, models.Checkpoint.id)
        .with_for_update()).scalars())
    running = [r for r in rows if r.status == STATUS.PROTECTING]
    per_project: dict[str, int] = {}
    for row in running:
        per_project[row.project_id] = per_project.get(row.project_id, 0) + 1
    total = len(running)
    now = models.utcnow()
    admitted = []
    for row in rows:
        if row.status != STATUS.QUEUED or len(admitted) >= slots:
            continue
        if max_running and total >= max_running:
            break
        if (max_running_per_project and
                per_project.get(row.project_id, 0) >= max_running_per_project):
            continue
        row.status = STATUS.PROTECTING
        row.host = host
        row.claim = runs.new_claim()
        row.started_at = row.started_at or now
        row.updated_at = now
        total += 1
        per_project[row.project_id] = per_project.get(row.project_id, 0) + 1
        admitted.append(row.id)
    session.flush()
    return admitted


@main_context_manager.reader
def checkpoint_queue(context: Any) -> list[str]:
    """The ids of the queued checkpoints, first to be admitted first."""
    return list(context.session.execute(
        sa.select(models.Checkpoint.id)
        .where(models.Checkpoint.status == STATUS.QUEUED)
        .order_by(models.Checkpoint.created_at, models.Checkpoint.id))
        .scalars())


@main_context_manager.reader
def checkpoint_newest_available(context: Any, policy_ids: list[str],
                                at_target: bool = False
                                ) -> dict[str, models.Checkpoint]:
    """The newest available checkpoint of each policy (by capture time).

    :param at_target: of a policy that replicates, only checkpoints whose
        copy is complete at the target count (what its RPO counts from).
    """
    if not policy_ids:
        return {}
    replicating: set[str] = set()
    if at_target:
        replicating = {policy_id for policy_id, replication in
                       context.session.execute(
                           sa.select(models.WorkloadPolicy.id,
                                     models.WorkloadPolicy.replication)
                           .where(models.WorkloadPolicy.id.in_(policy_ids)))
                       if replication}
    rows = context.session.execute(
        sa.select(models.Checkpoint)
        .where(models.Checkpoint.policy_id.in_(policy_ids),
               models.Checkpoint.status == STATUS.AVAILABLE)
        .order_by(models.Checkpoint.created_at)).scalars()
    newest: dict[str, models.Checkpoint] = {}
    for row in rows:
        if row.policy_id in replicating and (row.replication or {}).get(
                'status') != statuses.Replication.REPLICATED:
            continue
        current = newest.get(row.policy_id)
        if current is None or row.point_in_time >= current.point_in_time:
            newest[row.policy_id] = row
    return newest


@main_context_manager.reader
def checkpoint_get_orphans(context: Any, host: str | None = None,
                           dead_before: datetime.datetime | None = None
                           ) -> list[models.Checkpoint]:
    """Protecting checkpoints no live engine runs (see ``runs.orphans``).

    The caller leaves out the runs it is running itself (with ``host``,
    the others it holds are orphans too: a lost final write).
    """
    return runs.orphans(context.session, models.Checkpoint,
                        (STATUS.PROTECTING,), host, dead_before)


@_retry_if_locked
@main_context_manager.writer
def checkpoint_take_over(context: Any, checkpoint_id: str,
                         old_claim: str | None, host: str) -> str | None:
    """Make ``host`` the owner of an orphaned protecting checkpoint (CAS).

    :returns: the new claim, or ``None`` if another engine took it first.
    """
    return runs.take_over(context.session, models.Checkpoint, checkpoint_id,
                          old_claim, STATUS.PROTECTING, host)


@_retry_if_locked
@main_context_manager.writer
def checkpoint_claim_verification(context: Any, checkpoint_id: str,
                                  expected_id: str | None,
                                  value: dict[str, Any]) -> bool:
    """Start verification ``value`` if the checkpoint's current one is
    still ``expected_id`` and it is available (compare-and-swap), so two
    engines never start the same scheduled verification.
    """
    row = context.session.execute(
        sa.select(models.Checkpoint).filter_by(id=checkpoint_id)
        .with_for_update()).scalar_one_or_none()
    if row is None or row.status != STATUS.AVAILABLE or \
            (row.verification or {}).get('id') != expected_id:
        return False
    row.verification = value
    context.session.flush()
    return True


@main_context_manager.reader
def trust_lent(context: Any, trust_id: str) -> bool:
    """Whether a schedule or a recovery holds ``trust_id``.

    A checkpoint run may borrow a trust it does not own: a scheduled one
    its schedule's standing trust, a failback's final checkpoint its
    recovery's (``dragon.recovery.failback_quiesce``). Its end must not
    delete that trust; the owner does, at its own end.
    """
    return any(context.session.execute(
        sa.select(model.id).filter_by(trust_id=trust_id).limit(1)
    ).first() is not None for model in (models.Schedule, models.Recovery))
