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

"""Closing the window: commit, rollback, expiry, a retry, an engine's death."""

import datetime
import types

import pytest

from dragon.common import timeutils
from dragon.recovery.in_place import closing
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from dragon.recovery.restore import images as images_mod
from tests.unit.recovery.in_place import fake_cloud
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery.in_place.test_window import _swapped


def _recovery(status, action, replaced, **fields):
    return types.SimpleNamespace(**{
        'id': 'rec-1', 'status': status, 'window_action': action,
        'replaced': replaced, 'policy_id': None,
        'commit_deadline': timeutils.utcnow() + datetime.timedelta(
            minutes=30), **fields})


@pytest.fixture
def cloud(monkeypatch):
    found, replaced = _swapped()
    fake_cloud.install(monkeypatch, found)
    monkeypatch.setattr(window, 'follow_member', lambda *args: None)
    monkeypatch.setattr(images_mod, 'tagged_images', lambda c, rid: [])
    # Glance's images by property: [{"id", "properties"...}].
    found.glance = []
    monkeypatch.setattr(images_mod, 'images_with', lambda c, key, value: [
        i for i in found.glance if i.get(key) == value])
    found.replaced = replaced
    return found


@pytest.mark.parametrize('status,action,ends', [
    ('committing', 'commit', 'committed'),
    ('committing', 'keep', 'expired'),
    ('rolling_back', 'rollback', 'rolled_back'),
])
def test_each_close_ends_as_it_says(cloud, status, action, ends):
    recorder = Recorder()
    assert closing.finish(None, _recovery(status, action, cloud.replaced),
                          None, recorder)
    final = recorder.final()
    assert final['status'] == ends and final['error'] is None
    on_server = cloud.device_of('vol-new', 'srv-web')
    if action == 'rollback':
        assert on_server is None and 'vol-new' not in cloud.vols
        assert cloud.device_of('vol-old', 'srv-web') == '/dev/vdb'
    else:
        assert on_server == '/dev/vdb'
        assert ('vol-old' in cloud.vols) == (action == 'keep')
    assert final['replaced'][0]['state'] == {
        'commit': 'committed', 'keep': 'kept',
        'rollback': 'rolled_back'}[action]


def test_a_failed_close_awaits_commit_again(cloud):
    cloud.fail_on = 'delete'
    recorder = Recorder()
    recovery = _recovery('committing', 'commit', cloud.replaced)
    assert not closing.finish(None, recovery, None, recorder)
    final = recorder.final()
    assert final['status'] == 'awaiting_commit'
    assert final['error'].startswith('commit failed: ')
    assert final['window_action'] is None
    # The window had not ended: its end stays.
    assert 'commit_deadline' not in final
    assert 'vol-old' in cloud.vols


def test_a_failed_expiry_is_tried_again_a_few_minutes_later(cloud):
    cloud.fail_on = 'delete'
    recorder = Recorder()
    recovery = _recovery('committing', 'commit', cloud.replaced,
                         commit_deadline=timeutils.utcnow())
    assert not closing.finish(None, recovery, None, recorder)
    later = recorder.final()['commit_deadline'] - timeutils.utcnow()
    assert datetime.timedelta(minutes=4) < later <= closing.RETRY_AFTER


def test_an_engine_dead_mid_restore_has_everything_put_back(cloud):
    # The entry never got its new volume's id: found by its tag.
    cloud.replaced[0].update(new_volume_id=None, state=window.RESTORING)
    cloud.vols['vol-new']['metadata']['dragon_restore_key'] = 'volume_data'
    cloud.vols['vol-stray'] = {'status': 'available', 'attachments': [],
                               'metadata': {swap_mod.RESTORE_TAG: 'rec-1'}}
    recorder = Recorder()
    closing.take_over(None, _recovery('recovering', None, cloud.replaced),
                      None, recorder, 'engine-a')
    final = recorder.final()
    assert final['status'] == 'error'
    assert 'engine-a' in final['error'] and 'back in place' in final['error']
    assert cloud.device_of('vol-old', 'srv-web') == '/dev/vdb'
    assert 'vol-new' not in cloud.vols and 'vol-stray' not in cloud.vols


