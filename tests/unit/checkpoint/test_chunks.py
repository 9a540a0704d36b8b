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
    assert second.chunk_list_sha256 == first.chunk_list_sha256


def test_a_corrupted_chunk_is_detected(store):
    chunk_store, objects = store
    result = chunk_store.put_stream(io.BytesIO(os.urandom(2048)))
    key = next(iter(objects))
    # Flip the first byte's bits: replacing it with a constant would be no
    # change at all when random data already starts with that constant.
    objects[key] = bytes([objects[key][0] ^ 0xff]) + objects[key][1:]
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
                                    extra_digests=('sha512', 'md5'))
    assert result.digests == {'sha512': hashlib.sha512(data).hexdigest(),
                              'md5': hashlib.md5(data).hexdigest()}


def test_each_byte_is_hashed_once_by_default(store, monkeypatch):
    # The chunk names are the only sha256 over the bytes: no whole-stream
    # digest is computed unless a caller asks for one.
    import hashlib
    chunk_store, _objects = store
    real, hashed = hashlib.sha256, []

    def counting(data=b'', **kwargs):
        hashed.append(len(data))
        return real(data, **kwargs)

    monkeypatch.setattr(chunks.hashlib, 'sha256', counting)
    data = os.urandom(5 * 1024 + 3)
    result = chunk_store.put_stream(io.BytesIO(data))
    assert sum(hashed) == len(data)
    assert result.digests == {}
    assert b''.join(chunk_store.iter_stream(result.chunks)) == data


def test_the_chunk_list_digest_pins_names_lengths_and_order(store):
    import hashlib
    chunk_store, _objects = store
    data = os.urandom(2048) + bytes(1024) + os.urandom(10)
    result = chunk_store.put_stream(io.BytesIO(data))
    lines = ''.join('%s %d\n' % (c.sha256, c.length) for c in result.chunks)
    assert result.chunk_list_sha256 == hashlib.sha256(
        lines.encode()).hexdigest()
    # A record's dicts give the digest of the refs they were made from.
    dicts = [c.to_dict() for c in result.chunks]
    assert chunks.chunk_list_sha256(dicts) == result.chunk_list_sha256
    swapped = [dicts[1], dicts[0]] + dicts[2:]
    shorter = dicts[:-1] + [dict(dicts[-1], length=9)]
    renamed = dicts[:-1] + [dict(dicts[-1], sha256='0' * 64)]
    others = {chunks.chunk_list_sha256(x) for x in (swapped, shorter,
                                                      renamed, dicts[:-1])}
    assert result.chunk_list_sha256 not in others
    assert len(others) == 4


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
        chunk_store.put_stream(Broken(os.urandom(8192)),
                               extra_digests=('md5',))
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


# -- reuse only verified chunks ---------------------------------------------

def _account_store(account, chunk_size=1024, compressor=None, **kw):
    from tests.unit.checkpoint.fake_swift import FakeAccount  # noqa: F401
    store = chunks.ChunkStore(account.connect, 'chunks',
                              chunk_size=chunk_size, workers=2,
                              compressor=compressor,
                              decompressor=chunks._zstd_decompress, **kw)
    store.ensure_container()
    return store


def _requests(account, verb, container='chunks'):
    """Requests on objects of ``container`` (GET: listings of it)."""
    if verb == 'GET':
        return [r for r in account.requests
                if r[:2] == ('GET', container) and not r[2]]
    return [r for r in account.requests
            if r[:2] == (verb, container) and len(r) == 3]


@pytest.mark.parametrize('compressor', [None, chunks._zstd_compress])
def test_a_damaged_chunk_is_stored_again_not_referenced(compressor):
    """Same length, other bytes: the next run writes the chunk again."""
    from tests.unit.checkpoint.fake_swift import FakeAccount
    account = FakeAccount()
    data = (os.urandom(512) * 2 + b'text ' * 1000)[:4096]
    first = _account_store(account, compressor=compressor).put_stream(
        io.BytesIO(data))
    objects = account.containers['chunks']['objects']
    victim = first.chunks[1]
    name = chunks.ChunkStore.object_name(victim.sha256)
    body, headers = objects[name]
    objects[name] = (bytes(b ^ 0xff for b in body), headers)   # same length

    second_store = _account_store(account, compressor=compressor)
    second = second_store.put_stream(io.BytesIO(data))
    assert second.repaired_chunks == 1
    assert second.uploaded_bytes == victim.stored_size
    assert objects[name][0] == body                       # repaired
    assert b''.join(second_store.iter_stream(second.chunks)) == data
    assert [c.md5 for c in second.chunks] == [c.md5 for c in first.chunks]


def test_reuse_costs_one_listing_instead_of_a_head_per_chunk():
    from tests.unit.checkpoint.fake_swift import FakeAccount
    account = FakeAccount()
    data = os.urandom(64 * 1024)                     # 64 chunks
    _account_store(account).put_stream(io.BytesIO(data))
    account.requests.clear()
    again = _account_store(account).put_stream(io.BytesIO(data))
    assert again.reused_chunks == 64 and again.uploaded_bytes == 0
    assert len(_requests(account, 'GET')) == 1
    assert not _requests(account, 'HEAD') and not _requests(account, 'PUT')


