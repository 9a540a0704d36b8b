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

"""``openstack dr recovery create`` and the recovery commands, faked API."""

import json

import pytest

from dragon.osc.v1 import recovery as recovery_cmd
from tests.unit.osc.waiting import live_frames

GiB = 1024 ** 3
STACK_ID = '5f0c7c1e-7d5a-4c39-9a55-2b0ea3c2b111'

SHOW_FIELDS = {
    'id', 'status', 'mode', 'error', 'checkpoint_id', 'recovery_point',
    'policy_id', 'policy_name', 'project_id', 'target_region', 'progress',
    'resource_status', 'restored', 'stack_id', 'stack_name', 'stack_status',
    'rto_seconds', 'torn_down', 'mappings', 'resources', 'timeout', 'engine',
    'created_at', 'started_at', 'finished_at', 'duration', 'dry_run',
    'plan', 'shrink_volumes', 'keep_current_flavor', 'commit_deadline',
    'window_action', 'replaced'}


@pytest.fixture
def checkpoint(api):
    policy = api.add_policy('web', members=[
        {'resource_type': 'server', 'resource_id': 's1',
         'resource_name': 'web-1', 'action': 'image_snapshot'},
        {'resource_type': 'volume', 'resource_id': 'v1',
         'resource_name': 'data', 'action': 'snapshot_data'}])
    return api.add_checkpoint(policy, status='available')


def _resources(server='pending', volume='pending', **server_fields):
    return [
        dict({'key': 'server_s1', 'type': 'OS::Nova::Server', 'id': 's1',
              'name': 'web-1', 'status': server, 'reason': None,
              'target_id': None, 'bytes_done': 0, 'bytes_total': 2 * GiB},
             **server_fields),
        {'key': 'volume_v1', 'type': 'OS::Cinder::Volume', 'id': 'v1',
         'name': 'data', 'status': volume, 'reason': None,
         'target_id': None, 'bytes_done': 0, 'bytes_total': 2 * GiB}]


def _running(done, resources_done=0):
    return {'status': 'recovering',
            'progress': {'bytes_done': done, 'bytes_total': 4 * GiB,
                         'percent': int(100 * done / (4 * GiB)),
                         'resources_done': resources_done,
                         'resources_total': 2},
            'resource_status': _resources('transferring', bytes_done=done)}


def _succeeded(drill=False):
    resources = _resources('done', 'done', target_id='new-server')
    resources[1]['target_id'] = 'new-volume'
    return {'status': 'succeeded', 'stack_id': STACK_ID,
            'stack_name': 'web-20261123T100000Z',
            'stack_status': 'CREATE_COMPLETE', 'rto_seconds': 65.2,
            'torn_down': drill, 'duration': 80.0,
            'progress': {'bytes_done': 4 * GiB, 'bytes_total': 4 * GiB,
                         'percent': 100, 'resources_done': 2,
                         'resources_total': 2},
            'restored': {'server_s1': {'image_id': 'img-1'},
                         'volume_v1': {'volume_id': 'vol-1'}},
            'resource_status': resources}


def _failed():
    resources = _resources('done', 'error')
    resources[1]['reason'] = 'Chunk 3 of volume_v1 failed its checksum'
    return {'status': 'error', 'error': '1 resource failed',
            'resource_status': resources}


def _post(api):
    return api.requests('POST')[-1]


# -- recover

def test_recover_a_checkpoint_id_without_wait(api, openstack, checkpoint):
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', '-f', 'json')
    assert result.code == 0, result.err
    assert _post(api).json == {'recovery': {
        'checkpoint_id': checkpoint['id'], 'target_region': 'RegionTwo',
        'mode': 'failover'}}
    shown = result.json()
    assert set(shown) == SHOW_FIELDS
    assert shown['status'] == 'recovering'
    # Without --wait nothing polls.
    assert not [c for c in api.requests('GET')
                if c.path.startswith('/v1/recoveries')]


