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

"""Content-addressed chunk storage: streams bytes into Swift without holding them.

A stream is cut into fixed-size chunks; each chunk is named by the sha256 of
its plain bytes, so a chunk already in the project's chunk container (from an
earlier checkpoint, or another server booted from the same image) is never
uploaded twice, and all-zero chunks are not stored at all.  Stored chunks may
be zstd-compressed; the object's ``X-Object-Meta-Dragon-Sha256`` and the
manifest entry let anyone verify a chunk without any key.

In an encrypted project (a ``domain``: ``dragon.checkpoint.envelope``)
a chunk is named by an HMAC-SHA256 of its plain bytes under a key derived
from the project's data key instead, and its body (compressed or not) is
sealed with AES-256-GCM bound to that name and its compression.  Sealing
is deterministic (``crypto.seal_chunk``), so everything below holds
unchanged: the md5 Swift lists still tells an intact stored chunk, and
dedup needs no read-back.

A chunk already stored is reused only when Swift holds exactly the body
this store would write: the container listing (``dragon.checkpoint.
listing``) gives its size and md5, compared with those of the plain bytes
(or of their compressed form) at hand.  A damaged chunk is written again,
never referenced; an intact chunk is never rewritten (a compressed body
that differs only because another zstd wrote it is read back and checked
instead).  The size and md5 of the stored body go into the chunk's
reference, so a checkpoint can later be verified from a listing alone.

Each byte is hashed once on the way in: by the sha256 that names its
chunk.  The stream as a whole is pinned by ``chunk_list_sha256``, a sha256
over the ordered chunk names and lengths (kilobytes per gigabyte, not the
gigabyte again): since each name is the hash of the chunk's bytes, it
identifies the stream's bytes as exactly as a sha256 of the stream would.
A digest another service checks the stream with (Glance's ``os_hash_value``
of an image, the md5 ETag of a Swift object) is asked for by the caller
and computed on a thread of its own.

Uploads run on a bounded thread pool with a bounded number of chunks in
flight, and any whole-stream digest on a thread of its own behind a
bounded queue, so memory stays below ``2 * chunk_size * (workers + 1)``
whatever the size of the stream.
"""
import concurrent.futures
import dataclasses
import functools
import hashlib
import queue
import threading
from typing import BinaryIO, Callable, Iterable, Iterator

from oslo_log import log as logging
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import crypto
from dragon.checkpoint import listing as listing_mod

LOG = logging.getLogger(__name__)

ZERO = 'zero'
SHA256_HEADER = 'X-Object-Meta-Dragon-Sha256'
COMPRESSION_HEADER = 'X-Object-Meta-Dragon-Compression'
# The data key (its public id) an encrypted chunk is sealed under.
KEY_ID_HEADER = 'X-Object-Meta-Dragon-Key-Id'


@functools.lru_cache(maxsize=4)
def _zeros(length: int) -> bytes:
    # Comparing with a zero block runs at memory speed; strip() does not.
    return bytes(length)


@dataclasses.dataclass(frozen=True)
class ChunkRef:
    """Where one chunk of a stream lives and how to check it."""

    offset: int
    length: int
    # The chunk's name: the sha256 of its plain bytes (their HMAC in an
    # encrypted project); ZERO for an all-zero chunk.
    sha256: str
    compression: str = 'none'
    # The stored body (after compression) as Swift lists it; ``None`` in
    # references written before Dragon recorded them, and for zero chunks.
    stored_size: int | None = None
    md5: str | None = None

    def to_dict(self) -> dict:
        return {key: value for key, value in dataclasses.asdict(self).items()
                if value is not None}

    @classmethod
    def from_dict(cls, data: dict) -> 'ChunkRef':
        # Keys a newer Dragon adds are not this reader's business: the
        # manifest's feature flags say when they must be understood.
        return cls(**{key: data[key] for key in _REF_FIELDS if key in data})


_REF_FIELDS = tuple(f.name for f in dataclasses.fields(ChunkRef))


