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

"""``openstack dr protectable list``."""


def test_list_with_type_and_policy_column(api, openstack):
    api.protectables = [
        {'type': 'server', 'id': 's1', 'name': 'web', 'status': 'ACTIVE',
         'policy_id': 'p1', 'policy_name': 'gold'},
        {'type': 'server', 'id': 's2', 'name': 'db', 'status': 'ACTIVE',
         'policy_id': None, 'policy_name': None},
        {'type': 'volume', 'id': 'v1', 'name': 'data', 'status': 'available',
         'policy_id': None, 'policy_name': None}]
    result = openstack('dr', 'protectable', 'list', '--type', 'server',
                       '-f', 'json')
    assert result.code == 0, result.err
    assert api.calls[-1].query == {'type': 'server'}
    assert result.json() == [
        {'Type': 'server', 'ID': 's1', 'Name': 'web', 'Status': 'ACTIVE',
         'Policy': 'gold'},
        {'Type': 'server', 'ID': 's2', 'Name': 'db', 'Status': 'ACTIVE',
         'Policy': None}]
    assert len(openstack('dr', 'protectable', 'list', '-f', 'json').json()) == 3
