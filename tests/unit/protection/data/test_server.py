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

"""Server data actions: image_snapshot, image_copy, template_only."""
import os

from keystoneauth1 import exceptions as ks_exc
import pytest

from dragon import exception
from dragon.protection import data
from tests.unit.protection.data import fakes


@pytest.fixture
def disk():
    return os.urandom(4096 * 3) + bytes(2048)


def _run(env, action, node):
    state = action.capture(env.ctx, node)
    try:
        return state, action.transfer(env.ctx, node, state)
    finally:
        action.cleanup(env.ctx, node, state)


def test_image_snapshot_streams_the_disk_and_removes_the_image(env, disk):
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    assert action.estimate(env.ctx, node) == len(disk)
    state = action.capture(env.ctx, node)
    snapshot = env.cloud.objects['image'][state['image_id']]
    assert snapshot['name'] == 'dragon-tmp-%s-snapshot-%s' % (
        fakes.RUN_ID, node.key)
    assert snapshot['dragon_temporary'] == 'true'
    assert snapshot['dragon_checkpoint'] == fakes.RUN_ID
    record = action.transfer(env.ctx, node, state)
    action.cleanup(env.ctx, node, state)
    action.cleanup(env.ctx, node, state)     # twice is fine
    assert env.cloud.alive('image') == []
    assert record['action'] == 'image_snapshot' and record['kind'] == 'image'
    assert record['size'] == len(disk)
    assert fakes.stored_bytes(env, record) == disk
    assert record['chunk_size'] == 1024 and record['zero_chunks'] == 2
    assert record['uploaded_bytes'] == 4096 * 3
    assert record['image']['properties'] == {'hw_disk_bus': 'virtio'}
    assert record['source_image_id'] == env.cloud.objects['server'][sid][
        'image']['id']
    assert sum(env.progress) == len(disk)


def test_a_second_snapshot_of_an_unchanged_server_downloads_nothing(env,
                                                                     disk):
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    _state, first = _run(env, action, node)
    _state, second = _run(env, action, node)
    assert env.cloud.downloads == 1
    assert second['index_hit'] and second['uploaded_bytes'] == 0
    assert second['chunks'] == first['chunks']
    assert env.cloud.alive('image') == []


@pytest.mark.parametrize('status', ['ACTIVE', 'PAUSED'])
def test_capture_ends_when_nova_uploads_the_disk_not_after(env, disk,
                                                           status):
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    server = env.cloud.objects['server'][sid]
    server['status'] = status
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    state = action.capture(env.ctx, node)
    image = env.cloud.objects['image'][state['image_id']]
    # Taken (Nova uploads it), not uploaded: a paused server is resumed
    # while Nova still uploads and Dragon transfers.
    assert image['status'] == 'saving'
    assert server['OS-EXT-STS:task_state'] is not None
    action.cleanup(env.ctx, node, state)


def test_image_uploading_with_the_image_still_queued_is_not_taken(env,
                                                                   disk):
    # libvirt with a direct (RBD) snapshot: the task state says
    # image_uploading before the snapshot is taken; Glance's image only
    # becomes active once it is.
    env.conf.set_override('poll_interval', 0, group='protection')
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    env.cloud.snapshot_timeline = [('active', 0)]
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    original = env.cloud._compute

    def create_image(method, parts, body):
        response = original(method, parts, body)
        if method == 'POST':
            server = env.cloud.objects['server'][sid]
            server.update({'OS-EXT-STS:task_state': 'image_uploading',
                           '_next': None, '_then': None})
            image = env.cloud.objects['image'][response.json()['image_id']]
            image['_steps'] = 6
        return response
    env.cloud._compute = create_image
    state = action.capture(env.ctx, node)
    assert env.cloud.objects['image'][state['image_id']]['status'] == 'active'
    assert env.cloud.calls.count('GET image') == 7
    action.cleanup(env.ctx, node, state)


@pytest.mark.parametrize('nova', ['ends the task', 'deletes the image'])
def test_a_snapshot_nova_gives_up_fails_the_capture_at_once(env, disk, nova):
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    original = env.cloud._compute

    def create_image(method, parts, body):
        response = original(method, parts, body)
        if method == 'POST':
            iid = response.json()['image_id']
            if nova == 'deletes the image':
                del env.cloud.objects['image'][iid]
            else:
                env.cloud.objects['image'][iid].update(
                    _steps=0, _next=None)
                env.cloud.objects['server'][sid].update({
                    'OS-EXT-STS:task_state': None, '_next': None,
                    '_then': None})
        return response
    env.cloud._compute = create_image
    with pytest.raises(exception.ResourceFailed) as caught:
        action.capture(env.ctx, node)
    assert env.cloud.alive('image') == []
    if nova == 'ends the task':
        assert 'went to status queued' in str(caught.value)
        assert 'without uploading it' in str(caught.value)
    else:
        assert 'went to status deleted' in str(caught.value)


