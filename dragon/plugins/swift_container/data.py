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

"""Protection of a Swift container: its objects copied into the chunk store.

Each object is read with one GET and cut into content-addressed chunks
(``ChunkStore.put_stream``): objects or parts already stored cost nothing.
The record lists the objects (name, content type, metadata, size,
``chunk_list_sha256``, md5, their chunks' place) and its ``chunks`` are every object's chunks in
order with offsets continuing from one object to the next, so the
checkpoint's gc, verification and size accounting see them like any
other stream.

Swift has no snapshot: the objects are copied one after the other, each
as it is when its GET starts; the checkpoint says so in its warnings.
Each object's bytes are checked against the md5 Swift reports for that
GET (a plain object's ETag).
"""

from typing import Any

from dragon.checkpoint import chunks as chunk_mod
from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import stream

KIND = 'swift_container'
COPY_OBJECTS = 'copy_objects'
TEMPLATE_ONLY = 'template_only'
READ_SIZE = 1024 * 1024
OBJECT_META = 'x-object-meta-'
# Object headers restored as they were (besides the content type).
KEPT_HEADERS = ('content-encoding', 'content-disposition')
# Warning codes (``dragon.protection.warnings`` holds the core's).
NOT_POINT_IN_TIME = 'container_not_point_in_time'
LARGE_OBJECT_FLATTENED = 'large_object_flattened'
SYMLINK_FLATTENED = 'symlink_flattened'
EXPIRY_NOT_KEPT = 'object_expiry_not_kept'


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _listing(ctx: base.DataContext, node: Any, swift: Any) -> list[dict]:
    prefix = base.option(ctx, node, 'prefix', None)
    _headers, objects = swift.get_container(
        node.resource.id, full_listing=True, prefix=prefix)
    # Pseudo-directories appear only with a delimiter, which is not used.
    return [o for o in objects if 'name' in o]


def _special(ctx: base.DataContext, node: Any, name: str,
             headers: dict[str, str]) -> None:
    """Warn about what the object is beyond its bytes (not recreated)."""
    container = node.resource.id
    if headers.get('x-static-large-object') or \
            headers.get('x-object-manifest'):
        ctx.warn(LARGE_OBJECT_FLATTENED, 'object %s/%s is a large-object '
                 'manifest: its whole content is copied and restored as '
                 'one plain object (its segments are not recreated; '
                 'objects over Swift\'s object size limit then fail to '
                 'restore)' % (container, name))
    if headers.get('x-symlink-target'):
        ctx.warn(SYMLINK_FLATTENED, 'object %s/%s is a symlink to %s: the '
                 'target\'s content is restored as a plain object' % (
                     container, name, headers['x-symlink-target']))
    if headers.get('x-delete-at'):
        ctx.warn(EXPIRY_NOT_KEPT, 'object %s/%s expires (X-Delete-At %s): '
                 'the restored object does not' % (
                     container, name, headers['x-delete-at']))


def _copy(ctx: base.DataContext, node: Any, swift: Any, name: str,
          first_chunk: int) -> tuple[dict, Any]:
    """One object into the chunk store: its entry and the stream result."""
    headers, body = swift.get_object(node.resource.id, name,
                                     resp_chunk_size=READ_SIZE)
    headers = _lower(headers)
    _special(ctx, node, name, headers)
    reader = stream.ExactReader(body)
    result = ctx.chunks.put_stream(reader, progress=ctx.progress,
                                   extra_digests=('md5',))
    md5 = result.digests.get('md5')
    etag = (headers.get('etag') or '').strip('"')
    plain = not (headers.get('x-static-large-object') or
                 headers.get('x-object-manifest'))
    if int(headers.get('content-length', result.size)) != result.size or (
            plain and etag and etag != md5):
        raise exception.DataActionFailed(
            resource=base.label(node), reason='object %s: %d bytes with md5 '
            '%s read, Swift announced %s bytes with ETag %s' % (
                name, result.size, md5, headers.get('content-length'),
                etag))
    entry = {
        'name': name,
        'content_type': headers.get('content-type'),
        'metadata': {k[len(OBJECT_META):]: v for k, v in headers.items()
                     if k.startswith(OBJECT_META)},
        'headers': {k: headers[k] for k in KEPT_HEADERS if k in headers},
        # The md5 stays beside the chunk list's digest: it is Swift's
        # integrity check (the ETag of the GET here, of the PUT on
        # restore), not Dragon's.
        'size': result.size, 'sha256': None,
        'chunk_list_sha256': result.chunk_list_sha256, 'md5': md5,
        'first_chunk': first_chunk, 'chunk_count': len(result.chunks),
    }
    return entry, result


def _rebased(refs: list, offset: int) -> list[dict]:
    """The object's chunk references, offsets counted in the record."""
    moved = []
    for ref in refs:
        data = ref.to_dict()
        data['offset'] = ref.offset + offset
        moved.append(data)
    return moved


class CopyObjects(base.DataAction):
    """Every object of the container, streamed into the chunk store."""

    resource_type = 'swift_container'
    action = COPY_OBJECTS

    def estimate(self, ctx: base.DataContext, node: Any) -> int:
        headers = _lower(ctx.clients.swift().head_container(
            node.resource.id))
        return int(headers.get('x-container-bytes-used') or 0)

    def capture(self, ctx: base.DataContext, node: Any) -> dict:
        # Nothing to fix: Swift has no snapshot (transfer reads each
        # object as it is then) and nothing temporary is made.
        ctx.warn(NOT_POINT_IN_TIME, 'container %s: Swift has no snapshot; '
                 'its objects are copied one after the other, each as it '
                 'is when it is read' % node.resource.id)
        return {}

    def transfer(self, ctx: base.DataContext, node: Any,
                 state: dict) -> dict:
        swift = ctx.clients.swift()
        entries, chunks = [], []
        size = uploaded = reused = zeros = 0
        for listed in _listing(ctx, node, swift):
            entry, result = _copy(ctx, node, swift, listed['name'],
                                  len(chunks))
            chunks.extend(_rebased(result.chunks, size))
            entries.append(entry)
            size += result.size
            uploaded += result.uploaded_bytes
            reused += result.reused_chunks
            zeros += result.zero_chunks
        ctx.event('info', 'container %s: %d objects copied' % (
            node.resource.id, len(entries)))
        return base.record(
            self.action, KIND, size=size, chunks=chunks,
            chunk_list_sha256=chunk_mod.chunk_list_sha256(chunks),
            chunk_size=ctx.chunks.chunk_size, uploaded_bytes=uploaded,
            reused_chunks=reused, zero_chunks=zeros,
            container=node.resource.id,
            container_metadata=dict(node.properties.get('metadata') or {}),
            objects=entries)

    def cleanup(self, ctx: base.DataContext, node: Any,
                state: dict) -> None:
        return None


class ContainerTemplateOnly(base.NoData):
    """The container in the template, recreated empty."""

    resource_type = 'swift_container'
