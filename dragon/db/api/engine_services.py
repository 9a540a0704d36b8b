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

"""Engine services: the heartbeats that tell which engines are alive."""

from typing import Any

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
import sqlalchemy as sa

from dragon.db.api.connection import _is_locked
from dragon.db.api.connection import main_context_manager
from dragon.db import models
from dragon import statuses

# The statuses in which a claimed run is an engine's work in hand.
_HELD = ((models.Checkpoint, 'checkpoints',
          (statuses.Checkpoint.PROTECTING, statuses.Checkpoint.DELETING)),
         (models.Recovery, 'recoveries',
          (statuses.Recovery.RECOVERING, statuses.Recovery.DELETING)))


@oslo_db_api.wrap_db_retry(
    max_retries=10, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=0.5,
    exception_checker=lambda e: (isinstance(e, db_exc.DBDuplicateEntry) or
                                 _is_locked(e)))
@main_context_manager.writer
def engine_service_heartbeat(context: Any, host: str, topic: str,
                             version: str) -> models.EngineService:
    """Record that the engine ``host`` on ``topic`` is alive now.

    Creates the row on the first beat, revives a row an operator deleted.
    Two first beats racing for the same row retry as an update; a beat
    refused by a locked SQLite database is tried again.
    """
    session = context.session
    now = models.utcnow()
    service = session.execute(
        sa.select(models.EngineService).filter_by(host=host, topic=topic)
    ).scalar_one_or_none()
    if service is None:
        service = models.EngineService(host=host, topic=topic, created_at=now)
        session.add(service)
    service.version = version
    service.deleted = False
    service.updated_at = now
    session.flush()
    return service


@main_context_manager.reader
def engine_service_get_all(context: Any, include_deleted: bool = False
                           ) -> list[models.EngineService]:
    """Return the known engines, most recent heartbeat first."""
    query = sa.select(models.EngineService).order_by(
        models.EngineService.updated_at.desc(), models.EngineService.id)
    if not include_deleted:
        query = query.filter_by(deleted=False)
    return list(context.session.execute(query).scalars())


@main_context_manager.reader
def engine_service_runs_held(context: Any) -> dict[str, dict[str, int]]:
    """Runs in progress by the engine host that claimed them.

    :returns: ``{host: {"checkpoints": n, "recoveries": n}}``; a host
        holding nothing is absent.
    """
    held: dict[str, dict[str, int]] = {}
    for model, name, working in _HELD:
        rows = context.session.execute(
            sa.select(model.host, sa.func.count())
            .where(model.status.in_(working), model.host.is_not(None))
            .group_by(model.host))
        for host, count in rows:
            held.setdefault(host, {'checkpoints': 0, 'recoveries': 0})[
                name] = count
    return held
