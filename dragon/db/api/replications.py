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

"""Each checkpoint's copy at its replication target: claimed, updated, orphaned.

``checkpoints.replication`` is one JSON value (``dragon.replication.
state``) carrying the engine's ``host`` and ``claim``; every write is a
compare-and-swap of the claim, so an engine whose copy was taken over
writes nothing more.
"""

import datetime
from typing import Any

import sqlalchemy as sa

from dragon.db.api.connection import main_context_manager
from dragon.db.api.connection import retry_if_locked as _retry_if_locked
from dragon.db import models
from dragon import statuses


def _locked(session: Any, checkpoint_id: str) -> models.Checkpoint | None:
    return session.execute(
        sa.select(models.Checkpoint).filter_by(id=checkpoint_id)
        .with_for_update()).scalar_one_or_none()


@_retry_if_locked
@main_context_manager.writer
def checkpoint_replication_swap(context: Any, checkpoint_id: str,
                                expected_claim: str | None,
                                value: dict[str, Any],
                                unstarted: bool = False) -> bool:
    """Write ``value`` if the copy's claim is still ``expected_claim``.

    ``None`` expects no copy, or one that holds no claim (ended).  Only an
    ``available`` checkpoint is replicated.

    :param unstarted: expect no copy at all, not even an ended one.
    :returns: whether it was written.
    """
    row = _locked(context.session, checkpoint_id)
    if row is None or row.status != statuses.Checkpoint.AVAILABLE:
        return False
    if (row.replication or {}).get('claim') != expected_claim:
        return False
    if unstarted and row.replication:
        return False
    row.replication = value
    context.session.flush()
    return True


@main_context_manager.reader
def checkpoint_replication_orphans(context: Any, host: str | None,
                                   dead_before: datetime.datetime | None
                                   ) -> list[models.Checkpoint]:
    """Copies left ``replicating`` by ``host`` or by engines dead before then.

    The JSON value is filtered here, not in SQL: the available
    checkpoints with a replication are few, and JSON paths differ
    between databases.
    """
    rows = context.session.execute(
        sa.select(models.Checkpoint).where(
            models.Checkpoint.status == statuses.Checkpoint.AVAILABLE,
            models.Checkpoint.replication.is_not(None))
        .order_by(models.Checkpoint.created_at)).scalars().all()
    alive: set[str] = set()
    if dead_before is not None:
        alive = set(context.session.execute(
            sa.select(models.EngineService.host).where(
                models.EngineService.updated_at >= dead_before)).scalars())
    found = []
    for row in rows:
        state = row.replication or {}
        if state.get('status') != statuses.Replication.REPLICATING:
            continue
        owner = state.get('host')
        if (host is not None and owner == host) or (
                dead_before is not None and owner not in alive):
            found.append(row)
    return found


@main_context_manager.reader
def checkpoint_replication_get_failed(context: Any
                                      ) -> list[models.Checkpoint]:
    """Available checkpoints whose copy failed (the caller decides when
    to try again).
    """
    rows = context.session.execute(
        sa.select(models.Checkpoint).where(
            models.Checkpoint.status == statuses.Checkpoint.AVAILABLE,
            models.Checkpoint.replication.is_not(None))
        .order_by(models.Checkpoint.created_at)).scalars().all()
    return [row for row in rows if (row.replication or {}).get('status') ==
            statuses.Replication.FAILED]


@main_context_manager.reader
def checkpoint_replication_unclaimed(context: Any, host: str | None,
                                     dead_before: datetime.datetime | None
                                     ) -> list[models.Checkpoint]:
    """Available checkpoints of replicating policies whose copy no engine
    claimed, left by ``host`` or by engines dead before then.

    Their engine died between making them ``available`` and claiming the
    copy: no replication state, and the run's trust still on the row (it
    is released only after the copy is claimed or ends). A checkpoint
    whose trust was released (taken before its policy replicated) is not
    one: nothing could copy it.
    """
    rows = context.session.execute(
        sa.select(models.Checkpoint, models.WorkloadPolicy.replication)
        .join(models.WorkloadPolicy,
              models.WorkloadPolicy.id == models.Checkpoint.policy_id)
        .where(models.Checkpoint.status == statuses.Checkpoint.AVAILABLE,
               models.Checkpoint.trust_id.is_not(None),
               models.Checkpoint.container.is_not(None))
        .order_by(models.Checkpoint.created_at)).all()
    alive: set[str] = set()
    if dead_before is not None:
        alive = set(context.session.execute(
            sa.select(models.EngineService.host).where(
                models.EngineService.updated_at >= dead_before)).scalars())
    found = []
    for row, policy_replication in rows:
        if row.replication or not (policy_replication or {}).get(
                'target_region'):
            continue
        owner = row.host
        if (host is not None and owner == host) or (
                dead_before is not None and owner not in alive):
            found.append(row)
    return found
