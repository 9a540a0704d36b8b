"""Content-addressed chunk storage: streams bytes into Swift without holding them.

A stream is cut into fixed-size chunks; each chunk is named by the sha256 of
its plain bytes, so a chunk already in the project's chunk container (from an
earlier checkpoint, or another server booted from the same image) is never
uploaded twice, and all-zero chunks are not stored at all.  Stored chunks may
be zstd-compressed; the object's ``X-Object-Meta-Dragon-Sha256`` and the
manifest entry let anyone verify a chunk without any key.

Uploads run on a bounded thread pool with a bounded number of chunks in
flight, and the whole-stream hashes on a thread of their own behind a
bounded queue, so memory stays below ``2 * chunk_size * (workers + 1)``
whatever the size of the stream.
"""
import concurrent.futures
import dataclasses
import functools
import hashlib
import queue
import threading
from typing import BinaryIO, Callable, Iterator

ZERO = 'zero'
SHA256_HEADER = 'X-Object-Meta-Dragon-Sha256'
COMPRESSION_HEADER = 'X-Object-Meta-Dragon-Compression'


@functools.lru_cache(maxsize=4)
def _zeros(length: int) -> bytes:
    # Comparing with a zero block runs at memory speed; strip() does not.
    return bytes(length)


@dataclasses.dataclass(frozen=True)
class ChunkRef:
    """Where one chunk of a stream lives and how to check it."""

    offset: int
    length: int
    sha256: str          # of the plain bytes; ZERO for an all-zero chunk
    compression: str = 'none'

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> 'ChunkRef':
        return cls(**data)


@dataclasses.dataclass
class StreamResult:
    """What storing one stream did: its chunks and what it cost."""

    chunks: list
    size: int
    sha256: str
    uploaded_bytes: int = 0
    reused_chunks: int = 0
    zero_chunks: int = 0
    digests: dict = dataclasses.field(default_factory=dict)


class ChecksumMismatch(Exception):
    """A chunk read back does not hash to the name it is stored under."""


class _StreamDigests:
    """Whole-stream hashes computed beside the reading, in order.

    The whole stream's sha256 (and, for a Glance image, Glance's own
    algorithm to check the download against) must see every byte in order,
    so it cannot run on the upload threads.  In the reading thread it would
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
    """

    def __init__(self, connection_factory: Callable, container: str,
                 chunk_size: int = 4 * 1024 * 1024, workers: int = 4,
                 compressor=None, decompressor=None):
        self._factory = connection_factory
        self._local = threading.local()
        self.container = container
        self.chunk_size = chunk_size
        self.workers = workers
        self._compressor = compressor
        self._decompressor = decompressor

    # -- connections: swiftclient connections are not shared between threads
    def _swift(self):
        conn = getattr(self._local, 'conn', None)
        if conn is None:
            conn = self._local.conn = self._factory()
        return conn

    @staticmethod
    def object_name(sha256: str) -> str:
        # A two-level prefix keeps container listings of one prefix short.
        return '%s/%s/%s' % (sha256[:2], sha256[2:4], sha256)

    def _stored_compression(self, sha256: str) -> str | None:
        """How the chunk is stored (``none``/``zstd``); ``None`` if absent."""
        from swiftclient import exceptions as swift_exc
        try:
            headers = self._swift().head_object(self.container,
                                                self.object_name(sha256))
        except swift_exc.ClientException as exc:
            if exc.http_status == 404:
                return None
            raise
        return headers.get(COMPRESSION_HEADER.lower(), 'none')

    def _store(self, offset: int, block: bytes) -> tuple:
        """Store one chunk unless present; returns (ref, uploaded bytes)."""
        if block == _zeros(len(block)):
            return ChunkRef(offset, len(block), ZERO), 0
        sha = hashlib.sha256(block).hexdigest()
        stored = self._stored_compression(sha)
        if stored is not None:
            return ChunkRef(offset, len(block), sha, stored), 0
        body, compression = block, 'none'
        if self._compressor and self._worth_compressing(block):
            packed = self._compressor(block)
            # Incompressible data (most disk images) is kept as it is:
            # reading it back then costs no decompression.
            if len(packed) < len(block):
                body, compression = packed, 'zstd'
        self._swift().put_object(
            self.container, self.object_name(sha), body,
            content_length=len(body),
            headers={SHA256_HEADER: sha, COMPRESSION_HEADER: compression})
        return ChunkRef(offset, len(block), sha, compression), len(body)

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
        stream besides sha256 (``result.digests`` has them all).
        """
        digests = _StreamDigests(('sha256',) + tuple(
            a for a in extra_digests if a != 'sha256'), self.workers + 1)
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
                    digests.feed(block)
                    in_flight.acquire()
                    future = pool.submit(self._store, offset, block)
                    future.add_done_callback(
                        functools.partial(done, length=len(block)))
                    futures.append(future)
                    offset += len(block)
            finally:
                hexdigests = digests.finish()
            for future in futures:
                ref, sent = future.result()
                refs.append(ref)
                uploaded += sent
                zeros += ref.sha256 == ZERO
                reused += ref.sha256 != ZERO and sent == 0
        return StreamResult(refs, offset, hexdigests['sha256'], uploaded,
                            reused, zeros, hexdigests)

    def read_chunk(self, ref: ChunkRef) -> bytes:
        """One chunk's plain bytes, verified against its name."""
        if ref.sha256 == ZERO:
            return bytes(ref.length)
        headers, body = self._swift().get_object(
            self.container, self.object_name(ref.sha256))
        if headers.get(COMPRESSION_HEADER.lower(), ref.compression) == 'zstd':
            try:
                body = self._decompressor(body)
            except Exception as exc:
                # A damaged compressed chunk fails before it can be hashed:
                # it is corrupt all the same.
                raise ChecksumMismatch(
                    'chunk %s at offset %d is corrupt (it does not '
                    'decompress: %s)' % (ref.sha256, ref.offset, exc)) from exc
        if hashlib.sha256(body).hexdigest() != ref.sha256:
            raise ChecksumMismatch('chunk %s at offset %d is corrupt' % (
                ref.sha256, ref.offset))
        return body

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


def project_store(connection_factory: Callable, project_id: str,
                  conf) -> ChunkStore:
    """The chunk store of a project as ``[checkpoint]`` configures it.

    Reading always understands zstd, whatever the current setting, so a
    change of ``compression`` never makes older checkpoints unreadable.
    """
    from dragon.checkpoint import naming
    group = conf.checkpoint
    return ChunkStore(
        connection_factory, naming.chunk_container(project_id),
        chunk_size=group.chunk_size_mib * 1024 * 1024,
        workers=group.upload_workers,
        compressor=_zstd_compress if group.compression == 'zstd' else None,
        decompressor=_zstd_decompress)
