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

"""The API version documents, and the unauthenticated ``GET /`` that lists them."""

from typing import Any

import webob
import webob.dec

from dragon import exception

V1_ID = 'v1.0'


def v1_document(req: webob.Request) -> dict[str, Any]:
    """Describe API v1, with links relative to where the API is mounted."""
    return {
        'id': V1_ID,
        'status': 'CURRENT',
        'links': [{'rel': 'self', 'href': req.application_url + '/v1/'}],
    }


def versions_document(req: webob.Request) -> dict[str, Any]:
    return {'versions': [v1_document(req)]}


class VersionsMiddleware:
    """Answers ``GET /`` before authentication; passes everything else on."""

    def __init__(self, application: Any) -> None:
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        if req.path_info not in ('', '/'):
            return req.get_response(self.application)
        if req.method not in ('GET', 'HEAD'):
            raise exception.MethodNotAllowed(method=req.method, path='/',
                                             allowed='GET, HEAD')
        response = webob.Response(content_type='application/json',
                                  charset='UTF-8')
        response.json_body = versions_document(req)
        return response
