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

"""Chunk gc and checks over many projects: which projects, with which credentials.

Used by ``dragon-manage chunks gc|check`` and by the engine's periodic gc.
A project that fails (Swift down, no access) is reported and the others
are still collected or checked.
"""

import dataclasses
import datetime
from typing import Any, Iterator
import uuid

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import gc
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.checkpoint import verify
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import identity
from dragon.maintenance import accounts

LOG = logging.getLogger(__name__)


def projects_to_collect() -> list[str]:
    """Projects whose Swift account may hold Dragon's chunks.

    Those with checkpoint rows, and those that have or had a workload
    policy: deleting a project's last checkpoint removes its last row, not
    its chunks, and a deleted policy keeps its row.
    """
    context = dragon_context.get_admin_context()
    return sorted(set(db_api.checkpoint_get_project_ids(context)) |
                  set(db_api.workload_policy_get_project_ids(context)))


def collect_projects(conf: cfg.ConfigOpts,
                     projects: list[str] | None = None
                     ) -> Iterator[gc.GcResult]:
    """Collect each project (default: ``projects_to_collect()``)."""
    grace = datetime.timedelta(seconds=conf.checkpoint.incomplete_grace)
    session: Any = identity.service_session(conf)
    for project_id in projects or projects_to_collect():
        try:
            swift = accounts.project_swift(conf, project_id, session=session)
            yield gc.collect(swift, project_id, grace, gc.stale_mark(conf))
        except Exception as e:  # noqa: BLE001 - one project must not stop all
            LOG.warning("chunk gc of project %s failed: %s", project_id, e)
            result = gc.GcResult(project_id)
            result.skipped = 'error: %s' % e
            yield result


@dataclasses.dataclass
class CheckResult:
    """One checkpoint container checked, or a project that could not be."""

    project_id: str
    container: str | None = None
    result: verify.VerifyResult | None = None
    error: str | None = None


def _record(container: str, point: dict[str, Any],
            result: verify.VerifyResult) -> None:
    """Put the result on the checkpoint's row, if this database has it."""
    context = dragon_context.get_admin_context()
    checkpoint_id = point.get('checkpoint_id')
    if not checkpoint_id:
        return
    try:
        row = db_api.checkpoint_get(context, checkpoint_id)
        if row.container != container:
            return
        db_api.checkpoint_update(context, checkpoint_id, {
            'verification': {**result.to_dict(), 'id': uuid.uuid4().hex}})
    except Exception as e:  # noqa: BLE001 - the check itself stands
        LOG.debug("checkpoint %s: result not recorded: %s", checkpoint_id,
                  e)


def check_projects(conf: cfg.ConfigOpts, projects: list[str] | None = None,
                   read_data: bool = False) -> Iterator[CheckResult]:
    """Verify every complete checkpoint of each project (default: all).

    One listing of a project's chunk container serves all its
    checkpoints.  Results of checkpoints this database knows are recorded
    on their rows, as ``openstack dr checkpoint verify`` does.
    """
    session: Any = identity.service_session(conf)
    for project_id in projects or projects_to_collect():
        try:
            def connect(project_id: str = project_id) -> Any:
                return accounts.project_swift(conf, project_id,
                                              session=session)

            chunk_store = verify.reader_store(
                connect, {'chunk_container':
                          naming.chunk_container(project_id)},
                workers=conf.checkpoint.upload_workers)
            points = store.list_recovery_points(connect(), project_id)
        except Exception as e:  # noqa: BLE001 - one project must not stop all
            LOG.warning("chunk check of project %s failed: %s", project_id, e)
            yield CheckResult(project_id, error=str(e))
            continue
        for point in points:
            container = point['container']
            try:
                manifest = store.read_manifest(chunk_store._swift(),
                                               container)
                if manifest['chunk_container'] != chunk_store.container:
                    here = verify.reader_store(
                        connect, manifest, conf.checkpoint.upload_workers)
                else:
                    here = chunk_store
                result = verify.verify(here, manifest, read_data=read_data,
                                       container=container)
            except Exception as e:  # noqa: BLE001 - next checkpoint
                yield CheckResult(project_id, container, error=str(e))
                continue
            _record(container, point, result)
            yield CheckResult(project_id, container, result)
