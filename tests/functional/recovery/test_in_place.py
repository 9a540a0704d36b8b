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

"""In-place restore on the minicloud: the dry run's plan, and what is refused.

Uses the session's protected three-tier workload (no workload of its own)
and its newest checkpoint (earlier tests delete the first one):
a dry run plans, records the plan, and changes nothing in RegionOne; bad
requests are 4xx with their reason before anything runs.
"""

import json

import pytest

from dragon.client.exceptions import ClientError
from tests.functional.api.test_checkpoints import alt  # noqa: F401
from tests.functional.cli.helpers import CLI
from tests.story import wait

ENDED = ('succeeded', 'error')


def _state(protected):
    """What a dry run must not change: servers, volumes, attachments."""
    conn = protected.conn
    servers = {s.id: (s.status, s.updated_at, s.image and s.image.get('id'))
               for s in conn.compute.servers()}
    volumes = {v.id: (v.status, v.size, sorted(
        (a['server_id'], a['device']) for a in v.attachments or ()))
        for v in conn.block_storage.volumes()}
    images = sorted(i.id for i in conn.image.images())
    return servers, volumes, images


def _dry_run(protected, resources=None):
    """The ended dry run; its row is deleted when the test module ends."""
    dr = protected.dr
    recovery = dr.recoveries.create(
        checkpoint_id=protected.latest()['id'], mode='in_place', dry_run=True,
        resources=resources)
    assert recovery['target_region'] == 'RegionOne'
    protected.in_place_runs.append(recovery['id'])
    return wait(lambda: dr.recoveries.get(recovery['id']), ENDED, 300)


@pytest.fixture(scope='module', autouse=True)
def _cleanup(protected):
    protected.in_place_runs = []
    yield
    for recovery_id in protected.in_place_runs:
        protected.dr.recoveries.delete(recovery_id)


def _fates(recovery):
    return {e['id']: e['action'] for e in recovery['plan']}


def test_dry_run_plans_and_changes_nothing(protected):
    ids = protected.workload.ids
    before = _state(protected)
    whole = _dry_run(protected)
    assert whole['status'] == 'succeeded', whole['error']
    assert whole['dry_run'] is True and whole['mode'] == 'in_place'
    fates = _fates(whole)
    for member in ('web', 'app', 'db', 'data', 'app_boot'):
        assert fates[ids[member]] == 'replace', (member, whole['plan'])
    data = next(e for e in whole['plan'] if e['id'] == ids['data'])
    assert data['current_status'] == 'in-use' and data['changes'] == []
    events = [e['message'] for e in
              protected.dr.recoveries.events(whole['id'])]
    assert any(m.startswith('dry run: 5 to replace') and
               m.endswith('nothing was changed') for m in events), events

    # Only the data volume: the servers (its own included) are untouched.
    only = _dry_run(protected, resources=[ids['data']])
    assert only['status'] == 'succeeded', only['error']
    fates = _fates(only)
    assert fates.pop(ids['data']) == 'replace'
    assert set(fates.values()) == {'untouched'}
    assert _state(protected) == before


@pytest.mark.parametrize('values,status,words', [
    ({'target_region': 'RegionTwo'}, 400,
     "checkpoint's own region RegionOne, not RegionTwo"),
    ({'resources': ['0b5e6c0a-0000-4000-8000-000000000000']}, 400,
     'not a member resource'),
    ({'dry_run': False}, 400, 'can only be planned for now'),
    ({'mappings': {'flavors': {'m1.tiny': 'm1.small'}}}, 400,
     'mappings are for failover and drill'),
])
def test_bad_in_place_requests_say_why(protected, values, status, words):
    request = {'checkpoint_id': protected.latest()['id'], 'mode': 'in_place',
               'dry_run': True, **values}
    with pytest.raises(ClientError) as refused:
        protected.dr.recoveries.create(**request)
    assert refused.value.status == status
    assert words in str(refused.value)


def test_another_projects_checkpoint_is_404(protected, alt):  # noqa: F811
    checkpoint_id = protected.latest()['id']
    status, body = alt('POST', '/v1/recoveries', {'recovery': {
        'checkpoint_id': checkpoint_id, 'mode': 'in_place',
        'dry_run': True}})
    assert status == 404, body
    assert checkpoint_id in body['error']['message']


def test_cli_shows_the_plan_and_refuses_in_one_line(cloud, protected):
    cli = CLI(cloud.layout.clouds_yaml)
    data = protected.workload.ids['data']
    shown = json.loads(cli('dr', 'recovery', 'create', protected.latest()['id'],
                           '--in-place', '--dry-run', '--resource', data,
                           '-f', 'json', timeout=300).stdout)
    protected.in_place_runs.append(shown['id'])
    assert shown['status'] == 'succeeded' and shown['mode'] == 'in_place'
    assert {e['id']: e['action'] for e in shown['plan']
            if e['action'] != 'untouched'} == {data: 'replace'}
    refused = cli('dr', 'recovery', 'create', protected.latest()['id'],
                  '--in-place', '--dry-run', '--target-region', 'RegionTwo',
                  check=False)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "own region RegionOne, not RegionTwo" in \
        lines[0], refused.stderr
