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

"""``openstack dr policy member ...`` against the fake API."""

import pytest


@pytest.fixture
def policy(api):
    return api.add_policy('web')


def test_add_with_typed_properties(api, openstack, policy):
    result = openstack('dr', 'policy', 'member', 'add', 'web', 's1',
                       '--type', 'server', '--property', 'quiesce=true',
                       '--property', 'copies=2', '--property', 'note=x',
                       '-f', 'json')
    assert result.code == 0, result.err
    post = api.requests('POST')[-1]
    assert post.path == '/v1/policies/%s/members' % policy['id']
    # Typed by the default action's options schema; unknown keys stay text.
    assert post.json == {'member': {
        'resource_type': 'server', 'resource_id': 's1',
        'options': {'quiesce': True, 'copies': 2, 'note': 'x'}}}
    shown = result.json()
    assert shown['resource_id'] == 's1'
    assert shown['options'] == {'quiesce': True, 'copies': 2, 'note': 'x'}


def test_add_needs_a_type(api, openstack, policy):
    result = openstack('dr', 'policy', 'member', 'add', 'web', 's1')
    assert result.code == 2
    assert api.requests('POST') == []


def test_add_unknown_action_is_one_line(api, openstack, policy):
    result = openstack('dr', 'policy', 'member', 'add', policy['id'], 'v1',
                       '--type', 'volume', '--action', 'teleport')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "Error: Unknown action 'teleport' for volume. "
        "(HTTP 400, request req-400)"]


def test_list(api, openstack, policy):
    openstack('dr', 'policy', 'member', 'add', 'web', 'v1', '--type',
              'volume')
    rows = openstack('dr', 'policy', 'member', 'list', 'web',
                     '-f', 'json').json()
    assert rows == [{'Resource Type': 'volume', 'Resource ID': 'v1',
                     'Resource Name': 'name-v1', 'Action': 'snapshot',
                     'Options': {}}]


def test_set_merges_properties_into_the_current_options(api, openstack,
                                                        policy):
    openstack('dr', 'policy', 'member', 'add', 'web', 's1', '--type',
              'server', '--property', 'note=x')
    result = openstack('dr', 'policy', 'member', 'set', 'web', 's1',
                       '--action', 'snapshot', '--property', 'copies=3')
    assert result.code == 0, result.err
    assert result.out == ''
    patch = api.requests('PATCH')[-1]
    assert patch.path == '/v1/policies/%s/members/s1' % policy['id']
    assert patch.json == {'member': {'action': 'snapshot',
                                     'options': {'note': 'x', 'copies': 3}}}


def test_set_action_only_and_nothing(api, openstack, policy):
    openstack('dr', 'policy', 'member', 'add', 'web', 's1', '--type',
              'server')
    assert openstack('dr', 'policy', 'member', 'set', 'web', 's1',
                     '--action', 'backup').code == 0
    assert api.requests('PATCH')[-1].json == {'member': {'action': 'backup'}}
    assert openstack('dr', 'policy', 'member', 'set', 'web', 's1').code == 0
    assert len(api.requests('PATCH')) == 1


def test_set_unknown_member_is_one_line(api, openstack, policy):
    result = openstack('dr', 'policy', 'member', 'set', 'web', 'zz',
                       '--action', 'backup')
    assert result.code == 1
    assert result.err.strip() == ('Error: zz is not a member. '
                                  '(HTTP 404, request req-404)')


def test_remove(api, openstack, policy):
    openstack('dr', 'policy', 'member', 'add', 'web', 's1', '--type',
              'server')
    result = openstack('dr', 'policy', 'member', 'remove', 'web', 's1')
    assert result.code == 0, result.err
    assert api.requests('DELETE')[-1].path == (
        '/v1/policies/%s/members/s1' % policy['id'])
    assert api.policies[policy['id']]['members'] == []


def test_set_a_new_action_does_not_carry_old_options(api, openstack, policy):
    openstack('dr', 'policy', 'member', 'add', 'web', 's1', '--type',
              'server', '--property', 'quiesce=true')
    assert openstack('dr', 'policy', 'member', 'set', 'web', 's1',
                     '--action', 'backup', '--property', 'note=x').code == 0
    assert api.requests('PATCH')[-1].json == {'member': {
        'action': 'backup', 'options': {'note': 'x'}}}