def test_recover_a_container_name_is_a_recovery_point(
        api, openstack, checkpoint):
    result = openstack('dr', 'recovery', 'create', checkpoint['container'],
                       '--target-region', 'RegionTwo', '--drill')
    assert result.code == 0, result.err
    assert _post(api).json == {'recovery': {
        'recovery_point': checkpoint['container'],
        'target_region': 'RegionTwo', 'mode': 'drill'}}


def test_recover_sends_every_mapping_selection_and_timeout(
        api, openstack, checkpoint):
    result = openstack(
        'dr', 'recovery', 'create', checkpoint['id'],
        '--target-region', 'RegionTwo',
        '--network-map', 'net-a=net-b', '--network-map', 'net-c=recreate',
        '--flavor-map', 'm1.small=m1.tiny', '--az-map', 'nova=az2',
        '--volume-type-map', 'lvm=file', '--key-pair-map', 'k1=k2',
        '--image-map', 'cirros=cirros-b', '--flavor-map', 'm1.small=m1.tiny',
        '--external-network', 'public', '--name-prefix', 'dr-',
        '--resource', 's1', '--resource', 'v1', '--timeout', '900')
    assert result.code == 0, result.err
    assert _post(api).json == {'recovery': {
        'checkpoint_id': checkpoint['id'], 'target_region': 'RegionTwo',
        'mode': 'failover',
        'mappings': {
            'networks': {'net-a': 'net-b', 'net-c': 'recreate'},
            'flavors': {'m1.small': 'm1.tiny'},
            'availability_zones': {'nova': 'az2'},
            'volume_types': {'lvm': 'file'},
            'key_pairs': {'k1': 'k2'},
            'images': {'cirros': 'cirros-b'},
            'external_network': 'public', 'name_prefix': 'dr-'},
        'resources': ['s1', 'v1'], 'timeout': 900}}


@pytest.mark.parametrize('args, fragment', [
    (('--network-map', 'net-a'),
     "argument --network-map: 'net-a' is not SOURCE=TARGET"),
    (('--flavor-map', '=m1.tiny'),
     "argument --flavor-map: '=m1.tiny' is not SOURCE=TARGET"),
    (('--az-map', 'nova='), "argument --az-map: 'nova=' is not"),
    (('--volume-type-map', ''), "argument --volume-type-map: '' is not"),
    (('--key-pair-map', 'a=b', '--key-pair-map', 'a=c'),
     "argument --key-pair-map: 'a' is mapped to both 'b' and 'c'"),
    (('--timeout', '0'),
     "argument --timeout: '0' is not a whole number of seconds above 0"),
    (('--timeout', 'soon'), "argument --timeout: 'soon' is not"),
])
def test_recover_refuses_a_malformed_command_line_in_one_line(
        api, openstack, checkpoint, args, fragment):
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', *args)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    # The program name is 'openstack' when run as users run it.
    assert lines[0].startswith('Error: ')
    assert ' dr recovery create: ' in lines[0]
    assert fragment in lines[0]
    assert 'usage' not in result.err
    assert api.requests('POST') == []


def test_recover_needs_a_target_region(api, openstack, checkpoint):
    for extra in ((), ('--drill',)):
        result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                           *extra)
        assert result.code == 1
        assert result.err.strip().splitlines() == [
            '--target-region is required (except with --in-place)']
    assert api.requests('POST') == []


PLAN = [
    {'key': 'volume_v1', 'type': 'OS::Cinder::Volume', 'id': 'v1',
     'name': 'data', 'action': 'replace', 'detail': 'restored into a new '
     'volume', 'changes': ['size 1 GiB at the checkpoint, 2 GiB now'],
     'current_status': 'in-use'},
    {'key': 'server_s1', 'type': 'OS::Nova::Server', 'id': 's1',
     'name': 'web-1', 'action': 'untouched', 'detail': 'not selected',
     'changes': []}]


def test_in_place_dry_run_waits_and_shows_the_plan(api, openstack,
                                                   checkpoint, clock):
    api.recover_steps = [{'status': 'succeeded', 'plan': PLAN}]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--in-place', '--dry-run', '--resource', 'v1')
    assert result.code == 0, result.err
    assert _post(api).json == {'recovery': {
        'checkpoint_id': checkpoint['id'], 'mode': 'in_place',
        'dry_run': True, 'resources': ['v1']}}
    assert ('replace volume data (v1): restored into a new volume; size 1 '
            'GiB at the checkpoint, 2 GiB now') in result.out
    assert 'untouched server web-1 (s1): not selected' in result.out


