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

"""Request shapes of the member calls."""

import pytest

from dragon.client import exceptions


@pytest.fixture
def policy(api):
    return api.add_policy('web')


def test_add_minimal_and_full(api, client, policy):
    member = client.members.add(policy['id'], 'server', 's1')
    assert api.calls[-1].path == '/v1/policies/%s/members' % policy['id']
    assert api.calls[-1].json == {'member': {'resource_type': 'server',
                                             'resource_id': 's1'}}
    assert member['action'] == 'snapshot'
    client.members.add(policy['id'], 'server', 's2', action='backup',
                       options={'copies': 2})
    assert api.calls[-1].json == {'member': {
        'resource_type': 'server', 'resource_id': 's2', 'action': 'backup',
        'options': {'copies': 2}}}


def test_list_update_remove(api, client, policy):
    client.members.add(policy['id'], 'volume', 'v1')
    assert [m['resource_id'] for m in client.members.list(policy['id'])] == [
        'v1']
    client.members.update(policy['id'], 'v1', options={'a': 'b'})
    assert api.calls[-1].method == 'PATCH'
    assert api.calls[-1].path == '/v1/policies/%s/members/v1' % policy['id']
    assert api.calls[-1].json == {'member': {'options': {'a': 'b'}}}
    assert client.members.remove(policy['id'], 'v1') is None
    assert api.calls[-1].method == 'DELETE'
    assert client.members.list(policy['id']) == []


def test_unknown_action_is_refused(api, client, policy):
    with pytest.raises(exceptions.ClientError) as caught:
        client.members.add(policy['id'], 'volume', 'v1', action='teleport')
    assert caught.value.status == 400
    assert "Unknown action 'teleport'" in caught.value.message
