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

"""Authentication of /v1 requests: keystonemiddleware, or noauth for tests."""

from typing import Any

from keystonemiddleware import auth_token
from oslo_config import cfg
from oslo_log import log as logging
import webob
import webob.dec

from dragon.conf import api as api_conf

LOG = logging.getLogger(__name__)

NOAUTH_USER = 'noauth-user'
NOAUTH_PROJECT = 'noauth-project'
NOAUTH_ROLES = 'member,reader'


class NoAuthMiddleware:
    """Trusts identity headers; for unit tests and development only.

    Takes ``X-User-Id``, ``X-Project-Id`` and ``X-Roles`` from the request
    (defaults: a project member) and marks the identity confirmed, which is
    what auth_token does after validating a token.
    """

    def __init__(self, application: Any) -> None:
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        environ = req.environ
        environ.setdefault('HTTP_X_USER_ID', NOAUTH_USER)
        environ.setdefault('HTTP_X_PROJECT_ID', NOAUTH_PROJECT)
        environ.setdefault('HTTP_X_ROLES', NOAUTH_ROLES)
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        return req.get_response(self.application)


def wrap(application: Any, conf: cfg.ConfigOpts) -> Any:
    """Return ``application`` behind the authentication ``[api]`` selects."""
    if conf.api.auth_strategy == api_conf.AUTH_NOAUTH:
        LOG.warning("[api] auth_strategy is noauth: requests are NOT "
                    "authenticated; use this only for tests and development")
        return NoAuthMiddleware(application)
    return auth_token.AuthProtocol(application, {'oslo_config_config': conf})
