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

"""Request shapes of the recovery calls."""

import pytest

from dragon.client import exceptions


@pytest.fixture
def checkpoint(api):
    policy = api.add_policy('web', members=[
        {'resource_type': 'server', 'resource_id': 's1',
         'resource_name': 'web-1', 'action': 'image_snapshot'}])
    return api.add_checkpoint(policy, status='available')


def test_create_from_a_checkpoint_sends_only_what_was_given(
        api, client, checkpoint):
    recovery = client.recoveries.create(checkpoint['id'],
                                        target_region='RegionTwo')
    call = api.calls[-1]
    assert (call.method, call.path) == ('POST', '/v1/recoveries')
    assert call.json == {'recovery': {'checkpoint_id': checkpoint['id'],
                                      'target_region': 'RegionTwo',
                                      'mode': 'failover'}}
    assert recovery['status'] == 'recovering'
    assert recovery['checkpoint_id'] == checkpoint['id']


def test_create_from_a_recovery_point_with_everything(
        api, client, checkpoint):
    mappings = {'networks': {'n1': 'recreate'}, 'flavors': {'a': 'b'},
                'name_prefix': 'dr-'}
    recovery = client.recoveries.create(
        recovery_point=checkpoint['container'], target_region='RegionTwo',
        mode='drill', mappings=mappings, resources=('s1',), timeout=600)
    assert api.calls[-1].json == {'recovery': {
        'recovery_point': checkpoint['container'],
        'target_region': 'RegionTwo', 'mode': 'drill',
        'mappings': mappings, 'resources': ['s1'], 'timeout': 600}}
    assert recovery['mode'] == 'drill'
    assert recovery['resources'] == ['s1']


@pytest.mark.parametrize('kwargs', [{}, {'checkpoint_id': 'c',
                                         'recovery_point': 'p'}])
def test_create_needs_exactly_one_source(api, client, kwargs):
    with pytest.raises(ValueError):
        client.recoveries.create(target_region='RegionTwo', **kwargs)
    assert api.calls == []


def test_create_refusal_keeps_status_and_message(api, client):
    with pytest.raises(exceptions.ClientError) as caught:
        client.recoveries.create('nope', target_region='RegionTwo')
    assert caught.value.status == 404
    assert caught.value.message == 'Checkpoint nope could not be found.'


def test_list_get_events_delete(api, client, checkpoint):
    done = api.add_recovery(checkpoint, status='succeeded')
    api.add_recovery(checkpoint)
    api.recovery_events[done['id']] = [
        {'time': 't', 'level': 'info', 'resource': None, 'message': 'm'}]
    assert len(client.recoveries.list()) == 2
    assert api.calls[-1].query == {}
    assert [r['id'] for r in client.recoveries.list(
        status='succeeded', all_projects=True)] == [done['id']]
    assert api.calls[-1].query == {'status': 'succeeded',
                                   'all_projects': 'true'}
    assert client.recoveries.get(done['id'])['id'] == done['id']
    assert api.calls[-1].path == '/v1/recoveries/%s' % done['id']
    assert client.recoveries.events(done['id'])[0]['message'] == 'm'
    assert api.calls[-1].path == '/v1/recoveries/%s/events' % done['id']
    assert client.recoveries.delete(done['id'])['status'] == 'deleting'
    assert (api.calls[-1].method, api.calls[-1].path) == (
        'DELETE', '/v1/recoveries/%s' % done['id'])


def test_ids_are_quoted_in_paths(api, client):
    with pytest.raises(exceptions.ClientError):
        client.recoveries.get('a/b')
    assert api.calls[-1].url.endswith('/v1/recoveries/a%2Fb')
