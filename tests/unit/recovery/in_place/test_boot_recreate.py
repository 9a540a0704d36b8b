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

"""A gone server booted from a volume: booted again from a new volume."""

import types

import pytest

from dragon.recovery.in_place import closing
from dragon.recovery.in_place import lineage
from dragon.recovery.in_place import recreate
from dragon.recovery.in_place import run as run_mod
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from dragon.recovery.restore import images as images_mod
from tests.unit.recovery.in_place import fakes
from tests.unit.recovery.in_place.test_apply import _recovery
from tests.unit.recovery.in_place.test_apply import env  # noqa: F401
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery.in_place.test_run import _clients

# The boot volume the deleted server leaves (delete_on_termination false).
LEFT = {'status': 'available', 'size': 1, 'name': 'data', 'attachments': []}


@pytest.fixture
def gone(env, monkeypatch):  # noqa: F811 - the fixture imported above
    """env with web, booted from vol-data, deleted; vol-data left."""
    env.manifest['graph'] = fakes.manifest(boot=True)['graph']
    env.manifest['data']['server_web'] = {'kind': 'none'}
    env.cloud.servers.pop('srv-web')
    env.cloud.vols['vol-data'].update(status='available', attachments=[],
                                      data='broken')
    monkeypatch.setattr(recreate, 'missing', lambda *args: [])
    return env


def _run(env, volumes):
    recorder = Recorder()
    ok = run_mod.run(env.conf, _recovery(resources=['srv-web']),
                     _clients(servers={}, volumes=volumes), recorder)
    return ok, recorder


def _entries(final):
    return ({r['kind']: r for r in final['replaced']}['volume'],
            {r['kind']: r for r in final['replaced']}['new_server'])


def test_it_boots_from_a_new_volume_and_leaves_the_old_one(gone):
    ok, recorder = _run(gone, {'vol-data': LEFT})
    final = recorder.final()
    assert ok and final['status'] == 'awaiting_commit', final.get('error')
    assert {e['key']: e['action'] for e in final['plan']
            if e['action'] != 'untouched'} == {'server_web': 'recreate',
                                               'volume_data': 'recreate'}
    volume, server = _entries(final)
    assert volume == {
        'key': 'volume_data', 'name': 'data', 'kind': 'volume',
        'old_volume_id': None, 'recreates': 'vol-data',
        'new_volume_id': 'vol-new-1', 'image_id': None,
        'server_id': 'srv-new-2', 'device': '/dev/vda', 'boot': True,
        'server_status': None, 'state': window.SWAPPED}
    assert server == {
        'key': 'server_web', 'name': 'web', 'kind': 'new_server',
        'recreates': 'srv-web', 'server_id': 'srv-new-2',
        'restored_image_id': None, 'boot_volume_key': 'volume_data',
        'floating_ips': [], 'server_status': None, 'state': window.SWAPPED}
    cloud = gone.cloud
    # Only the boot volume's data is restored (the server has none); the
    # server is booted from it, nothing attached after, nothing stopped.
    assert gone.restored == [('volume_data', 'rec-1')]
    assert [c[0] for c in cloud.calls] == [
        'from_image', 'wait_available', 'create_server', 'wait_active']
    request = cloud.requests['srv-new-2']
    assert 'image_id' not in request
    assert request['block_device_mapping'] == [{
        'boot_index': 0, 'uuid': 'vol-new-1', 'source_type': 'volume',
        'destination_type': 'volume', 'delete_on_termination': False,
        'device_name': '/dev/vda'}]
    assert request['name'] == 'web'
    assert cloud.vols['vol-new-1']['attachments'] == [('srv-new-2',
                                                       '/dev/vda')]
    assert cloud.vols['vol-new-1']['metadata'] == {
        'dragon_restore': 'rec-1', 'dragon_restore_key': 'volume_data'}
    # The boot volume it had is left as it was: detached, untagged.
    assert cloud.vols['vol-data'] == {
        'status': 'available', 'attachments': [], 'metadata': {},
        'data': 'broken'}
    messages = [m for _level, m, _r in recorder.events]
    assert any(m.startswith('server srv-new-2 recreates server srv-web (gone '
                            'from the region) from volume vol-new-1')
               for m in messages), messages
    assert any(m.startswith('volume vol-new-1, holding the checkpoint\'s '
                            'data of boot volume vol-data, is the boot '
                            'volume of the recreated server') for m in messages)


def test_a_boot_volume_gone_too_is_made_in_its_zone_and_type(gone):
    gone.cloud.vols.pop('vol-data')
    graph = gone.manifest['graph']
    graph['nodes'] = [
        {**n, 'properties': {**n['properties'], 'availability_zone': 'az2',
                             'volume_type': 'fast'}}
        if n['key'] == 'volume_data' else n for n in graph['nodes']]
    ok, recorder = _run(gone, {})
    final = recorder.final()
    assert ok and final['status'] == 'awaiting_commit', final.get('error')
    volume, server = _entries(final)
    assert volume['recreates'] == 'vol-data' and volume['boot']
    like = gone.cloud.vols[volume['new_volume_id']]['like']
    assert (like['availability_zone'], like['volume_type']) == ('az2',
                                                                'fast')
    assert gone.cloud.device_of(volume['new_volume_id'],
                                server['server_id']) == '/dev/vda'