def chunk_list_sha256(chunks: Iterable) -> str:
    """The digest that pins a stream: sha256 of its chunks' names and lengths.

    One line ``<name> <length>\n`` per chunk, in stream order (offsets
    follow from the lengths).  A chunk's name is the sha256 of its plain
    bytes (``ZERO`` for zeros, whose bytes the length gives), so two
    streams with the same digest have the same bytes, and a restore that
    checks each chunk against its name and the list against this digest
    has checked the whole stream.

    :param chunks: ``ChunkRef`` objects or their dicts (as in a record).
    """
    digest = hashlib.sha256()
    for chunk in chunks:
        if isinstance(chunk, dict):
            name, length = chunk.get('sha256'), chunk.get('length')
        else:
            name, length = chunk.sha256, chunk.length
        digest.update(('%s %s\n' % (name, length)).encode('utf-8'))
    return digest.hexdigest()


def md5_hex(body: bytes) -> str:
    """The md5 Swift reports as a stored body's ETag."""
    return hashlib.md5(body, usedforsecurity=False).hexdigest()


@dataclasses.dataclass
class StreamResult:
    """What storing one stream did: its chunks and what it cost."""

    chunks: list
    size: int
    uploaded_bytes: int = 0
    reused_chunks: int = 0
    zero_chunks: int = 0
    digests: dict = dataclasses.field(default_factory=dict)
    # Chunks found damaged in Swift and written again.
    repaired_chunks: int = 0

    @property
    def chunk_list_sha256(self) -> str:
        """What pins the stream (see ``chunk_list_sha256``)."""
        return chunk_list_sha256(self.chunks)


class ChecksumMismatch(Exception):
    """A chunk read back does not hash to the name it is stored under."""


class _StreamDigests:
    """Whole-stream hashes a caller asked for, computed beside the reading.

    Such a hash (Glance's own algorithm to check an image download
    against, the md5 a Swift object's ETag gives) must see every byte in
    order, so it cannot run on the upload threads.  In the reading thread it would
    stall the next read for ~1-3 s of CPU per GiB; on a thread of its own it
    overlaps with reading and uploads (hashlib releases the GIL).  A bounded
    queue keeps at most ``depth`` blocks waiting: memory stays bounded.
    """

    _END = object()

    def __init__(self, algos, depth: int):
        self._hashes = {algo: hashlib.new(algo) for algo in algos}
        self._queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='stream-digests')
        self._thread.start()

    def _run(self) -> None:
        while True:
            block = self._queue.get()
            if block is self._END:
                return
            for digest in self._hashes.values():
                digest.update(block)

    def feed(self, block: bytes) -> None:
        self._queue.put(block)

    def finish(self) -> dict:
        """{algo: hexdigest}; waits for the queued blocks."""
        self._queue.put(self._END)
        self._thread.join()
        return {algo: h.hexdigest() for algo, h in self._hashes.items()}


def _sample(block: bytes, pieces: int = 3, size: int = 32 * 1024) -> bytes:
    """A few slices spread over a block: enough to tell if it compresses."""
    if len(block) <= pieces * size:
        return block
    step = (len(block) - size) // (pieces - 1)
    return b''.join(block[i * step:i * step + size] for i in range(pieces))


