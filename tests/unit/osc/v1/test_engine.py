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

"""``openstack dr engine list``."""

ENGINES = [
    {'host': 'engine-1', 'topic': 'dragon-engine', 'version': '1.0',
     'alive': True, 'created_at': '2026-12-04T05:00:00.000000',
     'heartbeat_at': '2026-12-04T06:00:05.000000',
     'runs': {'checkpoints': 2, 'recoveries': 1}},
    {'host': 'engine-2', 'topic': 'dragon-engine', 'version': '1.0',
     'alive': False, 'created_at': '2026-12-04T05:00:00.000000',
     'heartbeat_at': '2026-12-04T05:10:00.000000',
     'runs': {'checkpoints': 0, 'recoveries': 0}},
]


def test_one_row_per_engine_with_its_runs_in_words(api, openstack):
    api.engines = ENGINES
    result = openstack('dr', 'engine', 'list')
    assert result.code == 0, result.err
    rows = [[cell.strip() for cell in line.strip('|').split('|')]
            for line in result.out.splitlines() if line.startswith('|')]
    assert rows == [
        ['Host', 'Alive', 'Heartbeat At', 'Version', 'Runs'],
        ['engine-1', 'True', '2026-12-04T06:00:05.000000', '1.0',
         '2 checkpoints, 1 recovery'],
        ['engine-2', 'False', '2026-12-04T05:10:00.000000', '1.0', 'none']]
    assert api.calls[-1].path == '/v1/engines'


def test_json_keeps_the_runs_object(api, openstack):
    api.engines = ENGINES[:1]
    rows = openstack('dr', 'engine', 'list', '-f', 'json').json()
    assert rows == [{'Host': 'engine-1', 'Alive': True,
                     'Heartbeat At': '2026-12-04T06:00:05.000000',
                     'Version': '1.0',
                     'Runs': {'checkpoints': 2, 'recoveries': 1}}]


def test_a_project_user_gets_the_api_refusal_in_one_line(api, openstack):
    api.reply = (403, {'error': {
        'message': 'Policy does not allow dragon:engine:list.'}}, None)
    result = openstack('dr', 'engine', 'list')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Policy does not allow dragon:engine:list. '
        '(HTTP 403, request req-fake)']
