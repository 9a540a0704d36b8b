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

"""``/v1/recoveries``: checkpoints relaunched in a target region."""

from typing import Any

import webob

from dragon.api.middleware import context as context_mw
from dragon.api import router
from dragon.api.schemas import recoveries as schemas
from dragon.api.v1 import authorization
from dragon.api.v1 import checkpoints as checkpoint_views
from dragon.api.v1 import engine_calls
from dragon.api.v1 import listing
from dragon.api.v1 import views
from dragon.api import validation
from dragon.db import models
from dragon import exception
from dragon.recovery.in_place import window
from dragon.services import failback as failback_service
from dragon.services import in_place
from dragon.services import recoveries as service
from dragon import statuses

LIST_PARAMS = ('limit', 'marker', 'sort_dir', 'status', 'all_projects')
_RESOURCE_DEFAULTS = {'key': '', 'type': '', 'id': None, 'name': None,
                      'status': statuses.Resource.PENDING, 'reason': None,
                      'target_id': None,
                      'bytes_done': 0, 'bytes_total': 0}


def recovery_view(recovery: models.Recovery) -> dict[str, Any]:
    resources = [{**_RESOURCE_DEFAULTS, **r}
                 for r in (recovery.resource_status or [])]
    return {
        'id': recovery.id,
        'project_id': recovery.project_id,
        'status': recovery.status,
        'mode': recovery.mode,
        'checkpoint_id': recovery.checkpoint_id,
        'recovery_point': recovery.recovery_point,
        'policy_id': recovery.policy_id,
        'policy_name': recovery.policy_name,
        'target_region': recovery.target_region,
        'mappings': recovery.mappings or {},
        'resources': list(recovery.resources or []),
        'timeout': recovery.timeout,
        'stack_id': recovery.stack_id,
        'stack_name': recovery.stack_name,
        'stack_status': recovery.stack_status,
        'torn_down': bool(recovery.torn_down),
        'restored': recovery.restored or {},
        'error': recovery.error,
        'rto_seconds': recovery.rto_seconds,
        'created_at': views.isotime(recovery.created_at),
        'started_at': views.isotime(recovery.started_at),
        'finished_at': views.isotime(recovery.finished_at),
        'duration': views.duration(recovery),
        'engine': recovery.host,
        'progress': views.progress(recovery, resources,
                                    statuses.Recovery.RECOVERING,
                                    statuses.Recovery.SUCCEEDED),
        'resource_status': resources,
        'dry_run': bool(recovery.dry_run),
        'plan': recovery.plan,
        'shrink_volumes': bool(recovery.shrink_volumes),
        'keep_current_flavor': bool(recovery.keep_current_flavor),
        'commit_deadline': views.isotime(recovery.commit_deadline),
        'window_action': recovery.window_action,
        'replaced': [_replaced_view(r) for r in recovery.replaced or ()],
    }


def failback_view(prepared: dict[str, Any]) -> dict[str, Any]:
    """The reverse policy of a failback and its first checkpoint."""
    policy = prepared['policy']
    return {
        'recovery_id': policy.failback['recovery_id'],
        'source_region': prepared['source_region'],
        'policy': views.policy_view(policy),
        'checkpoint': checkpoint_views.checkpoint_view(
            prepared['checkpoint']),
        'members': [{k: m[k] for k in ('resource_type', 'resource_id',
                                       'source_id', 'action')}
                    for m in prepared['members']],
        'left_out': list(prepared['left_out']),
        'schedules_copied': prepared['schedules_copied'],
        'notes': list(prepared['notes']),
    }


# What the API shows of each replacement (not the transient image id).
_REPLACED_FIELDS = {
    window.VOLUME: ('key', 'name', 'kind', 'old_volume_id', 'new_volume_id',
                    'recreates', 'server_id', 'device', 'state'),
    window.SERVER: ('key', 'name', 'kind', 'server_id', 'previous_image_id',
                    'saved_image_id', 'restored_image_id', 'state'),
    window.NEW_SERVER: ('key', 'name', 'kind', 'recreates', 'server_id',
                        'restored_image_id', 'floating_ips', 'state'),
    window.BOOT_VOLUME: ('key', 'name', 'kind', 'volume_id', 'server_id',
                         'device', 'saved_volume_id', 'restored_image_id',
                         'state')}


