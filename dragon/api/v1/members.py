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

"""``/v1/policies/{policy_id}/members``: the resources a workload policy protects."""

from typing import Any

import webob

from dragon.api import router
from dragon.api.schemas import policies as schemas
from dragon.api.v1 import policies
from dragon.api.v1 import views
from dragon.api import validation
from dragon.services import policies as service


class MemberController:

    def create(self, req: webob.Request, policy_id: str) -> webob.Response:
        context, policy = policies.get_visible(
            req, 'dragon:policy_member:create', policy_id)
        body = validation.body(req, schemas.MEMBER_CREATE)
        member = service.member_create(context, policy, body['member'])
        return webob.Response(status=201, content_type='application/json',
                              charset='UTF-8',
                              json_body={'member': views.member_view(member)})

    def index(self, req: webob.Request, policy_id: str) -> dict[str, Any]:
        context, policy = policies.get_visible(
            req, 'dragon:policy_member:list', policy_id)
        validation.query(req, ())
        return {'members': [views.member_view(m)
                            for m in service.member_list(context, policy)]}

    def update(self, req: webob.Request, policy_id: str,
               resource_id: str) -> dict[str, Any]:
        context, policy = policies.get_visible(
            req, 'dragon:policy_member:update', policy_id)
        body = validation.body(req, schemas.MEMBER_UPDATE)
        member = service.member_update(context, policy, resource_id,
                                       body['member'])
        return {'member': views.member_view(member)}

    def delete(self, req: webob.Request, policy_id: str,
               resource_id: str) -> None:
        context, policy = policies.get_visible(
            req, 'dragon:policy_member:delete', policy_id)
        service.member_delete(context, policy, resource_id)


def add_routes(api_router: router.Router) -> None:
    controller = MemberController()
    api_router.connect('/v1/policies/{policy_id}/members', controller,
                       {'GET': 'index', 'POST': 'create'})
    api_router.connect('/v1/policies/{policy_id}/members/{resource_id}',
                       controller, {'PATCH': 'update', 'DELETE': 'delete'})
