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

"""The rules of recoveries; the API's service layer.

A recovery names what to recover (a checkpoint of this database, or a
recovery point: a checkpoint container in the caller's Swift account, which
is all a backup site may have) and the target region.  Everything the API
can check cheaply is checked here, with the caller's own token, before a
Keystone trust is made and the run is cast to an engine: the checkpoint or
container is the caller's and complete, the region is in their catalog.
"""

from typing import Any

from oslo_log import log as logging

from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.cloud import caller
from dragon.db import api as db_api
from dragon.db import models
from dragon.db import run_kinds
from dragon import exception
from dragon.services import in_place
from dragon.services import runs
from dragon import statuses

LOG = logging.getLogger(__name__)

# In place, a window must be closed (commit, rollback) first.
DELETABLE = statuses.Recovery.DELETABLE
FAILOVER = 'failover'


def catalog_regions(context: Any) -> set[str]:
    """The regions of every endpoint in the caller's catalog (v2 layout)."""
    regions = set()
    for service in getattr(context, 'service_catalog', None) or []:
        for endpoint in (service or {}).get('endpoints') or []:
            region = endpoint.get('region') or endpoint.get('region_id')
            if region:
                regions.add(region)
    return regions


def check_region(context: Any, region: str) -> None:
    """The region is in the caller's catalog (recoveries, failback run).

    :raises dragon.exception.TargetRegionUnknown:
    """
    known = catalog_regions(context)
    if region not in known:
        raise exception.TargetRegionUnknown(
            region=region, known=', '.join(sorted(known)) or 'none')


def _from_checkpoint(context: Any, checkpoint_id: str) -> dict[str, Any]:
    """What a checkpoint of this database names: its container and policy.

    :raises dragon.exception.CheckpointNotFound: not the caller's project.
    :raises dragon.exception.CheckpointBusy: not ``available``.
    """
    checkpoint = db_api.checkpoint_get(context, checkpoint_id,
                                       project_id=context.project_id)
    if (checkpoint.status != statuses.Checkpoint.AVAILABLE
            or not checkpoint.container):
        raise exception.CheckpointBusy(
            id=checkpoint.id, status=checkpoint.status,
            action='recovering it', allowed=statuses.Checkpoint.AVAILABLE)
    return {'checkpoint_id': checkpoint.id,
            'recovery_point': checkpoint.container,
            'policy_id': checkpoint.policy_id,
            'policy_name': checkpoint.policy_name}


def _from_recovery_point(context: Any, container: str) -> dict[str, Any]:
    """Check a container is a complete checkpoint of the caller's project.

    Read from Swift with the caller's token: this works at a backup site
    whose database never saw the checkpoint.

    :raises dragon.exception.Invalid: not a checkpoint container's name.
    :raises dragon.exception.RecoveryPointNotFound: another project's,
        missing, or incomplete.
    """
    parsed = naming.parse(container)
    if parsed is None:
        raise exception.Invalid(
            reason='recovery_point %s is not the name of a checkpoint '
                   'container (dragon_<project>_<policy>_<time>); see GET '
                   '/v1/recovery-points' % container)
    if parsed.project != naming.sanitize(context.project_id):
        # Another project's containers are not the caller's to know of.
        raise exception.RecoveryPointNotFound(container=container,
                                              missing='the container')
    meta = runs.read_swift('recovery point %s' % container,
                           store.container_metadata,
                           caller.swift_connection(context), container)
    if meta is None:
        raise exception.RecoveryPointNotFound(container=container,
                                              missing='the container')
    if not meta.get(store.COMPLETE):
        raise exception.RecoveryPointNotFound(container=container,
                                              missing=store.MANIFEST)
    checkpoint_id = meta.get(store.CHECKPOINT_ID)
    if checkpoint_id:
        try:
            db_api.checkpoint_get(context, checkpoint_id,
                                  project_id=context.project_id)
        except exception.CheckpointNotFound:
            checkpoint_id = None    # taken by another site's Dragon
    return {'checkpoint_id': checkpoint_id, 'recovery_point': container,
            'policy_id': meta.get(store.POLICY_ID),
            'policy_name': meta.get(store.POLICY_NAME)}


