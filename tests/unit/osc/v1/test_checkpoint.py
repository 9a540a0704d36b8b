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

"""``openstack dr policy protect`` and the checkpoint commands, faked API."""

import json

import pytest

from dragon.osc.v1 import checkpoint as checkpoint_cmd
from dragon.osc.v1 import progress
from tests.unit.osc.waiting import live_frames

GiB = 1024 ** 3

SHOW_FIELDS = {'id', 'policy_id', 'policy_name', 'project_id', 'status',
               'error', 'progress', 'resources', 'stats', 'container',
               'engine', 'created_at', 'started_at', 'finished_at',
               'duration', 'hold', 'trigger', 'schedule_id', 'captured_at',
               'verification', 'warnings', 'replication'}


@pytest.fixture
def policy(api):
    return api.add_policy('web', members=[
        {'resource_type': 'server', 'resource_id': 's1',
         'resource_name': 'web-1', 'action': 'image_snapshot'},
        {'resource_type': 'volume', 'resource_id': 'v1',
         'resource_name': 'data', 'action': 'snapshot_data'}])


def _running(done, resources_done=0, current='transferring'):
    return {'status': 'protecting',
            'progress': {'bytes_done': done, 'bytes_total': 4 * GiB,
                         'percent': int(100 * done / (4 * GiB)),
                         'resources_done': resources_done},
            'resources': [
                {'key': 'server_s1', 'type': 'OS::Nova::Server', 'id': 's1',
                 'name': 'web-1', 'action': 'image_snapshot',
                 'status': current, 'reason': None, 'bytes_done': done,
                 'bytes_total': 4 * GiB},
                {'key': 'volume_v1', 'type': 'OS::Cinder::Volume',
                 'id': 'v1', 'name': 'data', 'action': 'snapshot_data',
                 'status': 'pending', 'reason': None, 'bytes_done': 0,
                 'bytes_total': 0}]}


def _available():
    state = _running(4 * GiB, 2, current='done')
    state['resources'][1]['status'] = 'done'
    state.update(status='available', duration=42.0,
                 finished_at='2026-11-23T10:00:42.000000')
    return state


def _failed():
    state = _running(GiB, 1, current='done')
    state['resources'][1].update(status='error',
                                 reason='Snapshot snap-1 went to error')
    state.update(status='error', error='1 resource failed')
    return state


# -- protect

def test_protect_by_name_and_by_id(api, openstack, policy):
    result = openstack('dr', 'policy', 'protect', 'web', '-f', 'json')
    assert result.code == 0, result.err
    shown = result.json()
    assert set(shown) == SHOW_FIELDS
    assert shown['status'] == 'protecting'
    assert shown['policy_id'] == policy['id']
    post = api.requests('POST')[-1]
    assert (post.path, post.json) == (
        '/v1/policies/%s/protect' % policy['id'], {})
    # Without --wait nothing polls.
    assert not [c for c in api.requests('GET')
                if c.path.startswith('/v1/checkpoints')]
    api.checkpoints.clear()
    assert openstack('dr', 'policy', 'protect', policy['id']).code == 0
    assert api.requests('POST')[-1].path == \
        '/v1/policies/%s/protect' % policy['id']


def test_protect_unknown_policy_is_one_line(api, openstack):
    result = openstack('dr', 'policy', 'protect', 'nope')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "Error: No policy with a name or ID of 'nope' exists."]
    assert api.requests('POST') == []


def test_protect_while_one_runs_is_the_409_line(api, openstack, policy):
    running = api.add_checkpoint(policy)
    result = openstack('dr', 'policy', 'protect', 'web')
    assert result.code == 1
    assert result.out == ''
    assert result.err.strip().splitlines() == [
        'Error: Policy web is already being protected by checkpoint %s. '
        '(HTTP 409, request req-409)' % running['id']]


def test_protect_a_policy_without_members_is_one_line(api, openstack):
    api.add_policy('empty')
    result = openstack('dr', 'policy', 'protect', 'empty', '--wait')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Policy empty has no members to protect. '
        '(HTTP 400, request req-400)']


