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

"""``openstack dr recovery create`` and recovery commands, as users run them.

The real ``openstack`` executable against dragon-api and dragon-engine on
the minicloud: malformed ``--x-map`` values are refused before any request
(exit 2, one line), unknown checkpoints and recovery points are one error
line, and a server protected ``template_only`` in RegionOne is drilled
into RegionTwo with ``--wait``: it succeeds, reports its stack and RTO,
tears everything down and records the drill on the policy.
"""
import json
import uuid

import pytest

from dragon.client import exceptions
from tests.functional.cli.helpers import assert_one_line_error
from tests.functional.cli.helpers import gone
from tests.functional.cli.helpers import PROTECT_TIMEOUT
from tests.functional.cli.helpers import wait
from tests.minicloud.layout import REGIONS

# Restoring nothing and launching one server, then tearing it down; the
# margin is for a busy two-core machine.
RECOVER_TIMEOUT = 600


@pytest.fixture(scope='module')
def served(client):
    """Skips what needs the server side of recoveries where it is missing."""
    try:
        client.recoveries.list()
    except exceptions.ClientError as err:
        if err.status == 404:
            pytest.skip('dragon-api does not serve /v1/recoveries yet')
        raise


@pytest.fixture
def recovery_ids(client):
    """IDs of recoveries the test made; each is deleted afterwards."""
    made = []
    yield made
    for recovery_id in made:
        try:
            wait(lambda: client.recoveries.get(recovery_id),
                 lambda r: r['status'] != 'recovering',
                 timeout=RECOVER_TIMEOUT)
            client.recoveries.delete(recovery_id)
            wait(lambda: gone(client.recoveries.get, recovery_id), bool,
                 timeout=RECOVER_TIMEOUT)
        except exceptions.ClientError:
            pass   # already gone


def test_malformed_maps_exit_2_before_any_request(cli):
    unknown = str(uuid.uuid4())
    for args, fragment in (
            (('--network-map', 'net-a'),
             "argument --network-map: 'net-a' is not SOURCE=TARGET"),
            (('--flavor-map', 'm1.tiny='),
             "argument --flavor-map: 'm1.tiny=' is not SOURCE=TARGET"),
            (('--az-map', 'a=b', '--az-map', 'a=c'),
             "argument --az-map: 'a' is mapped to both 'b' and 'c'")):
        result = cli('dr', 'recovery', 'create', unknown,
                     '--target-region', REGIONS[1], *args, check=False)
        assert result.returncode == 2, result
        assert result.stdout == ''
        assert result.stderr.strip().splitlines() == [
            'Error: openstack dr recovery create: ' + fragment]


def test_unknown_checkpoint_or_recovery_point_is_one_line(cli, served):
    unknown = str(uuid.uuid4())
    result = cli('dr', 'recovery', 'create', unknown,
                 '--target-region', REGIONS[1], '--wait', check=False)
    assert result.returncode == 1
    assert_one_line_error(result, unknown)
    container = 'dragon_%s_ft-nope_20200101T000000Z' % uuid.uuid4().hex
    result = cli('dr', 'recovery', 'create', container,
                 '--target-region', REGIONS[1], check=False)
    assert result.returncode == 1
    assert_one_line_error(result)
    unknown = str(uuid.uuid4())
    for verb in (['show'], ['event', 'list'], ['delete']):
        assert_one_line_error(
            cli('dr', 'recovery', *verb, unknown, check=False), unknown,
            '(HTTP 404, request req-')


def test_recovery_list(cli, served):
    listed = cli.json('dr', 'recovery', 'list')
    assert isinstance(listed, list)
    for row in listed:
        assert list(row) == ['ID', 'Policy', 'Mode', 'Target Region',
                             'Status', 'Progress', 'RTO', 'Created At']
    assert cli.json('dr', 'recovery', 'list', '--status', 'succeeded') \
        == [row for row in listed if row['Status'] == 'succeeded']


def test_drill_into_region_two_tears_down_and_records_rto(
        cli, client, cloud, server, policy_name, served, recovery_ids):
    cli.json('dr', 'policy', 'create', policy_name, '--member',
             'server:%s:template_only' % server.id)
    checkpoint = json.loads(cli('dr', 'policy', 'protect', policy_name,
                                '--wait', '-f', 'json',
                                timeout=PROTECT_TIMEOUT).stdout)
    assert checkpoint['status'] == 'available', checkpoint

    process = cli.start('dr', 'recovery', 'create', checkpoint['id'],
                        '--target-region', REGIONS[1], '--drill',
                        '--name-prefix', 'ft-',
                        '--wait', '-f', 'json')
    out, err = process.communicate(timeout=RECOVER_TIMEOUT)
    lines = err.splitlines()
    assert lines and lines[0].startswith(
        'Recovering %s into %s (drill): recovery ' % (checkpoint['id'],
                                                      REGIONS[1])), err
    recovery_id = lines[0].rsplit(' ', 1)[1]
    recovery_ids.append(recovery_id)
    assert process.returncode == 0, err
    shown = json.loads(out)
    assert shown['id'] == recovery_id
    assert (shown['status'], shown['mode'], shown['target_region']) == (
        'succeeded', 'drill', REGIONS[1])
    assert shown['checkpoint_id'] == checkpoint['id']
    assert shown['stack_id']
    assert shown['rto_seconds'] and shown['rto_seconds'] > 0
    assert shown['torn_down'] is True
    assert shown['mappings'] == {'name_prefix': 'ft-'}
    # Not a terminal: plain progress lines, the last one the end.
    assert '\r' not in err
    assert lines[-1].split('] ', 1)[1].startswith('succeeded 100%'), err

    again = cli.json('dr', 'recovery', 'show', recovery_id)
    assert again['torn_down'] is True
    assert again['status'] == 'succeeded'
    table = cli('dr', 'recovery', 'show', recovery_id).stdout
    assert 'torn_down' in table and 'True' in table
    assert [(r['ID'], r['Mode'], r['Status']) for r in cli.json(
        'dr', 'recovery', 'list') if r['ID'] == recovery_id] == [
            (recovery_id, 'drill', 'succeeded')]
    events = cli.json('dr', 'recovery', 'event', 'list', recovery_id)
    assert events and list(events[0]) == ['Time', 'Level', 'Resource',
                                          'Message']

    drill = cli.json('dr', 'policy', 'show', policy_name)['last_drill']
    assert drill['recovery_id'] == recovery_id
    assert drill['status'] == 'succeeded'
    assert drill['rto_seconds'] == pytest.approx(shown['rto_seconds'])

    # Torn down: the drill's stack is gone from RegionTwo.
    conn = cloud.connect('demo', region=REGIONS[1])
    stack = conn.orchestration.find_stack(shown['stack_id'],
                                          ignore_missing=True)
    assert stack is None or stack.status == 'DELETE_COMPLETE', stack
