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

import pytest
import webob

from dragon.api import router
from dragon import exception


class _Things:

    def show(self, req, thing_id):
        return {'thing': thing_id}

    def delete(self, req, thing_id):
        return None

    def create(self, req):
        return webob.Response(status=201, json_body={'created': True})


def _router():
    api_router = router.Router()
    api_router.connect('/v1/things', _Things(), {'POST': 'create'})
    api_router.connect('/v1/things/{thing_id}', _Things(),
                       {'GET': 'show', 'DELETE': 'delete'})
    return api_router


def _call(method, path):
    return webob.Request.blank(path, method=method).get_response(_router())


def test_path_arguments_reach_the_controller():
    response = _call('GET', '/v1/things/t-1')
    assert response.status_int == 200
    assert response.json == {'thing': 't-1'}


def test_none_means_no_content():
    assert _call('DELETE', '/v1/things/t-1').status_int == 204


def test_controller_may_return_its_own_response():
    assert _call('POST', '/v1/things').status_int == 201


def test_other_methods_raise_method_not_allowed():
    with pytest.raises(exception.MethodNotAllowed) as error:
        _router()(webob.Request.blank('/v1/things/t-1', method='PUT'))
    assert error.value.headers() == [('Allow', 'DELETE, GET')]