SWAPPED = [{'key': 'volume_data', 'name': 'data', 'old_volume_id': 'v1',
            'new_volume_id': 'v2', 'server_id': 's1', 'device': '/dev/vdb',
            'state': 'swapped'}]


def test_in_place_restore_waits_for_the_window_and_shows_it(
        api, openstack, checkpoint, clock):
    api.recover_steps = [{'status': 'awaiting_commit', 'replaced': SWAPPED,
                          'commit_deadline': '2026-12-05T11:00:00Z'}]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--in-place', '--resource', 'v1', '--shrink-volumes',
                       '--wait')
    assert result.code == 0, result.err
    assert _post(api).json == {'recovery': {
        'checkpoint_id': checkpoint['id'], 'mode': 'in_place',
        'shrink_volumes': True, 'resources': ['v1']}}
    assert 'swapped: volume v1 -> v2 on server s1 at /dev/vdb' in result.out
    assert '2026-12-05T11:00:00Z' in result.out


def test_a_server_rebuilt_in_place_is_shown_with_its_images(
        api, openstack, checkpoint, clock):
    rebuilt = [{'key': 'server_web', 'name': 'web', 'kind': 'server',
                'server_id': 's1', 'previous_image_id': 'i0',
                'saved_image_id': 'i1', 'restored_image_id': 'i2',
                'state': 'swapped'}]
    api.recover_steps = [{'status': 'awaiting_commit', 'replaced': rebuilt,
                          'commit_deadline': '2026-12-05T11:00:00Z'}]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--in-place', '--resource', 's1',
                       '--keep-current-flavor', '--wait')
    assert result.code == 0, result.err
    assert _post(api).json == {'recovery': {
        'checkpoint_id': checkpoint['id'], 'mode': 'in_place',
        'keep_current_flavor': True, 'resources': ['s1']}}
    assert ('swapped: server s1 rebuilt from image i2 (its disk before: '
            'image i1)') in result.out


def test_a_boot_volume_re_imaged_in_place_is_shown_with_its_copy(
        api, openstack, checkpoint, clock):
    reimaged = [{'key': 'volume_boot', 'name': 'boot', 'kind': 'boot_volume',
                 'volume_id': 'v1', 'server_id': 's1', 'device': '/dev/vda',
                 'saved_volume_id': 'v2', 'restored_image_id': 'i2',
                 'state': 'swapped'}]
    api.recover_steps = [{'status': 'awaiting_commit', 'replaced': reimaged,
                          'commit_deadline': '2026-12-05T11:00:00Z'}]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--in-place', '--resource', 's1', '--wait')
    assert result.code == 0, result.err
    assert ('swapped: boot volume v1 of server s1 at /dev/vda re-imaged in '
            'place (its data before: volume v2)') in result.out


@pytest.mark.parametrize('verb,busy,ended', [
    ('commit', 'committing', 'committed'),
    ('rollback', 'rolling_back', 'rolled_back')])
def test_commit_and_rollback_wait_for_their_end(api, openstack, checkpoint,
                                                clock, verb, busy, ended):
    recovery = api.add_recovery(checkpoint, mode='in_place',
                                status='awaiting_commit', replaced=SWAPPED)
    api.recover_steps = [{'status': busy}, {'status': ended}]
    result = openstack('dr', 'recovery', verb, recovery['id'], '--wait',
                       '-f', 'json')
    assert result.code == 0, result.err
    assert json.loads(result.out)['status'] == ended
    assert [c.path for c in api.requests('POST')] == [
        '/v1/recoveries/%s/%s' % (recovery['id'], verb)]
    # Not awaiting commit any more: one readable line.
    again = openstack('dr', 'recovery', verb, recovery['id'])
    assert again.code == 1
    assert again.err.strip().splitlines() == [
        'Error: Recovery %s is %s; %s it is possible only when it is '
        'awaiting_commit. (HTTP 409, request req-409)' % (
            recovery['id'], ended, verb)]