class ChunkStore:
    """Chunks of one project in one Swift container.

    :param swift: a python-swiftclient ``Connection`` (thread-safe use: one
        per worker is created through ``connection_factory`` if given).
    :param domain: the project's key domain (``envelope.Domain``) when its
        chunks are encrypted; ``None`` for clear chunks.
    :param send_md5: hash each stored body with md5 and send it as the
        ETag (``True``), record the md5 Swift answers instead (``False``),
        or decide by the endpoint: over https TLS already refuses a body
        changed on the way (``None``).
    """

    def __init__(self, connection_factory: Callable, container: str,
                 chunk_size: int = 4 * 1024 * 1024, workers: int = 4,
                 compressor=None, decompressor=None, domain=None,
                 send_md5: bool | None = True):
        self._factory = connection_factory
        self._send_md5 = send_md5
        self._local = threading.local()
        self.container = container
        self.chunk_size = chunk_size
        self.workers = workers
        self._compressor = compressor
        self._decompressor = decompressor
        self.domain = domain
        self.listing = listing_mod.ChunkListing(self._swift, container)
        # sha256 → Event of a chunk being uploaded by one of the threads,
        # so a chunk repeated within a run is uploaded once.
        self._uploading: dict[str, threading.Event] = {}
        self._uploading_lock = threading.Lock()
        # Chunks this run stored or read back whole: reused without more
        # checks (reading a chunk repeated in a volume once is enough).
        self._proven: dict[str, ChunkRef] = {}

    # -- connections: swiftclient connections are not shared between threads
    def _swift(self):
        conn = getattr(self._local, 'conn', None)
        if conn is None:
            conn = self._local.conn = self._factory()
        return conn

    def _sends_md5(self) -> bool:
        """Whether a stored body's md5 is computed here and sent."""
        if self._send_md5 is None:
            conn = self._swift()
            url = conn.url or conn.get_auth()[0]
            self._send_md5 = not url.lower().startswith('https:')
        return self._send_md5

    @staticmethod
    def object_name(sha256: str) -> str:
        # A two-level prefix keeps container listings of one prefix short.
        return '%s/%s/%s' % (sha256[:2], sha256[2:4], sha256)

    def chunk_name(self, block: bytes) -> str:
        """A chunk's name: sha256, or the domain's keyed hash."""
        if self.domain is not None:
            return self.domain.chunk_name(block)
        return hashlib.sha256(block).hexdigest()

    def _encode(self, name: str, body: bytes, compression: str) -> bytes:
        """The body as stored: sealed in an encrypted project."""
        if self.domain is None:
            return body
        return self.domain.seal_chunk(name, body, compression)

    def _stored_len(self, length: int) -> int:
        """The stored size of an uncompressed body of ``length`` bytes."""
        return length + (crypto.OVERHEAD if self.domain is not None else 0)

    def _store(self, offset: int, block: bytes) -> tuple:
        """Store one chunk unless intact in Swift.

        :returns: (ref, uploaded bytes, whether a damaged copy was replaced).
        """
        if block == _zeros(len(block)):
            return ChunkRef(offset, len(block), ZERO), 0, False
        sha = self.chunk_name(block)
        while True:
            with self._uploading_lock:
                busy = self._uploading.get(sha)
                if busy is None:
                    mine = self._uploading[sha] = threading.Event()
            if busy is None:
                break
            busy.wait()
        try:
            return self._store_once(offset, block, sha)
        finally:
            with self._uploading_lock:
                del self._uploading[sha]
            mine.set()

    def _store_once(self, offset: int, block: bytes, sha: str) -> tuple:
        proven = self._proven.get(sha)
        if proven is not None:
            return dataclasses.replace(proven, offset=offset), 0, False
        found = self.listing.get(sha)
        if found is not None:
            ref = self._reusable(offset, block, sha, found)
            if ref is not None:
                self._proven[sha] = ref
                return ref, 0, False
            LOG.warning("chunk %s in %s is damaged (%d bytes, md5 %s); "
                        "storing it again", sha, self.container, found.size,
                        found.md5)
        body, compression = block, 'none'
        if self._compressor and self._worth_compressing(block):
            packed = self._compressor(block)
            # Incompressible data (most disk images) is kept as it is:
            # reading it back then costs no decompression.
            if len(packed) < len(block):
                body, compression = packed, 'zstd'
        body = self._encode(sha, body, compression)
        md5 = md5_hex(body) if self._sends_md5() else None
        headers = {SHA256_HEADER: sha, COMPRESSION_HEADER: compression}
        if self.domain is not None:
            headers[KEY_ID_HEADER] = self.domain.key_id
        # Swift checks the body against the ETag sent with it (422);
        # without one, what it answers is the md5 of what it stored.
        answered = self._swift().put_object(
            self.container, self.object_name(sha), body,
            content_length=len(body), etag=md5, headers=headers)
        md5 = md5 or answered or md5_hex(body)
        self.listing.add(sha, listing_mod.Stored(len(body), md5))
        ref = ChunkRef(offset, len(block), sha, compression, len(body), md5)
        self._proven[sha] = ref
        return ref, len(body), found is not None

    def _reusable(self, offset: int, block: bytes, sha: str,
                  found: listing_mod.Stored) -> ChunkRef | None:
        """A reference to the stored chunk if it holds ``block``; else ``None``.

        Stored plain, the body is ``block`` (a compressed body is always
        shorter, see ``_store``): its md5 settles it.  Stored compressed,
        compressing ``block`` again gives the same body with the same zstd
        and level; when it does not (another zstd, compression now off),
        the body is read back and checked rather than rewritten, so an
        intact chunk never changes under the checkpoints recording its md5.
        """
        def ref(compression: str) -> ChunkRef:
            return ChunkRef(offset, len(block), sha, compression, found.size,
                            found.md5)

        plain_size = self._stored_len(len(block))
        if found.size == plain_size:
            return ref('none') if md5_hex(
                self._encode(sha, block, 'none')) == found.md5 else None
        if found.size > plain_size:
            return None
        if self._compressor is not None:
            packed = self._encode(sha, self._compressor(block), 'zstd')
            if len(packed) == found.size and md5_hex(packed) == found.md5:
                return ref('zstd')
        try:
            _plain, compression, md5 = self.fetch(ChunkRef(
                offset, len(block), sha, 'zstd', found.size, found.md5))
        except ChecksumMismatch:
            return None
        except swift_exc.ClientException as e:
            if e.http_status == 404:
                return None
            raise
        return ref(compression)     # fetch compared the md5 with found's

    def _worth_compressing(self, block: bytes) -> bool:
        """Whether a sample of the block shrinks by at least 3 %.

        Compressing random bytes (encrypted or already compressed data,
        most of a used disk) only to throw the result away costs ~0.6 s of
        CPU per GiB, taken from the Swift servers sharing the machine;
        compressing 96 KiB of samples costs 1/40 of that.
        """
        sample = _sample(block)
        return len(self._compressor(sample)) < 0.97 * len(sample)

    def ensure_container(self) -> None:
        """Create the chunk container if it does not exist yet (idempotent)."""
        self._swift().put_container(self.container)

    def put_stream(self, reader: BinaryIO,
                   progress: Callable[[int], None] = None,
                   extra_digests: tuple = ()) -> StreamResult:
        """Cut ``reader`` into chunks and store them; never holds it whole.

        ``progress`` hears of each chunk as soon as it is stored (from the
        upload threads); the first failed upload stops the reading.
        ``extra_digests`` names hashlib algorithms computed over the whole
        stream, on a thread of their own (``result.digests`` has them);
        none by default: the chunk names and ``chunk_list_sha256`` pin the
        stream without hashing its bytes a second time.
        """
        digests = (_StreamDigests(tuple(dict.fromkeys(extra_digests)),
                                  self.workers + 1)
                   if extra_digests else None)
        refs, uploaded, reused, zeros, offset = [], 0, 0, 0, 0
        in_flight = threading.BoundedSemaphore(self.workers + 1)
        failed = threading.Event()

        def done(future: concurrent.futures.Future, length: int) -> None:
            in_flight.release()
            if future.exception() is not None:
                failed.set()
            elif progress:
                progress(length)

        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            futures = []
            try:
                while not failed.is_set():
                    block = reader.read(self.chunk_size)
                    if not block:
                        break
                    if digests is not None:
                        digests.feed(block)
                    in_flight.acquire()
                    future = pool.submit(self._store, offset, block)
                    future.add_done_callback(
                        functools.partial(done, length=len(block)))
                    futures.append(future)
                    offset += len(block)
            finally:
                hexdigests = digests.finish() if digests is not None else {}
            repaired = 0
            for future in futures:
                ref, sent, replaced = future.result()
                refs.append(ref)
                uploaded += sent
                zeros += ref.sha256 == ZERO
                reused += ref.sha256 != ZERO and sent == 0
                repaired += replaced
        return StreamResult(refs, offset, uploaded, reused, zeros,
                            hexdigests, repaired)

    def fetch(self, ref: ChunkRef, with_md5: bool = True
              ) -> tuple[bytes, str, str | None]:
        """GET one chunk and check it against its name (and recorded md5).

        :param with_md5: also hash the stored body with md5 and compare it
            with the recorded one (the sha256 of the plain bytes proves
            them already; the md5 tells a verification that the listing's
            checksum is the right one).
        :returns: (plain bytes, how it was stored, md5 of the stored body
            or ``None`` without ``with_md5``).
        :raises ChecksumMismatch: the body is not the chunk's.
        :raises swiftclient.exceptions.ClientException: Swift failed
            (404: the chunk is missing).
        """
        headers, body = self._swift().get_object(
            self.container, self.object_name(ref.sha256))
        md5 = md5_hex(body) if with_md5 else None
        if md5 is not None and ref.md5 is not None and md5 != ref.md5:
            raise ChecksumMismatch(
                'chunk %s at offset %d is corrupt (md5 %s, %s recorded)' % (
                    ref.sha256, ref.offset, md5, ref.md5))
        compression = headers.get(COMPRESSION_HEADER.lower(), ref.compression)
        if self.domain is not None:
            try:
                body = self.domain.open_chunk(ref.sha256, body, compression)
            except crypto.CryptoError as exc:
                # Tampered, or sealed under another data key: either way
                # not this checkpoint's chunk.
                raise ChecksumMismatch(
                    'chunk %s at offset %d is corrupt (it does not decrypt '
                    'with data key %s: %s)' % (
                        ref.sha256, ref.offset, self.domain.key_id,
                        exc)) from None
        if compression == 'zstd':
            try:
                body = self._decompressor(body)
            except Exception as exc:
                # A damaged compressed chunk fails before it can be hashed:
                # it is corrupt all the same.
                raise ChecksumMismatch(
                    'chunk %s at offset %d is corrupt (it does not '
                    'decompress: %s)' % (ref.sha256, ref.offset, exc)) from exc
        if self.chunk_name(body) != ref.sha256:
            raise ChecksumMismatch('chunk %s at offset %d is corrupt' % (
                ref.sha256, ref.offset))
        return body, compression, md5

    def read_chunk(self, ref: ChunkRef) -> bytes:
        """One chunk's plain bytes, verified against its name."""
        if ref.sha256 == ZERO:
            return bytes(ref.length)
        # The sha256 proves the bytes; an md5 on top would slow restores.
        return self.fetch(ref, with_md5=False)[0]

    def iter_stream(self, refs) -> Iterator[bytes]:
        """The stream's bytes in order, one verified chunk at a time."""
        for ref in refs:
            yield self.read_chunk(ref)


