"""The /v1 router: one controller module per resource plugs in here."""

from dragon.api import router
from dragon.api.v1 import root

# Each module exposes add_routes(router); add a resource by adding its module.
RESOURCES = (root,)


def build() -> router.Router:
    api_router = router.Router()
    for module in RESOURCES:
        module.add_routes(api_router)
    return api_router
