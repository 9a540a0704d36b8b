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

"""A Glance image streamed into the chunk store: verified, never whole."""

import hashlib
import time
from typing import Any, Callable, Iterable, Iterator

from dragon.checkpoint import chunks as chunk_mod
from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import glance
from dragon.protection.data import index


class ExactReader:
    """A file-like ``read(n)`` over byte pieces: exact reads, counted.

    The chunk store cuts a stream into chunks at ``read(chunk_size)``
    boundaries, so every read but the last must return exactly ``n``
    bytes whatever sizes the HTTP response delivers; at most ``n`` plus one
    piece is buffered.  (Hashing the whole stream is the chunk store's
    job, off this thread: see ``ChunkStore.put_stream``.)
    """

    def __init__(self, pieces: Iterable[bytes],
                 progress: Callable[[int], None] | None = None):
        self._pieces: Iterator[bytes] = iter(pieces)
        self._progress = progress
        self._held: list[bytes] = []     # pieces not returned yet
        self._held_size = 0
        self._eof = False
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            raise ValueError('HashingReader reads bounded blocks only')
        while self._held_size < n and not self._eof:
            try:
                piece = next(self._pieces)
            except StopIteration:
                self._eof = True
                break
            self._held.append(piece)
            self._held_size += len(piece)
        # One join per block (no copy at all when one piece is the block):
        # a bytearray buffer costs three copies per byte, which shows at
        # a gigabyte per volume.
        joined = (self._held[0] if len(self._held) == 1
                  else b''.join(self._held))
        block, rest = joined[:n], joined[n:]
        self._held = [rest] if rest else []
        self._held_size = len(rest)
        self.size += len(block)
        if self._progress is not None and block:
            self._progress(len(block))
        return block


def _hash_algo(ctx: base.DataContext, image: dict) -> tuple:
    algo, value = image.get('os_hash_algo'), image.get('os_hash_value')
    if not (algo and value):
        return None, None
    if algo not in hashlib.algorithms_available:
        ctx.event('warning', 'image %s: Glance hash algorithm %s is unknown '
                             'here; its bytes are checked by size only' % (
                                 image['id'], algo))
        return None, None
    return algo, value


def _fields(image: dict, result: Any, chunk_size: int, hit: bool) -> dict:
    return {'size': result.size, 'sha256': None,
            'chunk_list_sha256': result.chunk_list_sha256,
            'chunk_size': chunk_size,
            'chunks': [c.to_dict() for c in result.chunks],
            'uploaded_bytes': result.uploaded_bytes,
            'reused_chunks': result.reused_chunks,
            'zero_chunks': result.zero_chunks,
            'image': glance.metadata(image),
            'glance_hash': {'algo': image.get('os_hash_algo'),
                            'value': image.get('os_hash_value')},
            'index_hit': hit}


def _from_index(entry: dict) -> chunk_mod.StreamResult:
    refs = [chunk_mod.ChunkRef.from_dict(c) for c in entry['chunks']]
    zeros = sum(r.sha256 == chunk_mod.ZERO for r in refs)
    return chunk_mod.StreamResult(refs, entry['size'], 0, len(refs) - zeros,
                                  zeros)


def _verify(node: Any, image: dict, result: Any, algo: str | None,
            value: str | None) -> None:
    problems = []
    if image.get('size') is not None and image['size'] != result.size:
        problems.append('size %d, Glance says %d' % (result.size,
                                                     image['size']))
    if algo and result.digests[algo] != value:
        problems.append('%s %s, Glance says %s' % (
            algo, result.digests[algo], value))
    if problems:
        raise exception.DataVerificationFailed(
            resource=base.label(node), what='image', id=image['id'],
            service='Glance', reason='; '.join(problems))


def store_image(ctx: base.DataContext, node: Any, image: dict) -> dict:
    """Put an active image's bytes into ``ctx.chunks``; the record fields.

    An image whose Glance hash is in the project's index (and whose chunks
    all still exist) is not downloaded.  Otherwise the bytes stream from
    ``GET /v2/images/{id}/file`` in ``download_read_size`` reads straight
    into the chunk store, hashed on the way with Glance's algorithm and
    checked against Glance's hash and size before the record is returned.
    That hash stays although the chunk names pin the bytes: it is Glance's
    integrity check of what it served (Dragon's own is
    ``chunk_list_sha256``), and runs on the chunk store's digest thread,
    off the reading one.

    :raises dragon.exception.DataVerificationFailed: bytes differ from
        what Glance reports.
    """
    algo, value = _hash_algo(ctx, image)
    images = index.ImageIndex(ctx.chunks)
    if algo:
        entry = images.lookup(algo, value, image.get('size'))
        if entry is not None:
            ctx.progress(entry['size'])
            ctx.event('info', 'image %s: content already stored (%s index '
                              'hit), not downloaded' % (image['id'], algo))
            return _fields(image, _from_index(entry), entry['chunk_size'],
                           True)
    started = time.monotonic()
    response = glance.open_download(ctx.clients, image['id'])
    try:
        # Progress counts bytes as they are read: the chunk store reports
        # only once the whole stream is cut, and uploads lag reads by at
        # most ``workers + 1`` chunks.
        reader = ExactReader(
            response.iter_content(ctx.protection.download_read_size),
            ctx.progress)
        result = ctx.chunks.put_stream(
            reader, extra_digests=(algo,) if algo else ())
    finally:
        response.close()
    _verify(node, image, result, algo, value)
    if result.repaired_chunks:
        ctx.event('warning', 'image %s: %d chunks were damaged in Swift and '
                             'are stored again (checkpoints sharing them are '
                             'repaired too)' % (image['id'],
                                                result.repaired_chunks))
    if algo:
        images.store_entry(algo, value, result)
    ctx.event('info', 'image %s: %d bytes read in %.1f s, %d uploaded, %d '
                      'chunks already stored, %d zero chunks' % (
                          image['id'], result.size,
                          time.monotonic() - started, result.uploaded_bytes,
                          result.reused_chunks, result.zero_chunks))
    return _fields(image, result, ctx.chunks.chunk_size, False)
