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

"""The per-project index of image streams already in the chunk store.

``index/image-<algo>/<hash>.json`` in the project's chunk container maps
Glance's content hash of an image (``os_hash_algo``/``os_hash_value``,
sha512 by default) to the chunk list of a stream already stored.  An image
whose hash is in the index is not downloaded again: a second protect of an
unchanged server, or a base image shared by many servers, costs a few
HEAD requests instead of reading the image.

Chunks are garbage-collected by mark-and-sweep over checkpoint manifests,
and the index is not a manifest: an entry may outlive its chunks, and a
chunk may be damaged in Swift.  So a lookup checks every distinct chunk
the entry names against the chunk container's listing (one request per
10 000 chunks, shared with the chunk store of the run): a chunk missing,
or stored with another size or md5 than the entry recorded, makes the
lookup a miss (the image is downloaded, damaged chunks are stored again
and the entry rewritten).  gc needs to know nothing about the index, and
may delete ``index/`` objects freely (``dragon.checkpoint.gc`` sweeps an
entry when it sweeps one of its chunks; the check also covers a
collector that stopped in between).  Entries of version 1 recorded no
md5: they are misses, rewritten.  Entries of version 2 carry the stream's
``sha256``, version 3 its ``chunk_list_sha256`` instead (the stream's
bytes are hashed once, by the chunk names): both are read, and a version
3 entry whose chunk list does not hash to its digest is a miss.

In an encrypted project the entry's name is a keyed hash of the image's
hash and its body is sealed (``dragon.checkpoint.envelope``): the index
says nothing about which images are stored to whoever lacks the key.  gc
cannot read a sealed entry and sweeps it; the next protect of that image
reads it once and writes the entry again.
"""

import concurrent.futures
import hashlib
import json
from typing import Any

from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks as chunk_mod
from dragon.checkpoint import crypto

PREFIX = 'index/image-'
VERSION = 3
# Versions a lookup reads: 2 differs only by a whole-stream ``sha256``
# in place of ``chunk_list_sha256``, which the record recomputes.
READABLE = (2, 3)


def object_name(algo: str, value: str, domain: Any = None) -> str:
    if domain is not None:
        value = domain.name('%s:%s' % (algo, value))
    return '%s%s/%s.json' % (PREFIX, algo, value)


def _swift(store: Any) -> Any:
    # The chunk store's own connection of this thread (swiftclient
    # connections are not shared between threads).
    return store._swift()


def chunk_intact(store: Any, chunk: dict) -> bool:
    """Whether Swift lists the chunk with the size and md5 recorded."""
    if chunk['sha256'] == chunk_mod.ZERO:
        return True
    if not chunk.get('md5') or chunk.get('stored_size') is None:
        return False
    found = store.listing.get(chunk['sha256'])
    return (found is not None and found.size == chunk['stored_size'] and
            found.md5 == chunk['md5'])


def chunks_intact(store: Any, chunks: list[dict]) -> bool:
    """Whether every distinct chunk is stored with its recorded size and md5.

    From the container's listing (shared with the run's chunk store); a
    container too large to list costs one HEAD per chunk, in parallel.
    """
    distinct = list({c['sha256']: c for c in chunks}.values())
    if not store.listing.cached:
        with concurrent.futures.ThreadPoolExecutor(
                max(1, store.workers)) as pool:
            return all(pool.map(lambda c: chunk_intact(store, c), distinct))
    return all(chunk_intact(store, c) for c in distinct)


class ImageIndex:
    """Index entries of one chunk store (one project's chunk container)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.domain = getattr(store, 'domain', None)

    def _name(self, algo: str, value: str) -> str:
        return object_name(algo, value, self.domain)

    def lookup(self, algo: str, value: str, size: int | None) -> dict | None:
        """The entry of an image with this hash whose chunks all exist."""
        name = self._name(algo, value)
        try:
            _headers, body = _swift(self.store).get_object(
                self.store.container, name)
        except swift_exc.ClientException as e:
            if e.http_status == 404:
                return None
            raise
        try:
            if self.domain is not None:
                body = self.domain.open(name, body)
            entry = json.loads(body)
        except (ValueError, crypto.CryptoError):
            return None
        if (entry.get('version') not in READABLE or
                entry.get('algo') != algo or
                entry.get('value') != value or
                (size is not None and entry.get('size') != size)):
            return None
        if (entry['version'] >= 3 and entry.get('chunk_list_sha256') !=
                chunk_mod.chunk_list_sha256(entry['chunks'])):
            return None
        return entry if chunks_intact(self.store, entry['chunks']) else None

    def store_entry(self, algo: str, value: str, result: Any) -> None:
        """Remember that the stream with this hash is ``result``'s chunks."""
        entry = {'version': VERSION, 'algo': algo, 'value': value,
                 'size': result.size,
                 'chunk_list_sha256': result.chunk_list_sha256,
                 'chunk_size': self.store.chunk_size,
                 'chunks': [c.to_dict() for c in result.chunks]}
        body = json.dumps(entry, sort_keys=True).encode()
        name = self._name(algo, value)
        if self.domain is not None:
            body = self.domain.seal(name, body)
        _swift(self.store).put_object(
            self.store.container, name, body,
            content_length=len(body), content_type='application/json',
            headers={'X-Object-Meta-Dragon-Sha256':
                     hashlib.sha256(body).hexdigest()})
