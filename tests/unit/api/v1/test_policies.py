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

"""/v1/policies through the whole pipeline: CRUD, RBAC, isolation, bad input."""

import pytest

from tests.unit.api.v1.conftest import OTHER


def _create(api, name='app', **policy):
    response = api('POST', '/v1/policies', {'policy': {'name': name, **policy}})
    assert response.status_int == 201, response.text
    return response.json['policy']


def _error(response, code):
    assert response.status_int == code, response.text
    assert response.content_type == 'application/json'
    error = response.json['error']
    assert set(error) == {'code', 'title', 'message', 'request_id'}
    assert error['code'] == code
    return error['message']


def test_create_returns_the_policy_with_defaults(api):
    policy = _create(api, description='web tier')
    assert policy['name'] == 'app'
    assert policy['description'] == 'web tier'
    assert policy['project_id'] == 'p1'
    assert policy['options'] == {'consistent': False, 'strict': False,
                                 'retention': None, 'rpo': None,
                                 'verify_every_days': None}
    assert policy['schedules'] == [] and policy['rpo'] is None
    assert policy['members'] == []
    assert policy['status'] == 'active'
    assert policy['last_drill'] is None
    assert policy['created_at'] and policy['updated_at'] is None


def test_options_are_validated_and_completed(api):
    policy = _create(api, options={
        'consistent': True, 'rpo': 3600,
        'retention': {'keep_last': 7, 'max_age': '30d'}})
    assert policy['options'] == {
        'consistent': True, 'strict': False, 'rpo': 3600,
        'verify_every_days': None,
        'retention': {'keep_last': 7, 'max_age': 2592000}}


def test_strict_is_an_option(api):
    policy = _create(api, options={'strict': True})
    assert policy['options']['strict'] is True
    response = api('POST', '/v1/policies', {'policy': {
        'name': 'bad', 'options': {'strict': 'yes'}}})
    assert response.status_int == 400


def test_show_update_delete(api):
    policy = _create(api)
    path = '/v1/policies/' + policy['id']
    assert api('GET', path).json['policy'] == policy
    updated = api('PATCH', path, {'policy': {'name': 'renamed',
                                             'options': {'consistent': True}}})
    assert updated.status_int == 200
    assert updated.json['policy']['name'] == 'renamed'
    assert updated.json['policy']['options']['consistent'] is True
    assert updated.json['policy']['updated_at']
    deleted = api('DELETE', path)
    assert deleted.status_int == 200
    assert deleted.json == {'policy_id': policy['id'], 'kept_checkpoints': 0}
    _error(api('GET', path), 404)
    # The name is free again.
    _create(api, name='renamed')


def test_a_policy_is_suspended_and_resumed(api):
    path = '/v1/policies/' + _create(api)['id']
    suspended = api('PATCH', path, {'policy': {'status': 'suspended'}})
    assert suspended.status_int == 200, suspended.text
    assert suspended.json['policy']['status'] == 'suspended'
    assert api('PATCH', path, {'policy': {'status': 'active'}}).json[
        'policy']['status'] == 'active'
    assert 'status' in _error(api('PATCH', path, {'policy': {
        'status': 'paused'}}), 400)
    _error(api('PATCH', path, {'policy': {'status': 'suspended'}},
               project=OTHER), 404)


def test_duplicate_name_in_project_is_409_but_other_project_may_use_it(api):
    _create(api)
    assert 'app' in _error(
        api('POST', '/v1/policies', {'policy': {'name': 'app'}}), 409)
    response = api('POST', '/v1/policies', {'policy': {'name': 'app'}},
                   project=OTHER)
    assert response.status_int == 201


def test_rename_onto_existing_name_is_409(api):
    _create(api, name='a')
    b = _create(api, name='b')
    _error(api('PATCH', '/v1/policies/' + b['id'],
               {'policy': {'name': 'a'}}), 409)


