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

"""The one place errors become HTTP: every failure leaves as the same JSON shape.

``{"error": {"code": 404, "title": "Not Found", "message": "...",
"request_id": "req-..."}}`` with ``Content-Type: application/json``, for
Dragon exceptions, WebOb HTTP errors, unexpected exceptions (no traceback
leaks) and error responses built by inner middleware such as auth_token.
"""

import http
import json
from typing import Any

from oslo_log import log as logging
import webob
import webob.dec
import webob.exc

from dragon import exception

LOG = logging.getLogger(__name__)

# Headers of an inner error response worth keeping when its body is rebuilt.
_KEPT_HEADERS = ('WWW-Authenticate', 'Allow', 'Retry-After')
_UNEXPECTED = 'An unexpected error occurred; the request ID identifies it in the logs.'


def error_response(req: webob.Request, code: int, message: str,
                   headers: list[tuple[str, str]] | None = None) -> webob.Response:
    """Return Dragon's JSON error response for status ``code``."""
    try:
        title = http.HTTPStatus(code).phrase
    except ValueError:
        title = 'Error'
    body = {'error': {
        'code': code,
        'title': title,
        'message': message,
        'request_id': req.environ.get('openstack.request_id'),
    }}
    response = webob.Response(status=code, content_type='application/json',
                              charset='UTF-8')
    response.text = json.dumps(body)
    for name, value in headers or ():
        response.headers[name] = value
    return response


def _kept_headers(headers: Any) -> list[tuple[str, str]]:
    return [(name, headers[name]) for name in _KEPT_HEADERS if name in headers]


def _is_dragon_error(response: webob.Response) -> bool:
    if response.content_type != 'application/json':
        return False
    try:
        error = json.loads(response.body)['error']
        return {'code', 'title', 'message', 'request_id'} <= error.keys()
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def _inner_message(response: webob.Response, code: int) -> str:
    """The message an inner error response meant, else WebOb's standard one."""
    if response.content_type == 'application/json':
        try:
            message = json.loads(response.body)['error']['message']
            if isinstance(message, str) and message:
                return message
        except (ValueError, KeyError, TypeError):
            pass
    error_class = webob.exc.status_map.get(code)
    explanation = getattr(error_class, 'explanation', '')
    return explanation or http.HTTPStatus(code).phrase


class FaultMiddleware:
    """Turns whatever the inner application raises or refuses into JSON errors."""

    def __init__(self, application: Any) -> None:
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        try:
            # WebOb decodes these lazily and would fail deep inside a
            # controller (or while logging the failure) on bad bytes.
            req.path_info.encode()
            req.GET.items()
        except UnicodeDecodeError:
            return error_response(req, 400, 'The request URL is not valid '
                                  'UTF-8.')
        try:
            response = req.get_response(self.application)
        except exception.DragonException as e:
            return self._dragon_error(req, e)
        except webob.exc.HTTPException as e:
            message = e.detail or e.explanation or e.title
            return error_response(req, e.code, message, _kept_headers(e.headers))
        except Exception:
            LOG.exception("unexpected error serving %s %s", req.method,
                          req.path)
            return error_response(req, 500, _UNEXPECTED)
        if response.status_int >= 400 and not _is_dragon_error(response):
            code = response.status_int
            return error_response(req, code, _inner_message(response, code),
                                  _kept_headers(response.headers))
        return response

    @staticmethod
    def _dragon_error(req: webob.Request,
                      error: exception.DragonException) -> webob.Response:
        code = int(error.code)
        if error.safe:
            message = error.message
        else:
            # Operator-facing details (hosts, URLs) stay in the log.
            message = http.HTTPStatus(code).description
        if code >= 500:
            LOG.error("%s %s failed: %s", req.method, req.path, error.message)
        return error_response(req, code, message, error.headers())
