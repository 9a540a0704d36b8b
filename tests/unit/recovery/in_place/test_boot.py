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

"""A boot volume restored in place: copied, re-imaged, written back or kept."""

import pytest

from dragon import exception
from dragon.recovery.in_place import closing
from dragon.recovery.in_place import run as run_mod
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from dragon.recovery.restore import images as images_mod
from tests.unit.recovery.in_place import fakes
from tests.unit.recovery.in_place.test_apply import _recovery
from tests.unit.recovery.in_place.test_apply import env  # noqa: F401
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery.in_place.test_run import _clients

ROOT = {'status': 'in-use', 'size': 1, 'name': 'data',
        'attachments': [{'server_id': 'srv-web', 'device': '/dev/vda'}]}
BFV = {'status': 'ACTIVE', 'flavor': {'original_name': 'm1.small'}}


@pytest.fixture
def boot(env):  # noqa: F811 - the fixture imported above
    """env with web booting from vol-data, which holds 'broken' bytes."""
    graph = fakes.manifest(boot=True)['graph']
    env.manifest['graph'] = graph
    env.cloud.vols['vol-data'] = {
        'status': 'in-use', 'attachments': [('srv-web', '/dev/vda')],
        'metadata': {}, 'data': 'broken', 'boot_image': 'img-base'}
    return env


def _run(env, resources=('srv-web',), microversions=('2.1', '2.96')):
    recorder = Recorder()
    clients = _clients(servers={'srv-web': BFV}, volumes={'vol-data': ROOT})
    clients.connection.compute.microversions = microversions
    ok = run_mod.run(env.conf, _recovery(resources=list(resources)),
                     clients, recorder)
    return ok, recorder


def _messages(recorder):
    return [m for _level, m, _r in recorder.events]


def test_the_boot_volume_is_copied_then_re_imaged_in_place(boot):
    ok, recorder = _run(boot)
    final = recorder.final()
    assert ok and final['status'] == 'awaiting_commit', final.get('error')
    [entry] = final['replaced']
    assert entry == {
        'key': 'volume_data', 'name': 'data', 'kind': 'boot_volume',
        'volume_id': 'vol-data', 'server_id': 'srv-web',
        'device': '/dev/vda', 'saved_volume_id': 'vol-copy-1',
        'restored_image_id': 'img-1', 'image_id': None, 'reimaged': True,
        'rollback_image_id': None, 'server_status': 'ACTIVE',
        'state': window.SWAPPED}
    cloud = boot.cloud
    # Stopped, copied, re-imaged from the checkpoint's bytes, started; the
    # restored image is deleted once the volume holds its bytes.
    assert [c[0] for c in cloud.calls] == [
        'stop', 'clone', 'wait_available', 'reimage', 'delete_image',
        'start']
    assert cloud.vols['vol-data']['data'] == 'img-1'
    assert cloud.vols['vol-data']['attachments'] == [('srv-web', '/dev/vda')]
    copy = cloud.vols['vol-copy-1']
    assert copy['data'] == 'broken' and copy['attachments'] == []
    assert copy['metadata'] == {swap_mod.REPLACED_TAG: 'rec-1',
                                swap_mod.COPY_TAG: 'vol-data'}
    assert cloud.servers['srv-web'] == 'ACTIVE'
    assert boot.followed == []
    messages = _messages(recorder)
    assert ('server srv-web stopped for the boot volume restore (was '
            'ACTIVE)') in messages
    assert any(m.startswith('server srv-web rebuilt by Nova with its boot '
                            'volume vol-data re-imaged') for m in messages)
    assert any('1 boot volume(s) re-imaged (their copies kept)' in m
               for m in messages)


def test_rollback_writes_the_copy_back_and_deletes_it(boot):
    _ok, recorder = _run(boot)
    replaced = recorder.final()['replaced']
    cloud = boot.cloud
    cloud.calls.clear()
    events = []
    window.put_back(cloud, replaced, lambda r: None,
                    lambda *a: events.append(a), 'pol-1', 'rec-1')
    [entry] = replaced
    assert cloud.vols['vol-data']['data'] == 'broken'
    assert 'vol-copy-1' not in cloud.vols
    assert entry['state'] == window.ROLLED_BACK and not entry['reimaged']
    image = entry['rollback_image_id']
    assert cloud.image_names == {'dragon-rollback-rec-1-vol-data': image}
    assert [c[0] for c in cloud.calls] == [
        'stop', 'wait_available', 'upload', 'wait_image_active', 'reimage',
        'start', 'delete_image', 'wait_available', 'delete']
    assert image in cloud.images_deleted
    assert cloud.servers['srv-web'] == 'ACTIVE'
    # Nothing left to do on a second run.
    cloud.calls.clear()
    window.put_back(cloud, replaced, lambda r: None, lambda *a: None,
                    'pol-1', 'rec-1')
    assert cloud.calls == []


@pytest.mark.parametrize('keep_old', [False, True])
def test_commit_deletes_the_copy_and_expiry_keeps_it(boot, keep_old):
    _ok, recorder = _run(boot)
    replaced = recorder.final()['replaced']
    cloud = boot.cloud
    window.settle(cloud, replaced, keep_old, lambda r: None, lambda *a: None)
    [entry] = replaced
    assert entry['state'] == (window.KEPT if keep_old else window.COMMITTED)
    assert ('untag_boot_image', 'vol-data', (
        'dragon_restore', 'dragon_restore_key')) in cloud.calls
    assert cloud.vols['vol-data']['data'] == 'img-1'
    assert ('vol-copy-1' in cloud.vols) == keep_old


