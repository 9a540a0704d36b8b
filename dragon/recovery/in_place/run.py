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

"""The engine's side of an in-place restore: the plan, then the swap.

The checkpoint is read, checked against the region it is restored into
(its own), its volumes followed to those in their place now (``lineage``),
the selection is closed over its dependencies, and each
member's fate is written to the recovery's plan with one event per
member.  A dry run ends there, nothing in the region changed.  A real
one checks the plan can be carried out safely (``checks``: the region may
have changed since the API looked) and hands it to ``apply``, which
swaps the volumes, rebuilds the servers and recreates deleted volumes
and servers,
and leaves the recovery ``awaiting_commit``; the
window's end is ``window``'s and the engine's (``finish``).
"""

from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import keyring
from dragon.common import progress
from dragon.common import timeutils
from dragon import context as dragon_context
from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.protection import recorder as rec
from dragon.recovery.in_place import apply as apply_mod
from dragon.recovery.in_place import checks
from dragon.recovery.in_place import lineage
from dragon.recovery.in_place import lookup as lookup_mod
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import recreate
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery import selection
from dragon import statuses

LOG = logging.getLogger(__name__)

STATUS = statuses.Recovery


def open_own(conf: cfg.ConfigOpts, clients: Any,
             container: str) -> tuple[dict[str, Any], Any]:
    """The manifest and key domain of a checkpoint of ``clients``' project.

    An encrypted checkpoint is opened with its key as read in the region
    of ``clients`` (an in-place plan needs its resource graph).

    :raises dragon.exception.RecoveryPointNotFound: another project's.
    """
    manifest, domain = keyring.open_checkpoint(
        conf, lambda: clients.base_session, clients.swift(),
        clients.region_name, container)
    if manifest['project_id'] != clients.project_id:
        raise exception.RecoveryPointNotFound(
            container=container, missing='a checkpoint of this project')
    return manifest, domain


def check_region(manifest: dict[str, Any], region: str) -> None:
    """In-place goes into the checkpoint's own region only.

    :raises dragon.exception.InPlaceWrongRegion:
    """
    source = manifest.get('source_region')
    if source != region:
        raise exception.InPlaceWrongRegion(region=region,
                                           source=source or 'unknown')


def select(manifest: dict[str, Any], resources: list[str] | None,
           current_ids: dict[str, str] | None = None) -> set[str]:
    """The node keys resources selects (all without).

    A volume may be named by the id it has now as well as by the
    checkpoint's (current_ids: lineage.load).

    :raises dragon.exception.SelectionInvalid: an id is not a member.
    """
    graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
    was = {now: then for then, now in (current_ids or {}).items()}
    return selection.select(graph, [was.get(r, r) for r in resources or ()])


def compute(manifest: dict[str, Any], resources: list[str] | None,
            lookup: plan_mod.Lookup,
            current_ids: dict[str, str] | None = None
            ) -> list[dict[str, Any]]:
    """The plan of restoring resources (all without) of manifest.

    :param lookup: reads members by the id they have now (lookup.current
        with the same current_ids).
    :raises dragon.exception.SelectionInvalid: an id is not a member.
    """
    graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
    return plan_mod.build(graph, select(manifest, resources, current_ids),
                          lookup, current_ids)


def missing_in(clients: Any, manifest: dict[str, Any]) -> checks.Missing:
    """checks' missing for a server to recreate, read with clients."""
    graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
    return lambda node, label: recreate.missing(clients, graph, node, label)


def reimage_in(clients: Any) -> checks.Reimage:
    """checks' reimage: the clients' Nova re-images boot volumes."""
    return lambda: swap_mod.reimage_offered(clients.connection.compute)


def run(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
        recorder: rec.RunRecorder) -> bool:
    """Plan (and unless a dry run, carry out) the restore; never raises.

    :returns: whether it went as asked: a dry run is succeeded, a swap
        awaiting_commit; otherwise the row is error and whatever was
        swapped is back in place.
    """
    recorder.flush(force=True, started_at=timeutils.utcnow())
    recorder.phase(progress.PREPARING)
    recorder.event('info', 'in-place %s of %s in %s started' % (
        'dry run' if recovery.dry_run else 'restore',
        recovery.recovery_point, recovery.target_region))
    try:
        manifest, domain = open_own(conf, clients, recovery.recovery_point)
        check_region(manifest, recovery.target_region)
        current_ids = lineage.load(dragon_context.get_admin_context(),
                                   clients.project_id,
                                   recovery.target_region, manifest)
        lookup = lookup_mod.remembered(lookup_mod.current(clients,
                                                          current_ids))
        plan = compute(manifest, recovery.resources, lookup, current_ids)
        if not recovery.dry_run:
            checks.refuse(graph_mod.ResourceGraph.from_dict(manifest['graph']),
                          manifest, plan, lookup,
                          bool(getattr(recovery, 'shrink_volumes', False)),
                          bool(getattr(recovery, 'keep_current_flavor',
                                       False)),
                          missing_in(clients, manifest), reimage_in(clients))
    except Exception as e:  # noqa: BLE001 - every failure ends the run
        _failed(recovery, recorder, e)
        return False
    with recorder.batched():
        for entry in plan:
            recorder.event('info', '%s: %s%s' % (
                entry['action'], entry['detail'],
                ''.join('; changed since the checkpoint: %s' % c
                        for c in entry['changes'])), entry['key'])
    if recovery.dry_run:
        recorder.event('info', 'dry run: %s; nothing was changed'
                       % plan_mod.summary(plan))
        recorder.flush(force=True, plan=plan, status=STATUS.SUCCEEDED,
                       error=None, finished_at=timeutils.utcnow())
        return True
    recorder.flush(force=True, plan=plan)
    try:
        apply_mod.Restore(conf, recovery, clients, recorder, manifest,
                          domain, lookup).run(plan)
    except exception.RunTakenOver:
        raise
    except Exception as e:  # noqa: BLE001 - every failure ends the run
        _failed(recovery, recorder, e)
        return False
    return True


def _failed(recovery: Any, recorder: rec.RunRecorder,
            error: BaseException) -> None:
    reason = exception.one_line(error)
    if not isinstance(error, exception.DragonException):
        LOG.error("in-place restore %s failed", recovery.id, exc_info=error)
    recorder.event('error', 'in-place restore failed: %s' % reason)
    recorder.flush(force=True, status=STATUS.ERROR, error=reason,
                   finished_at=timeutils.utcnow())