def test_list_paginates_sorts_and_filters(api):
    for name in ('c', 'a', 'b'):
        _create(api, name=name)
    names = [p['name'] for p in api('GET', '/v1/policies?sort_key=name')
             .json['policies']]
    assert names == ['a', 'b', 'c']
    page = api('GET', '/v1/policies?sort_key=name&sort_dir=desc&limit=2').json
    assert [p['name'] for p in page['policies']] == ['c', 'b']
    href = page['links'][0]['href']
    assert page['links'][0]['rel'] == 'next'
    assert href.startswith('http://localhost/v1/policies?')
    rest = api('GET', href.replace('http://localhost', '')).json
    assert [p['name'] for p in rest['policies']] == ['a']
    assert 'links' not in rest
    only = api('GET', '/v1/policies?name=b').json['policies']
    assert [p['name'] for p in only] == ['b']


@pytest.mark.parametrize('query', [
    'limit=0', 'limit=-1', 'limit=abc', 'limit=100000', 'sort_key=id',
    'sort_dir=up', 'marker=nope', 'all_projects=maybe', 'bogus=1',
    'limit=1&limit=2', "name=x'%20OR%201=1--&sort_key=name;DROP",
])
def test_bad_list_queries_are_400(api, query):
    _create(api)
    _error(api('GET', '/v1/policies?' + query), 400)


def test_reader_reads_but_cannot_write(api):
    policy = _create(api)
    path = '/v1/policies/' + policy['id']
    assert api('GET', path, roles='reader').status_int == 200
    assert api('GET', '/v1/policies', roles='reader').status_int == 200
    _error(api('POST', '/v1/policies', {'policy': {'name': 'x'}},
               roles='reader'), 403)
    _error(api('PATCH', path, {'policy': {'name': 'x'}}, roles='reader'), 403)
    _error(api('DELETE', path, roles='reader'), 403)


def test_all_projects_is_for_admins(api):
    _create(api)
    api('POST', '/v1/policies', {'policy': {'name': 'theirs'}}, project=OTHER)
    _error(api('GET', '/v1/policies?all_projects=true'), 403)
    mine = api('GET', '/v1/policies', roles='admin').json['policies']
    assert {p['project_id'] for p in mine} == {'p1'}
    every = api('GET', '/v1/policies?all_projects=true',
                roles='admin,member,reader').json['policies']
    assert {p['project_id'] for p in every} == {'p1', OTHER}


def test_another_project_sees_404_on_every_route(api):
    """The isolation walk: every route that names a policy, from project p2."""
    from dragon.api.v1 import router as v1_router
    policy = _create(api)
    pid = policy['id']
    bodies = {'POST': {'member': {'resource_type': 'server',
                                  'resource_id': 's1'}},
              'PATCH': {'policy': {'name': 'x'}}}
    walked = 0
    for route in v1_router.build().mapper.matchlist:
        if route.conditions is None or '{policy_id}' not in route.routepath:
            continue
        method = route.conditions['method'][0]
        path = route.routepath.format(policy_id=pid, resource_id='s1',
                                      schedule_id='sch-1')
        body = bodies.get(method)
        if method == 'PATCH' and 'members' in path:
            body = {'member': {'action': 'template_only'}}
        response = api(method, path, body, project=OTHER)
        _error(response, 404)
        walked += 1
    # including POST ./protect, ./failback, GET ./retention and the five
    # of ./schedules
    assert walked == 15
    # Readers of the other project too: 404, not 403.
    _error(api('DELETE', '/v1/policies/' + pid, project=OTHER,
               roles='reader'), 404)
    _error(api('POST', '/v1/policies/%s/members' % pid, bodies['POST'],
               project=OTHER, roles='reader'), 404)
    _error(api('GET', '/v1/policies/' + pid, project=OTHER, roles=''), 404)
    assert api('GET', '/v1/policies', project=OTHER).json['policies'] == []
    assert api('GET', '/v1/policies/' + pid).status_int == 200


@pytest.mark.parametrize('raw', [
    b'{', b'not json', b'[]', b'"x"', b'null', b'{"policy": []}',
    b'\xff\xfe\x00', b'[' * 100000 + b']' * 100000, b'',
])
def test_malformed_bodies_are_400(api, raw):
    _error(api('POST', '/v1/policies', raw=raw), 400)


