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

"""Volume data actions: snapshot_data, replicated, template_only."""
import os

from keystoneauth1 import exceptions as ks_exc
import pytest

from dragon import exception
from dragon.protection import data
from tests.unit.protection.data import fakes

GiB = 1024 ** 3


@pytest.fixture
def volume_bytes():
    """Known bytes at a few offsets of a mostly-zero volume."""
    out = bytearray(64 * 1024)
    for offset in (0, 20480, 51200):   # each inside one 1 KiB chunk
        out[offset:offset + 1000] = os.urandom(1000)
    return bytes(out)


def _temporaries(cloud):
    return {kind: [o['id'] for o in cloud.alive(kind)]
            for kind in ('image', 'volume', 'snapshot')}


NOTHING = {'image': [], 'volume': [], 'snapshot': []}


def test_snapshot_data_streams_the_volume_and_removes_every_temporary(
        env, volume_bytes):
    vid = env.cloud.add_volume(fakes.pieces_of(volume_bytes), status='in-use')
    node = fakes.node('volume', vid)
    action = data.get('volume', 'snapshot_data')
    assert action.estimate(env.ctx, node) == GiB
    state = action.capture(env.ctx, node)
    snapshot = env.cloud.objects['snapshot'][state['snapshot_id']]
    assert snapshot['force'] is True and snapshot['status'] == 'available'
    record = action.transfer(env.ctx, node, state)
    assert {'snapshot_id', 'volume_id', 'image_id'} <= set(state)
    action.cleanup(env.ctx, node, state)
    deletes = [c for c in env.cloud.calls if c.startswith('DELETE')]
    action.cleanup(env.ctx, node, state)      # twice is fine
    assert _temporaries(env.cloud) == NOTHING
    assert record['kind'] == 'volume' and record['action'] == 'snapshot_data'
    assert fakes.stored_bytes(env, record) == volume_bytes
    assert record['size'] == len(volume_bytes)
    # Only the chunks holding the known bytes are uploaded.
    assert record['uploaded_bytes'] == 3 * 1024
    assert record['zero_chunks'] == 61
    assert record['volume']['size_gib'] == 1
    assert record['volume']['volume_type'] == 'file'
    # Image first, then the temporary volume, then the snapshot.
    assert deletes == ['DELETE image', 'DELETE volume', 'DELETE snapshot']


def test_an_available_volume_is_snapshotted_without_force(env, volume_bytes):
    vid = env.cloud.add_volume(fakes.pieces_of(volume_bytes))
    action = data.get('volume', 'snapshot_data')
    node = fakes.node('volume', vid)
    state = action.capture(env.ctx, node)
    assert env.cloud.objects['snapshot'][state['snapshot_id']][
        'force'] is False
    action.cleanup(env.ctx, node, state)
    assert _temporaries(env.cloud) == NOTHING


@pytest.mark.parametrize('failure', [
    'POST snapshot', 'snapshot error', 'POST volume', 'volume error',
    'os-volume_upload_image', 'image killed', 'download breaks',
    'GET image'])
def test_snapshot_data_cleans_up_whatever_step_fails(env, volume_bytes,
                                                     failure):
    vid = env.cloud.add_volume(fakes.pieces_of(volume_bytes))
    node = fakes.node('volume', vid)
    action = data.get('volume', 'snapshot_data')
    if failure.endswith(('error', 'killed')):
        kind, status = failure.split()
        env.cloud.final_status[kind] = status
    elif failure == 'download breaks':
        env.cloud.broken_download = True
    else:
        env.cloud.fail_call[failure] = ks_exc.InternalServerError()
    state = {}
    with pytest.raises(exception.DataActionFailed) as caught:
        state = action.capture(env.ctx, node)
        action.transfer(env.ctx, node, state)
    env.cloud.final_status.clear()
    env.cloud.fail_call.clear()
    action.cleanup(env.ctx, node, state)
    assert _temporaries(env.cloud) == NOTHING
    assert vid in str(caught.value)


def test_keep_snapshot_keeps_it_only_after_a_complete_transfer(env,
                                                              volume_bytes):
    vid = env.cloud.add_volume(fakes.pieces_of(volume_bytes))
    node = fakes.node('volume', vid, options={'keep_snapshot': True})
    action = data.get('volume', 'snapshot_data')
    state = action.capture(env.ctx, node)
    action.transfer(env.ctx, node, state)
    action.cleanup(env.ctx, node, state)
    assert _temporaries(env.cloud) == dict(NOTHING,
                                           snapshot=[state['snapshot_id']])
    env.cloud.final_status['image'] = 'killed'
    failed = action.capture(env.ctx, node)
    with pytest.raises(exception.DataActionFailed):
        action.transfer(env.ctx, node, failed)
    action.cleanup(env.ctx, node, failed)
    assert failed['snapshot_id'] not in env.cloud.objects['snapshot']


