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
