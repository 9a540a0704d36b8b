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

"""Recovery of a Swift container: recreated with its objects from the chunks.

The container gets the recovery's name prefix, as every name in the
template does, so the stack's ``OS::Swift::Container`` adopts it.  An
existing container of that name is never written into (the two sites may
share one Swift cluster, where it is the protected container itself):
the recovery fails and says to choose a name prefix.  Each object's
bytes stream from the chunk store, verified chunk by chunk and as a whole
(the chunk list's digest, or the stream's sha256 in older checkpoints),
and Swift checks the md5 (ETag) of each upload.  A failure
removes the half-made container.
"""

from typing import Any

from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks as chunk_mod
from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import stream
from dragon.recovery.restore import images

# The key of the container's name in what ``restore_container`` returns.
MADE = 'swift_container'
READ_AHEAD = 2


def remove(swift: Any, container: str) -> None:
    """Delete ``container`` and its objects; already gone is success."""
    try:
        _headers, objects = swift.get_container(container, full_listing=True)
    except swift_exc.ClientException as e:
        if e.http_status == 404:
            return
        raise
    for obj in objects:
        try:
            swift.delete_object(container, obj['name'])
        except swift_exc.ClientException as e:
            if e.http_status != 404:
                raise
    try:
        swift.delete_container(container)
    except swift_exc.ClientException as e:
        if e.http_status != 404:
            raise


def _exists(swift: Any, container: str) -> bool:
    try:
        swift.head_container(container)
    except swift_exc.ClientException as e:
        if e.http_status == 404:
            return False
        raise
    return True


def _put(ctx: Any, swift: Any, container: str, record: dict, entry: dict,
         resource: str) -> None:
    first = entry['first_chunk']
    refs = [chunk_mod.ChunkRef.from_dict(c) for c in
            record['chunks'][first:first + entry['chunk_count']]]
    body = images.UploadBody(
        lambda: images.read_ahead(ctx.chunks, refs, READ_AHEAD),
        entry['size'], images.stream_check(entry, refs, resource,
                                           ctx.checkpoint_label()),
        resource, ctx.checkpoint_label(), ctx.progress)
    headers = {'X-Object-Meta-%s' % k: v
               for k, v in (entry.get('metadata') or {}).items()}
    headers.update(entry.get('headers') or {})
    # A file-like body: swiftclient then sends Content-Length (an iterable
    # would also be sent chunked, which Swift refuses with both headers).
    try:
        swift.put_object(container, entry['name'],
                         stream.ExactReader(iter(body)),
                         content_length=entry['size'],
                         etag=entry.get('md5'),
                         content_type=entry.get('content_type'),
                         headers=headers)
    except Exception:
        if body.error is not None:
            raise body.error
        raise
    if body.error is not None:
        raise body.error


def restore_container(ctx: Any, key: str, record: dict, node: Any) -> dict:
    """The container of ``record`` and its objects, made in the target.

    :returns: ``{"swift_container": name, "target_id": name, "objects": n}``.
    :raises dragon.exception.RecoveryFailed: the name is taken, or Swift
        refused; what was made is removed first.
    :raises dragon.exception.RestoreVerificationFailed: the checkpoint's
        bytes are not what was protected.
    """
    resource = base.label(node) if node is not None else key
    name = (ctx.name_prefix or '') + record['container']
    swift = ctx.clients.swift()
    with base.failing_as(resource, 'checking container %s' % name,
                         exception.RecoveryFailed):
        taken = _exists(swift, name)
    if taken:
        raise exception.RecoveryFailed(
            resource=resource, reason='container %s already exists in the '
            'target\'s Swift account (one Swift may serve both sites); '
            'recover with a name_prefix, or remove it' % name)
    try:
        with base.failing_as(resource, 'restoring container %s' % name,
                             exception.RecoveryFailed):
            swift.put_container(name, headers={
                'X-Container-Meta-%s' % k: v for k, v in
                (record.get('container_metadata') or {}).items()})
            for entry in record.get('objects') or ():
                _put(ctx, swift, name, record, entry,
                     '%s object %s' % (resource, entry['name']))
    except Exception:
        try:
            remove(swift, name)
        except Exception as e:  # noqa: BLE001 - the first error matters
            ctx.event('warning', 'half-restored container %s left: %s' % (
                name, exception.one_line(e)))
        raise
    ctx.event('info', 'container %s restored with %d objects' % (
        name, len(record.get('objects') or ())))
    return {MADE: name, 'target_id': name,
            'objects': len(record.get('objects') or ())}
