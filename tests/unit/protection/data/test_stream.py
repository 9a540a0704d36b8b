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

"""Streaming images: exact reads, Glance hashes, the index, bounded memory."""
import hashlib
import json
import os
import tracemalloc

import pytest

from dragon import exception
from dragon.protection.data import index
from dragon.protection.data import stream
from tests.unit.protection.data import fakes


def test_reader_returns_exact_blocks_whatever_the_piece_sizes():
    data = os.urandom(10000)
    pieces = [data[:7], data[7:3000], data[3000:3001], data[3001:]]
    seen = []
    reader = stream.ExactReader(iter(pieces), seen.append)
    blocks = list(iter(lambda: reader.read(1024), b''))
    assert [len(b) for b in blocks] == [1024] * 9 + [784]
    assert b''.join(blocks) == data
    assert reader.size == sum(seen) == 10000


def test_reader_refuses_to_read_everything_at_once():
    with pytest.raises(ValueError):
        stream.ExactReader(iter([b'x'])).read()


def _image(env, data, **extra):
    iid = env.cloud.add_image(fakes.pieces_of(data), status='active',
                              **extra)
    return env.cloud._get('image', iid)


def test_an_image_is_stored_verified_and_indexed(env):
    data = os.urandom(5000) + bytes(3000)
    image = _image(env, data)
    node = fakes.node('server', 'server-x')
    fields = stream.store_image(env.ctx, node, image)
    assert fields['size'] == len(data)
    # The bytes are pinned by their chunk names and the list's digest;
    # the whole stream is not hashed a second time.
    assert fields['sha256'] is None
    assert fields['chunk_list_sha256'] == fakes.chunks.chunk_list_sha256(
        fields['chunks'])
    assert fields['zero_chunks'] == 3 and not fields['index_hit']
    assert sum(env.progress) == len(data)
    refs = [fakes.chunks.ChunkRef.from_dict(c) for c in fields['chunks']]
    assert b''.join(env.store.iter_stream(refs)) == data
    assert fields['image'] == {
        'disk_format': 'raw', 'container_format': 'bare', 'min_disk': 1,
        'min_ram': 64, 'properties': {'hw_disk_bus': 'virtio'}}
    name = index.object_name('sha512', hashlib.sha512(data).hexdigest())
    assert name.startswith('index/image-sha512/') and name.endswith('.json')
    assert ('chunks', name) in env.objects


def test_an_indexed_image_is_not_downloaded_again(env):
    data = os.urandom(6000)
    node = fakes.node('server', 'server-x')
    first = stream.store_image(env.ctx, node, _image(env, data))
    downloads, puts = env.cloud.downloads, len(env.objects)
    env.progress.clear()
    second = stream.store_image(env.ctx, node, _image(env, data))
    assert env.cloud.downloads == downloads
    assert len(env.objects) == puts
    assert second['index_hit'] and second['uploaded_bytes'] == 0
    assert second['chunks'] == first['chunks']
    assert second['chunk_list_sha256'] == first['chunk_list_sha256']
    assert second['reused_chunks'] == len(second['chunks'])
    assert sum(env.progress) == len(data)
    assert any('index hit' in m for _level, m in env.events)


def test_an_index_entry_whose_chunk_is_gone_is_a_miss(env):
    data = os.urandom(6000)
    node = fakes.node('server', 'server-x')
    first = stream.store_image(env.ctx, node, _image(env, data))
    victim = first['chunks'][2]['sha256']
    del env.objects[('chunks', env.store.object_name(victim))]
    fakes.next_run(env)
    second = stream.store_image(env.ctx, node, _image(env, data))
    assert not second['index_hit']
    assert env.cloud.downloads == 2
    assert second['uploaded_bytes'] == 1024   # only the missing chunk
    assert ('chunks', env.store.object_name(victim)) in env.objects


def test_an_index_entry_whose_chunk_is_damaged_is_a_miss_and_repaired(env):
    """Same length, other bytes: the image is read again, the chunk stored."""
    data = os.urandom(6000)
    node = fakes.node('server', 'server-x')
    first = stream.store_image(env.ctx, node, _image(env, data))
    victim = ('chunks', env.store.object_name(first['chunks'][1]['sha256']))
    good = env.objects[victim]
    env.objects[victim] = bytes(b ^ 1 for b in good)
    fakes.next_run(env)
    env.heads.clear()
    second = stream.store_image(env.ctx, node, _image(env, data))
    assert not second['index_hit'] and env.cloud.downloads == 2
    assert second['uploaded_bytes'] == 1024
    assert env.objects[victim] == good
    assert second['chunks'] == first['chunks']
    assert any(level == 'warning' and '1 chunks were damaged' in m
               for level, m in env.events)
    # one listing served the index lookup and the store: no HEAD at all
    assert env.heads == ['LIST chunks']


