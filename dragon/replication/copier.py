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

"""Copies one complete checkpoint from one Swift to another, completion mark last.

The target ends with what the primary holds, in the same order the
primary wrote it: the checkpoint's container (with its owner metadata,
never the completion mark), then the chunks the target lacks, then the
container's other objects, the manifest, and only then the completion
mark.  A copy cut short at any point is an incomplete container: never
listed as a recovery point, and resumed by the next copy.

Objects are copied raw, body and ``X-Object-Meta-*`` headers, streamed in
pieces of ``PIECE`` bytes, never parsed: a chunk is whatever bytes the
primary stored (compressed or encrypted).  Each PUT carries the source's
md5 as its ETag, so the target Swift refuses a body that differs (422);
a chunk or object already at the target with the source's size and md5
(from one container listing each side, not a HEAD per chunk) is not
copied again.
"""

import concurrent.futures
import dataclasses
import threading
from typing import Any, Callable, Iterator

from oslo_log import log as logging
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks as chunks_mod
from dragon.checkpoint import gc
from dragon.checkpoint import listing as listing_mod
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon import exception

LOG = logging.getLogger(__name__)

# Bytes read from the source and written to the target at a time: memory
# per copy in flight.
PIECE = 1024 * 1024
ATTEMPTS = 3
_OBJECT_META = 'x-object-meta-'
_CONTAINER_META = 'x-container-meta-dragon-'
# Written after the manifest, as at the primary (store.CheckpointWriter).
_MARKS = tuple(_CONTAINER_META + key for key in (
    store.COMPLETE, store.CHECKPOINT_ID, store.SIZE, store.REGION,
    store.FORMAT_VERSION))


@dataclasses.dataclass
class CopyResult:
    """What one copy did."""

    container: str
    copied_chunks: int = 0
    present_chunks: int = 0
    copied_objects: int = 0
    present_objects: int = 0
    # Done so far (copied or found at the target), of the total.
    bytes_copied: int = 0
    bytes_total: int = 0
    # Of bytes_copied, found at the target already.
    bytes_present: int = 0


class _Thread(threading.local):
    source: Any = None
    target: Any = None


