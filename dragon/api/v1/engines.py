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

"""``/v1/engines``: the engines' heartbeats and the runs they hold (admins)."""

from typing import Any

import webob

from dragon.api import router
from dragon.api.v1 import authorization
from dragon.api.v1 import views
from dragon.api import validation
from dragon.services import engines as service


def engine_view(engine: dict[str, Any]) -> dict[str, Any]:
    row = engine['service']
    return {'host': row.host, 'topic': row.topic, 'version': row.version,
            'alive': engine['alive'],
            'created_at': views.isotime(row.created_at),
            'heartbeat_at': views.isotime(row.updated_at),
            'runs': dict(engine['runs'])}


class EngineController:

    def index(self, req: webob.Request) -> dict[str, Any]:
        context = authorization.authorize(req, 'dragon:engine:list')
        validation.query(req, ())
        return {'engines': [engine_view(e)
                            for e in service.engine_list(context)]}


def add_routes(api_router: router.Router) -> None:
    api_router.connect('/v1/engines', EngineController(), {'GET': 'index'})