def _replaced_view(entry: dict[str, Any]) -> dict[str, Any]:
    """One replacement as the API shows it (its own kind's fields)."""
    kind = window.kind_of(entry)
    return {k: kind if k == 'kind' else entry.get(k)
            for k in _REPLACED_FIELDS[kind]}


def get_visible(req: webob.Request, rule: str,
                recovery_id: str) -> tuple[Any, models.Recovery]:
    """Return the caller's context and recovery if ``rule`` allows.

    :raises dragon.exception.RecoveryNotFound: missing, or another
        project's recovery the caller may not act on.
    :raises dragon.exception.Forbidden: own project, but not allowed.
    """
    # Looked up before the policy check: another project's recovery is a
    # 404 to every role of that project.
    recovery = service.recovery_get(context_mw.context_of(req), recovery_id)
    return authorization.visible(req, rule, recovery,
                          exception.RecoveryNotFound), recovery


def _accepted(recovery: models.Recovery) -> webob.Response:
    return engine_calls.accepted('recovery', recovery_view(recovery))


class RecoveryController(engine_calls.EngineController):
    """Recover, list, show, delete recoveries; reads their events."""

    def create(self, req: webob.Request) -> webob.Response:
        context = authorization.authorize(req, 'dragon:recovery:create')
        body = validation.body(req, schemas.RECOVERY_CREATE)
        return _accepted(service.recover(context, body['recovery'],
                                         self.engine()))

    def index(self, req: webob.Request) -> dict[str, Any]:
        context, _params, filters = listing.run_filters(
            req, 'dragon:recovery:list', LIST_PARAMS, schemas.STATUSES)
        rows = service.recovery_list(context, **filters)
        return listing.page_of(req, 'recoveries', rows, recovery_view,
                              filters['limit'])

    def show(self, req: webob.Request, recovery_id: str) -> dict[str, Any]:
        validation.query(req, ())
        _context, recovery = get_visible(req, 'dragon:recovery:get',
                                         recovery_id)
        return {'recovery': recovery_view(recovery)}

    def delete(self, req: webob.Request, recovery_id: str) -> webob.Response:
        context, recovery = get_visible(req, 'dragon:recovery:delete',
                                        recovery_id)
        validation.no_body(req)
        return _accepted(service.recovery_delete(context, recovery,
                                                 self.engine()))

    def failback(self, req: webob.Request,
                 recovery_id: str) -> webob.Response:
        context, recovery = get_visible(req, 'dragon:recovery:failback',
                                        recovery_id)
        body = validation.body(req, schemas.FAILBACK_PREPARE) if req.body \
            else {}
        prepared = failback_service.prepare(
            context, recovery, body.get('failback') or {}, self.engine())
        return engine_calls.accepted('failback', failback_view(prepared))

    def commit(self, req: webob.Request, recovery_id: str) -> webob.Response:
        """Keep the restored volumes, delete the replaced ones (in place)."""
        return self._close(req, recovery_id, window.COMMIT)

    def rollback(self, req: webob.Request,
                 recovery_id: str) -> webob.Response:
        """Put the replaced volumes back, delete the restored ones."""
        return self._close(req, recovery_id, window.ROLLBACK)

    def _close(self, req: webob.Request, recovery_id: str,
               action: str) -> webob.Response:
        context, recovery = get_visible(req, 'dragon:recovery:%s' % action,
                                        recovery_id)
        validation.no_body(req)
        return _accepted(in_place.close_window(context, recovery, action,
                                               self.engine()))

    def events(self, req: webob.Request, recovery_id: str) -> dict[str, Any]:
        validation.query(req, ())
        context, recovery = get_visible(req, 'dragon:recovery:events',
                                        recovery_id)
        return {'events': [views.event_view(e)
                           for e in service.event_list(context, recovery)]}


def add_routes(api_router: router.Router) -> None:
    controller = RecoveryController()
    api_router.connect('/v1/recoveries', controller,
                       {'GET': 'index', 'POST': 'create'})
    api_router.connect('/v1/recoveries/{recovery_id}', controller,
                       {'GET': 'show', 'DELETE': 'delete'})
    api_router.connect('/v1/recoveries/{recovery_id}/events', controller,
                       {'GET': 'events'})
    api_router.connect('/v1/recoveries/{recovery_id}/failback', controller,
                       {'POST': 'failback'})
    api_router.connect('/v1/recoveries/{recovery_id}/commit', controller,
                       {'POST': 'commit'})
    api_router.connect('/v1/recoveries/{recovery_id}/rollback', controller,
                       {'POST': 'rollback'})