def test_wait_until_available_prints_plain_lines_then_show(
        api, openstack, policy, clock):
    api.protect_steps = [_running(GiB), _running(2 * GiB, 1),
                         _running(3 * GiB, 1), _available()]
    result = openstack('dr', 'policy', 'protect', 'web', '--wait', '-f',
                       'json')
    assert result.code == 0, result.err
    shown = result.json()
    assert shown['status'] == 'available'
    assert shown['progress']['bytes_done'] == 4 * GiB
    assert clock.sleeps == [2.0] * 4
    checkpoint_id = shown['id']
    gets = [c.path for c in api.requests('GET')
            if c.path.startswith('/v1/checkpoints')]
    assert gets == ['/v1/checkpoints/%s' % checkpoint_id] * 4
    lines = result.err.splitlines()
    # stderr is no terminal here: plain lines a log keeps readable.
    assert '\r' not in result.err
    assert lines[0] == 'Protecting policy web: checkpoint %s' % checkpoint_id
    # The first poll, when a resource is done (not every 2 s), the end.
    assert lines[1:] == [
        '[0s] protecting 0%: 0 of 2 resources done',
        '[4s] protecting 50%: 2.0 GiB of 4.0 GiB, 512.0 MiB/s, ETA 4s, '
        '1 of 2 resources done; transferring server_s1',
        '[8s] available 100%: 4.0 GiB of 4.0 GiB, 512.0 MiB/s, '
        '2 of 2 resources done']


def test_wait_table_output_is_readable(api, openstack, policy, clock):
    api.protect_steps = [_available()]
    result = openstack('dr', 'policy', 'protect', 'web', '--wait')
    assert result.code == 0, result.err
    assert '100% (4.0 GiB of 4.0 GiB), 2 of 2 resources done' in result.out
    assert 'done server_s1 4.0 GiB of 4.0 GiB (OS::Nova::Server web-1, ' \
           'image_snapshot)' in result.out
    assert '42s' in result.out


def test_wait_on_a_terminal_draws_one_live_line(
        api, openstack, policy, clock, terminal):
    api.protect_steps = [_running(GiB), _running(2 * GiB, 1), _available()]
    result = openstack('dr', 'policy', 'protect', 'web', '--wait', '-f',
                       'value',
                       '-c', 'status')
    assert result.code == 0, result.err
    assert result.out == 'available\n'
    header, frames = live_frames(result.err)
    assert header.startswith('Protecting policy web: checkpoint ')
    assert len(frames) == 4
    assert ']  50%  2.0 GiB/4.0 GiB  512.0 MiB/s  ETA 4s  server_s1 ' \
           '(transferring)' in frames[2]
    # 4 GiB in the 6 s since the first sample.
    assert frames[-1].rstrip().endswith('100%  4.0 GiB/4.0 GiB  682.7 MiB/s')


def test_wait_on_error_names_the_failed_resources(
        api, openstack, policy, clock):
    api.protect_steps = [_running(GiB), _failed()]
    result = openstack('dr', 'policy', 'protect', 'web', '--wait', '-f',
                       'json')
    assert result.code == 1
    shown = result.json()   # the details still reach stdout
    assert shown['status'] == 'error'
    errors = [line for line in result.err.splitlines()
              if line.startswith('Error')]
    assert errors == [
        'Error: Checkpoint %s of policy web failed: volume_v1 (data): '
        'Snapshot snap-1 went to error' % shown['id']]
    assert result.err.splitlines()[-1] == errors[0]


def test_wait_on_error_without_resource_reasons_uses_the_error(
        api, openstack, policy, clock):
    failed = _running(0)
    failed.update(status='error', error='Heat refused the template.')
    api.protect_steps = [failed]
    result = openstack('dr', 'policy', 'protect', 'web', '--wait')
    assert result.code == 1
    assert result.err.splitlines()[-1].endswith(
        'of policy web failed: Heat refused the template.')


def test_wait_when_the_checkpoint_is_deleted_meanwhile(
        api, openstack, policy, clock):
    api.protect_steps = [dict(_running(GiB), status='deleting')]
    result = openstack('dr', 'policy', 'protect', 'web', '--wait')
    assert result.code == 1
    assert result.err.splitlines()[-1].endswith(
        'of policy web is deleting, not available.')


def test_wait_interrupted_says_the_protection_continues(
        api, openstack, policy, clock):
    clock.interrupt_after = 2
    api.protect_steps = [_running(GiB)] * 5
    result = openstack('dr', 'policy', 'protect', 'web', '--wait')
    assert result.code == 130
    checkpoint_id = next(iter(api.checkpoints))
    assert result.err.splitlines()[-1] == (
        'Stopped waiting; the protection continues on the server. '
        "Follow it with 'openstack dr checkpoint show %s'." % checkpoint_id)
    assert result.out == ''
    assert api.checkpoints[checkpoint_id]['status'] == 'protecting'
    assert 'Traceback' not in result.err


def _break_api_after(api, clock, monkeypatch, sleeps, replies):
    """From the ``sleeps``-th sleep on, the API answers ``replies`` in turn."""
    pending = list(replies)

    def sleep(seconds):
        clock.sleep(seconds)
        if len(clock.sleeps) >= sleeps and pending:
            api.reply = pending.pop(0)
    monkeypatch.setattr(checkpoint_cmd.ProtectPolicy, 'clock',
                        progress.Clock(clock.now, sleep))


