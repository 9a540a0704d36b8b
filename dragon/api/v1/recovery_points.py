"""``/v1/recovery-points``: complete checkpoints listed straight from Swift.

No database: a backup site whose Dragon database is empty still sees every
checkpoint its project's Swift account holds. Swift is read with the
caller's token, so Swift's own access rules apply.
"""

from typing import Any

import webob

from dragon.api import router
from dragon.api.v1 import common
from dragon.api import validation
from dragon.workload import checkpoints as service


class RecoveryPointController:

    def index(self, req: webob.Request) -> dict[str, Any]:
        context = common.authorize(req, 'dragon:recovery_point:list')
        params = validation.query(req, ('policy',))
        return {'recovery_points': service.recovery_point_list(
            context, policy=params.get('policy') or None)}


def add_routes(api_router: router.Router) -> None:
    api_router.connect('/v1/recovery-points', RecoveryPointController(),
                       {'GET': 'index'})
