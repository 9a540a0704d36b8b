"""ChunkStore: dedup, zero chunks, compression, verification (Swift faked)."""
import io
import os

import pytest
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks
from tests.unit.checkpoint import fake_swift


class FakeSwift:
    def __init__(self, objects):
        self.objects = objects
        self.puts = 0

    def head_object(self, container, name):
        if (container, name) not in self.objects:
            raise swift_exc.ClientException('not found', http_status=404)
        return {}

    def get_container(self, container, marker=None, limit=None):
        return fake_swift.listing(
            {n: b for (c, n), b in self.objects.items() if c == container},
            marker=marker, limit=limit)

    def put_object(self, container, name, body, content_length, headers,
                   etag=None):
        assert len(body) == content_length
        fake_swift.check_etag(body, etag)
        self.objects[(container, name)] = bytes(body)
        self.puts += 1

    def get_object(self, container, name):
        return {}, self.objects[(container, name)]


@pytest.fixture
def store():
    objects = {}
    return chunks.ChunkStore(lambda: FakeSwift(objects), 'chunks',
                             chunk_size=1024, workers=3), objects


def test_round_trip_dedup_and_zero_chunks(store):
    chunk_store, objects = store
    data = os.urandom(3072) + bytes(2048) + os.urandom(100)
    first = chunk_store.put_stream(io.BytesIO(data))
    assert first.size == len(data)
    assert first.zero_chunks == 2
    assert b''.join(chunk_store.iter_stream(first.chunks)) == data
    second = chunk_store.put_stream(io.BytesIO(data))
    assert second.uploaded_bytes == 0
    assert second.reused_chunks == len(second.chunks) - 2
    assert second.sha256 == first.sha256


def test_a_corrupted_chunk_is_detected(store):
    chunk_store, objects = store
    result = chunk_store.put_stream(io.BytesIO(os.urandom(2048)))
    key = next(iter(objects))
    objects[key] = b'x' + objects[key][1:]
    with pytest.raises(chunks.ChecksumMismatch):
        list(chunk_store.iter_stream(result.chunks))


def test_compressible_chunks_are_zstd_and_incompressible_stay_plain(conf):
    from tests.unit.checkpoint.fake_swift import FakeAccount
    account = FakeAccount()
    conf.set_override('chunk_size_mib', 1, group='checkpoint')
    store = chunks.project_store(account.connect, 'proj', conf)
    store.ensure_container()
    text = (b'all work and no play ' * 100000)[:2 * 1024 * 1024]
    noise = os.urandom(1024 * 1024)
    result = store.put_stream(io.BytesIO(text + noise))
    assert [r.compression for r in result.chunks] == ['zstd', 'zstd', 'none']
    assert result.uploaded_bytes < len(text) // 10 + len(noise) + 1024
    assert b''.join(store.iter_stream(result.chunks)) == text + noise
    # A dedup hit reports how the chunk is really stored.
    conf.set_override('compression', 'none', group='checkpoint')
    again = chunks.project_store(account.connect, 'proj', conf).put_stream(
        io.BytesIO(text + noise))
    assert again.uploaded_bytes == 0
    assert [r.compression for r in again.chunks] == ['zstd', 'zstd', 'none']


def test_a_corrupted_compressed_chunk_is_detected(conf):
    from tests.unit.checkpoint.fake_swift import FakeAccount
    account = FakeAccount()
    conf.set_override('chunk_size_mib', 1, group='checkpoint')
    store = chunks.project_store(account.connect, 'proj', conf)
    store.ensure_container()
    result = store.put_stream(io.BytesIO(b'all work and no play ' * 50000))
    assert result.chunks[0].compression == 'zstd'
    objects = account.containers[store.container]['objects']
    name = store.object_name(result.chunks[0].sha256)
    body, headers = objects[name]
    objects[name] = (b'rotten' + body[6:], headers)
    with pytest.raises(chunks.ChecksumMismatch) as e:
        list(store.iter_stream(result.chunks))
    assert 'does not decompress' in str(e.value)


def test_progress_is_reported_per_stored_chunk_and_a_failure_stops_reading():
    objects, seen = {}, []

    class Failing(FakeSwift):
        def put_object(self, container, name, body, content_length, headers,
                       etag=None):
            if len(objects) >= 2:
                raise RuntimeError('swift is gone')
            super().put_object(container, name, body, content_length, headers,
                               etag)

    store = chunks.ChunkStore(lambda: Failing(objects), 'c', chunk_size=1024,
                              workers=1)

    class Reader(io.BytesIO):
        reads = 0

        def read(self, size=-1):
            Reader.reads += 1
            return super().read(size)

    reader = Reader(os.urandom(1024 * 100))
    with pytest.raises(RuntimeError):
        store.put_stream(reader, progress=seen.append)
    assert seen == [1024, 1024]
    assert Reader.reads < 10


def test_zero_detection_is_exact():
    store = chunks.ChunkStore(lambda: FakeSwift({}), 'c', chunk_size=8)
    result = store.put_stream(io.BytesIO(bytes(8) + bytes(7) + b'\x01' +
                                         bytes(3)))
    assert [r.sha256 == chunks.ZERO for r in result.chunks] == [
        True, False, True]


def test_whole_stream_digests_are_computed_in_order(store):
    import hashlib
    chunk_store, _objects = store
    data = os.urandom(10 * 1024 + 17)
    result = chunk_store.put_stream(io.BytesIO(data),
                                    extra_digests=('sha512', 'sha256'))
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.digests == {'sha256': hashlib.sha256(data).hexdigest(),
                              'sha512': hashlib.sha512(data).hexdigest()}


def test_a_failed_read_still_ends_the_digest_thread(store):
    import threading
    chunk_store, _objects = store

    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() >= 2048:
                raise OSError('glance hung up')
            return super().read(size)

    before = threading.active_count()
    with pytest.raises(OSError):
        chunk_store.put_stream(Broken(os.urandom(8192)))
    assert threading.active_count() == before


def test_incompressible_chunks_are_not_compressed_whole():
    # The compressor sees only samples of a random chunk, never the chunk.
    seen = []

    def compressor(block):
        seen.append(len(block))
        import zstandard
        return zstandard.ZstdCompressor(level=3).compress(block)

    store = chunks.ChunkStore(lambda: FakeSwift({}), 'c',
                              chunk_size=1024 * 1024, workers=1,
                              compressor=compressor)
    text = (b'all work and no play ' * 60000)[:1024 * 1024]
    result = store.put_stream(io.BytesIO(os.urandom(1024 * 1024) + text))
    assert [r.compression for r in result.chunks] == ['none', 'zstd']
    assert seen == [3 * 32 * 1024, 3 * 32 * 1024, 1024 * 1024]
