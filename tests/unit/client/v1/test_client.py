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

"""The client finds the ``dr`` endpoint through keystoneauth."""

from keystoneauth1 import session as ks_session

from dragon.client.v1 import client as dr_client


def test_uses_the_dr_service_of_the_catalog(api, auth, client):
    client.resource_types.list()
    assert ('dr', 'public', 'RegionOne') in auth.lookups
    call = api.calls[-1]
    assert call.url == 'http://dragon.test:8799/v1/resource-types'
    assert call.headers['X-Auth-Token'] == 'fake-token'
    assert call.headers['Accept'] == 'application/json'
    assert call.headers['User-Agent'].startswith('dragon-client')


def test_interface_and_endpoint_override(api, auth):
    client = dr_client.Client(ks_session.Session(auth=auth),
                              interface='internal',
                              endpoint_override='http://other.test:1')
    client.protectables.list()
    assert api.calls[-1].url == 'http://other.test:1/v1/protectables'
    assert client.adapter.interface == 'internal'


def test_resource_types_and_protectables(api, client):
    assert [t['name'] for t in client.resource_types.list()] == [
        'server', 'volume']
    api.protectables = [
        {'type': 'server', 'id': 's1', 'name': 'web', 'status': 'ACTIVE',
         'policy_id': None, 'policy_name': None},
        {'type': 'volume', 'id': 'v1', 'name': 'data', 'status': 'available',
         'policy_id': None, 'policy_name': None}]
    assert [p['id'] for p in client.protectables.list('volume')] == ['v1']
    assert api.calls[-1].query == {'type': 'volume'}
    assert len(client.protectables.list()) == 2
    assert api.calls[-1].query == {}