def test_keep_image_keeps_the_snapshot_only_when_the_transfer_worked(env,
                                                                     disk):
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    node = fakes.node('server', sid, options={'keep_image': True})
    action = data.get('server', 'image_snapshot')
    state, _record = _run(env, action, node)
    assert [i['id'] for i in env.cloud.alive('image')] == [state['image_id']]
    env.cloud.final_status['image'] = 'killed'
    with pytest.raises(exception.DataActionFailed):
        _run(env, action, node)
    assert len(env.cloud.alive('image')) == 1     # only the first one


def test_a_boot_from_volume_server_has_no_data_of_its_own(env):
    sid = env.cloud.add_server(boot_from_volume=True)
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    assert action.estimate(env.ctx, node) == 0
    _state, record = _run(env, action, node)
    assert record['kind'] == 'none' and 'boots from a volume' in record[
        'reason']
    assert 'createImage' not in env.cloud.calls


@pytest.mark.parametrize('failure', [
    'createImage', 'snapshot stuck', 'image killed', 'GET image',
    'download breaks', 'GET image file', 'verification'])
def test_image_snapshot_leaves_no_image_whatever_fails(env, disk, failure):
    env.conf.set_override('server_snapshot_timeout', 1, group='protection')
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    if failure == 'snapshot stuck':
        env.cloud.final_status['task_state'] = 'image_snapshot'
    elif failure == 'image killed':
        env.cloud.final_status['image'] = 'killed'
    elif failure == 'download breaks':
        env.cloud.broken_download = True
    elif failure == 'verification':
        env.cloud.data[sid] = fakes.pieces_of(disk[:-1])
        sid_image = env.cloud.add_image   # size differs from Glance's
        env.cloud.add_image = lambda f, **kw: _lying(sid_image, f, env, **kw)
    else:
        env.cloud.fail_call[failure] = ks_exc.InternalServerError()
    state = {}
    with pytest.raises(exception.DataActionFailed) as caught:
        state = action.capture(env.ctx, node)
        action.transfer(env.ctx, node, state)
    action.cleanup(env.ctx, node, state)
    assert env.cloud.alive('image') == []
    assert sid in str(caught.value)


def _lying(add_image, factory, env, **kwargs):
    iid = add_image(factory, **kwargs)
    env.cloud.objects['image'][iid]['size'] += 1
    return iid


def test_an_image_that_stays_saving_times_out(env, disk):
    env.conf.set_override('image_active_timeout', 1, group='protection')
    env.conf.set_override('poll_interval', 0.05, group='protection')
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    env.cloud.final_status['image'] = 'saving'
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    state = action.capture(env.ctx, node)
    with pytest.raises(exception.ResourceTimeout, match='still saving'):
        action.transfer(env.ctx, node, state)
    action.cleanup(env.ctx, node, state)
    assert env.cloud.alive('image') == []


def test_image_copy_stores_the_base_image_once_per_project(env, disk):
    first_server = env.cloud.add_server(fakes.pieces_of(disk))
    base_image = env.cloud.objects['server'][first_server]['image']['id']
    other = env.cloud.add_server(fakes.pieces_of(b'x'))
    env.cloud.objects['server'][other]['image'] = {'id': base_image}
    action = data.get('server', 'image_copy')
    records = [_run(env, action, fakes.node('server', s))[1]
               for s in (first_server, other)]
    assert env.cloud.downloads == 1
    assert [r['index_hit'] for r in records] == [False, True]
    assert fakes.stored_bytes(env, records[0]) == disk
    assert records[1]['chunks'] == records[0]['chunks']
    assert records[0]['source_image_id'] == base_image
    assert 'createImage' not in env.cloud.calls
    assert base_image in env.cloud.objects['image']   # the user's image stays


def test_image_copy_of_a_deleted_base_image_fails_clearly(env, disk):
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    del env.cloud.objects['image'][
        env.cloud.objects['server'][sid]['image']['id']]
    action = data.get('server', 'image_copy')
    node = fakes.node('server', sid)
    state = action.capture(env.ctx, node)
    with pytest.raises(exception.DataActionFailed,
                       match='no longer exists'):
        action.transfer(env.ctx, node, state)


def test_template_only_records_no_data(env):
    action = data.get('server', 'template_only')
    node = fakes.node('server', 'server-9')
    assert action.estimate(env.ctx, node) == 0
    _state, record = _run(env, action, node)
    assert record['kind'] == 'none' and record['chunks'] == []
    assert env.cloud.calls == []


def test_prepare_waits_for_novas_upload_and_moves_no_byte(env, disk):
    # The wait the workflow keeps out of its transfer slots.
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    node = fakes.node('server', sid)
    action = data.get('server', 'image_snapshot')
    state = action.capture(env.ctx, node)
    image = env.cloud.objects['image'][state['image_id']]
    assert image['status'] == 'saving'
    action.prepare(env.ctx, node, state)
    assert image['status'] == 'active'
    assert env.progress == [] and env.cloud.downloads == 0
    reads = env.cloud.calls.count('GET image')
    record = action.transfer(env.ctx, node, state)
    # Active already: one read of the image before the download.
    assert env.cloud.calls.count('GET image') == reads + 1
    assert fakes.stored_bytes(env, record) == disk
    action.cleanup(env.ctx, node, state)
    assert env.cloud.alive('image') == []