def test_a_container_too_large_to_list_is_asked_per_chunk():
    from dragon.checkpoint import listing
    from tests.unit.checkpoint.fake_swift import FakeAccount
    account = FakeAccount()
    data = os.urandom(8 * 1024)
    _account_store(account).put_stream(io.BytesIO(data))
    account.requests.clear()
    store = _account_store(account)
    store.listing = listing.ChunkListing(store._swift, 'chunks', max_pages=0)
    again = store.put_stream(io.BytesIO(data))
    assert again.reused_chunks == 8
    assert len(_requests(account, 'HEAD')) == 8
    assert not _requests(account, 'PUT')


def test_listing_pages_are_followed(monkeypatch):
    from dragon.checkpoint import listing
    from tests.unit.checkpoint.fake_swift import FakeAccount
    monkeypatch.setattr(listing, 'PAGE', 3)
    account = FakeAccount()
    data = os.urandom(10 * 1024)
    _account_store(account).put_stream(io.BytesIO(data))
    account.requests.clear()
    again = _account_store(account).put_stream(io.BytesIO(data))
    assert again.reused_chunks == 10 and again.uploaded_bytes == 0
    assert len(_requests(account, 'GET')) == 4       # 3 + 3 + 3 + 1


def test_a_chunk_compressed_differently_is_read_back_not_rewritten():
    """Another zstd (or compression now off) is not damage."""
    from tests.unit.checkpoint.fake_swift import FakeAccount
    account = FakeAccount()
    data = b'no play ' * 512                      # 4 alike 1 KiB chunks
    first = _account_store(account, compressor=chunks._zstd_compress
                           ).put_stream(io.BytesIO(data))
    assert {c.compression for c in first.chunks} == {'zstd'}
    account.requests.clear()
    again = _account_store(account).put_stream(io.BytesIO(data))  # no zstd
    assert again.uploaded_bytes == 0 and again.repaired_chunks == 0
    assert [c.compression for c in again.chunks] == ['zstd'] * 4
    # the four chunks are alike: read back once, never PUT
    assert not _requests(account, 'PUT')
    assert [r for r in account.requests if r[0] == 'GET' and len(r) == 3
            and r[2].count('/') == 2] == [('GET', 'chunks', chunks.
                                           ChunkStore.object_name(
                                               first.chunks[0].sha256))]


def test_a_chunk_repeated_within_a_run_is_uploaded_once():
    from tests.unit.checkpoint.fake_swift import FakeAccount
    account = FakeAccount()
    block = os.urandom(1024)
    result = _account_store(account).put_stream(io.BytesIO(block * 20))
    assert result.uploaded_bytes == 1024
    assert len(_requests(account, 'PUT')) == 1


def test_chunk_references_record_the_stored_body_and_read_old_ones():
    ref = chunks.ChunkRef(0, 10, 'a' * 64, 'none', 10, 'b' * 32)
    assert chunks.ChunkRef.from_dict(ref.to_dict()) == ref
    old = {'offset': 0, 'length': 10, 'sha256': 'a' * 64,
           'compression': 'none'}
    assert chunks.ChunkRef(0, 10, 'a' * 64).to_dict() == old
    assert chunks.ChunkRef.from_dict({**old, 'future': 1}).md5 is None


class _EtagRecorder(fake_swift.FakeSwift):
    """The fake Swift, noting the ETag each PUT carried."""

    sent: list = []

    def put_object(self, container, name, body, etag=None, **kwargs):
        self.sent.append(etag)
        return super().put_object(container, name, body, etag=etag,
                                  **kwargs)


@pytest.mark.parametrize('setting, url, sends', [
    ('always', 'https://swift.example/v1/AUTH_p', True),
    ('never', 'http://127.0.0.1:8080/v1/AUTH_p', False),
    ('auto', 'http://127.0.0.1:8080/v1/AUTH_p', True),
    ('auto', 'HTTPS://swift.example/v1/AUTH_p', False),
])
def test_upload_md5_sends_the_etag_as_configured(conf, setting, url, sends):
    account = fake_swift.FakeAccount(url=url)
    _EtagRecorder.sent = []
    conf.set_override('chunk_size_mib', 1, group='checkpoint')
    conf.set_override('upload_md5', setting, group='checkpoint')
    store = chunks.project_store(lambda: _EtagRecorder(account), 'proj',
                                 conf)
    store.ensure_container()
    data = os.urandom(3 * 1024 * 1024)

    result = store.put_stream(io.BytesIO(data))

    assert len(_EtagRecorder.sent) == 3
    assert all((etag is not None) == sends for etag in _EtagRecorder.sent)
    # Sent or answered, each reference records the md5 of the stored
    # body, so a verification from the listing holds either way.
    objects = account.containers[store.container]['objects']
    for ref in result.chunks:
        body, _headers = objects[store.object_name(ref.sha256)]
        assert ref.md5 == chunks.md5_hex(body)
    assert b''.join(store.iter_stream(result.chunks)) == data


def test_a_body_changed_on_the_way_is_refused_when_the_md5_is_sent():
    account = fake_swift.FakeAccount()

    class Mangling(fake_swift.FakeSwift):
        def put_object(self, container, name, body, **kwargs):
            return super().put_object(container, name, b'x' + body[1:],
                                      **kwargs)

    store = chunks.ChunkStore(lambda: Mangling(account), 'c',
                              chunk_size=1024, workers=1, send_md5=True)
    store.ensure_container()
    with pytest.raises(swift_exc.ClientException) as refused:
        store.put_stream(io.BytesIO(b'\x01' * 1024))
    assert refused.value.http_status == 422
