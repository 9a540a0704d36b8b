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

"""Image and volume bytes streamed from the chunk store into Glance, verified."""
import hashlib
import os
import tracemalloc

import pytest

from dragon.checkpoint import chunks
from dragon import exception
from dragon.protection.data import base
from dragon.recovery import restore
from dragon.recovery.restore import images
from tests.unit.protection.data import fakes as data_fakes
from tests.unit.recovery.restore.conftest import CHECKPOINT
from tests.unit.recovery.restore.conftest import make_record

MiB = 1024 * 1024


def _volume_bytes():
    """A mostly-zero 64 KiB volume with known bytes in three chunks."""
    out = bytearray(64 * 1024)
    for offset in (0, 20480, 51200):
        out[offset:offset + 1000] = os.urandom(1000)
    return bytes(out)


def _corrupt_one_chunk(env, record):
    ref = next(c for c in record['chunks'] if c['sha256'] != chunks.ZERO)
    name = ('chunks', env.store.object_name(ref['sha256']))
    body = env.objects[name]
    env.objects[name] = bytes([body[0] ^ 0xff]) + body[1:]  # always a change
    return ref


def test_a_volume_is_restored_as_a_raw_image_with_its_bytes(env):
    data = _volume_bytes()
    record = env.record(data)
    result = restore.restore(env.ctx, 'volume_db_1', record)
    image = env.cloud.images[result['image_id']]
    assert image['status'] == 'active'
    assert image['_sha256'] == hashlib.sha256(data).hexdigest()
    assert image['size'] == len(data)
    assert image['name'] == 'dragon-restore-volume_db_1-20261123T101500Z'
    assert (image['disk_format'], image['container_format']) == ('raw',
                                                                 'bare')
    assert image['min_disk'] == 1          # the volume's size in GiB
    assert image['dragon_restore'] == 'rec-1'
    assert image['dragon_restore_key'] == 'volume_db_1'
    assert image['hw_disk_bus'] == 'virtio'
    assert image['visibility'] == 'private'
    assert sum(env.progress) == len(data)
    assert restore.estimate(record) == len(data)


def test_a_server_image_keeps_its_formats_and_properties(env):
    data = os.urandom(5000)
    record = env.record(data, kind=base.IMAGE, action='image_snapshot',
                        image={'disk_format': 'qcow2',
                               'container_format': 'bare', 'min_disk': 2,
                               'min_ram': 128,
                               'properties': {'os_distro': 'cirros',
                                              'hw_rng': True,
                                              'nested': {'a': 1}}})
    result = restore.restore(env.ctx, 'server_web_1', record)
    image = env.cloud.images[result['image_id']]
    assert (image['disk_format'], image['min_disk'], image['min_ram']) == (
        'qcow2', 2, 128)
    # Glance takes string properties only; structured values are dropped.
    assert image['os_distro'] == 'cirros' and image['hw_rng'] == 'True'
    assert 'nested' not in image
    assert image['_sha256'] == hashlib.sha256(data).hexdigest()