def _zstd_compress(block: bytes) -> bytes:
    import zstandard
    # A compressor object is not safe to share between upload threads.
    return zstandard.ZstdCompressor(level=3).compress(block)


def _zstd_decompress(body: bytes) -> bytes:
    import zstandard
    return zstandard.ZstdDecompressor().decompress(body)


# ``[checkpoint] upload_md5`` -> ``ChunkStore(send_md5=...)``.
_SEND_MD5 = {'always': True, 'never': False, 'auto': None}


def project_store(connection_factory: Callable, project_id: str,
                  conf, container: str | None = None,
                  domain=None) -> ChunkStore:
    """The chunk store of a project as ``[checkpoint]`` configures it.

    Reading always understands zstd, whatever the current setting, so a
    change of ``compression`` never makes older checkpoints unreadable.

    :param container: another container than the project's (tests).
    :param domain: the project's key domain if its chunks are encrypted.
    """
    from dragon.checkpoint import naming
    group = conf.checkpoint
    return ChunkStore(
        connection_factory, container or naming.chunk_container(project_id),
        chunk_size=group.chunk_size_mib * 1024 * 1024,
        workers=group.upload_workers,
        compressor=_zstd_compress if group.compression == 'zstd' else None,
        decompressor=_zstd_decompress, domain=domain,
        send_md5=_SEND_MD5[group.upload_md5])
