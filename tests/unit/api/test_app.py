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

"""The whole API pipeline, driven with webob.Request.blank (auth: noauth)."""

import json

from keystonemiddleware import auth_token
import pytest
import webob

from dragon.api import app
from dragon import conf as dragon_conf
from tests.unit import utils


@pytest.fixture
def api(conf):
    conf.set_override('auth_strategy', 'noauth', group='api')
    return app.build_app(conf)


def _get(application, path, method='GET', **kwargs):
    request = webob.Request.blank(path, method=method, **kwargs)
    return request.get_response(application)


def _assert_error(response, code, title):
    assert response.status_int == code
    assert response.content_type == 'application/json'
    error = json.loads(response.body)['error']
    assert error['code'] == code
    assert error['title'] == title
    assert error['message']
    assert error['request_id'].startswith('req-')
    assert error['request_id'] == response.headers['x-openstack-request-id']
    return error


def test_root_lists_v1_as_current(api):
    response = _get(api, '/')
    assert response.status_int == 200
    assert response.content_type == 'application/json'
    versions = response.json['versions']
    assert [v['id'] for v in versions] == ['v1.0']
    assert versions[0]['status'] == 'CURRENT'
    assert versions[0]['links'] == [
        {'rel': 'self', 'href': 'http://localhost/v1/'}]


def test_links_follow_the_mount_point(api):
    response = _get(api, '/', environ={'SCRIPT_NAME': '/dr'})
    assert response.json['versions'][0]['links'][0]['href'] == (
        'http://localhost/dr/v1/')


def test_v1_returns_its_version_document(api):
    for path in ('/v1', '/v1/'):
        response = _get(api, path)
        assert response.status_int == 200
        assert response.json['version']['id'] == 'v1.0'


def test_every_response_carries_a_request_id(api):
    assert _get(api, '/').headers['x-openstack-request-id'].startswith('req-')


def test_unknown_route_is_a_json_404(api):
    error = _assert_error(_get(api, '/v1/nothing-here'), 404, 'Not Found')
    assert '/v1/nothing-here' in error['message']


def test_wrong_method_is_a_json_405_with_allow(api):
    response = _get(api, '/v1', method='DELETE')
    _assert_error(response, 405, 'Method Not Allowed')
    assert response.headers['Allow'] == 'GET'
    response = _get(api, '/', method='POST')
    _assert_error(response, 405, 'Method Not Allowed')


def test_declared_too_large_body_is_refused(conf, api):
    conf.set_override('max_request_body_size', 10, group='api')
    response = _get(api, '/v1', method='POST', body=b'x' * 11)
    error = _assert_error(response, 413, 'Request Entity Too Large')
    assert '10 bytes' in error['message']


def test_body_within_the_limit_passes_the_size_check(conf, api):
    conf.set_override('max_request_body_size', 10, group='api')
    response = _get(api, '/v1', method='POST', body=b'x' * 10)
    assert response.status_int == 405  # reached the router


def test_healthcheck_needs_no_token(conf):
    conf.set_override('auth_strategy', 'keystone', group='api')
    response = _get(app.build_app(conf), '/healthcheck')
    assert response.status_int == 200


def test_keystone_rejection_is_reshaped_into_dragon_json(conf):
    conf.set_override('auth_strategy', 'keystone', group='api')
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)
    conf.set_override('www_authenticate_uri', 'http://keystone.test/v3',
                      group='keystone_authtoken')
    application = app.build_app(conf)
    response = _get(application, '/v1')
    _assert_error(response, 401, 'Unauthorized')
    assert 'keystone.test' in response.headers['WWW-Authenticate']
    # The version document stays reachable without a token.
    assert _get(application, '/').status_int == 200


def test_noauth_builds_a_context_from_headers(api):
    response = _get(api, '/v1', headers={'X-Project-Id': 'p9', 'X-Roles': 'reader'})
    assert response.status_int == 200


def test_init_application_reads_the_file_named_by_the_environment(tmp_path):
    config = utils.write_config(tmp_path / 'dragon.conf',
                                {'api': {'auth_strategy': 'noauth'}})
    dragon_conf.CONF.reset()  # as in a fresh WSGI worker: nothing parsed yet
    try:
        application = app.init_application({'DRAGON_CONFIG_FILE': str(config)})
        assert dragon_conf.CONF.api.auth_strategy == 'noauth'
        assert _get(application, '/v1').status_int == 200
    finally:
        dragon_conf.CONF.reset()
        dragon_conf.CONF([], project='dragon', default_config_files=[],
                         default_config_dirs=[])
