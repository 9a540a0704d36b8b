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

"""Request shapes of the checkpoint and recovery point calls."""

import pytest

from dragon.client import exceptions


@pytest.fixture
def policy(api):
    return api.add_policy('web', members=[
        {'resource_type': 'server', 'resource_id': 's1',
         'resource_name': 'web-1', 'action': 'image_snapshot'}])


def test_protect_posts_an_empty_body_to_the_policy(api, client, policy):
    checkpoint = client.checkpoints.protect(policy['id'])
    call = api.calls[-1]
    assert (call.method, call.path) == (
        'POST', '/v1/policies/%s/protect' % policy['id'])
    assert call.json == {}
    assert checkpoint['status'] == 'protecting'
    assert checkpoint['policy_id'] == policy['id']


def test_protect_refusals_keep_status_and_message(api, client, policy):
    client.checkpoints.protect(policy['id'])
    with pytest.raises(exceptions.ClientError) as caught:
        client.checkpoints.protect(policy['id'])
    assert caught.value.status == 409
    assert 'already being protected' in caught.value.message
    empty = api.add_policy('empty')
    with pytest.raises(exceptions.ClientError) as caught:
        client.checkpoints.protect(empty['id'])
    assert caught.value.status == 400


def test_list_passes_filters_and_omits_unset_ones(api, client, policy):
    marker = api.add_checkpoint(policy, status='available')['id']
    client.checkpoints.list(policy_id=policy['id'], status='available',
                            limit=5, marker=marker)
    assert api.calls[-1].path == '/v1/checkpoints'
    assert api.calls[-1].query == {'policy_id': policy['id'],
                                   'status': 'available', 'limit': '5',
                                   'marker': marker}
    client.checkpoints.list(all_projects=True)
    assert api.calls[-1].query == {'all_projects': 'true'}
    client.checkpoints.list()
    assert api.calls[-1].query == {}


def test_list_follows_next_links_when_asked(api, client, policy):
    made = [api.add_checkpoint(policy, status='available')
            for _ in range(5)]
    api.page_size = 2
    assert len(client.checkpoints.list()) == 2
    every = client.checkpoints.list(all_pages=True)
    assert [c['id'] for c in every] == [c['id'] for c in reversed(made)]


def test_get_delete_events_template(api, client, policy):
    checkpoint = api.add_checkpoint(policy, status='available')
    cid = checkpoint['id']
    assert client.checkpoints.get(cid)['id'] == cid
    assert api.calls[-1].path == '/v1/checkpoints/%s' % cid

    api.events[cid] = [{'time': 't', 'level': 'INFO', 'resource': None,
                        'message': 'started'}]
    assert client.checkpoints.events(cid) == api.events[cid]
    assert api.calls[-1].path == '/v1/checkpoints/%s/events' % cid

    api.templates[cid] = {'template': 'heat_template_version: 2021-04-16\n',
                          'parameters': {'p': {'kind': 'flavor'}}}
    assert client.checkpoints.template(cid) == api.templates[cid]
    assert api.calls[-1].path == '/v1/checkpoints/%s/template' % cid

    assert client.checkpoints.delete(cid)['status'] == 'deleting'
    assert api.calls[-1].method == 'DELETE'
    assert api.checkpoints == {}


def test_ids_are_quoted_in_the_path(api, client):
    with pytest.raises(exceptions.ClientError) as caught:
        client.checkpoints.get('a/b')
    assert api.calls[-1].url.endswith('/v1/checkpoints/a%2Fb')
    assert caught.value.status == 404
    assert caught.value.message == 'Checkpoint a/b could not be found.'
    assert caught.value.request_id == 'req-404'


def test_delete_while_protecting_is_409(api, client, policy):
    checkpoint = api.add_checkpoint(policy)
    with pytest.raises(exceptions.ClientError) as caught:
        client.checkpoints.delete(checkpoint['id'])
    assert caught.value.status == 409


def test_recovery_points_pass_the_policy_as_given(api, client):
    point = {'container': 'dragon_x_web_20261123T100000Z',
             'project_id': 'p', 'policy_id': 'pid', 'policy_name': 'web',
             'created_at': 'c', 'finished_at': 'f', 'size': 10,
             'source_region': 'RegionOne', 'checkpoint_id': 'cid',
             'format_version': 1}
    api.recovery_points = [point]
    assert client.recovery_points.list() == [point]
    assert (api.calls[-1].path, api.calls[-1].query) == (
        '/v1/recovery-points', {})
    assert client.recovery_points.list(policy='web') == [point]
    assert api.calls[-1].query == {'policy': 'web'}
    # No policy lookup: the backup site's database may not know it.
    assert [c.path for c in api.calls] == ['/v1/recovery-points'] * 2
    assert client.recovery_points.list(policy='other') == []


def test_delete_without_a_body(api, client, policy):
    checkpoint = api.add_checkpoint(policy, status='available')
    api.reply = (202, None, {})
    assert client.checkpoints.delete(checkpoint['id']) is None


def test_update_patches_the_hold(api, client, policy):
    checkpoint = api.add_checkpoint(policy, status='available')
    updated = client.checkpoints.update(checkpoint['id'], hold=True)
    call = api.calls[-1]
    assert (call.method, call.path, call.json) == (
        'PATCH', '/v1/checkpoints/%s' % checkpoint['id'],
        {'checkpoint': {'hold': True}})
    assert updated['hold'] is True
    assert client.checkpoints.update(checkpoint['id'], hold=0)['hold'] is \
        False
    with pytest.raises(exceptions.ClientError) as caught:
        client.checkpoints.update('nope', hold=True)
    assert caught.value.status == 404
