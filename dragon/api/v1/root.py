"""``GET /v1``: the v1 version document."""

from typing import Any

import webob

from dragon.api import router
from dragon.api import versions


class VersionController:

    def show(self, req: webob.Request) -> dict[str, Any]:
        return {'version': versions.v1_document(req)}


def add_routes(api_router: router.Router) -> None:
    api_router.connect('/v1', VersionController(), {'GET': 'show'})