class Copier:
    """Copies checkpoint ``container`` of ``project_id`` to the target.

    :param source: returns a Swift connection to the primary's account
        (called once per thread: connections are not shared).
    :param target: the same for the target region's account.
    :param workers: objects copied at the same time.
    :param progress: called with the bytes copied so far (or found
        present) and the total, from the copying threads.
    :param stale: ``gc.stale_mark``: the target's collection mark older
        than this is a crashed collector's.
    :param throttle: a ``bandwidth.Throttle`` every byte sent to the
        target goes through (``None``: no cap).
    """

    def __init__(self, source: Callable[[], Any], target: Callable[[], Any],
                 project_id: str, container: str, workers: int,
                 progress: Callable[[int, int], None] | None = None,
                 stale: Any = None, throttle: Any = None) -> None:
        self._source_factory = source
        self._target_factory = target
        self.project_id = project_id
        self.container = container
        self.workers = max(1, workers)
        self.progress = progress or (lambda done, total: None)
        self.stale = stale
        self.throttle = throttle
        self._local = _Thread()
        self._lock = threading.Lock()
        self.result = CopyResult(container)

    def _source(self) -> Any:
        if self._local.source is None:
            self._local.source = self._source_factory()
        return self._local.source

    def _target(self) -> Any:
        if self._local.target is None:
            self._local.target = self._target_factory()
        return self._local.target

    # -- the whole copy
    def run(self) -> CopyResult:
        """Copy the checkpoint; a no-op if the target already has it whole.

        :raises dragon.exception.CheckpointStoreError: a Swift call failed.
        :raises dragon.exception.RecoveryPointNotFound: the source is not a
            complete checkpoint (deleted meanwhile).
        :raises dragon.exception.ChunkGcRunning: the target's chunks are
            being collected; try again later.
        """
        source_meta = self._head(self._source(), self.container)
        if source_meta is None or not source_meta.get(
                _CONTAINER_META + store.COMPLETE):
            raise exception.RecoveryPointNotFound(
                container=self.container, missing='its completion mark')
        target_meta = self._head(self._target(), self.container)
        manifest = store.read_manifest(self._source(), self.container)
        chunk_container = (manifest.get('chunk_container')
                           or naming.chunk_container(self.project_id))
        names = sorted(manifest_mod.chunk_names(manifest))
        source_objects = self._listing(self._source(), self.container)
        self.result.bytes_total = sum(o['bytes'] for o in
                                      source_objects.values())
        if target_meta is not None and target_meta.get(
                _CONTAINER_META + store.COMPLETE):
            self.result.bytes_total += self._chunks_size(chunk_container,
                                                         names)
            self.result.bytes_copied = self.result.bytes_total
            self.result.bytes_present = self.result.bytes_total
            self.progress(self.result.bytes_copied, self.result.bytes_total)
            return self.result
        if target_meta is None:
            # Created with who and when, not complete: the primary's order.
            store.swift_call('create', self.container, self._target().put_container,
                       self.container, headers=_owner_headers(source_meta))
        if self.stale is not None:
            gc.check_not_collecting(self._target(), self.project_id,
                                    self.stale)
        self._copy_chunks(chunk_container, names)
        target_objects = self._listing(self._target(), self.container)
        rest = sorted(n for n in source_objects if n != store.MANIFEST)
        self._copy_all(self.container, rest, source_objects, target_objects)
        # The manifest, then the mark: each only once all before it are in.
        self._copy_all(self.container, [store.MANIFEST], source_objects,
                       target_objects)
        self._verify(source_objects)
        store.swift_call('POST', self.container, self._target().post_container,
                   self.container, headers={
                       key: value for key, value in source_meta.items()
                       if key.lower() in _MARKS})
        return self.result

    def _chunks_size(self, container: str, names: list[str]) -> int:
        listing = listing_mod.ChunkListing(self._source, container)
        return sum((listing.get(n) or listing_mod.Stored(0, '')).size
                   for n in names)

    def _copy_chunks(self, container: str, names: list[str]) -> None:
        store.swift_call('create', container, self._target().put_container,
                   container)
        source = listing_mod.ChunkListing(self._source, container)
        target = listing_mod.ChunkListing(self._target, container)
        todo = []
        for name in names:
            stored = source.get(name)
            if stored is None:
                raise exception.CheckpointStoreError(
                    operation='GET', container=container,
                    reason='chunk %s of the checkpoint is missing at the '
                           'source' % name)
            self.result.bytes_total += stored.size
            if target.get(name) == stored:
                self.result.present_chunks += 1
                self._advance(stored.size, present=True)
            else:
                todo.append((chunks_mod.ChunkStore.object_name(name), stored))
        self._parallel(container, todo, chunk=True)

    def _copy_all(self, container: str, names: list[str],
                  source: dict[str, dict], target: dict[str, dict]) -> None:
        todo = []
        for name in names:
            entry = source[name]
            stored = listing_mod.Stored(entry['bytes'], entry['hash'])
            there = target.get(name)
            if there and listing_mod.Stored(there['bytes'],
                                            there['hash']) == stored:
                self.result.present_objects += 1
                self._advance(stored.size, present=True)
            else:
                todo.append((name, stored))
        self._parallel(container, todo, chunk=False)

    def _parallel(self, container: str,
                  todo: list[tuple[str, listing_mod.Stored]],
                  chunk: bool) -> None:
        if not todo:
            return
        failed = threading.Event()

        def done(future: concurrent.futures.Future) -> None:
            if not future.cancelled() and future.exception() is not None:
                failed.set()
            window.release()

        with concurrent.futures.ThreadPoolExecutor(
                max_workers=min(self.workers, len(todo)),
                thread_name_prefix='replicate') as pool:
            # At most ``workers`` copies queued past the running ones:
            # memory stays ``2 * workers * PIECE`` whatever the size.
            window = threading.BoundedSemaphore(2 * self.workers)
            futures = []
            for name, stored in todo:
                window.acquire()
                if failed.is_set():
                    # One object failed all its attempts (the target
                    # gone, most often): the copy fails now rather than
                    # after trying every object left; the next attempt
                    # resumes from what got there.
                    window.release()
                    break
                future = pool.submit(self._copy_one, container, name, stored)
                future.add_done_callback(done)
                futures.append(future)
            for future in futures:
                if failed.is_set():
                    future.cancel()
            for future in futures:
                if not future.cancelled():
                    future.result()
        with self._lock:
            if chunk:
                self.result.copied_chunks += len(todo)
            else:
                self.result.copied_objects += len(todo)

    # -- one object
    def _copy_one(self, container: str, name: str,
                  stored: listing_mod.Stored) -> None:
        for attempt in range(ATTEMPTS):
            try:
                self._stream(container, name, stored)
                break
            except swift_exc.ClientException as e:
                if attempt == ATTEMPTS - 1:
                    raise exception.CheckpointStoreError(
                        operation='copy ' + name, container=container,
                        reason=e.http_status or e.msg)
                LOG.info("copy of %s/%s failed (%s); trying again",
                         container, name, e.http_status or e.msg)
                # A fresh connection: the failed one may be broken.
                self._local.source = self._local.target = None
        self._advance(stored.size)

    def _stream(self, container: str, name: str,
                stored: listing_mod.Stored) -> None:
        headers, body = self._source().get_object(container, name,
                                                  resp_chunk_size=PIECE)
        etag = listing_mod._etag(headers.get('etag'))
        if etag != stored.md5:
            raise swift_exc.ClientException(
                'changed at the source while copied', http_status=409)
        extra = {key: value for key, value in headers.items()
                 if key.lower().startswith(_OBJECT_META)}
        self._target().put_object(
            container, name, _Reader(body, self.throttle),
            content_length=stored.size,
            etag=stored.md5, content_type=headers.get('content-type'),
            headers=extra)

    # -- helpers
    def _advance(self, size: int, present: bool = False) -> None:
        with self._lock:
            self.result.bytes_copied += size
            if present:
                self.result.bytes_present += size
            done, total = self.result.bytes_copied, self.result.bytes_total
        self.progress(done, total)

    def _verify(self, source: dict[str, dict]) -> None:
        """Every object of the container is at the target with its md5."""
        target = self._listing(self._target(), self.container)
        for name, entry in source.items():
            there = target.get(name)
            if not there or there['hash'] != entry['hash']:
                raise exception.CheckpointStoreError(
                    operation='verify ' + name, container=self.container,
                    reason='the copy differs from the source')

    def _listing(self, swift: Any, container: str) -> dict[str, dict]:
        try:
            _h, objects = swift.get_container(container, full_listing=True)
        except swift_exc.ClientException as e:
            if e.http_status == 404:
                return {}
            raise exception.CheckpointStoreError(
                operation='GET', container=container,
                reason=e.http_status or e.msg)
        return {o['name']: dict(o, hash=listing_mod._etag(o.get('hash')),
                                bytes=int(o['bytes'])) for o in objects}

    @staticmethod
    def _head(swift: Any, container: str) -> dict[str, str] | None:
        try:
            headers = swift.head_container(container)
        except swift_exc.ClientException as e:
            if e.http_status == 404:
                return None
            raise exception.CheckpointStoreError(
                operation='HEAD', container=container,
                reason=e.http_status or e.msg)
        return {key.lower(): value for key, value in headers.items()}


def _owner_headers(meta: dict[str, str]) -> dict[str, str]:
    """The container's Dragon metadata minus what makes it a recovery point."""
    return {key: value for key, value in meta.items()
            if key.startswith(_CONTAINER_META) and key not in _MARKS}


class _Reader:
    """A file-like view of the source body's pieces, read as they come.

    swiftclient sends a body with ``read`` as exactly ``content_length``
    bytes (a plain iterator would go chunked, which Swift refuses beside
    a length); only one piece is held at a time.  With a ``throttle``,
    each read waits for its share of the engine's bandwidth cap.
    """

    def __init__(self, pieces: Iterator[bytes], throttle: Any = None) -> None:
        self._pieces = iter(pieces)
        self._buffer = b''
        self._throttle = throttle

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        if self._throttle is not None:
            self._throttle.take(len(out))
        return out