@pytest.mark.parametrize('policy', [
    {},
    {'name': ''},
    {'name': '   '},
    {'name': 'x' * 10000},
    {'name': 'a\x00b'},
    {'name': 'tab\there'},
    {'name': 'bell\x07'},
    {'name': 'c1\x85'},
    {'name': 42},
    {'name': None},
    {'name': ['a']},
    {'name': 'ok', 'unknown': 1},
    {'name': 'ok', 'description': 'd' * 1025},
    {'name': 'ok', 'description': 'nul\x00'},
    {'name': 'ok', 'options': {'consistent': 'yes'}},
    {'name': 'ok', 'options': {'extra': True}},
    {'name': 'ok', 'options': {'schedule': {'cron': '0 3 * * *'}}},
    {'name': 'ok', 'schedules': [{'cron': 'every day'}]},
    {'name': 'ok', 'schedules': [{'cron': '* * * *'}]},
    {'name': 'ok', 'schedules': [{'cron': '* * * * *',
                                  'timezone': 'Mars/Base'}]},
    {'name': 'ok', 'schedules': [{'timezone': 'UTC'}]},
    {'name': 'ok', 'options': {'rpo': 0}},
    {'name': 'ok', 'options': {'retention': {'keep_last': 0}}},
    {'name': 'ok', 'options': {'retention': {'max_age': 1.5}}},
    {'name': 'ok', 'options': {'retention': {'max_age': '30 days'}}},
    {'name': 'ok', 'options': {'retention': {'daily': 0}}},
    {'name': 'ok', 'options': {'retention': {'timezone': 'UTC'}}},
    {'name': 'ok', 'options': {'retention': {'max_checkpoints': 3}}},
    {'name': 'ok', 'options': {'retention': {}}},
    {'name': 'ok', 'members': {}},
    {'name': 'ok', 'members': [{'resource_type': 'network',
                                'resource_id': 'n1'}]},
])
def test_bad_policy_bodies_are_400(api, policy):
    _error(api('POST', '/v1/policies', {'policy': policy}), 400)


def test_unknown_top_level_field_is_400(api):
    _error(api('POST', '/v1/policies', {'policy': {'name': 'a'}, 'x': 1}), 400)


def test_long_name_error_does_not_echo_the_input(api):
    message = _error(api('POST', '/v1/policies',
                         {'policy': {'name': 'x' * 10000}}), 400)
    assert len(message) < 500


def test_unicode_names_and_sql_like_strings_are_just_data(api):
    for name in ('日本語の方針', "x'; DROP TABLE workload_policies;--",
                 'emoji 🐉'):
        assert _create(api, name=name)['name'] == name
    assert len(api('GET', '/v1/policies').json['policies']) == 3


def test_too_large_body_is_413(conf, api):
    body = b'{"policy": {"name": "' + b'x' * (10 * 1024 * 1024) + b'"}}'
    _error(api('POST', '/v1/policies', raw=body), 413)


def test_unknown_policy_is_404(api):
    _error(api('GET', '/v1/policies/00000000-0000-0000-0000-000000000000'),
           404)


def test_wrong_method_is_405(api):
    _error(api('PUT', '/v1/policies'), 405)


@pytest.mark.parametrize('method, path', [
    ('GET', '/v1/policies?name=%ff'), ('GET', '/v1/policies/%ff'),
    ('GET', '/v1/policies?%ff=1'), ('DELETE', '/v1/policies/x/members/%ff'),
    ('GET', '/v1/protectables?type=%ed%a0%80'),
])
def test_urls_that_are_not_utf8_are_400(api, method, path):
    assert 'UTF-8' in _error(api(method, path), 400)


@pytest.mark.parametrize('raw', [
    b'{"policy": {"name": "\\ud800"}}',
    b'{"policy": {"name": "a", "description": "x\\udfff"}}',
    b'{"policy": {"\\ud800": 1}}',
])
def test_lone_surrogates_are_400(api, raw):
    _error(api('POST', '/v1/policies', raw=raw), 400)


def test_odd_ids_in_the_path_are_404_with_a_short_message(api):
    assert len(_error(api('GET', '/v1/policies/' + 'x' * 5000), 404)) < 200
    _error(api('GET', '/v1/policies/%00'), 404)
    assert api('GET', '/v1/policies?name=%00').json == {'policies': []}
