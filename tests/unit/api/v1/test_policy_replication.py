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

"""A policy's ``replication`` through the API: stored, shown, refused (400)."""
import pytest

from dragon.replication import targets

URLS = {'RegionOne': 'http://r1/v1/AUTH_p1', 'RegionTwo': 'http://r2/v1/AUTH_p1',
        'Shared': 'http://r1/v1/AUTH_p1'}


@pytest.fixture(autouse=True)
def catalog(monkeypatch):
    monkeypatch.setattr(targets, 'object_store_url',
                        lambda context, region, conf: URLS.get(region))


def _create(api, replication):
    return api('POST', '/v1/policies', {'policy': {
        'name': 'repl', 'replication': replication}})


def test_a_target_is_stored_shown_and_removed(api):
    response = _create(api, {'target_region': 'RegionTwo'})
    assert response.status_int == 201, response.text
    policy = response.json['policy']
    assert policy['replication'] == {'target_region': 'RegionTwo'}
    path = '/v1/policies/' + policy['id']
    assert api('GET', path).json['policy']['replication'] == {
        'target_region': 'RegionTwo'}
    changed = api('PATCH', path, {'policy': {'replication': None}})
    assert changed.status_int == 200, changed.text
    assert changed.json['policy']['replication'] is None


@pytest.mark.parametrize('region,words', [
    ('Shared', 'nothing to replicate'),
    ('Nowhere', 'no object-store endpoint'),
])
def test_a_target_without_its_own_swift_is_a_400(api, region, words):
    response = _create(api, {'target_region': region})
    assert response.status_int == 400, response.text
    assert words in response.text


def test_a_malformed_replication_is_a_400(api):
    response = _create(api, {'target_region': 'RegionTwo', 'rate': 5})
    assert response.status_int == 400
    assert _create(api, {}).status_int == 400