def recover(context: Any, request: dict[str, Any],
            engine: Any) -> models.Recovery:
    """Start a recovery and hand it to an engine.

    :param request: the validated ``recovery`` object of the request body.
    :param engine: a ``dragon.engine.rpcapi.EngineAPI``.
    :raises dragon.exception.Invalid: neither or both of checkpoint_id
        and recovery_point; not a container name.
    :raises dragon.exception.TargetRegionUnknown:
    :raises dragon.exception.InPlaceWrongRegion: in place, but not into
        the checkpoint's own region.
    :raises dragon.exception.SelectionInvalid: in place, a resource that
        is not a member of the checkpoint.
    :raises dragon.exception.InPlaceRefused: in place, it cannot be done
        safely (a volume grew, a member is gone, ...).
    :raises dragon.exception.InPlaceInWindow: in place, the previous
        in-place restore of the workload is not closed.
    :raises dragon.exception.CheckpointNotFound:
    :raises dragon.exception.CheckpointBusy: the checkpoint is not available.
    :raises dragon.exception.RecoveryPointNotFound:
    :raises dragon.exception.RecoveryInProgress: one of the same recovery
        point into the same region is running.
    :raises dragon.exception.TrustRefused:
    :raises dragon.exception.TrustFailed:
    :raises dragon.exception.TrustConflict:
    :raises dragon.exception.RecoveryEngineUnavailable: the cast failed;
        the recovery is left ``error``.
    """
    checkpoint_id = request.get('checkpoint_id')
    container = request.get('recovery_point')
    mode = request.get('mode') or FAILOVER
    if (checkpoint_id is None) == (container is None):
        raise exception.Invalid(reason='give exactly one of checkpoint_id '
                                       'and recovery_point')
    if mode != in_place.IN_PLACE:
        for option in ('dry_run', 'shrink_volumes', 'keep_current_flavor'):
            if request.get(option):
                raise exception.Invalid(reason='%s is for in_place '
                                               'restores only' % option)
        if not request.get('target_region'):
            raise exception.Invalid(reason='target_region is required for '
                                           'a %s' % mode)
        check_region(context, request['target_region'])
    if checkpoint_id is not None:
        source = _from_checkpoint(context, checkpoint_id)
    else:
        source = _from_recovery_point(context, container)
    if mode == in_place.IN_PLACE:
        request = {**request,
                   'target_region': in_place.check(context, request, source)}
        check_region(context, request['target_region'])
    # One at a time per recovery point and region: a second would compete
    # for the same stack, names and addresses. Refused early so a doomed
    # request costs no trust; the locking read in recovery_create is what
    # settles a race.
    running = db_api.recovery_get_running(
        context, context.project_id, source['recovery_point'],
        request['target_region'])
    if running is not None:
        raise exception.RecoveryInProgress(
            id=running, recovery_point=source['recovery_point'],
            region=request['target_region'])
    recovery = runs.start(
        context, run_kinds.RECOVERY,
        lambda trust_id: db_api.recovery_create(context, {
            **source,
            'project_id': context.project_id,
            'user_id': context.user_id,
            'mode': mode,
            'dry_run': bool(request.get('dry_run')),
            'target_region': request['target_region'],
            'mappings': request.get('mappings') or {},
            'resources': request.get('resources') or [],
            'timeout': request.get('timeout'),
            'shrink_volumes': bool(request.get('shrink_volumes')),
            'keep_current_flavor': bool(request.get('keep_current_flavor')),
            'trust_id': trust_id,
        }, exclusive=True),
        lambda row: '%s of %s into %s requested by user %s' % (
            row.mode, row.recovery_point, row.target_region,
            context.user_id),
        engine.recover, 'recover', redelegate=True,
        # An in-place restore keeps its trust through its commit window
        # (closed by the expiry at the latest), which may outlast the
        # trust lifetime; it is deleted when the window closes.
        expires=not (mode == in_place.IN_PLACE and
                     not request.get('dry_run')))
    LOG.info("recovery %s of %s handed to the engines", recovery.id,
             recovery.recovery_point)
    return recovery


def recovery_list(context: Any, all_projects: bool = False,
                  **filters: Any) -> list[models.Recovery]:
    project_id = None if all_projects else context.project_id
    return db_api.recovery_get_all(context, project_id=project_id,
                                   **filters)


def recovery_get(context: Any, recovery_id: str) -> models.Recovery:
    """Return a recovery of any project; callers check visibility."""
    return db_api.recovery_get(context, recovery_id)


def recovery_delete(context: Any, recovery: models.Recovery,
                    engine: Any) -> models.Recovery:
    """Mark an ended recovery ``deleting`` and hand it to an engine.

    The engine deletes the stack and what the recovery restored, then the
    row; it needs a fresh trust (the run's was released when it ended).

    :raises dragon.exception.ProjectScopeRequired: another project's.
    :raises dragon.exception.RecoveryBusy: recovering or already deleting
        (of two deletes racing, the second).
    :raises dragon.exception.RecoveryNotFound: deleted meanwhile.
    :raises dragon.exception.TrustRefused:
    :raises dragon.exception.TrustFailed:
    :raises dragon.exception.TrustConflict:
    :raises dragon.exception.RecoveryEngineUnavailable: the cast failed;
        the recovery is left ``error`` and may be deleted again.
    """
    return runs.request_delete(context, run_kinds.RECOVERY, recovery,
                               DELETABLE, engine.delete_recovery)


def event_list(context: Any, recovery: models.Recovery
               ) -> list[models.RecoveryEvent]:
    return db_api.recovery_event_get_all(context, recovery.id)