def test_an_engine_dead_mid_commit_is_committed_again(cloud):
    recorder = Recorder()
    closing.take_over(None, _recovery('committing', 'commit',
                                      cloud.replaced), None, recorder, 'e-a')
    assert recorder.final()['status'] == 'committed'
    assert 'vol-old' not in cloud.vols


def _rebuilding(cloud):
    """An engine killed after createImage, before the row named the image."""
    cloud.replaced[:] = [{
        'key': 'server_web', 'name': 'web', 'kind': 'server',
        'server_id': 'srv-web', 'previous_image_id': 'img-old',
        'saved_image_id': None, 'restored_image_id': 'img-restored',
        'server_status': 'ACTIVE', 'state': window.READY}]
    cloud.images['srv-web'] = 'img-old'
    cloud.servers['srv-web'] = 'SHUTOFF'


@pytest.mark.parametrize('properties', [
    {'dragon_restore_key': 'server_web'},
    # An image an older engine saved: only Nova's instance_uuid.
    {'instance_uuid': 'srv-web'}])
def test_a_saved_disk_no_record_names_is_found_and_deleted(cloud,
                                                          properties):
    _rebuilding(cloud)
    cloud.glance = [{'id': 'img-saved', swap_mod.REPLACED_TAG: 'rec-1',
                     **properties},
                    {'id': 'img-other', swap_mod.REPLACED_TAG: 'rec-2',
                     'instance_uuid': 'srv-web'}]
    recorder = Recorder()
    closing.take_over(None, _recovery('recovering', None, cloud.replaced),
                      None, recorder, 'engine-a')
    final = recorder.final()
    assert final['status'] == 'error' and 'back in place' in final['error']
    [entry] = final['replaced']
    assert entry['saved_image_id'] == 'img-saved'
    assert entry['state'] == window.ROLLED_BACK
    # Not rebuilt: the saved disk and the restored image are deleted, the
    # server runs from its own image again; another recovery's is kept.
    assert cloud.images_deleted == ['img-restored', 'img-saved']
    assert cloud.images['srv-web'] == 'img-old'
    assert cloud.servers['srv-web'] == 'ACTIVE'
    assert any('found by its tag' in m for _l, m, _r in recorder.events)


def test_a_second_untracked_saved_disk_is_deleted_unless_run_from(cloud):
    _rebuilding(cloud)
    cloud.replaced[0]['saved_image_id'] = 'img-saved'
    cloud.glance = [{'id': 'img-dup', swap_mod.REPLACED_TAG: 'rec-1',
                     'instance_uuid': 'srv-web'},
                    {'id': 'img-running', swap_mod.REPLACED_TAG: 'rec-1',
                     'instance_uuid': 'srv-db'}]
    cloud.servers['srv-db'] = 'ACTIVE'
    cloud.images['srv-db'] = 'img-running'
    recorder = Recorder()
    closing.take_over(None, _recovery('recovering', None, cloud.replaced),
                      None, recorder, 'engine-a')
    assert 'img-dup' in cloud.images_deleted
    assert 'img-running' not in cloud.images_deleted


def test_a_server_booted_before_the_row_named_it_is_deleted(cloud):
    """An engine killed between Nova's create and the next write."""
    cloud.replaced[:] = [{
        'key': 'server_web', 'name': 'web', 'kind': 'new_server',
        'recreates': 'srv-web', 'server_id': None,
        'restored_image_id': 'img-restored', 'server_status': None,
        'state': window.READY}]
    tags = {'dragon_restore': 'rec-1', 'dragon_restore_key': 'server_web'}
    for server_id, metadata in (
            ('srv-half', tags), ('srv-stray', {**tags, 'dragon_restore_key':
                                               'server_other'}),
            ('srv-other', {'dragon_restore': 'rec-2'})):
        cloud.servers[server_id] = 'BUILD'
        cloud.metadata[server_id] = metadata
    recorder = Recorder()
    closing.take_over(None, _recovery('recovering', None, cloud.replaced),
                      None, recorder, 'engine-a')
    final = recorder.final()
    assert final['status'] == 'error' and 'back in place' in final['error']
    assert 'srv-half' not in cloud.servers
    assert 'srv-stray' not in cloud.servers
    assert 'srv-other' in cloud.servers
    assert 'img-restored' in cloud.images_deleted
    assert final['replaced'][0]['server_id'] == 'srv-half'
    assert final['replaced'][0]['state'] == window.ROLLED_BACK