def test_rollback_deletes_the_server_and_its_new_boot_volume(gone):
    _ok, recorder = _run(gone, {'vol-data': LEFT})
    replaced = recorder.final()['replaced']
    cloud = gone.cloud
    window.put_back(cloud, replaced, lambda r: None, lambda *a: None,
                    'pol-1', 'rec-1')
    assert 'srv-new-2' not in cloud.servers
    assert 'vol-new-1' not in cloud.vols
    assert cloud.vols['vol-data'] == {
        'status': 'available', 'attachments': [], 'metadata': {},
        'data': 'broken'}
    assert not {'stop', 'start'} & {c[0] for c in cloud.calls}
    assert {r['state'] for r in replaced} == {window.ROLLED_BACK}
    # The policy's member, if the boot volume was one, is back too.
    assert gone.followed[-1] == ('pol-1', 'vol-new-1', 'vol-data')


def test_commit_keeps_both_and_later_restores_follow_them(gone):
    _ok, recorder = _run(gone, {'vol-data': LEFT})
    replaced = recorder.final()['replaced']
    cloud = gone.cloud
    window.settle(cloud, replaced, False, lambda r: None, lambda *a: None)
    assert {r['state'] for r in replaced} == {window.COMMITTED}
    assert cloud.servers['srv-new-2'] == 'ACTIVE'
    assert cloud.metadata['srv-new-2'] == {}
    assert cloud.vols['vol-new-1']['metadata'] == {
        'dragon_restore_key': 'volume_data'}
    # No restored image to untag: the server boots from its volume, whose
    # image metadata (Cinder's copy of the restored image's) loses them.
    assert cloud.untagged == []
    assert ('untag_boot_image', 'vol-new-1', (
        'dragon_restore', 'dragon_restore_key')) in cloud.calls
    assert 'vol-data' in cloud.vols
    assert lineage.replacements([types.SimpleNamespace(
        replaced=replaced)]) == {'vol-data': 'vol-new-1',
                                 'srv-web': 'srv-new-2'}


def test_a_failed_boot_deletes_the_new_boot_volume(gone):
    gone.cloud.fail_on = 'wait_active'
    ok, recorder = _run(gone, {'vol-data': LEFT})
    assert not ok and recorder.final()['status'] == 'error'
    cloud = gone.cloud
    assert 'srv-new-2' not in cloud.servers and 'vol-new-1' not in cloud.vols
    assert cloud.vols['vol-data']['metadata'] == {}


def test_a_takeover_finds_the_half_made_server_and_volume_by_tags(
        gone, monkeypatch):
    """An engine killed after Nova's create, before either id was written."""
    cloud = gone.cloud
    monkeypatch.setattr(images_mod, 'tagged_images', lambda c, rid: [])
    monkeypatch.setattr(images_mod, 'images_with', lambda *args: [])
    replaced = [
        {'key': 'volume_data', 'name': 'data', 'kind': 'volume',
         'old_volume_id': None, 'recreates': 'vol-data',
         'new_volume_id': None, 'image_id': None, 'server_id': 'srv-web',
         'device': '/dev/vda', 'boot': True, 'server_status': None,
         'state': window.RESTORING},
        {'key': 'server_web', 'name': 'web', 'kind': 'new_server',
         'recreates': 'srv-web', 'server_id': None,
         'restored_image_id': None, 'boot_volume_key': 'volume_data',
         'floating_ips': [], 'server_status': None,
         'state': window.READY}]
    cloud.vols['vol-half'] = {
        'status': 'in-use', 'attachments': [('srv-half', '/dev/vda')],
        'metadata': {'dragon_restore': 'rec-1',
                     'dragon_restore_key': 'volume_data'}}
    cloud.servers['srv-half'] = 'BUILD'
    cloud.metadata['srv-half'] = {'dragon_restore': 'rec-1',
                                  'dragon_restore_key': 'server_web'}
    recorder = Recorder()
    closing.take_over(None, types.SimpleNamespace(
        id='rec-1', status='recovering', window_action=None,
        replaced=replaced, policy_id=None), None, recorder, 'engine-a')
    final = recorder.final()
    assert final['status'] == 'error' and 'back in place' in final['error']
    assert 'srv-half' not in cloud.servers and 'vol-half' not in cloud.vols
    assert cloud.vols['vol-data']['metadata'] == {}
    volume, server = _entries(final)
    assert (volume['new_volume_id'], server['server_id']) == ('vol-half',
                                                              'srv-half')
    assert swap_mod.RESTORE_TAG not in cloud.vols['vol-data']['metadata']
