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

"""What rows of long runs share (checkpoints, recoveries): claims, orphans.

A run is a row an API request creates and one engine claims and works on;
its events are the lines of its history.  The entity modules pass their
model (and event model) to these helpers, so both kinds of run page, claim
and fail their orphans the same way.
"""

import datetime
from typing import Any
import uuid

import sqlalchemy as sa

from dragon.db.api.connection import shown as _shown
from dragon.db import models
from dragon import exception
from dragon import statuses


def query(model: Any, project_id: str | None) -> sa.Select:
    """The rows of ``model``, of ``project_id`` if given."""
    result = sa.select(model)
    if project_id is not None:
        result = result.filter_by(project_id=project_id)
    return result


def get(session: Any, model: Any, row_id: str, project_id: str | None,
        not_found: type[exception.NotFound]) -> Any:
    """Row ``row_id`` (of ``project_id`` if given), or ``not_found``."""
    row = session.execute(
        query(model, project_id).filter_by(id=row_id)).scalar_one_or_none()
    if row is None:
        raise not_found(id=_shown(row_id))
    return row


def page(session: Any, query: sa.Select, model: Any, sort_keys: tuple,
         project_query: sa.Select, limit: int | None, marker: str | None,
         sort_key: str, sort_dir: str) -> list[Any]:
    """Rows of ``query`` in (``sort_key``, id) order, after ``marker``.

    :param project_query: the visible rows, where ``marker`` must be.
    :raises dragon.exception.Invalid: unknown sort key or direction.
    :raises dragon.exception.InvalidMarker: ``marker`` is not visible.
    """
    if sort_key not in sort_keys:
        raise exception.Invalid(reason='sort_key must be one of %s' %
                                ', '.join(sort_keys))
    if sort_dir not in ('asc', 'desc'):
        raise exception.Invalid(reason='sort_dir must be asc or desc')
    column = getattr(model, sort_key)
    id_column = model.id
    if marker is not None:
        mark = session.execute(
            project_query.filter_by(id=marker)).scalar_one_or_none()
        if mark is None:
            raise exception.InvalidMarker(marker=_shown(marker))
        value = getattr(mark, sort_key)
        if sort_dir == 'asc':
            query = query.where(sa.or_(column > value, sa.and_(
                column == value, id_column > mark.id)))
        else:
            query = query.where(sa.or_(column < value, sa.and_(
                column == value, id_column < mark.id)))
    if sort_dir == 'asc':
        query = query.order_by(column.asc(), id_column.asc())
    else:
        query = query.order_by(column.desc(), id_column.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def claim(session: Any, model: Any, row_id: str, host: str,
          status: str) -> bool:
    """Make ``host`` the engine of row ``row_id`` if it is ``status`` and free.

    One conditional UPDATE, so two engines handed the same run (a
    redelivered message) cannot both take it.
    """
    now = models.utcnow()
    result = session.execute(
        sa.update(model)
        .where(model.id == row_id, model.host.is_(None),
               model.status == status)
        .values(host=host, updated_at=now, claim=new_claim(),
                started_at=sa.func.coalesce(model.started_at, now))
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def new_claim() -> str:
    return str(uuid.uuid4())


def check_claim(row: Any, expected_claim: str | None) -> None:
    """Refuse a write of an engine whose run was taken over (fencing).

    :raises dragon.exception.RunTakenOver:
    """
    if expected_claim is not None and row.claim != expected_claim:
        raise exception.RunTakenOver(id=row.id, host=row.host or 'none')


def take_over(session: Any, model: Any, row_id: str, old_claim: str | None,
              status: str, host: str) -> str | None:
    """Move a run to ``host`` if it still holds ``old_claim`` (CAS).

    The previous engine's writes are refused from here on.

    :returns: the new claim, or ``None`` when another engine was first.
    """
    claim = new_claim()
    condition = (model.claim.is_(None) if old_claim is None
                 else model.claim == old_claim)
    result = session.execute(
        sa.update(model)
        .where(model.id == row_id, model.status == status, condition)
        .values(host=host, claim=claim, updated_at=models.utcnow())
        .execution_options(synchronize_session=False))
    return claim if result.rowcount == 1 else None


def orphans(session: Any, model: Any, working: tuple[str, ...],
            host: str | None, dead_before: datetime.datetime | None
            ) -> list[Any]:
    """The rows in ``working`` that no live engine is working on.

    An orphan is claimed by ``host`` (that engine is starting, so it runs
    nothing), or, when ``dead_before`` is given, claimed by an engine whose
    last heartbeat is older (or that has none), or never claimed and
    unchanged since before ``dead_before``.
    """
    conditions = []
    if host is not None:
        conditions.append(model.host == host)
    if dead_before is not None:
        alive = sa.select(models.EngineService.host).where(
            models.EngineService.updated_at >= dead_before)
        conditions.append(sa.and_(model.host.is_not(None),
                                  model.host.not_in(alive)))
        conditions.append(sa.and_(
            model.host.is_(None),
            sa.func.coalesce(model.updated_at, model.created_at) <
            dead_before))
    if not conditions:
        return []
    return list(session.execute(
        sa.select(model).where(model.status.in_(working),
                               sa.or_(*conditions))
        .order_by(model.created_at)).scalars().all())


def orphan_reason(row: Any, deleting: str) -> str:
    """Why an orphaned run failed, for its error and its event."""
    if row.host is None:
        return 'no engine took it up in time (is dragon-engine running?)'
    if row.status == deleting:
        return ('the engine deleting it stopped (host %s); delete it again'
                % row.host)
    return 'the engine running it stopped (host %s)' % row.host


def fail_orphans(session: Any, model: Any, events: tuple[Any, str],
                 working: tuple[str, ...], deleting: str, host: str | None,
                 dead_before: datetime.datetime | None,
                 **values: Any) -> list[str]:
    """Mark ``error`` the orphans (see ``orphans``), with the reason.

    :param events: the event model and its column naming the run.
    :param values: more columns to set on each failed row.
    :returns: the ids of the rows failed.
    """
    now = models.utcnow()
    failed = []
    for row in orphans(session, model, working, host, dead_before):
        row.error = orphan_reason(row, deleting)
        row.status = statuses.Run.ERROR
        row.finished_at = row.finished_at or now
        for key, value in values.items():
            setattr(row, key, value)
        event_add(session, *events, row.id, 'error', row.error, None)
        failed.append(row.id)
    session.flush()
    return failed


def event_add(session: Any, event_model: Any, owner: str, owner_id: str,
              level: str, message: str, resource: str | None) -> Any:
    """Append one line to the history of the run ``owner_id``."""
    event = event_model(**{owner: owner_id}, time=models.utcnow(),
                        level=level, resource=resource, message=message)
    session.add(event)
    session.flush()
    return event


def events_add(session: Any, event_model: Any, owner: str, owner_id: str,
               events: list[dict[str, Any]]) -> int:
    """Append many lines to the history of ``owner_id`` in one flush.

    :param events: ``{"level", "message", "resource", "time"}`` each;
        ``time`` (naive UTC) is when the line happened, now if absent.
    :returns: how many were added.
    """
    now = models.utcnow()
    session.add_all([
        event_model(**{owner: owner_id}, time=event.get('time') or now,
                    level=event['level'], resource=event.get('resource'),
                    message=event['message'])
        for event in events])
    session.flush()
    return len(events)


def event_get_all(session: Any, event_model: Any, owner: str,
                  owner_id: str) -> list[Any]:
    """The events of the run ``owner_id``, oldest first."""
    return list(session.execute(
        sa.select(event_model).filter_by(**{owner: owner_id})
        .order_by(event_model.time, event_model.id)).scalars())


def delete_events(session: Any, event_model: Any, owner: str,
                  owner_id: str) -> None:
    # Explicit: SQLite does not enforce ON DELETE CASCADE by default.
    session.execute(sa.delete(event_model).where(
        getattr(event_model, owner) == owner_id))
