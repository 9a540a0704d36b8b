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

"""What the chunk container holds: size and md5 of every stored chunk body.

A chunk is reused, and a checkpoint verified, only when Swift holds its
body with the size and md5 Dragon expects.  Swift's container listing
gives both (``bytes`` and ``hash``, the ETag: the md5 of the stored body)
for 10 000 objects per request, where a HEAD gives them for one.  So the
listing is read once, lazily, and cached for the life of this object (one
protection run, one verification); a container too large to cache (more
than ``max_pages`` pages) is asked per chunk with HEAD instead, which is
never more requests than one HEAD per chunk.

The listing is a snapshot: a chunk stored after it was read is absent from
it (the caller then stores it again: harmless, chunks are content
addressed) unless the caller ``add``s what it stored itself.
"""

import dataclasses
import threading
from typing import Any, Callable

from swiftclient import exceptions as swift_exc

PAGE = 10000
# 100 000 chunks (~400 GiB of distinct 4 MiB chunks) cost ten listing
# requests and ~30 MB of memory; a larger container is asked per chunk.
MAX_PAGES = 10


@dataclasses.dataclass(frozen=True)
class Stored:
    """A chunk object as Swift reports it."""

    size: int
    md5: str


def chunk_key(object_name: str) -> str | None:
    """The sha256 name of a chunk object (``ab/cd/<sha256>``); else ``None``."""
    parts = object_name.split('/')
    if len(parts) != 3 or len(parts[2]) != 64:
        return None
    return parts[2]


def _etag(value: str | None) -> str:
    # Some proxies quote the ETag header; listings never do.
    return (value or '').strip('"').lower()


class ChunkListing:
    """Size and md5 of the chunks of one container, for one run.

    :param swift: returns a python-swiftclient connection usable by the
        calling thread.
    """

    def __init__(self, swift: Callable[[], Any], container: str,
                 max_pages: int = MAX_PAGES) -> None:
        self._swift = swift
        self.container = container
        self.max_pages = max_pages
        self._lock = threading.Lock()
        self._loaded = False
        self._entries: dict[str, Stored] | None = None

    @property
    def cached(self) -> bool:
        """Whether lookups are answered from one listing (not per HEAD)."""
        self._ensure()
        return self._entries is not None

    def _ensure(self) -> None:
        with self._lock:
            if not self._loaded:
                self._entries = self._load()
                self._loaded = True

    def _load(self) -> dict[str, Stored] | None:
        entries: dict[str, Stored] = {}
        marker = None
        for _page in range(self.max_pages):
            try:
                headers, objects = self._swift().get_container(
                    self.container, marker=marker, limit=PAGE)
            except swift_exc.ClientException as e:
                if e.http_status == 404:
                    return entries
                raise
            count = (headers or {}).get('x-container-object-count')
            if count is not None and int(count) > self.max_pages * PAGE:
                return None
            for obj in objects:
                key = chunk_key(obj['name'])
                if key is not None:
                    entries[key] = Stored(int(obj['bytes']),
                                          _etag(obj.get('hash')))
            if len(objects) < PAGE:
                return entries
            marker = objects[-1]['name']
        return None

    def get(self, sha256: str) -> Stored | None:
        """How chunk ``sha256`` is stored; ``None`` if Swift lacks it."""
        self._ensure()
        if self._entries is not None:
            return self._entries.get(sha256)
        return self.head(sha256)

    def head(self, sha256: str) -> Stored | None:
        """Ask Swift about one chunk (HEAD), bypassing the cache."""
        name = '%s/%s/%s' % (sha256[:2], sha256[2:4], sha256)
        try:
            headers = self._swift().head_object(self.container, name)
        except swift_exc.ClientException as e:
            if e.http_status == 404:
                return None
            raise
        return Stored(int(headers.get('content-length') or 0),
                      _etag(headers.get('etag')))

    def add(self, sha256: str, stored: Stored) -> None:
        """Remember a chunk this run stored (the listing predates it)."""
        with self._lock:
            if self._entries is not None:
                self._entries[sha256] = stored