UNAVAILABLE = (503, {'error': {'message': 'Engine unavailable.',
                               'request_id': 'req-503'}}, {})


def test_wait_outlasts_a_few_api_failures(api, openstack, policy, clock,
                                          monkeypatch):
    api.protect_steps = [_running(GiB), _available()]
    _break_api_after(api, clock, monkeypatch, 1, [UNAVAILABLE] * 3)
    result = openstack('dr', 'policy', 'protect', 'web', '--wait', '-f',
                       'value',
                       '-c', 'status')
    assert result.code == 0, result.err
    assert result.out == 'available\n'
    assert len(clock.sleeps) == 5


def test_wait_gives_up_after_repeated_failures_with_one_line(
        api, openstack, policy, clock, monkeypatch):
    api.protect_steps = [_running(GiB)]
    _break_api_after(api, clock, monkeypatch, 2, [UNAVAILABLE] * 6)
    result = openstack('dr', 'policy', 'protect', 'web', '--wait')
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        'Error: Engine unavailable. (HTTP 503, request req-503)')


def test_wait_does_not_retry_a_4xx(api, openstack, policy, clock,
                                   monkeypatch):
    api.protect_steps = [_running(GiB)]
    gone = (404, {'error': {'message': 'Checkpoint x could not be found.',
                            'request_id': 'req-404'}}, {})
    _break_api_after(api, clock, monkeypatch, 1, [gone])
    result = openstack('dr', 'policy', 'protect', 'web', '--wait')
    assert result.code == 1
    assert len(clock.sleeps) == 1
    assert result.err.splitlines()[-1] == (
        'Error: Checkpoint x could not be found. (HTTP 404, request req-404)')


# -- checkpoint list

def test_list_every_page_newest_first(api, openstack, policy):
    made = [api.add_checkpoint(policy, status='available', duration=61)
            for _ in range(3)]
    api.page_size = 2
    result = openstack('dr', 'checkpoint', 'list', '-f', 'json')
    assert result.code == 0, result.err
    rows = result.json()
    assert [r['ID'] for r in rows] == [c['id'] for c in reversed(made)]
    assert list(rows[0]) == ['ID', 'Policy', 'Status', 'Progress',
                             'Created At', 'Duration', 'Hold']
    assert rows[0]['Hold'] is False
    assert rows[0]['Policy'] == 'web'
    assert rows[0]['Duration'] == 61
    table = openstack('dr', 'checkpoint', 'list').out
    assert '1m 01s' in table and '0%' in table


def test_list_filters_by_policy_name_status_and_limit(api, openstack, policy):
    other = api.add_policy('other', members=policy['members'])
    mine = api.add_checkpoint(policy, status='available')
    api.add_checkpoint(policy, status='error')
    api.add_checkpoint(other, status='available')
    result = openstack('dr', 'checkpoint', 'list', '--policy', 'web',
                       '--status', 'available', '--limit', '5',
                       '-f', 'json')
    assert result.code == 0, result.err
    assert [r['ID'] for r in result.json()] == [mine['id']]
    assert api.requests('GET')[-1].query == {
        'policy_id': policy['id'], 'status': 'available', 'limit': '5'}


def test_list_by_the_id_of_a_deleted_policy(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, status='available')
    del api.policies[policy['id']]
    rows = openstack('dr', 'checkpoint', 'list', '--policy', policy['id'],
                     '-f', 'json').json()
    assert [r['ID'] for r in rows] == [checkpoint['id']]
    result = openstack('dr', 'checkpoint', 'list', '--policy', 'web')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "Error: No policy with a name or ID of 'web' exists."]


def test_list_long_columns(api, openstack, policy):
    api.add_checkpoint(policy, status='error', error='boom')
    rows = openstack('dr', 'checkpoint', 'list', '--long', '-f',
                     'json').json()
    assert list(rows[0]) == ['ID', 'Policy', 'Status', 'Progress',
                             'Created At', 'Duration', 'Hold', 'Project',
                             'Policy ID', 'Finished At', 'Container',
                             'Error']
    assert rows[0]['Error'] == 'boom'
    rows = openstack('dr', 'checkpoint', 'list', '--all-projects', '-f',
                     'json').json()
    assert list(rows[0])[-1] == 'Project'
    assert api.requests('GET')[-1].query == {'all_projects': 'true'}