def test_a_failing_delete_is_reported_and_the_rest_still_removed(
        env, volume_bytes):
    vid = env.cloud.add_volume(fakes.pieces_of(volume_bytes))
    node = fakes.node('volume', vid)
    action = data.get('volume', 'snapshot_data')
    state = action.capture(env.ctx, node)
    action.transfer(env.ctx, node, state)
    env.cloud.fail_call['DELETE image'] = ks_exc.InternalServerError()
    with pytest.raises(exception.DataActionFailed, match=state['image_id']):
        action.cleanup(env.ctx, node, state)
    assert _temporaries(env.cloud) == dict(NOTHING, image=[state['image_id']])
    assert any(level == 'error' for level, _m in env.events)


def test_a_volume_stuck_creating_times_out(env, volume_bytes):
    env.conf.set_override('volume_timeout', 1, group='protection')
    env.conf.set_override('delete_timeout', 1, group='protection')
    env.conf.set_override('poll_interval', 0.05, group='protection')
    vid = env.cloud.add_volume(fakes.pieces_of(volume_bytes))
    node = fakes.node('volume', vid)
    action = data.get('volume', 'snapshot_data')
    env.cloud.final_status['snapshot'] = 'creating'
    with pytest.raises(exception.ResourceTimeout, match='snapshot'):
        action.capture(env.ctx, node)


def test_replicated_records_the_volume_only(env):
    vid = env.cloud.add_volume(fakes.pieces_of(b''))
    node = fakes.node('volume', vid)
    action = data.get('volume', 'replicated')
    state = action.capture(env.ctx, node)
    record = action.transfer(env.ctx, node, state)
    action.cleanup(env.ctx, node, state)
    assert record['kind'] == 'replicated' and record['chunks'] == []
    assert record['volume']['size_gib'] == 1
    assert [level for level, _m in env.events] == ['warning']  # not enabled


def test_volume_template_only_records_no_data(env):
    action = data.get('volume', 'template_only')
    node = fakes.node('volume', 'volume-7')
    record = action.transfer(env.ctx, node, action.capture(env.ctx, node))
    assert record['kind'] == 'none' and env.cloud.calls == []


@pytest.mark.parametrize('action_name',
                         ['snapshot_data', 'cinder_backup', 'replicated'])
def test_a_volume_cinder_encrypts_is_refused_before_anything_is_made(
        env, action_name):
    # Retyped to an encrypted type after it became a member: its data
    # would be recovered as ciphertext no one can open at the other site.
    vid = env.cloud.add_volume(fakes.pieces_of(b'secret'))
    env.cloud.objects['volume'][vid].update(encrypted=True,
                                            volume_type='luks')
    node = fakes.node('volume', vid)
    action = data.get('volume', action_name)
    with pytest.raises(exception.DataActionFailed,
                       match='encrypted by Cinder .volume type luks.'):
        action.capture(env.ctx, node)
    assert _temporaries(env.cloud) == NOTHING
    assert env.cloud.objects['backup'] == {}


def test_prepare_makes_the_image_and_transfer_only_streams_it(
        env, volume_bytes):
    # What the workflow runs outside its transfer slots: Cinder's volume
    # and upload; the transfer then creates nothing more.
    vid = env.cloud.add_volume(fakes.pieces_of(volume_bytes))
    node = fakes.node('volume', vid)
    action = data.get('volume', 'snapshot_data')
    state = action.capture(env.ctx, node)
    action.prepare(env.ctx, node, state)
    assert env.cloud.objects['image'][state['image_id']]['status'] == \
        'active'
    made = _temporaries(env.cloud)
    assert env.progress == []
    creates = len([c for c in env.cloud.calls if c.startswith('POST')])
    record = action.transfer(env.ctx, node, state)
    assert len([c for c in env.cloud.calls if c.startswith('POST')]) == \
        creates
    assert _temporaries(env.cloud) == made
    assert fakes.stored_bytes(env, record) == volume_bytes
    action.cleanup(env.ctx, node, state)
    assert _temporaries(env.cloud) == NOTHING