@pytest.mark.parametrize('args, message', [
    (('--dry-run', '--target-region', 'RegionTwo'),
     '--dry-run is for --in-place restores only'),
])
def test_in_place_options_that_mean_nothing_are_one_line(
        api, openstack, checkpoint, args, message):
    result = openstack('dr', 'recovery', 'create', checkpoint['id'], *args)
    assert result.code == 1
    assert result.err.strip().splitlines() == [message]
    assert api.requests('POST') == []


def test_in_place_and_drill_exclude_each_other(api, openstack, checkpoint):
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--in-place', '--drill')
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert 'not allowed with argument' in result.err
    assert api.requests('POST') == []


def test_recover_unknown_checkpoint_is_one_line(api, openstack):
    result = openstack('dr', 'recovery', 'create', 'nope', '--target-region',
                       'RegionTwo', '--wait')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Checkpoint nope could not be found. '
        '(HTTP 404, request req-404)']


def test_wait_until_succeeded_prints_plain_lines_then_show(
        api, openstack, checkpoint, clock):
    api.recover_steps = [_running(GiB), _running(2 * GiB, 1),
                         _succeeded()]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', '--wait', '-f', 'json')
    assert result.code == 0, result.err
    shown = result.json()
    assert shown['status'] == 'succeeded'
    assert shown['stack_id'] == STACK_ID
    assert shown['rto_seconds'] == 65.2
    assert shown['restored']['volume_v1'] == {'volume_id': 'vol-1'}
    assert clock.sleeps == [2.0] * 3
    recovery_id = shown['id']
    gets = [c.path for c in api.requests('GET')
            if c.path.startswith('/v1/recoveries')]
    assert gets == ['/v1/recoveries/%s' % recovery_id] * 3
    # stderr is no terminal here: plain lines a log keeps readable.
    assert '\r' not in result.err
    assert result.err.splitlines() == [
        'Recovering %s into RegionTwo (failover): recovery %s' % (
            checkpoint['id'], recovery_id),
        # The first poll, when a resource is done (not every 2 s), the end.
        '[0s] recovering 0%: 0 of 0 resources done',
        '[4s] recovering 50%: 2.0 GiB of 4.0 GiB, 512.0 MiB/s, ETA 4s, '
        '1 of 2 resources done; transferring server_s1',
        '[6s] succeeded 100%: 4.0 GiB of 4.0 GiB, 682.7 MiB/s, '
        '2 of 2 resources done']


def test_wait_table_output_names_the_stack_rto_and_targets(
        api, openstack, checkpoint, clock):
    api.recover_steps = [_succeeded(drill=True)]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', '--drill', '--wait')
    assert result.code == 0, result.err
    out = result.out
    assert STACK_ID in out
    assert '1m 06s' in out           # rto_seconds 65.2
    assert 'done server_s1 0 B of 2.0 GiB (OS::Nova::Server web-1) -> ' \
           'new-server' in out
    assert 'server_s1: image_id=img-1' in out
    assert 'volume_v1: volume_id=vol-1' in out
    assert '| torn_down           | True' in out


def test_wait_on_a_terminal_draws_one_live_line(
        api, openstack, checkpoint, clock, terminal):
    api.recover_steps = [_running(GiB), _running(2 * GiB, 1), _succeeded()]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', '--wait', '-f', 'value', '-c', 'status')
    assert result.code == 0, result.err
    assert result.out == 'succeeded\n'
    header, frames = live_frames(result.err)
    assert header.startswith('Recovering %s into RegionTwo' %
                             checkpoint['id'])
    assert len(frames) == 4
    assert ']  50%  2.0 GiB/4.0 GiB  512.0 MiB/s  ETA 4s  server_s1 ' \
           '(transferring)' in frames[2]
    assert frames[-1].rstrip().endswith('100%  4.0 GiB/4.0 GiB  682.7 MiB/s')