def test_errors_name_the_node_when_it_is_given(env):
    record = env.record(_volume_bytes())
    _corrupt_one_chunk(env, record)
    node = data_fakes.node('volume', 'vol-9', key='volume_db_1')
    with pytest.raises(exception.RestoreVerificationFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', record, node=node)
    assert e.value.message.startswith('volume web (vol-9): ')


def test_a_corrupted_chunk_fails_naming_resource_and_checkpoint(env):
    data = _volume_bytes()
    record = env.record(data)
    ref = _corrupt_one_chunk(env, record)
    with pytest.raises(exception.RestoreVerificationFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', record)
    message = e.value.message
    assert message.startswith('volume_db_1: ')
    assert CHECKPOINT in message and ref['sha256'] in message
    assert 'corrupt' in message
    # The half-made image is gone, and it never became active.
    assert env.cloud.images == {}
    assert env.cloud.calls[-1] == 'DELETE image'
    assert 'GET image' not in env.cloud.calls


def _old_record(env, data):
    """A record as Dragon wrote it before chunk_list_sha256 existed."""
    return dict(env.record(data), chunk_list_sha256=None,
                sha256=hashlib.sha256(data).hexdigest())


def test_a_record_older_than_the_chunk_list_digest_still_restores(env):
    data = _volume_bytes()
    result = restore.restore(env.ctx, 'volume_db_1', _old_record(env, data))
    assert env.cloud.images[result['image_id']]['_sha256'] == hashlib.sha256(
        data).hexdigest()


def test_an_old_record_with_a_corrupted_chunk_fails(env):
    record = _old_record(env, _volume_bytes())
    ref = _corrupt_one_chunk(env, record)
    with pytest.raises(exception.RestoreVerificationFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', record)
    assert ref['sha256'] in e.value.message and 'corrupt' in e.value.message
    assert env.cloud.images == {}


def test_a_chunk_list_not_matching_its_digest_is_refused_up_front(env):
    """Chunks intact, list reordered: only the list's digest can tell."""
    data = os.urandom(1024) + os.urandom(1024)
    record = env.record(data)
    first, second = record['chunks'][:2]
    record['chunks'] = [dict(first, sha256=second['sha256']),
                        dict(second, sha256=first['sha256'])]
    with pytest.raises(exception.RestoreVerificationFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', record)
    assert 'the chunk list hashes to' in e.value.message
    assert record['chunk_list_sha256'] in e.value.message
    assert env.cloud.calls == []


@pytest.mark.parametrize('change, words', [
    ({'chunk_list_sha256': None, 'sha256': 'f' * 64},
     'sha256 of the stream is'),
    ({'size': 64 * 1024 + 1}, 'the chunks hold 65536 bytes, 65537 recorded'),
    ({'size': 64 * 1024 - 1}, 'more than the 65535 bytes recorded'),
])
def test_a_wrong_whole_stream_fails_before_glance_has_every_byte(
        env, change, words):
    data = _volume_bytes()
    record = dict(env.record(data), **change)
    with pytest.raises(exception.RestoreVerificationFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', record)
    assert words in e.value.message
    assert 'volume_db_1' in e.value.message and CHECKPOINT in e.value.message
    assert env.cloud.images == {}
    # The last chunk is held back until the whole stream checks out.
    assert max(env.cloud.received.values()) < len(data)


def test_a_missing_chunk_fails_and_removes_the_image(env):
    record = env.record(_volume_bytes())
    ref = next(c for c in record['chunks'] if c['sha256'] != chunks.ZERO)
    del env.objects[('chunks', env.store.object_name(ref['sha256']))]
    with pytest.raises(exception.RestoreVerificationFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', record)
    assert 'a chunk is missing from Swift' in e.value.message
    assert env.cloud.images == {}


def test_swift_failing_to_serve_a_chunk_is_no_verification_failure(env):
    from swiftclient import exceptions as swift_exc
    record = env.record(_volume_bytes())

    def unavailable(ref):
        raise swift_exc.ClientException('busy', http_status=503)
    env.store.read_chunk = unavailable
    with pytest.raises(exception.RecoveryFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', record)
    assert not isinstance(e.value, exception.RestoreVerificationFailed)
    assert e.value.message.startswith(
        'volume_db_1: reading checkpoint %s: Swift: ' % CHECKPOINT)
    assert env.cloud.images == {}


def test_a_record_without_a_digest_is_refused_before_anything_is_made(env):
    record = dict(env.record(_volume_bytes()), sha256=None,
                  chunk_list_sha256=None)
    with pytest.raises(exception.RestoreVerificationFailed):
        restore.restore(env.ctx, 'volume_db_1', record)
    assert env.cloud.calls == []


def test_glance_refusing_the_image_names_the_resource(env):
    from keystoneauth1 import exceptions as ks_exc
    env.cloud.fail_call['POST image'] = ks_exc.Forbidden('quota')
    with pytest.raises(exception.RecoveryFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', env.record(_volume_bytes()))
    assert e.value.message.startswith(
        'volume_db_1: creating the Glance image: ')


def test_an_image_glance_kills_is_deleted(env):
    env.cloud.final_status['image'] = 'killed'
    with pytest.raises(exception.ResourceFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', env.record(_volume_bytes()))
    assert 'killed' in e.value.message
    assert env.cloud.images == {}


def test_glance_storing_other_bytes_than_the_source_fails(env):
    record = env.record(_volume_bytes())
    record['glance_hash'] = {'algo': 'sha512', 'value': 'bad'}
    with pytest.raises(exception.RestoreVerificationFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', record)
    assert "source image's bad" in e.value.message
    assert env.cloud.images == {}


def test_a_failed_delete_of_the_half_image_is_reported_not_masking(env):
    from keystoneauth1 import exceptions as ks_exc
    record = env.record(_volume_bytes())
    _corrupt_one_chunk(env, record)
    env.cloud.fail_call['DELETE image'] = ks_exc.ServiceUnavailable()
    with pytest.raises(exception.RestoreVerificationFailed):
        restore.restore(env.ctx, 'volume_db_1', record)
    assert any('left behind' in message for level, message in env.events
               if level == 'error')


def test_memory_stays_bounded_whatever_the_stream_size(conf):
    """A 128 MiB stream in 1 MiB chunks: a few chunks alive at any time."""
    from tests.unit.recovery.restore import fakes
    conf.set_override('poll_interval', 0, group='recovery')
    store, objects, _heads = data_fakes.chunk_store(chunk_size=MiB,
                                                    workers=2)
    # Half zero chunks (made fresh on read), half one stored random block.
    block = os.urandom(MiB)
    data_len = 128 * MiB
    reader = _Pattern(block, data_len)
    result = store.put_stream(reader)
    record = base.record('snapshot_data', base.VOLUME, size=result.size,
                         chunk_list_sha256=result.chunk_list_sha256,
                         chunk_size=MiB,
                         chunks=[c.to_dict() for c in result.chunks],
                         image={}, volume={'size_gib': 1})
    reads, received = [], []
    real_read = store.read_chunk

    def counting_read(ref):
        reads.append(ref.offset)
        return real_read(ref)
    store.read_chunk = counting_read
    cloud = fakes.TargetCloud()
    ahead = []
    cloud.on_piece = lambda piece: (received.append(len(piece)),
                                    ahead.append(len(reads) - len(received)))
    ctx = restore.RestoreContext(clients=cloud, chunks=store, conf=conf)
    tracemalloc.start()
    try:
        restore.restore(ctx, 'volume_big', record)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(received) == data_len and len(reads) == 128
    # Read ahead by at most the store's workers, plus the held-back chunk.
    assert max(ahead) <= store.workers + 1
    assert peak < 10 * MiB, peak


class _Pattern:
    """Reads of alternating zero and ``block`` chunks, nothing kept."""

    def __init__(self, block, size):
        self.block, self.left, self.n = block, size, 0

    def read(self, n):
        if not self.left:
            return b''
        self.left -= n
        self.n += 1
        return self.block if self.n % 2 else bytes(n)


def test_read_ahead_without_depth_is_the_store_stream(env):
    data = _volume_bytes()
    record = make_record(env.store, data)
    refs = [chunks.ChunkRef.from_dict(c) for c in record['chunks']]
    assert b''.join(images.read_ahead(env.store, refs, 0)) == data
    assert b''.join(images.read_ahead(env.store, refs, 3)) == data


def test_an_abandoned_upload_stops_reading_chunks(env):
    """Glance failing mid-stream closes the body: no reads continue."""
    record = env.record(os.urandom(16 * 1024))
    refs = [chunks.ChunkRef.from_dict(c) for c in record['chunks']]
    body = images.UploadBody(
        lambda: images.read_ahead(env.store, refs, 2), record['size'],
        None, 'volume_db_1', CHECKPOINT, lambda n: None)
    stream = iter(body)
    next(stream)
    stream.close()
    assert body.sent == 1024 and body.error is None
    assert repr(body) == '<restore stream of 16384 bytes>'


def test_a_restored_image_fills_the_image_parameter_only():
    assert images.restored_parameter('image', {'image_id': 'i'}) == 'i'
    assert images.restored_parameter('flavor', {'image_id': 'i'}) is None
    assert images.restored_parameter('image', {'volume_id': 'v'}) is None
    assert images.restored_parameter('image', {}) is None


def test_tagged_images_are_the_restored_ones_not_snapshots_inheriting_the_tag():
    """Nova copies a rebuilt server's image properties into its snapshots:
    a snapshot carries the recovery's tag but is not the recovery's image.
    """
    import types
    listed = [
        {'id': 'img-restored', 'name': 'dragon-restore-server_web-1',
         'dragon_restore': 'rec-1'},
        {'id': 'img-snapshot', 'name': 'before-upgrade',
         'dragon_restore': 'rec-1'},
        {'id': 'img-protect', 'name': 'dragon-tmp-cp-1-server_web',
         'dragon_restore': 'rec-1'}]
    asked = []

    def get(path, params=None, raise_exc=True):
        asked.append((path, params))
        return types.SimpleNamespace(status_code=200,
                                     json=lambda: {'images': listed})
    clients = types.SimpleNamespace(
        adapter=lambda service: types.SimpleNamespace(get=get))

    assert images.tagged_images(clients, 'rec-1') == ['img-restored']
    assert asked == [('/v2/images', {'dragon_restore': 'rec-1',
                                     'limit': 1000})]
