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

"""``/v1/policies/{policy_id}/schedules``: when a workload policy protects itself."""

from typing import Any

import webob

from dragon.api import router
from dragon.api.schemas import policies as schemas
from dragon.api.v1 import policies
from dragon.api.v1 import views
from dragon.api import validation
from dragon.services import schedules as service


class ScheduleController:

    def create(self, req: webob.Request, policy_id: str) -> webob.Response:
        context, policy = policies.get_visible(
            req, 'dragon:schedule:create', policy_id)
        body = validation.body(req, schemas.SCHEDULE_CREATE)
        checked = service.check_all(context, [body['schedule']])[0]
        schedule = service.create(context, policy, checked)
        return webob.Response(
            status=201, content_type='application/json', charset='UTF-8',
            json_body={'schedule': views.schedule_view(schedule)})

    def index(self, req: webob.Request, policy_id: str) -> dict[str, Any]:
        context, policy = policies.get_visible(
            req, 'dragon:schedule:list', policy_id)
        validation.query(req, ())
        return {'schedules': [views.schedule_view(s)
                              for s in service.list_of(context, policy)]}

    def show(self, req: webob.Request, policy_id: str,
             schedule_id: str) -> dict[str, Any]:
        context, policy = policies.get_visible(
            req, 'dragon:schedule:get', policy_id)
        return {'schedule': views.schedule_view(
            service.get(context, policy, schedule_id))}

    def update(self, req: webob.Request, policy_id: str,
               schedule_id: str) -> dict[str, Any]:
        context, policy = policies.get_visible(
            req, 'dragon:schedule:update', policy_id)
        body = validation.body(req, schemas.SCHEDULE_UPDATE)
        schedule = service.get(context, policy, schedule_id)
        return {'schedule': views.schedule_view(service.update(
            context, policy, schedule, body['schedule']))}

    def delete(self, req: webob.Request, policy_id: str,
               schedule_id: str) -> None:
        context, policy = policies.get_visible(
            req, 'dragon:schedule:delete', policy_id)
        service.delete(context, service.get(context, policy, schedule_id))


def add_routes(api_router: router.Router) -> None:
    controller = ScheduleController()
    api_router.connect('/v1/policies/{policy_id}/schedules', controller,
                       {'GET': 'index', 'POST': 'create'})
    api_router.connect('/v1/policies/{policy_id}/schedules/{schedule_id}',
                       controller, {'GET': 'show', 'PATCH': 'update',
                                    'DELETE': 'delete'})