def test_an_index_hit_costs_one_listing(env):
    data = os.urandom(6000)
    node = fakes.node('server', 'server-x')
    stream.store_image(env.ctx, node, _image(env, data))
    fakes.next_run(env)
    env.heads.clear()
    assert stream.store_image(env.ctx, node, _image(env, data))['index_hit']
    assert env.heads == ['LIST chunks']


@pytest.mark.parametrize('lie, message', [
    ({'os_hash_value': 'bad'}, 'sha512'),
    ({'size': 1}, 'size'),
])
def test_bytes_that_differ_from_glance_fail(env, lie, message):
    image = _image(env, os.urandom(3000))
    image.update(lie)
    with pytest.raises(exception.DataVerificationFailed, match=message):
        stream.store_image(env.ctx, fakes.node('server', 's'), image)
    assert not any(n.startswith('index/') for _c, n in env.objects)


def test_an_image_without_a_glance_hash_is_stored_without_index(env):
    image = _image(env, os.urandom(3000), os_hash_algo=None,
                   os_hash_value=None)
    fields = stream.store_image(env.ctx, fakes.node('server', 's'), image)
    assert fields['size'] == 3000
    assert not any(n.startswith('index/') for _c, n in env.objects)


def test_memory_stays_bounded_while_a_large_image_streams(env):
    """64 MiB stream, 1 MiB chunks: peak memory is a few chunks."""
    mib = 1024 * 1024
    env.ctx.chunks, objects, _heads = fakes.chunk_store(chunk_size=mib,
                                                        workers=2)
    piece = os.urandom(64 * 1024)
    image = _image(env, b'')
    env.cloud.data[image['id']] = fakes.repeated(piece, 1024)
    digest = hashlib.sha512()
    for _ in range(1024):
        digest.update(piece)
    image.update(size=64 * mib, os_hash_value=digest.hexdigest())
    tracemalloc.start()
    try:
        fields = stream.store_image(env.ctx, fakes.node('server', 's'), image)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fields['size'] == 64 * mib
    assert fields['uploaded_bytes'] == mib     # every chunk is the same
    assert peak < 10 * mib, 'peak %d bytes for a 64 MiB stream' % peak


def _relisted(body: bytes) -> bytes:
    """An entry whose chunk list no longer hashes to its digest."""
    entry = json.loads(body)
    entry['chunks'] = entry['chunks'][1:] + entry['chunks'][:1]
    return json.dumps(entry).encode()


@pytest.mark.parametrize('damage', [
    lambda body: b'not json',
    lambda body: body.replace(b'"version": 3', b'"version": 99'),
    _relisted,
])
def test_an_unreadable_index_entry_is_a_miss(env, damage):
    data = os.urandom(3000)
    node = fakes.node('server', 's')
    stream.store_image(env.ctx, node, _image(env, data))
    name = ('chunks', index.object_name(
        'sha512', hashlib.sha512(data).hexdigest()))
    env.objects[name] = damage(env.objects[name])
    again = stream.store_image(env.ctx, node, _image(env, data))
    assert not again['index_hit'] and env.cloud.downloads == 2
    assert json.loads(env.objects[name])['version'] == index.VERSION


def test_a_version_2_index_entry_is_still_a_hit(env):
    """Entries written before chunk_list_sha256 carry the stream's sha256."""
    data = os.urandom(3000)
    node = fakes.node('server', 's')
    first = stream.store_image(env.ctx, node, _image(env, data))
    name = ('chunks', index.object_name(
        'sha512', hashlib.sha512(data).hexdigest()))
    entry = json.loads(env.objects[name])
    del entry['chunk_list_sha256']
    entry.update(version=2, sha256=hashlib.sha256(data).hexdigest())
    env.objects[name] = json.dumps(entry).encode()
    fakes.next_run(env)
    again = stream.store_image(env.ctx, node, _image(env, data))
    assert again['index_hit'] and env.cloud.downloads == 1
    assert again['chunk_list_sha256'] == first['chunk_list_sha256']
    assert again['sha256'] is None


def test_an_image_deleted_while_waiting_fails_clearly(env):
    from dragon.protection.data import glance
    with pytest.raises(exception.ResourceFailed, match='deleted'):
        glance.wait_active(env.cloud, 'image-404', timeout=5, interval=0,
                           resource='server web (s)')