def test_wait_on_error_names_the_failed_resources(
        api, openstack, checkpoint, clock):
    api.recover_steps = [_running(GiB), _failed()]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', '--wait', '-f', 'json')
    assert result.code == 1
    shown = result.json()   # the details still reach stdout
    assert shown['status'] == 'error'
    errors = [line for line in result.err.splitlines()
              if line.startswith('Error')]
    assert errors == [
        'Error: Recovery %s of %s failed: volume_v1 (data): Chunk 3 of '
        'volume_v1 failed its checksum' % (shown['id'], checkpoint['id'])]
    assert result.err.splitlines()[-1] == errors[0]


def test_wait_on_error_without_resource_reasons_uses_the_error(
        api, openstack, checkpoint, clock):
    api.recover_steps = [{'status': 'error', 'error': (
        'Missing mappings: flavor m1.huge of server_s1.')}]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', '--wait')
    assert result.code == 1
    assert result.err.splitlines()[-1].endswith(
        'failed: Missing mappings: flavor m1.huge of server_s1.')


def test_wait_when_the_recovery_is_deleted_meanwhile(
        api, openstack, checkpoint, clock):
    api.recover_steps = [dict(_running(GiB), status='deleting')]
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', '--wait')
    assert result.code == 1
    assert result.err.splitlines()[-1].endswith(
        'is deleting, not succeeded.')


def test_wait_interrupted_says_the_recovery_continues(
        api, openstack, checkpoint, clock):
    clock.interrupt_after = 2
    api.recover_steps = [_running(GiB)] * 5
    result = openstack('dr', 'recovery', 'create', checkpoint['id'],
                       '--target-region',
                       'RegionTwo', '--wait')
    assert result.code == 130
    recovery_id = next(iter(api.recoveries))
    assert result.err.splitlines()[-1] == (
        'Stopped waiting; the recovery continues on the server. '
        "Follow it with 'openstack dr recovery show %s'." % recovery_id)
    assert result.out == ''
    assert api.recoveries[recovery_id]['status'] == 'recovering'
    assert 'Traceback' not in result.err


# -- the pieces of recover

def test_source_of_tells_containers_from_checkpoint_ids():
    container = 'dragon_%s_web_20261123T100000Z' % ('a' * 32)
    assert recovery_cmd.source_of(container) == {
        'recovery_point': container}
    for text in ('0b1d6f0e-0000-4000-8000-000000000001',
                 'dragon_chunks_' + 'a' * 32, 'dragon_x_web_yesterday'):
        assert recovery_cmd.source_of(text) == {'checkpoint_id': text}


@pytest.mark.parametrize('text, pair', [
    ('a=b', ('a', 'b')),
    (' a = b ', ('a', 'b')),
    ('net=recreate', ('net', 'recreate')),
    ('a=b=c', ('a', 'b=c')),   # only the first '=' separates
])
def test_parse_pair(text, pair):
    assert recovery_cmd.parse_pair(text) == pair


@pytest.mark.parametrize('text', ['', 'a', '=b', 'a=', ' = ', '='])
def test_parse_pair_refuses(text):
    with pytest.raises(ValueError, match='is not SOURCE=TARGET'):
        recovery_cmd.parse_pair(text)


# -- recovery list

def test_list_newest_first_with_percent_and_rto(
        api, openstack, checkpoint):
    older = api.add_recovery(checkpoint, **_succeeded())
    newer = api.add_recovery(checkpoint, mode='drill', **_running(GiB))
    rows = openstack('dr', 'recovery', 'list', '-f', 'json').json()
    assert [r['ID'] for r in rows] == [newer['id'], older['id']]
    assert list(rows[0]) == ['ID', 'Policy', 'Mode', 'Target Region',
                             'Status', 'Progress', 'RTO', 'Created At']
    assert (rows[0]['Mode'], rows[0]['Progress'], rows[0]['RTO']) == (
        'drill', 25, None)
    assert (rows[1]['Status'], rows[1]['Progress'], rows[1]['RTO']) == (
        'succeeded', 100, 65.2)
    table = openstack('dr', 'recovery', 'list').out
    assert '| 25%' in table and '| 1m 06s' in table


