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

"""``/v1/checkpoints`` and ``POST /v1/policies/{id}/protect``: protection runs."""

from typing import Any

import webob

from dragon.api.middleware import context as context_mw
from dragon.api import router
from dragon.api.schemas import checkpoints as schemas
from dragon.api.v1 import authorization
from dragon.api.v1 import engine_calls
from dragon.api.v1 import listing
from dragon.api.v1 import policies
from dragon.api.v1 import views
from dragon.api import validation
from dragon.db import models
from dragon import exception
from dragon.services import checkpoints as service
from dragon.services import verification
from dragon import statuses

LIST_PARAMS = ('limit', 'marker', 'sort_dir', 'policy_id', 'status',
               'all_projects')
_STATS = ('uploaded_bytes', 'reused_chunks', 'zero_chunks', 'stored_bytes',
          'reused_records', 'takeovers')
_RESOURCE_DEFAULTS = {'key': '', 'type': '', 'id': None, 'name': None,
                      'action': None,
                      'status': statuses.Resource.PENDING, 'reason': None,
                      'bytes_done': 0, 'bytes_total': 0}


def checkpoint_view(checkpoint: models.Checkpoint) -> dict[str, Any]:
    resources = [{**_RESOURCE_DEFAULTS, **r}
                 for r in (checkpoint.resources or [])]
    progress = views.progress(checkpoint, resources,
                               statuses.Checkpoint.PROTECTING,
                               statuses.Checkpoint.AVAILABLE)
    if checkpoint.status == statuses.Checkpoint.QUEUED:
        # 1 is next: what an operator waiting behind a cap wants to know.
        progress['queue_position'] = service.queue_position(checkpoint.id)
    return {
        'id': checkpoint.id,
        'project_id': checkpoint.project_id,
        'policy_id': checkpoint.policy_id,
        'policy_name': checkpoint.policy_name,
        'status': checkpoint.status,
        'container': checkpoint.container,
        'created_at': views.isotime(checkpoint.created_at),
        'captured_at': views.isotime(checkpoint.captured_at),
        'started_at': views.isotime(checkpoint.started_at),
        'finished_at': views.isotime(checkpoint.finished_at),
        'duration': views.duration(checkpoint),
        'engine': checkpoint.host,
        'error': checkpoint.error,
        'progress': progress,
        'resources': resources,
        'stats': _stats_view(checkpoint.stats or {}),
        'hold': bool(checkpoint.hold),
        'trigger': checkpoint.trigger or 'manual',
        'schedule_id': checkpoint.schedule_id,
        'verification': verification_view(checkpoint.verification),
        'replication': replication_view(checkpoint.replication),
        'warnings': [{'resource': w.get('resource'), 'what': w.get('what'),
                      'message': w.get('message') or ''}
                     for w in checkpoint.warnings or ()],
    }


def replication_view(state: dict | None) -> dict[str, Any] | None:
    """The copy at the replication target: the engine's claim left out."""
    if not state:
        return None
    total = int(state.get('bytes_total') or 0)
    done = int(state.get('bytes') or 0)
    return {'status': state.get('status'),
            'target_region': state.get('target_region'),
            'bytes': done, 'bytes_total': total,
            'percent': 100 if state.get('status') == (
                statuses.Replication.REPLICATED) else (
                    int(100 * done / total) if total else 0),
            'copied_bytes': state.get('copied_bytes'),
            'attempts': int(state.get('attempts') or 0),
            'retry_at': state.get('retry_at'),
            'error': state.get('error'), 'engine': state.get('host'),
            'started_at': state.get('started_at'),
            'finished_at': state.get('finished_at')}


def verification_view(verification: dict | None) -> dict[str, Any] | None:
    """The last verification as shown: its internal id left out."""
    if not verification:
        return None
    return {key: value for key, value in verification.items()
            if key != 'id'}


def _stats_view(stats: dict) -> dict[str, Any]:
    """Byte and chunk counts, and the engine's API calls per service.

    ``api_calls`` is what an operator sizing a deployment asks first (does
    discovery cost grow with servers?); a checkpoint still running has
    none yet.
    """
    view: dict[str, Any] = {key: int(stats.get(key) or 0) for key in _STATS}
    view['api_calls'] = {str(service): int(count) for service, count in
                         (stats.get('api_calls') or {}).items()}
    return view


event_view = views.event_view