WARNINGS = [
    {'resource': 'volume_data_7000', 'what': 'volume_not_protected',
     'message': 'volume data is recreated empty at recovery'},
    {'resource': None, 'what': 'backup_import_admin_only',
     'message': 'restorable elsewhere by admins only'}]


def test_list_status_counts_warnings_for_people_not_machines(
        api, openstack, policy):
    api.add_checkpoint(policy, status='available', warnings=WARNINGS)
    table = openstack('dr', 'checkpoint', 'list').out
    assert 'available (2 warnings)' in table
    rows = openstack('dr', 'checkpoint', 'list', '-f', 'json').json()
    assert rows[0]['Status'] == 'available'
    values = openstack('dr', 'checkpoint', 'list', '-f', 'value',
                       '-c', 'Status').out
    assert values.strip() == 'available'


def test_list_status_without_warnings_is_plain(api, openstack, policy):
    api.add_checkpoint(policy, status='available')
    table = openstack('dr', 'checkpoint', 'list').out
    assert 'available ' in table and 'warning' not in table


def test_show_lists_each_warning_on_its_line(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, status='available',
                                    warnings=WARNINGS[:1])
    result = openstack('dr', 'checkpoint', 'show', checkpoint['id'])
    assert result.code == 0, result.err
    assert 'available (1 warning)' in result.out
    assert 'volume_data_7000: volume data is recreated empty at recovery ' \
           '(volume_not_protected)' in result.out
    shown = openstack('dr', 'checkpoint', 'show', checkpoint['id'],
                      '-f', 'json').json()
    assert shown['warnings'] == WARNINGS[:1]
    assert shown['status'] == 'available'


# -- checkpoint show

def test_show_renders_progress_readably(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, **_running(int(1.5 * GiB), 0))
    checkpoint['progress']['eta_seconds'] = 200
    checkpoint['stats'] = {'uploaded_bytes': GiB, 'reused_chunks': 3,
                           'zero_chunks': 10, 'stored_bytes': 2 * GiB,
                           'api_calls': {'network': 8, 'compute': 3}}
    result = openstack('dr', 'checkpoint', 'show', checkpoint['id'])
    assert result.code == 0, result.err
    assert '37% (1.5 GiB of 4.0 GiB), 0 of 2 resources done, ETA 3m 20s' \
        in result.out
    assert 'transferring server_s1 1.5 GiB of 4.0 GiB (OS::Nova::Server ' \
           'web-1, image_snapshot)' in result.out
    assert 'pending volume_v1 (OS::Cinder::Volume data, snapshot_data)' \
        in result.out
    assert 'uploaded 1.0 GiB, stored 2.0 GiB, 3 chunks reused, ' \
           '10 zero chunks, API calls: compute=3 network=8' in result.out
    shown = openstack('dr', 'checkpoint', 'show', checkpoint['id'],
                      '-f', 'json').json()
    assert set(shown) == SHOW_FIELDS
    assert shown['progress']['eta_seconds'] == 200
    assert shown['resources'][0]['status'] == 'transferring'


def test_show_failed_resource_reason(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, **_failed())
    result = openstack('dr', 'checkpoint', 'show', checkpoint['id'])
    assert 'error volume_v1 (OS::Cinder::Volume data, snapshot_data): ' \
           'Snapshot snap-1 went to error' in result.out


def test_show_unknown_is_one_line(api, openstack):
    result = openstack('dr', 'checkpoint', 'show', 'nope')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Checkpoint nope could not be found. '
        '(HTTP 404, request req-404)']


# -- checkpoint delete

def test_delete_one_and_several(api, openstack, policy):
    ids = [api.add_checkpoint(policy, status='available')['id']
           for _ in range(3)]
    result = openstack('dr', 'checkpoint', 'delete', ids[0])
    assert (result.code, result.out, result.err) == (0, '', '')
    result = openstack('dr', 'checkpoint', 'delete', ids[1], 'nope', ids[2])
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Checkpoint nope could not be found. '
        '(HTTP 404, request req-404)',
        'Error: 1 of 3 checkpoints failed to delete.']
    assert api.checkpoints == {}
    assert [c.path for c in api.requests('DELETE')] == [
        '/v1/checkpoints/%s' % ids[0], '/v1/checkpoints/%s' % ids[1],
        '/v1/checkpoints/nope', '/v1/checkpoints/%s' % ids[2]]


def test_delete_while_protecting_is_one_line(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy)
    result = openstack('dr', 'checkpoint', 'delete', checkpoint['id'])
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Checkpoint %s is still being protected. '
        '(HTTP 409, request req-409)' % checkpoint['id']]


# -- checkpoint set

