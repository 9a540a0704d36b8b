"""The /v1 router: one controller module per resource plugs in here."""

from dragon.api import router
from dragon.api.v1 import checkpoints
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
             retention, checkpoints, recovery_points, recoveries)


def build() -> router.Router:
    api_router = router.Router()
    for module in RESOURCES:
        module.add_routes(api_router)
    return api_router
