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

"""``GET /v1/policies/{id}/retention``: what retention would delete now."""

from typing import Any

import webob

from dragon.api import router
from dragon.api.v1 import policies
from dragon.api.v1 import views
from dragon.api import validation
from dragon.services import retention as service


def preview_view(preview: service.Preview) -> dict[str, Any]:
    return {
        'rules': preview.rules,
        'timezone': preview.timezone,
        'checkpoints': [{
            'id': checkpoint.id,
            'created_at': views.isotime(checkpoint.created_at),
            'captured_at': views.isotime(checkpoint.captured_at),
            'status': checkpoint.status,
            'hold': bool(checkpoint.hold),
            'keep': verdict.keep,
            'reasons': list(verdict.reasons),
        } for checkpoint, verdict in preview.checkpoints],
    }


class RetentionController:

    def show(self, req: webob.Request, policy_id: str) -> dict[str, Any]:
        validation.query(req, ())
        context, policy = policies.get_visible(
            req, 'dragon:policy:retention', policy_id)
        return {'retention': preview_view(service.preview(context, policy))}


def add_routes(api_router: router.Router) -> None:
    api_router.connect('/v1/policies/{policy_id}/retention',
                       RetentionController(), {'GET': 'show'})
