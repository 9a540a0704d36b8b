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

"""``/v1/recovery-points``: complete checkpoints listed straight from Swift.

No database: a backup site whose Dragon database is empty still sees every
checkpoint its project's Swift account holds. Swift is read with the
caller's token, so Swift's own access rules apply.
"""

from typing import Any

import webob

from dragon.api import router
from dragon.api.schemas import checkpoints as schemas
from dragon.api.v1 import authorization
from dragon.api import validation
from dragon.services import checkpoints as service
from dragon.services import verification


class RecoveryPointController:

    def index(self, req: webob.Request) -> dict[str, Any]:
        context = authorization.authorize(req, 'dragon:recovery_point:list')
        params = validation.query(req, ('policy',))
        return {'recovery_points': service.recovery_point_list(
            context, policy=params.get('policy') or None)}

    def verify(self, req: webob.Request, container: str) -> dict[str, Any]:
        context = authorization.authorize(req, 'dragon:recovery_point:verify')
        body = validation.body(req, schemas.VERIFY) if req.body else {}
        read_data = bool((body.get('verify') or {}).get('read_data'))
        return {'verification': verification.verify_recovery_point(
            context, container, read_data)}


def add_routes(api_router: router.Router) -> None:
    controller = RecoveryPointController()
    api_router.connect('/v1/recovery-points', controller, {'GET': 'index'})
    api_router.connect('/v1/recovery-points/{container}/verify', controller,
                       {'POST': 'verify'})
