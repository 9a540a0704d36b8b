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

"""/v1/policies/{id}/members: validation against Nova/Cinder (faked) and exclusivity."""

import pytest

from tests.unit.api.v1.conftest import OTHER


def _policy(api, name='app', project='p1', **policy):
    response = api('POST', '/v1/policies', {'policy': {'name': name, **policy}},
                   project=project)
    assert response.status_int == 201, response.text
    return response.json['policy']


def _add(api, policy, resource_id, resource_type='server', **member):
    return api('POST', '/v1/policies/%s/members' % policy['id'],
               {'member': {'resource_type': resource_type,
                           'resource_id': resource_id, **member}})


def _message(response, code):
    assert response.status_int == code, response.text
    return response.json['error']['message']


@pytest.fixture
def resources(fake_cloud):
    fake_cloud.add('server', 'srv-1', name='web')
    fake_cloud.add('volume', 'vol-1', name='data')
    fake_cloud.add('server', 'srv-other', project_id=OTHER)
    return fake_cloud


def test_add_uses_the_default_action_and_the_resource_name(api, resources):
    policy = _policy(api)
    response = _add(api, policy, 'srv-1')
    assert response.status_int == 201
    member = response.json['member']
    assert member['resource_type'] == 'server'
    assert member['resource_name'] == 'web'
    assert member['action'] == 'image_snapshot'
    assert member['options'] == {}
    volume = _add(api, policy, 'vol-1', 'volume', action='cinder_backup',
                  options={'incremental': False}).json['member']
    assert volume['action'] == 'cinder_backup'
    listed = api('GET', '/v1/policies/%s/members' % policy['id']).json
    assert [m['resource_id'] for m in listed['members']] == ['srv-1', 'vol-1']
    shown = api('GET', '/v1/policies/' + policy['id']).json['policy']
    assert len(shown['members']) == 2


def test_members_in_the_create_body(api, resources):
    policy = _policy(api, members=[
        {'resource_type': 'server', 'resource_id': 'srv-1'},
        {'resource_type': 'volume', 'resource_id': 'vol-1',
         'action': 'replicated'}])
    assert [(m['resource_id'], m['action']) for m in policy['members']] == [
        ('srv-1', 'image_snapshot'), ('vol-1', 'replicated')]


def test_unknown_or_foreign_resource_is_400_naming_it(api, resources):
    policy = _policy(api)
    assert 'srv-nope' in _message(_add(api, policy, 'srv-nope'), 400)
    assert 'srv-other' in _message(_add(api, policy, 'srv-other'), 400)
    # A server id is not a volume.
    assert 'srv-1' in _message(_add(api, policy, 'srv-1', 'volume'), 400)
    # Nothing was created on the way.
    assert api('GET', '/v1/policies', ).json['policies'][0]['members'] == []
    _message(api('POST', '/v1/policies', {'policy': {
        'name': 'b', 'members': [{'resource_type': 'server',
                                  'resource_id': 'srv-other'}]}}), 400)
    assert len(api('GET', '/v1/policies').json['policies']) == 1


def test_admin_cannot_add_another_projects_resource_to_a_policy(api,
                                                                resources):
    policy = _policy(api)
    response = api('POST', '/v1/policies/%s/members' % policy['id'],
                   {'member': {'resource_type': 'server',
                               'resource_id': 'srv-other'}},
                   roles='admin,member,reader')
    _message(response, 400)


@pytest.mark.parametrize('member', [
    {'resource_type': 'server', 'resource_id': 'srv-1', 'action': 'snapshot_data'},
    {'resource_type': 'server', 'resource_id': 'srv-1', 'action': 'nope'},
    {'resource_type': 'volume', 'resource_id': 'vol-1', 'action': 'image_copy'},
    {'resource_type': 'server', 'resource_id': 'srv-1', 'options': {'x': 1}},
    {'resource_type': 'server', 'resource_id': 'srv-1',
     'options': {'keep_image': 'yes'}},
    {'resource_type': 'server', 'resource_id': 'srv-1', 'options': []},
    {'resource_type': 'server', 'resource_id': '../../os-hypervisors'},
    {'resource_type': 'server', 'resource_id': ''},
    {'resource_type': 'server'},
    {'resource_type': 'server', 'resource_id': 'srv-1', 'extra': 1},
    {'resource_type': 'server', 'resource_id': 7},
])
def test_bad_members_are_400(api, resources, member):
    policy = _policy(api)
    response = api('POST', '/v1/policies/%s/members' % policy['id'],
                   {'member': member})
    _message(response, 400)


