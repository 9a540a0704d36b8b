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

import json

import webob
import webob.dec
import webob.exc

from dragon.api.middleware import fault
from dragon import exception


def _app_raising(error):
    @webob.dec.wsgify
    def application(req):
        raise error
    return fault.FaultMiddleware(application)


def _call(application):
    request = webob.Request.blank('/x')
    request.environ['openstack.request_id'] = 'req-test'
    return request.get_response(application)


def _error(response):
    assert response.content_type == 'application/json'
    return json.loads(response.body)['error']


def test_dragon_exception_maps_to_its_code_and_message():
    response = _call(_app_raising(exception.Conflict(reason='busy')))
    assert response.status_int == 409
    assert _error(response) == {'code': 409, 'title': 'Conflict',
                                'message': 'Conflict: busy',
                                'request_id': 'req-test'}


def test_unsafe_messages_are_not_shown_to_api_users():
    error = exception.DatabaseUnavailable(url='mysql://db.internal/x',
                                          reason='refused')
    response = _call(_app_raising(error))
    assert response.status_int == 503
    assert 'db.internal' not in response.text


def test_unexpected_exception_is_a_500_without_traceback():
    response = _call(_app_raising(RuntimeError('secret internals')))
    assert response.status_int == 500
    assert 'secret internals' not in response.text
    assert 'Traceback' not in response.text
    assert _error(response)['request_id'] == 'req-test'


def test_raised_webob_errors_keep_code_and_detail():
    def application(environ, start_response):
        raise webob.exc.HTTPConflict(detail='taken')
    response = _call(fault.FaultMiddleware(application))
    assert response.status_int == 409
    assert _error(response)['message'] == 'taken'


def test_webob_errors_returned_by_wsgify_get_the_json_shape():
    response = _call(_app_raising(webob.exc.HTTPConflict(detail='taken')))
    assert response.status_int == 409
    assert _error(response)['title'] == 'Conflict'


def test_error_responses_from_inner_apps_are_reshaped():
    def application(environ, start_response):
        start_response('401 Unauthorized', [('Content-Type', 'text/plain'),
                                            ('WWW-Authenticate', 'Keystone')])
        return [b'go away']
    response = _call(fault.FaultMiddleware(application))
    assert response.status_int == 401
    assert response.headers['WWW-Authenticate'] == 'Keystone'
    assert _error(response)['title'] == 'Unauthorized'


def test_successful_responses_pass_untouched():
    @webob.dec.wsgify
    def application(req):
        return webob.Response(body=b'fine', content_type='text/plain')
    response = _call(fault.FaultMiddleware(application))
    assert (response.status_int, response.body) == (200, b'fine')


def test_url_that_is_not_utf8_is_a_json_400():
    from dragon.api.middleware import fault as _fault
    import webob as _webob

    def app(environ, start_response):
        raise AssertionError('never reached')
    response = _webob.Request.blank('/v1/x%ff?a=%fe').get_response(
        _fault.FaultMiddleware(app))
    assert response.status_int == 400
    assert response.json['error']['code'] == 400
