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

"""``openstack dr recovery point list`` against the fake API."""


def _point(policy_name, checkpoint_id, size):
    return {'container': 'dragon_p_%s_20261123T100000Z' % policy_name,
            'project_id': 'p', 'policy_id': 'id-' + policy_name,
            'policy_name': policy_name, 'created_at': '2026-11-23T10:00:00Z',
            'finished_at': '2026-11-23T10:01:00Z', 'size': size,
            'source_region': 'RegionOne', 'checkpoint_id': checkpoint_id,
            'format_version': 1}


def test_list_all_and_by_policy_without_a_lookup(api, openstack):
    api.recovery_points = [_point('web', 'c1', 3 * 1024 ** 3),
                           _point('db', 'c2', 512)]
    result = openstack('dr', 'recovery', 'point', 'list', '-f', 'json')
    assert result.code == 0, result.err
    rows = result.json()
    assert list(rows[0]) == ['Checkpoint ID', 'Policy', 'Finished At',
                             'Size', 'Source Region', 'Container']
    assert [(r['Checkpoint ID'], r['Size']) for r in rows] == [
        ('c1', 3 * 1024 ** 3), ('c2', 512)]
    # The policy is not looked up: a backup site's database may not know it.
    rows = openstack('dr', 'recovery', 'point', 'list', '--policy', 'web',
                     '-f', 'json').json()
    assert [r['Checkpoint ID'] for r in rows] == ['c1']
    assert [c.path for c in api.calls] == ['/v1/recovery-points'] * 2
    assert api.calls[-1].query == {'policy': 'web'}


def test_list_table_and_long(api, openstack):
    api.recovery_points = [_point('web', 'c1', 3 * 1024 ** 3)]
    table = openstack('dr', 'recovery', 'point', 'list').out
    assert '3.0 GiB' in table and 'RegionOne' in table
    rows = openstack('dr', 'recovery', 'point', 'list', '--long',
                     '-f', 'json').json()
    assert list(rows[0])[-6:] == ['Policy ID', 'Project', 'Created At',
                                  'Format Version', 'Encrypted', 'Key Ref']
    assert rows[0]['Format Version'] == 1


def test_list_error_is_one_line(api, openstack):
    api.reply = (503, {'error': {'message': 'Swift is unavailable.',
                                 'request_id': 'req-s'}}, {})
    result = openstack('dr', 'recovery', 'point', 'list')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Swift is unavailable. (HTTP 503, request req-s)']
