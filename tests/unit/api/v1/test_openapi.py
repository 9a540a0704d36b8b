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

"""The OpenAPI document is served, documents every route, and tells the truth."""

import jsonschema
import pytest

from dragon.api import router as api_router
from dragon.api.v1 import openapi
from dragon.api.v1 import router as v1_router


def _routes():
    """(path, method) of every route the v1 router serves."""
    result = set()
    for route in v1_router.build().mapper.matchlist:
        if route.defaults.get('handler_method') == api_router._NOT_ALLOWED:
            continue
        for method in route.conditions['method']:
            result.add((route.routepath, method.lower()))
    return result


def test_every_route_is_documented_and_nothing_else(api):
    document = api('GET', '/v1/openapi.json', roles='reader').json
    documented = {(path, method) for path, item in document['paths'].items()
                  for method in item}
    assert documented == _routes()


def test_document_is_openapi_3_0(api):
    document = api('GET', '/v1/openapi.json').json
    assert document['openapi'].startswith('3.0.')
    for item in document['paths'].values():
        for operation in item.values():
            assert operation['operationId']
            assert operation['responses']
    # OpenAPI 3.0 has no type lists; nullability is a keyword.
    assert '"null"' not in repr(document).replace("'", '"')
    schemas = document['components']['schemas']
    for name, schema in schemas.items():
        jsonschema.Draft4Validator.check_schema(schema)


def test_request_schemas_are_the_ones_the_api_validates():
    schemas = openapi.json_schemas()
    from dragon.api.schemas import policies
    assert schemas['PolicyCreateRequest'] == policies.POLICY_CREATE
    assert schemas['MemberUpdateRequest'] == policies.MEMBER_UPDATE


def _check(response, name):
    jsonschema.validate(response.json, openapi.json_schemas()[name])


@pytest.fixture
def server(fake_cloud):
    fake_cloud.add('server', 'srv-1', name='web')
    fake_cloud.add('volume', 'vol-1')


@pytest.fixture
def standing_trusts(monkeypatch):
    from dragon import identity
    monkeypatch.setattr(identity, 'create_trust',
                        lambda *a, **k: 'trust-1')


def test_responses_match_their_documented_schemas(api, server,
                                                  standing_trusts):
    created = api('POST', '/v1/policies', {'policy': {
        'name': 'app', 'options': {'retention': {'max_age': '3d'},
                                   'rpo': '1h'},
        'schedules': [{'cron': '0 3 * * *'}],
        'members': [{'resource_type': 'server', 'resource_id': 'srv-1'}]}})
    _check(created, 'PolicyOne')
    pid = created.json['policy']['id']
    base = '/v1/policies/' + pid
    _check(api('GET', '/v1/policies?limit=1'), 'PolicyList')
    _check(api('GET', base), 'PolicyOne')
    _check(api('PATCH', base, {'policy': {'description': 'd'}}), 'PolicyOne')
    _check(api('POST', base + '/members', {'member': {
        'resource_type': 'volume', 'resource_id': 'vol-1'}}), 'MemberOne')
    _check(api('GET', base + '/members'), 'MemberList')
    _check(api('PATCH', base + '/members/vol-1', {'member': {
        'action': 'replicated'}}), 'MemberOne')
    _check(api('GET', '/v1/resource-types'), 'ResourceTypeList')
    _check(api('GET', '/v1/protectables'), 'ProtectableList')
    _check(api('GET', '/v1'), 'Version')
    _check(api('GET', base + '/nope'), 'Error')
    _check(api('DELETE', base), 'PolicyDeleted')
