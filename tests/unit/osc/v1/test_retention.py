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

"""``openstack dr policy retention preview`` against the fake API."""


def _preview(checkpoints):
    return {'rules': {'keep_last': 1}, 'timezone': 'UTC',
            'checkpoints': checkpoints}


def test_preview_lists_verdicts_in_order(api, openstack):
    policy = api.add_policy('web')
    api.retention_previews[policy['id']] = _preview([
        {'id': 'c2', 'created_at': '2026-12-02T03:01:00+00:00',
         'captured_at': '2026-12-02T03:00:00+00:00', 'status': 'available',
         'hold': False, 'keep': True,
         'reasons': ['newest available', 'keep_last 1']},
        {'id': 'c1', 'created_at': '2026-12-01T03:01:00+00:00',
         'captured_at': None, 'status': 'available', 'hold': False,
         'keep': False, 'reasons': ['no rule keeps it']}])
    result = openstack('dr', 'policy', 'retention', 'preview', 'web',
                       '-f', 'json')
    assert result.code == 0, result.err
    assert api.requests('GET')[-1].path == \
        '/v1/policies/%s/retention' % policy['id']
    rows = result.json()
    assert list(rows[0]) == ['ID', 'Captured', 'Status', 'Hold', 'Keep',
                             'Why']
    assert rows[0]['Why'] == ['newest available', 'keep_last 1']
    assert rows[0]['Captured'] == '2026-12-02T03:00:00+00:00'
    # without a capture time, the creation time
    assert rows[1]['Captured'] == '2026-12-01T03:01:00+00:00'
    assert rows[1]['Keep'] is False
    table = openstack('dr', 'policy', 'retention', 'preview',
                      policy['id']).out
    assert 'newest available, keep_last 1' in table


def test_preview_of_an_unknown_policy_is_one_line(api, openstack):
    result = openstack('dr', 'policy', 'retention', 'preview', 'nope')
    assert result.code == 1
    assert result.err.strip() == \
        "Error: No policy with a name or ID of 'nope' exists."
