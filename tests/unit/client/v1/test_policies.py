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

"""Request shapes of the policy calls, name lookup and pagination."""

import pytest

from dragon.client import exceptions


def test_create_sends_only_what_was_given(api, client):
    policy = client.policies.create('web')
    assert api.calls[-1].method == 'POST'
    assert api.calls[-1].path == '/v1/policies'
    assert api.calls[-1].json == {'policy': {'name': 'web'}}
    assert policy['name'] == 'web'


def test_create_with_options_and_members(api, client):
    options = {'consistent': True,
               'schedule': {'cron': '0 2 * * *', 'timezone': 'UTC',
                            'enabled': True},
               'retention': {'keep_last': 7, 'daily': 7}}
    members = [{'resource_type': 'server', 'resource_id': 's1'}]
    policy = client.policies.create('web', description='d', options=options,
                                    members=members)
    assert api.calls[-1].json == {'policy': {
        'name': 'web', 'description': 'd', 'options': options,
        'members': members}}
    assert policy['members'][0]['resource_id'] == 's1'


def test_list_passes_filters_and_omits_unset_ones(api, client):
    client.policies.list(name='web', limit=5, marker=None, sort_key='name',
                         sort_dir='desc', all_projects=True)
    assert api.calls[-1].query == {'name': 'web', 'limit': '5',
                                   'sort_key': 'name', 'sort_dir': 'desc',
                                   'all_projects': 'true'}
    client.policies.list()
    assert api.calls[-1].query == {}


def test_list_returns_one_page_unless_asked_for_all(api, client):
    for i in range(5):
        api.add_policy('p%d' % i)
    api.page_size = 2
    assert len(client.policies.list()) == 2
    calls = len(api.calls)
    every = client.policies.list(all_pages=True, sort_key='name')
    assert [p['name'] for p in every] == ['p0', 'p1', 'p2', 'p3', 'p4']
    followed = api.calls[calls:]
    assert len(followed) == 3
    # The next links are followed as given, filters included.
    assert followed[1].query['sort_key'] == 'name'
    assert followed[1].query['marker'] == every[1]['id']


def test_get_update_delete(api, client):
    policy = api.add_policy('web')
    assert client.policies.get(policy['id'])['name'] == 'web'
    client.policies.update(policy['id'], name='app',
                           options={'schedule': None})
    assert api.calls[-1].method == 'PATCH'
    assert api.calls[-1].path == '/v1/policies/%s' % policy['id']
    assert api.calls[-1].json == {'policy': {'name': 'app',
                                             'options': {'schedule': None}}}
    api.kept_checkpoints = 3
    assert client.policies.delete(policy['id']) == {
        'policy_id': policy['id'], 'kept_checkpoints': 3}


def test_find_by_id_then_by_name(api, client):
    policy = api.add_policy('web')
    assert client.policies.find(policy['id'])['id'] == policy['id']
    assert len(api.calls) == 1
    assert client.policies.find('web')['id'] == policy['id']
    assert [(c.method, c.path, c.query) for c in api.calls[1:]] == [
        ('GET', '/v1/policies/web', {}),
        ('GET', '/v1/policies', {'name': 'web'})]


def test_find_quotes_the_name_in_the_path(api, client):
    api.add_policy('a/b c')
    assert client.policies.find('a/b c')['name'] == 'a/b c'
    assert api.calls[0].url.endswith('/v1/policies/a%2Fb%20c')


def test_find_nothing(api, client):
    with pytest.raises(exceptions.ClientError) as caught:
        client.policies.find('nope')
    assert caught.value.status == 404
    assert caught.value.message == "No policy with a name or ID of 'nope' exists."


def test_find_an_ambiguous_name(api, client):
    api.add_policy('web')
    api.add_policy('web')
    with pytest.raises(exceptions.ClientError) as caught:
        client.policies.find('web')
    assert caught.value.status == 409
    assert 'use the ID' in caught.value.message


def test_find_does_not_hide_other_errors(api, client):
    api.reply = (403, {'error': {'code': 403, 'title': 'Forbidden',
                                 'message': 'Policy does not allow it.',
                                 'request_id': 'req-x'}}, {})
    with pytest.raises(exceptions.ClientError) as caught:
        client.policies.find('web')
    assert (caught.value.status, caught.value.request_id) == (403, 'req-x')
    assert len(api.calls) == 1


def test_an_error_body_becomes_client_error(api, client):
    with pytest.raises(exceptions.ClientError) as caught:
        client.policies.get('missing')
    assert caught.value.status == 404
    assert caught.value.message == 'Policy missing could not be found.'
    assert caught.value.request_id == 'req-404'


def test_a_body_that_is_not_json_is_an_error(api, client):
    api.reply = (200, b'<html>', {'Content-Type': 'text/html'})
    with pytest.raises(exceptions.ClientError) as caught:
        client.policies.list()
    assert 'not JSON' in caught.value.message


def test_retention_preview_gets_the_policy_preview(api, client):
    policy = api.add_policy('web', options={
        'consistent': False, 'schedule': None,
        'retention': {'keep_last': 1}})
    api.add_checkpoint(policy, status='available')
    preview = client.policies.retention_preview(policy['id'])
    assert (api.calls[-1].method, api.calls[-1].path) == (
        'GET', '/v1/policies/%s/retention' % policy['id'])
    assert preview['rules'] == {'keep_last': 1}
    assert [c['keep'] for c in preview['checkpoints']] == [True]
    with pytest.raises(exceptions.ClientError) as caught:
        client.policies.retention_preview('nope')
    assert caught.value.status == 404
