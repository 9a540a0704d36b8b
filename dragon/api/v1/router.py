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

"""The /v1 router: one controller module per resource plugs in here."""

from dragon.api import router
from dragon.api.v1 import checkpoints
from dragon.api.v1 import engines
from dragon.api.v1 import members
from dragon.api.v1 import openapi
from dragon.api.v1 import policies
from dragon.api.v1 import recoveries
from dragon.api.v1 import recovery_points
from dragon.api.v1 import resource_types
from dragon.api.v1 import retention
from dragon.api.v1 import root
from dragon.api.v1 import schedules

# Each module exposes add_routes(router); add a resource by adding its module.
RESOURCES = (root, openapi, resource_types, policies, members, schedules,
             retention, checkpoints, recovery_points, recoveries, engines)


def build() -> router.Router:
    api_router = router.Router()
    for module in RESOURCES:
        module.add_routes(api_router)
    return api_router
