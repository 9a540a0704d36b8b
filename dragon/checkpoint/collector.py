"""Chunk gc over many projects: which projects, with which credentials.

Used by ``dragon-manage chunks gc`` and by the engine's periodic task.  A
project that fails (Swift down, no access) is reported and the others are
still collected.
"""

import datetime
from typing import Any, Iterator

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import accounts
from dragon.checkpoint import gc
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import identity

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
            yield gc.collect(swift, project_id, grace)
        except Exception as e:  # noqa: BLE001 - one project must not stop all
            LOG.warning("chunk gc of project %s failed: %s", project_id, e)
            result = gc.GcResult(project_id)
            result.skipped = 'error: %s' % e
            yield result
