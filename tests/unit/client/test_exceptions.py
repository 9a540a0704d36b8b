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

"""ClientError is built from Dragon's error body, or from the HTTP reason."""

import requests

from dragon.client import exceptions


def _response(status, body, reason='Bad Request', headers=None):
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    response._content = body
    response.headers.update(headers or {})
    return response


def test_from_a_dragon_error_body():
    err = exceptions.ClientError.from_response(_response(
        400, b'{"error": {"code": 400, "title": "Bad Request", '
             b'"message": "Unknown action \'x\'.", "request_id": "req-1"}}'))
    assert (err.status, err.message, err.request_id) == (
        400, "Unknown action 'x'.", 'req-1')
    assert str(err) == "Unknown action 'x'. (HTTP 400) (Request-ID: req-1)"


def test_falls_back_to_the_reason_when_the_body_is_not_json():
    err = exceptions.ClientError.from_response(_response(
        502, b'<html>Bad Gateway</html>', reason='Bad Gateway',
        headers={'x-openstack-request-id': 'req-2'}))
    assert (err.status, err.message, err.request_id) == (
        502, 'Bad Gateway', 'req-2')


def test_falls_back_to_the_status_without_a_reason():
    err = exceptions.ClientError.from_response(_response(
        503, b'{"unexpected": 1}', reason=None))
    assert err.message == 'HTTP 503'
    assert err.request_id is None