def test_a_resource_is_in_one_policy_unless_template_only(api, resources):
    first = _policy(api, name='first')
    second = _policy(api, name='second')
    assert _add(api, first, 'srv-1').status_int == 201
    message = _message(_add(api, second, 'srv-1'), 409)
    assert 'first' in message and first['id'] in message
    assert _message(_add(api, first, 'srv-1'), 409)
    assert _add(api, second, 'srv-1',
                action='template_only').status_int == 201
    # Turning the template-only member exclusive collides again.
    path = '/v1/policies/%s/members/srv-1' % second['id']
    _message(api('PATCH', path, {'member': {'action': 'image_copy'}}), 409)
    # Once the first lets go, the second may take it.
    assert api('DELETE', '/v1/policies/%s/members/srv-1' % first['id']
               ).status_int == 204
    changed = api('PATCH', path, {'member': {'action': 'image_copy'}})
    assert changed.status_int == 200
    assert changed.json['member']['action'] == 'image_copy'


def test_deleting_a_policy_frees_its_resources(api, resources):
    first = _policy(api, name='first')
    _add(api, first, 'srv-1')
    api('DELETE', '/v1/policies/' + first['id'])
    second = _policy(api, name='second')
    assert _add(api, second, 'srv-1').status_int == 201


def test_update_member_options_and_action(api, resources):
    policy = _policy(api)
    _add(api, policy, 'vol-1', 'volume')
    path = '/v1/policies/%s/members/vol-1' % policy['id']
    response = api('PATCH', path, {'member': {'options': {
        'keep_snapshot': True}}})
    assert response.json['member']['options'] == {'keep_snapshot': True}
    response = api('PATCH', path, {'member': {'action': 'cinder_backup'}})
    assert response.json['member']['action'] == 'cinder_backup'
    assert response.json['member']['options'] == {}
    _message(api('PATCH', path, {'member': {'action': 'image_copy'}}), 400)
    _message(api('PATCH', path, {'member': {'options': {
        'keep_snapshot': True}}}), 400)
    _message(api('PATCH', path, {'member': {}}), 400)
    _message(api('PATCH', path, {'member': {'resource_id': 'x'}}), 400)


def test_unknown_member_is_404(api, resources):
    policy = _policy(api)
    path = '/v1/policies/%s/members/srv-1' % policy['id']
    _message(api('DELETE', path), 404)
    _message(api('PATCH', path, {'member': {'action': 'template_only'}}), 404)


def test_reader_cannot_change_members(api, resources):
    policy = _policy(api)
    _add(api, policy, 'srv-1')
    base = '/v1/policies/%s/members' % policy['id']
    assert api('GET', base, roles='reader').status_int == 200
    _message(api('POST', base, {'member': {'resource_type': 'volume',
                                           'resource_id': 'vol-1'}},
                 roles='reader'), 403)
    _message(api('PATCH', base + '/srv-1',
                 {'member': {'action': 'template_only'}}, roles='reader'), 403)
    _message(api('DELETE', base + '/srv-1', roles='reader'), 403)


def test_a_container_name_is_exclusive_per_project_not_across(api,
                                                              fake_cloud):
    # Container names repeat across accounts; their exclusive key has the
    # project in it (swift_container.exclusive_key).
    fake_cloud.add('swift_container', 'photos')
    first = _policy(api, name='first')
    second = _policy(api, name='second')
    theirs = _policy(api, name='theirs', project=OTHER)
    assert _add(api, first, 'photos', 'swift_container').status_int == 201
    message = _message(_add(api, second, 'photos', 'swift_container'), 409)
    assert 'first' in message and first['id'] in message
    # The other project's own container of the same name.
    fake_cloud.add('swift_container', 'photos', project_id=OTHER)
    response = api('POST', '/v1/policies/%s/members' % theirs['id'],
                   {'member': {'resource_type': 'swift_container',
                               'resource_id': 'photos'}}, project=OTHER)
    assert response.status_int == 201, response.text
