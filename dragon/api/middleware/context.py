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

"""Builds the RequestContext of an authenticated request."""

from typing import Any

import webob
import webob.dec

from dragon import context as dragon_context
from dragon import exception

ENVIRON_KEY = 'dragon.context'


class ContextMiddleware:
    """Puts a ``RequestContext`` in the environ for the controllers."""

    def __init__(self, application: Any) -> None:
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        if req.environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
            raise exception.NotAuthenticated()
        req.environ[ENVIRON_KEY] = dragon_context.RequestContext.from_environ(
            req.environ)
        return req.get_response(self.application)


def context_of(req: webob.Request) -> dragon_context.RequestContext:
    """Return the caller's context (set by ``ContextMiddleware``)."""
    return req.environ[ENVIRON_KEY]
