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

"""``/v1/policies``: workload policies of the caller's project."""

from typing import Any

import webob

from dragon.api.middleware import context as context_mw
from dragon.api import router
from dragon.api.schemas import policies as schemas
from dragon.api.schemas import recoveries as recovery_schemas
from dragon.api.v1 import authorization
from dragon.api.v1 import engine_calls
from dragon.api.v1 import listing
from dragon.api.v1 import recoveries
from dragon.api.v1 import views
from dragon.api import validation
from dragon.db import models
from dragon import exception
from dragon.services import encryption
from dragon.services import failback_run
from dragon.services import policies as service

LIST_PARAMS = ('limit', 'marker', 'sort_key', 'sort_dir', 'name',
               'all_projects')


def get_visible(req: webob.Request, rule: str,
                policy_id: str) -> tuple[Any, models.WorkloadPolicy]:
    """Return the caller's context and policy ``policy_id`` if ``rule`` allows.

    :raises dragon.exception.PolicyNotFound: missing, or another project's
        policy the caller may not act on.
    :raises dragon.exception.Forbidden: own project, but not allowed.
    """
    # Looked up before the policy check: another project's policy must be
    # a 404 to every role of that project, readers included.
    policy = service.policy_get(context_mw.context_of(req), policy_id)
    context = authorization.authorize(req, rule, policy.project_id)
    if context is None:
        raise exception.PolicyNotFound(id=policy_id)
    return context, policy


def _view(context: Any, policy: models.WorkloadPolicy) -> dict[str, Any]:
    """One policy, with its keys' readiness asked of each key manager now
    (never in a list: one request would cost a Barbican call per policy),
    each readable key unwrapping the newest checkpoint's data key; what
    was found is kept on the policy for ``dragon-status``.
    """
    view = views.policy_view(
        policy, service.rpo_status(context, [policy])[policy.id])
    view['encryption_readiness'], view['dr_ready'] = (
        encryption.readiness(
            context, policy.encryption,
            newest=(encryption.newest_envelope(context, policy)
                    if policy.encryption else None)))
    encryption.record(context, policy, view['encryption_readiness'],
                      view['dr_ready'])
    return view


class PolicyController(engine_calls.EngineController):

    def create(self, req: webob.Request) -> webob.Response:
        context = authorization.authorize(req, 'dragon:policy:create')
        body = validation.body(req, schemas.POLICY_CREATE)
        policy = service.policy_create(context, body['policy'])
        return webob.Response(status=201, content_type='application/json',
                              charset='UTF-8',
                              json_body={'policy': _view(context, policy)})

    def index(self, req: webob.Request) -> dict[str, Any]:
        context = authorization.authorize(req, 'dragon:policy:list')
        params = validation.query(req, LIST_PARAMS)
        all_projects = validation.query_bool(params, 'all_projects')
        if all_projects:
            authorization.authorize(req, 'dragon:policy:list:all_projects')
        limit = validation.query_int(params, 'limit', 1, listing.MAX_LIMIT)
        policies = service.policy_list(
            context, all_projects=all_projects, name=params.get('name'),
            limit=limit or listing.MAX_LIMIT, marker=params.get('marker'),
            sort_key=params.get('sort_key', 'created_at'),
            sort_dir=params.get('sort_dir', 'asc'))
        rpo = service.rpo_status(context, policies)
        result: dict[str, Any] = {
            'policies': [views.policy_view(p, rpo[p.id]) for p in policies]}
        links = listing.next_links(req, policies, limit or listing.MAX_LIMIT)
        if links:
            result['links'] = links
        return result

    def show(self, req: webob.Request, policy_id: str) -> dict[str, Any]:
        context, policy = get_visible(req, 'dragon:policy:get', policy_id)
        return {'policy': _view(context, policy)}

    def update(self, req: webob.Request, policy_id: str) -> dict[str, Any]:
        context, policy = get_visible(req, 'dragon:policy:update', policy_id)
        body = validation.body(req, schemas.POLICY_UPDATE)
        policy = service.policy_update(context, policy, body['policy'])
        return {'policy': _view(context, policy)}

    def failback(self, req: webob.Request,
                 policy_id: str) -> webob.Response:
        """Bring a reverse policy's workload home (failback run)."""
        context, policy = get_visible(req, 'dragon:policy:failback',
                                      policy_id)
        body = validation.body(req, recovery_schemas.FAILBACK_RUN) \
            if req.body else {}
        recovery = failback_run.start(context, policy,
                                      body.get('failback') or {},
                                      self.engine())
        return engine_calls.accepted(
            'recovery', recoveries.recovery_view(recovery))

    def delete(self, req: webob.Request, policy_id: str) -> dict[str, Any]:
        context, policy = get_visible(req, 'dragon:policy:delete', policy_id)
        kept = service.policy_delete(context, policy)
        return {'policy_id': policy.id, 'kept_checkpoints': kept}


def add_routes(api_router: router.Router) -> None:
    controller = PolicyController()
    api_router.connect('/v1/policies', controller,
                       {'GET': 'index', 'POST': 'create'})
    api_router.connect('/v1/policies/{policy_id}', controller,
                       {'GET': 'show', 'PATCH': 'update', 'DELETE': 'delete'})
    api_router.connect('/v1/policies/{policy_id}/failback', controller,
                       {'POST': 'failback'})