def test_list_filters_by_status_and_all_projects(
        api, openstack, checkpoint):
    done = api.add_recovery(checkpoint, **_succeeded())
    api.add_recovery(checkpoint)
    rows = openstack('dr', 'recovery', 'list', '--status', 'succeeded',
                     '--all-projects', '-f', 'json').json()
    assert [r['ID'] for r in rows] == [done['id']]
    assert api.requests('GET')[-1].query == {'status': 'succeeded',
                                             'all_projects': 'true'}
    assert list(rows[0])[-1] == 'Project'


def test_list_empty(api, openstack):
    result = openstack('dr', 'recovery', 'list', '-f', 'json')
    assert result.code == 0, result.err
    assert result.json() == []


# -- recovery show / delete / events

def test_show_renders_progress_targets_and_drill(api, openstack, checkpoint):
    recovery = api.add_recovery(checkpoint, mode='drill',
                                **_succeeded(drill=True))
    recovery['mappings'] = {'networks': {'net-a': 'recreate'},
                            'name_prefix': 'dr-'}
    result = openstack('dr', 'recovery', 'show', recovery['id'])
    assert result.code == 0, result.err
    assert '100% (4.0 GiB of 4.0 GiB), 2 of 2 resources done' in result.out
    assert '-> new-volume' in result.out
    assert 'networks: net-a=recreate' in result.out
    assert 'name_prefix: dr-' in result.out
    shown = openstack('dr', 'recovery', 'show', recovery['id'], '-f',
                      'json').json()
    assert set(shown) == SHOW_FIELDS
    assert shown['torn_down'] is True
    assert shown['resource_status'][0]['target_id'] == 'new-server'
    assert shown['rto_seconds'] == 65.2


def test_show_while_running_has_an_eta(api, openstack, checkpoint):
    recovery = api.add_recovery(checkpoint, **_running(GiB))
    recovery['progress']['eta_seconds'] = 200
    result = openstack('dr', 'recovery', 'show', recovery['id'])
    assert '25% (1.0 GiB of 4.0 GiB), 0 of 2 resources done, ETA 3m 20s' \
        in result.out


def test_show_unknown_is_one_line(api, openstack):
    result = openstack('dr', 'recovery', 'show', 'nope')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Recovery nope could not be found. '
        '(HTTP 404, request req-404)']


def test_delete_one_and_several(api, openstack, checkpoint):
    first = api.add_recovery(checkpoint, status='succeeded')
    second = api.add_recovery(checkpoint, status='error')
    result = openstack('dr', 'recovery', 'delete', first['id'])
    assert result.code == 0, result.err
    assert result.out == ''
    result = openstack('dr', 'recovery', 'delete', second['id'], 'nope')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Recovery nope could not be found. '
        '(HTTP 404, request req-404)',
        'Error: 1 of 2 recoveries failed to delete.']
    assert api.recoveries == {}


def test_delete_while_recovering_is_one_line(api, openstack, checkpoint):
    running = api.add_recovery(checkpoint)
    result = openstack('dr', 'recovery', 'delete', running['id'])
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Recovery %s is still running. (HTTP 409, request req-409)'
        % running['id']]


def test_events(api, openstack, checkpoint):
    recovery = api.add_recovery(checkpoint, status='succeeded')
    api.recovery_events[recovery['id']] = [
        {'time': '2026-11-23T10:00:00', 'level': 'info', 'resource': None,
         'message': 'drill of web into RegionTwo started'},
        {'time': '2026-11-23T10:01:05', 'level': 'info',
         'resource': 'server_s1', 'message': 'ACTIVE'}]
    rows = openstack('dr', 'recovery', 'event', 'list', recovery['id'], '-f',
                     'json').json()
    assert rows == [
        {'Time': '2026-11-23T10:00:00', 'Level': 'info', 'Resource': None,
         'Message': 'drill of web into RegionTwo started'},
        {'Time': '2026-11-23T10:01:05', 'Level': 'info',
         'Resource': 'server_s1', 'Message': 'ACTIVE'}]
    result = openstack('dr', 'recovery', 'event', 'list', 'nope')
    assert result.code == 1