def test_a_failed_re_image_writes_the_copy_back(boot):
    cloud = boot.cloud
    real = cloud.reimage

    def reimage(server_id, volume_id, image_id):
        if image_id == 'img-1':
            # Cinder wrote part of it, then Nova gave up.
            cloud.vols[volume_id]['data'] = 'half-written'
            cloud._call('reimage_failed', server_id)
        return real(server_id, volume_id, image_id)
    cloud.reimage = reimage
    cloud.fail_on = 'reimage_failed'
    ok, recorder = _run(boot)
    final = recorder.final()
    assert not ok and final['status'] == 'error'
    assert 'reimage_failed failed' in final['error']
    assert cloud.vols['vol-data']['data'] == 'broken'
    assert 'vol-copy-1' not in cloud.vols
    assert {'img-1', final['replaced'][0]['rollback_image_id']} <= set(
        cloud.images_deleted)
    assert cloud.servers['srv-web'] == 'ACTIVE'
    assert final['replaced'][0]['state'] == window.ROLLED_BACK


def test_nova_without_the_re_imaging_rebuild_changes_nothing(boot):
    ok, recorder = _run(boot, microversions=('2.1', '2.90'))
    final = recorder.final()
    assert not ok and final['status'] == 'error'
    assert 'does not offer compute API microversion 2.93' in final['error']
    assert 'nothing was changed' in final['error']
    assert boot.cloud.calls == [] and boot.restored == []
    # A data volume alone does not need it.
    boot.manifest['graph'] = fakes.manifest()['graph']
    boot.cloud.vols['vol-data']['attachments'] = [('srv-web', '/dev/vdb')]
    ok, recorder = _run(boot, resources=['vol-data'],
                        microversions=('2.1', '2.90'))
    assert ok, recorder.final().get('error')


def test_an_engine_dead_after_the_copy_has_it_found_and_deleted(
        boot, monkeypatch):
    """Killed between Cinder's answer to the clone and the next write."""
    monkeypatch.setattr(images_mod, 'tagged_images', lambda c, rid: [])
    monkeypatch.setattr(images_mod, 'images_with', lambda c, k, v: [])
    cloud = boot.cloud
    cloud.servers['srv-web'] = 'SHUTOFF'
    cloud.vols['vol-lost'] = {
        'status': 'available', 'attachments': [], 'data': 'broken',
        'metadata': {swap_mod.REPLACED_TAG: 'rec-1',
                     swap_mod.COPY_TAG: 'vol-data'}}
    # Another recovery's copy is not this one's to delete.
    cloud.vols['vol-other'] = {
        'status': 'available', 'attachments': [], 'metadata': {
            swap_mod.REPLACED_TAG: 'rec-2', swap_mod.COPY_TAG: 'vol-data'}}
    entry = {'key': 'volume_data', 'name': 'data', 'kind': 'boot_volume',
             'volume_id': 'vol-data', 'server_id': 'srv-web',
             'device': '/dev/vda', 'saved_volume_id': None,
             'restored_image_id': 'img-1', 'image_id': 'img-1',
             'reimaged': False, 'rollback_image_id': None,
             'server_status': 'ACTIVE', 'state': window.READY}
    recovery = _recovery(status='recovering', window_action=None,
                         replaced=[entry])
    recorder = Recorder()
    closing.take_over(None, recovery, None, recorder, 'engine-a')
    final = recorder.final()
    assert final['status'] == 'error' and 'back in place' in final['error']
    [entry] = final['replaced']
    assert entry['saved_volume_id'] == 'vol-lost'
    assert entry['state'] == window.ROLLED_BACK
    assert 'vol-lost' not in cloud.vols and 'vol-other' in cloud.vols
    # Never re-imaged: its bytes are as they were, nothing uploaded.
    assert cloud.vols['vol-data']['data'] == 'broken'
    assert not {'upload', 'reimage'} & {c[0] for c in cloud.calls}
    assert 'img-1' in cloud.images_deleted
    assert cloud.servers['srv-web'] == 'ACTIVE'


def test_an_engine_dead_mid_rollback_finds_its_upload_by_name(boot):
    _ok, recorder = _run(boot)
    replaced = recorder.final()['replaced']
    cloud = boot.cloud
    # The earlier engine's upload, whose id never reached the row.
    cloud.image_names['dragon-rollback-rec-1-vol-data'] = 'img-earlier'
    cloud.image_data['img-earlier'] = 'broken'
    cloud.calls.clear()
    window.put_back(cloud, replaced, lambda r: None, lambda *a: None,
                    'pol-1', 'rec-1')
    assert replaced[0]['rollback_image_id'] == 'img-earlier'
    assert 'upload' not in {c[0] for c in cloud.calls}
    assert cloud.vols['vol-data']['data'] == 'broken'


def test_a_failed_upload_is_uploaded_again_on_the_next_try(boot):
    _ok, recorder = _run(boot)
    replaced = recorder.final()['replaced']
    cloud = boot.cloud
    cloud.fail_on = 'wait_image_active'
    with pytest.raises(exception.ResourceFailed):
        window.put_back(cloud, replaced, lambda r: None, lambda *a: None,
                        'pol-1', 'rec-1')
    [entry] = replaced
    first = cloud.image_names['dragon-rollback-rec-1-vol-data']
    assert first in cloud.images_deleted and not entry['rollback_image_id']
    assert cloud.vols['vol-data']['data'] == 'img-1'
    cloud.fail_on = None
    window.put_back(cloud, replaced, lambda r: None, lambda *a: None,
                    'pol-1', 'rec-1')
    assert entry['rollback_image_id'] not in (None, first)
    assert cloud.vols['vol-data']['data'] == 'broken'
    assert entry['state'] == window.ROLLED_BACK
