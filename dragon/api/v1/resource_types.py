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

"""``/v1/resource-types`` and ``/v1/protectables``: what can be protected."""

from typing import Any

import webob

from dragon.api import router
from dragon.api.v1 import authorization
from dragon.api import validation
from dragon.common import schema
from dragon import exception
from dragon.protection import registry
from dragon.services import protectables


class ResourceTypeController:

    def index(self, req: webob.Request) -> dict[str, Any]:
        authorization.authorize(req, 'dragon:resource_type:list')
        validation.query(req, ())
        return {'resource_types': [t.to_dict()
                                   for t in registry.resource_types()]}


class ProtectableController:

    def index(self, req: webob.Request) -> dict[str, Any]:
        context = authorization.authorize(req, 'dragon:protectable:list')
        params = validation.query(req, ('type',))
        if 'type' in params:
            if params['type'] not in registry.names():
                raise exception.UnknownResourceType(
                    resource_type=schema.shorten(params['type']),
                    known=', '.join(registry.names()))
            types = [params['type']]
        else:
            types = registry.names()
        return {'protectables': protectables.protectable_list(context, types)}


def add_routes(api_router: router.Router) -> None:
    api_router.connect('/v1/resource-types', ResourceTypeController(),
                       {'GET': 'index'})
    api_router.connect('/v1/protectables', ProtectableController(),
                       {'GET': 'index'})
