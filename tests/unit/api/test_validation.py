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

from dragon.api import validation
from dragon import exception

SCHEMA = {'type': 'object', 'additionalProperties': False,
          'properties': {'a': {'type': 'integer'}}}


def _req(raw=b'', query=''):
    request = webob.Request.blank('/x' + query, method='POST')
    request.body = raw
    return request


def test_body_returns_valid_json():
    assert validation.body(_req(b'{"a": 1}'), SCHEMA) == {'a': 1}


@pytest.mark.parametrize('raw, fragment', [
    (b'', 'required'), (b'{', 'not valid JSON'), (b'{"b": 1}', "'b'"),
    (b'{"a": "1"}', 'field a'), (b'[' * 50000, 'not valid JSON'),
])
def test_body_refusals_say_why(raw, fragment):
    with pytest.raises(exception.Invalid, match=fragment):
        validation.body(_req(raw), SCHEMA)


def test_query_allows_known_single_parameters():
    assert validation.query(_req(query='?a=1'), ('a',)) == {'a': '1'}
    with pytest.raises(exception.Invalid, match='more than once'):
        validation.query(_req(query='?a=1&a=2'), ('a',))
    with pytest.raises(exception.Invalid, match='unknown query'):
        validation.query(_req(query='?b=1'), ('a',))


@pytest.mark.parametrize('value, expected', [('1', 1), ('1000', 1000),
                                             (None, None)])
def test_query_int(value, expected):
    params = {} if value is None else {'limit': value}
    assert validation.query_int(params, 'limit', 1, 1000) == expected


@pytest.mark.parametrize('value', ['0', '1001', 'x', '1.5', '²', '-3', ''])
def test_query_int_refuses(value):
    with pytest.raises(exception.Invalid, match='limit'):
        validation.query_int({'limit': value}, 'limit', 1, 1000)


def test_query_bool():
    assert validation.query_bool({'x': 'true'}, 'x') is True
    assert validation.query_bool({}, 'x') is False
    with pytest.raises(exception.Invalid):
        validation.query_bool({'x': 'perhaps'}, 'x')
