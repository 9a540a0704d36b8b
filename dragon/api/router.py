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

"""A Routes mapper dispatching to controller methods and rendering JSON.

Resource modules plug in by exposing ``add_routes(router)`` (see
``dragon.api.v1.router``) and declare their methods with ``Router.connect``,
which also makes every other method on that path answer 405.
"""

from typing import Any

import routes
import webob
import webob.dec

from dragon import exception

_NOT_ALLOWED = '_method_not_allowed'


class Router:
    """WSGI application calling ``controller.<action>(req, **path_args)``.

    A controller method returns a JSON-able body (200), ``None`` (204) or a
    ``webob.Response`` of its own; it raises DragonException for errors.
    """

    def __init__(self) -> None:
        self.mapper = routes.Mapper()
        # Routes turns route defaults into strings, so controllers are kept
        # here and the route carries their key.
        self._controllers: dict[str, Any] = {}

    def connect(self, path: str, controller: Any,
                actions: dict[str, str]) -> None:
        """Route ``path``: ``actions`` maps an HTTP method to a controller method."""
        key = '%s.%s' % (type(controller).__module__,
                         type(controller).__qualname__)
        self._controllers[key] = controller
        for method, action in actions.items():
            self.mapper.connect(path, handler=key, handler_method=action,
                                conditions={'method': [method]})
        self.mapper.connect(path, handler=key, handler_method=_NOT_ALLOWED,
                            allowed=', '.join(sorted(actions)))

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        path = req.path_info.rstrip('/') or '/'
        match = self.mapper.match(url=path, environ=req.environ)
        if match is None:
            raise exception.RouteNotFound(path=path)
        controller = self._controllers[match.pop('handler')]
        action = match.pop('handler_method')
        if action == _NOT_ALLOWED:
            raise exception.MethodNotAllowed(
                method=req.method, path=path, allowed=match['allowed'])
        result = getattr(controller, action)(req, **match)
        if isinstance(result, webob.Response):
            return result
        if result is None:
            return webob.Response(status=204)
        response = webob.Response(content_type='application/json',
                                  charset='UTF-8')
        response.json_body = result
        return response
