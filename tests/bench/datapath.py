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

"""``python -m tests.bench.datapath``: the protect data path alone, no cloud.

The chunk store (``ChunkStore.put_stream``, as a protect configures it:
4 MiB chunks, 4 upload threads, zstd when worth it) cuts, hashes and
"uploads" a stream of random bytes to a Swift that only takes the md5 a
real one would check and forgets the body.  What is left is Dragon's own
CPU per byte (hashing, compression sampling, copying), the part of a
protect that does not wait on a service.  The bytes are prepared before
the clock starts; each figure is the median of ``--repeat`` runs with
min-max.  ``--extra-digest sha512`` adds the whole-stream hash a Glance
image download is checked with; ``--encrypt`` stores the chunks as an
encrypted policy does (keyed names, sealed bodies) and ``--compare`` runs
both, interleaved, and prints the ratio.  Figures only: nothing here fails
on time.

Runs against whatever ``dragon`` is importable, so the same script
measures two trees (``PYTHONPATH=<other tree>``).
"""
import argparse
import hashlib
import io
import os
import resource
import statistics
import threading
import time

from dragon.checkpoint import chunks
from dragon.checkpoint import crypto
from dragon.checkpoint import envelope

MiB = 1024 * 1024


class _Listing:
    def __init__(self):
        self._lock = threading.Lock()
        self.stored = {}


class _ForgetfulSwift:
    """A Swift connection that checks the ETag and keeps no body."""

    def __init__(self, shared: _Listing):
        self._shared = shared

    def put_object(self, container, name, body, content_length=None,
                   etag=None, headers=None, **_kw):
        if etag is not None:
            assert hashlib.md5(body, usedforsecurity=False).hexdigest() == etag
        with self._shared._lock:
            self._shared.stored[name] = (len(body), etag)

    def get_container(self, container, marker=None, limit=None, **_kw):
        return {}, []          # an empty chunk container: a first protect

    def head_object(self, container, name):
        from swiftclient import exceptions
        raise exceptions.ClientException('not found', http_status=404)

    def put_container(self, container, **_kw):
        return None


def _rss_kib() -> int:
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


class _Peak:
    """The process's peak RSS while a run lasts, sampled every 20 ms."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_kib())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _domain() -> envelope.Domain:
    key = crypto.new_data_key()
    return envelope.Domain('bench', 'ref', b'', key)


def _one(data: bytes, extra: tuple, encrypt: bool = False) -> tuple:
    store = chunks.ChunkStore(lambda shared=_Listing(): _ForgetfulSwift(
        shared), 'bench', chunk_size=4 * MiB, workers=4,
        compressor=chunks._zstd_compress,
        decompressor=chunks._zstd_decompress,
        domain=_domain() if encrypt else None)
    reader = io.BytesIO(data)
    before = _rss_kib()
    cpu = time.process_time()
    with _Peak() as peak:
        started = time.perf_counter()
        result = store.put_stream(reader, extra_digests=extra)
        seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    assert result.size == len(data)
    return seconds, cpu, max(peak.peak, before) - before


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog='python -m tests.bench.datapath',
                                     description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=512)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--extra-digest', action='append', default=[],
                        help='a whole-stream hashlib algorithm to add '
                             '(sha512: what an image download checks)')
    parser.add_argument('--encrypt', action='store_true',
                        help='as an encrypted policy stores its chunks')
    parser.add_argument('--compare', action='store_true',
                        help='clear and encrypted runs, interleaved')
    args = parser.parse_args(argv)
    data = os.urandom(args.size_mib * MiB)    # before any clock starts
    if args.compare:
        _compare(data, tuple(args.extra_digest), args.repeat)
        return
    runs = [_one(data, tuple(args.extra_digest), args.encrypt)
            for _ in range(args.repeat)]
    walls = sorted(r[0] for r in runs)
    cpus = sorted(r[1] for r in runs)
    rss = sorted(r[2] for r in runs)
    size = len(data)
    print('datapath: %d MiB random, 4 MiB chunks, 4 workers, zstd%s, extra '
          'digests %s; %d runs (median, min-max); %d CPUs, load %.1f' % (
              args.size_mib, ', encrypted' if args.encrypt else '',
              ','.join(args.extra_digest) or 'none',
              args.repeat, os.cpu_count(), os.getloadavg()[0]))
    print('  MB/s            %.0f  (%.0f-%.0f)' % (
        size / statistics.median(walls) / 1e6, size / walls[-1] / 1e6,
        size / walls[0] / 1e6))
    print('  CPU s per GiB   %.2f  (%.2f-%.2f)' % tuple(
        c * 1024 * MiB / size for c in (statistics.median(cpus), cpus[0],
                                        cpus[-1])))
    print('  RSS growth MiB  %.0f  (%.0f-%.0f)' % (
        statistics.median(rss) / 1024, rss[0] / 1024, rss[-1] / 1024))
    print('  process max RSS %.0f MiB (includes the %d MiB prepared)' % (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        args.size_mib))


def _compare(data: bytes, extra: tuple, repeat: int) -> None:
    """Clear and encrypted runs, alternated so load drifts hit both."""
    runs = {False: [], True: []}
    for _ in range(repeat):
        for encrypt in (False, True):
            runs[encrypt].append(_one(data, extra, encrypt))
    size = len(data)
    print('datapath: %d MiB random, clear vs encrypted, %d runs each '
          '(median); %d CPUs, load %.1f' % (size // MiB, repeat,
                                            os.cpu_count(),
                                            os.getloadavg()[0]))
    figures = {}
    for encrypt, found in runs.items():
        wall = statistics.median(r[0] for r in found)
        cpu = statistics.median(r[1] for r in found)
        figures[encrypt] = (wall, cpu)
        print('  %-9s MB/s %.0f, CPU s per GiB %.2f' % (
            'encrypted' if encrypt else 'clear', size / wall / 1e6,
            cpu * 1024 * MiB / size))
    print('  encrypted/clear: wall x%.2f, CPU x%.2f' % (
        figures[True][0] / figures[False][0],
        figures[True][1] / figures[False][1]))


if __name__ == '__main__':
    main()
