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

"""/v1/resource-types and /v1/protectables."""

import jsonschema
import pytest

from tests.unit.api.v1.conftest import OTHER


def test_resource_types_list_actions_with_one_default_each(api):
    response = api('GET', '/v1/resource-types', roles='reader')
    assert response.status_int == 200
    types = {t['name']: t for t in response.json['resource_types']}
    assert set(types) == {'server', 'volume', 'swift_container'}
    actions = {name: [a['name'] for a in t['actions']]
               for name, t in types.items()}
    assert actions == {
        'server': ['image_snapshot', 'image_copy', 'template_only'],
        'volume': ['snapshot_data', 'cinder_backup', 'replicated'],
        'swift_container': ['copy_objects', 'template_only']}
    for resource_type in types.values():
        defaults = [a['name'] for a in resource_type['actions'] if a['default']]
        assert len(defaults) == 1
        for action in resource_type['actions']:
            jsonschema.Draft7Validator.check_schema(action['options_schema'])
            assert action['description']


def test_protectables_show_which_policy_holds_each_resource(api, fake_cloud):
    fake_cloud.add('server', 'srv-1', name='web')
    fake_cloud.add('server', 'srv-2', name='db', status='SHUTOFF')
    fake_cloud.add('volume', 'vol-1', name='data', status='available')
    fake_cloud.add('server', 'srv-x', project_id=OTHER)
    policy = api('POST', '/v1/policies', {'policy': {
        'name': 'app', 'members': [
            {'resource_type': 'server', 'resource_id': 'srv-1'}]}}).json['policy']
    listed = api('GET', '/v1/protectables', roles='reader').json['protectables']
    by_id = {p['id']: p for p in listed}
    assert set(by_id) == {'srv-1', 'srv-2', 'vol-1'}
    assert by_id['srv-1'] == {'type': 'server', 'id': 'srv-1', 'name': 'web',
                              'status': 'ACTIVE', 'policy_id': policy['id'],
                              'policy_name': 'app'}
    assert by_id['srv-2']['policy_id'] is None
    assert by_id['srv-2']['policy_name'] is None
    volumes = api('GET', '/v1/protectables?type=volume').json['protectables']
    assert [p['id'] for p in volumes] == ['vol-1']


@pytest.mark.parametrize('query', ['type=network', 'type=', 'kind=server',
                                   'type=server&type=volume'])
def test_bad_protectable_queries_are_400(api, fake_cloud, query):
    response = api('GET', '/v1/protectables?' + query)
    assert response.status_int == 400
    assert response.json['error']['code'] == 400


def test_resource_types_need_a_role(api):
    response = api('GET', '/v1/resource-types', roles='')
    assert response.status_int == 403
