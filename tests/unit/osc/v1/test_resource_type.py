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

"""``openstack dr resource type list``."""


def test_one_row_per_action(api, openstack):
    result = openstack('dr', 'resource', 'type', 'list', '-f', 'json')
    assert result.code == 0, result.err
    rows = result.json()
    assert [(r['Type'], r['Action'], r['Default']) for r in rows] == [
        ('server', 'snapshot', True), ('server', 'backup', False),
        ('volume', 'snapshot', True)]
    assert list(rows[0]) == ['Type', 'Action', 'Default', 'Description']
    assert api.calls[-1].path == '/v1/resource-types'