def test_set_hold_and_no_hold(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, status='available')
    result = openstack('dr', 'checkpoint', 'set', checkpoint['id'],
                       '--hold', '-f', 'json')
    assert result.code == 0, result.err
    assert result.json()['hold'] is True
    assert api.requests('PATCH')[-1].json == {'checkpoint': {'hold': True}}
    shown = openstack('dr', 'checkpoint', 'show', checkpoint['id']).out
    assert '| hold ' in shown and 'True' in shown
    result = openstack('dr', 'checkpoint', 'delete', checkpoint['id'])
    assert result.code == 1 and 'release the hold first' in result.err
    result = openstack('dr', 'checkpoint', 'set', checkpoint['id'],
                       '--no-hold', '-f', 'json')
    assert result.json()['hold'] is False
    assert api.requests('PATCH')[-1].json == {'checkpoint': {'hold': False}}
    assert openstack('dr', 'checkpoint', 'delete',
                     checkpoint['id']).code == 0


def test_set_needs_exactly_one_of_hold_and_no_hold(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, status='available')
    assert openstack('dr', 'checkpoint', 'set', checkpoint['id']).code == 2
    assert openstack('dr', 'checkpoint', 'set', checkpoint['id'], '--hold',
                     '--no-hold').code == 2
    assert api.requests('PATCH') == []


def test_set_unknown_is_one_line(api, openstack):
    result = openstack('dr', 'checkpoint', 'set', 'nope', '--hold')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Checkpoint nope could not be found. '
        '(HTTP 404, request req-404)']


# -- checkpoint events and template

def test_events(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, status='available')
    api.events[checkpoint['id']] = [
        {'time': '2026-11-23T10:00:01Z', 'level': 'INFO', 'resource': None,
         'message': 'Discovered 2 resources'},
        {'time': '2026-11-23T10:00:09Z', 'level': 'INFO',
         'resource': 'server_s1', 'message': 'Image uploaded'}]
    rows = openstack('dr', 'checkpoint', 'event', 'list', checkpoint['id'],
                     '-f', 'json').json()
    assert rows == [
        {'Time': '2026-11-23T10:00:01Z', 'Level': 'INFO', 'Resource': None,
         'Message': 'Discovered 2 resources'},
        {'Time': '2026-11-23T10:00:09Z', 'Level': 'INFO',
         'Resource': 'server_s1', 'Message': 'Image uploaded'}]
    result = openstack('dr', 'checkpoint', 'event', 'list', 'nope')
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1


TEMPLATE = ('heat_template_version: 2021-04-16\n'
            'parameters:\n  server_s1_flavor:\n    type: string\n'
            '    default: m1.tiny\n'
            'resources:\n  server_s1:\n    type: OS::Nova::Server\n')


def test_template_prints_the_yaml_as_stored(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, status='available')
    parameters = {'server_s1_flavor': {'kind': 'flavor', 'node': 'server_s1',
                                       'default': 'm1.tiny'}}
    api.templates[checkpoint['id']] = {'template': TEMPLATE,
                                       'parameters': parameters}
    result = openstack('dr', 'checkpoint', 'template', 'show',
                       checkpoint['id'])
    assert result.code == 0, result.err
    assert result.out == TEMPLATE
    result = openstack('dr', 'checkpoint', 'template', 'show',
                       checkpoint['id'],
                       '-f', 'json')
    assert json.loads(result.out) == {'template': TEMPLATE,
                                      'parameters': parameters}
    api.templates[checkpoint['id']]['template'] = TEMPLATE.rstrip('\n')
    assert openstack('dr', 'checkpoint', 'template', 'show',
                     checkpoint['id']).out == TEMPLATE


def test_template_refuses_other_formats_and_unknown_ids(api, openstack):
    assert openstack('dr', 'checkpoint', 'template', 'show', 'x', '-f',
                     'table').code == 2
    result = openstack('dr', 'checkpoint', 'template', 'show', 'nope')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Checkpoint nope could not be found. '
        '(HTTP 404, request req-404)']


def test_show_renders_the_replication_state(api, openstack, policy):
    checkpoint = api.add_checkpoint(policy, status='available', replication={
        'status': 'replicating', 'target_region': 'RegionTwo',
        'bytes': 512 * 1024, 'bytes_total': 1024 * 1024, 'percent': 50,
        'error': None})
    table = openstack('dr', 'checkpoint', 'show', checkpoint['id']).out
    assert 'replicating to RegionTwo: 50% (512.0 KiB of 1.0 MiB)' in table
    shown = openstack('dr', 'checkpoint', 'show', checkpoint['id'],
                      '-f', 'json').json()
    assert shown['replication']['status'] == 'replicating'
