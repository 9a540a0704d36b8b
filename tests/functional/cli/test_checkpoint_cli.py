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

"""``openstack dr policy protect`` and checkpoint commands, as users run them.

The real ``openstack`` executable against dragon-api and dragon-engine on
the minicloud: a server booted in RegionOne's demo project, protected
``template_only`` (no data, so the run is short), followed through
``--wait``, listed, shown, read back from Swift, deleted.
"""
import json
import uuid

from tests.functional.cli.helpers import assert_one_line_error
from tests.functional.cli.helpers import gone
from tests.functional.cli.helpers import PROTECT_TIMEOUT
from tests.functional.cli.helpers import wait


def test_protect_follow_read_and_delete(cli, client, server, policy_name):
    policy = cli.json('dr', 'policy', 'create', policy_name, '--member',
                      'server:%s:template_only' % server.id)

    # --wait: progress on stderr (plain lines: not a terminal), the
    # checkpoint's show output on stdout, exit 0 once available.
    waited = cli('dr', 'policy', 'protect', policy_name, '--wait',
                 '-f', 'json', timeout=PROTECT_TIMEOUT)
    shown = json.loads(waited.stdout)
    checkpoint_id = shown['id']
    assert shown['status'] == 'available', shown
    assert shown['policy_id'] == policy['id']
    assert shown['error'] is None
    assert shown['progress']['percent'] == 100
    servers = [r for r in shown['resources'] if r['id'] == server.id]
    assert [(r['type'], r['action'], r['status']) for r in servers] == [
        ('OS::Nova::Server', 'template_only', 'done')]
    progress_lines = waited.stderr.splitlines()
    assert progress_lines[0] == 'Protecting policy %s: checkpoint %s' % (
        policy_name, checkpoint_id)
    assert '\r' not in waited.stderr
    assert progress_lines[-1].split('] ', 1)[1].startswith('available 100%')

    listed = cli.json('dr', 'checkpoint', 'list', '--policy', policy_name)
    assert [(r['ID'], r['Policy'], r['Status'], r['Progress'])
            for r in listed] == [(checkpoint_id, policy_name, 'available',
                                  100)]
    assert checkpoint_id in {r['ID'] for r in cli.json(
        'dr', 'checkpoint', 'list', '--status', 'available')}

    table = cli('dr', 'checkpoint', 'show', checkpoint_id).stdout
    assert 'available' in table
    assert '100%' in table
    assert 'done server_' in table and 'template_only' in table
    assert cli.json('dr', 'checkpoint', 'show', checkpoint_id)['container'] \
        == shown['container']

    events = cli.json('dr', 'checkpoint', 'event', 'list', checkpoint_id)
    assert events and list(events[0]) == ['Time', 'Level', 'Resource',
                                          'Message']
    # The old spelling, deprecated for one release: same rows, one warning.
    old = cli('dr', 'checkpoint', 'events', checkpoint_id, '-f', 'json')
    assert json.loads(old.stdout) == events
    assert old.stderr.splitlines() == [
        'Warning: "openstack dr checkpoint events" is deprecated and will be '
        'removed; use "openstack dr checkpoint event list".']

    template = cli('dr', 'checkpoint', 'template', 'show',
                   checkpoint_id).stdout
    assert template.startswith('heat_template_version:')
    assert 'OS::Nova::Server' in template
    as_json = json.loads(cli('dr', 'checkpoint', 'template', 'show',
                             checkpoint_id, '-f', 'json').stdout)
    assert as_json['template'] == template
    assert isinstance(as_json['parameters'], dict) and as_json['parameters']

    # Straight from Swift, by policy name and by ID.
    for ref in (policy_name, policy['id']):
        points = cli.json('dr', 'recovery', 'point', 'list', '--policy', ref)
        assert [(p['Checkpoint ID'], p['Policy'], p['Container'])
                for p in points] == [(checkpoint_id, policy_name,
                                      shown['container'])]

    # Two protects at once: one starts, the other gets the 409 line.
    racing = [cli.start('dr', 'policy', 'protect', policy_name, '-f', 'json')
              for _ in range(2)]
    outcomes = []
    for process in racing:
        out, err = process.communicate(timeout=120)
        outcomes.append((process.returncode, out, err))
    outcomes.sort()
    (ok, ok_out, _), (refused, refused_out, refused_err) = outcomes
    assert (ok, refused) == (0, 1), outcomes
    second_id = json.loads(ok_out)['id']
    assert refused_out == ''
    refused_line = refused_err.strip().splitlines()
    assert len(refused_line) == 1, refused_err
    assert refused_line[0].startswith('Error: ')
    assert 'already being protected' in refused_line[0]
    assert '(HTTP 409, request req-' in refused_line[0]
    wait(lambda: client.checkpoints.get(second_id),
          lambda c: c['status'] not in ('queued', 'protecting'))

    deleted = cli('dr', 'checkpoint', 'delete', checkpoint_id)
    assert (deleted.stdout, deleted.stderr) == ('', '')
    wait(lambda: gone(client.checkpoints.get, checkpoint_id), bool)
    assert_one_line_error(
        cli('dr', 'checkpoint', 'show', checkpoint_id, check=False),
        '(HTTP 404, request req-')
    assert checkpoint_id not in {r['ID'] for r in cli.json(
        'dr', 'checkpoint', 'list', '--policy', policy_name)}
    wait(lambda: cli.json('dr', 'recovery', 'point', 'list', '--policy',
                           policy_name),
          lambda points: checkpoint_id not in {p['Checkpoint ID']
                                               for p in points})


def test_unknown_checkpoint_is_one_line(cli):
    unknown = str(uuid.uuid4())
    for verb in (['show'], ['delete'], ['event', 'list'],
                 ['template', 'show']):
        assert_one_line_error(
            cli('dr', 'checkpoint', *verb, unknown, check=False),
            unknown, '(HTTP 404, request req-')


def test_protect_an_unknown_policy_is_one_line(cli):
    assert_one_line_error(
        cli('dr', 'policy', 'protect', 'ft-cp-no-such-policy', '--wait',
            check=False),
        "No policy with a name or ID of 'ft-cp-no-such-policy' exists.")