def get_visible(req: webob.Request, rule: str,
                checkpoint_id: str) -> tuple[Any, models.Checkpoint]:
    """Return the caller's context and checkpoint if ``rule`` allows.

    :raises dragon.exception.CheckpointNotFound: missing, or another
        project's checkpoint the caller may not act on.
    :raises dragon.exception.Forbidden: own project, but not allowed.
    """
    # Looked up before the policy check: another project's checkpoint is
    # a 404 to every role of that project.
    checkpoint = service.checkpoint_get(context_mw.context_of(req),
                                        checkpoint_id)
    return authorization.visible(req, rule, checkpoint,
                          exception.CheckpointNotFound), checkpoint


def _accepted(checkpoint: models.Checkpoint) -> webob.Response:
    return engine_calls.accepted('checkpoint', checkpoint_view(checkpoint))


class CheckpointController(engine_calls.EngineController):
    """Protect, list, show, hold, delete checkpoints; events, template."""

    def protect(self, req: webob.Request, policy_id: str) -> webob.Response:
        context, policy = policies.get_visible(req, 'dragon:policy:protect',
                                               policy_id)
        if req.body:
            validation.body(req, schemas.PROTECT)
        checkpoint = service.protect(context, policy, self.engine())
        return _accepted(checkpoint)

    def index(self, req: webob.Request) -> dict[str, Any]:
        context, params, filters = listing.run_filters(
            req, 'dragon:checkpoint:list', LIST_PARAMS, schemas.STATUSES)
        rows = service.checkpoint_list(
            context, policy_id=params.get('policy_id'), **filters)
        return listing.page_of(req, 'checkpoints', rows, checkpoint_view,
                              filters['limit'])

    def show(self, req: webob.Request, checkpoint_id: str) -> dict[str, Any]:
        validation.query(req, ())
        _context, checkpoint = get_visible(req, 'dragon:checkpoint:get',
                                           checkpoint_id)
        return {'checkpoint': checkpoint_view(checkpoint)}

    def update(self, req: webob.Request,
               checkpoint_id: str) -> dict[str, Any]:
        context, checkpoint = get_visible(req, 'dragon:checkpoint:update',
                                          checkpoint_id)
        body = validation.body(req, schemas.CHECKPOINT_UPDATE)
        checkpoint = service.checkpoint_update(context, checkpoint,
                                               body['checkpoint'])
        return {'checkpoint': checkpoint_view(checkpoint)}

    def delete(self, req: webob.Request,
               checkpoint_id: str) -> webob.Response:
        context, checkpoint = get_visible(req, 'dragon:checkpoint:delete',
                                          checkpoint_id)
        validation.no_body(req)
        return _accepted(service.checkpoint_delete(context, checkpoint,
                                                   self.engine()))

    def events(self, req: webob.Request,
               checkpoint_id: str) -> dict[str, Any]:
        validation.query(req, ())
        context, checkpoint = get_visible(req, 'dragon:checkpoint:events',
                                          checkpoint_id)
        return {'events': [event_view(e)
                           for e in service.event_list(context, checkpoint)]}

    def verify(self, req: webob.Request,
               checkpoint_id: str) -> webob.Response:
        context, checkpoint = get_visible(req, 'dragon:checkpoint:verify',
                                          checkpoint_id)
        body = validation.body(req, schemas.VERIFY) if req.body else {}
        read_data = bool((body.get('verify') or {}).get('read_data'))
        return _accepted(verification.verify_checkpoint(
            context, checkpoint, read_data, self.engine()))

    def template(self, req: webob.Request,
                 checkpoint_id: str) -> dict[str, Any]:
        validation.query(req, ())
        context, checkpoint = get_visible(req, 'dragon:checkpoint:template',
                                          checkpoint_id)
        template, parameters = service.template_get(context, checkpoint)
        return {'template': template, 'parameters': parameters}


def add_routes(api_router: router.Router) -> None:
    controller = CheckpointController()
    api_router.connect('/v1/policies/{policy_id}/protect', controller,
                       {'POST': 'protect'})
    api_router.connect('/v1/checkpoints', controller, {'GET': 'index'})
    api_router.connect('/v1/checkpoints/{checkpoint_id}', controller,
                       {'GET': 'show', 'PATCH': 'update',
                        'DELETE': 'delete'})
    api_router.connect('/v1/checkpoints/{checkpoint_id}/events', controller,
                       {'GET': 'events'})
    api_router.connect('/v1/checkpoints/{checkpoint_id}/template', controller,
                       {'GET': 'template'})
    api_router.connect('/v1/checkpoints/{checkpoint_id}/verify', controller,
                       {'POST': 'verify'})
