"""ChunkStore: dedup, zero chunks, compression, verification (Swift faked)."""
import io
import os

import pytest
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks


class FakeSwift:
    def __init__(self, objects):
        self.objects = objects
        self.puts = 0

    def head_object(self, container, name):
        if (container, name) not in self.objects:
            raise swift_exc.ClientException('not found', http_status=404)
        return {}

    def put_object(self, container, name, body, content_length, headers):
        assert len(body) == content_length
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
