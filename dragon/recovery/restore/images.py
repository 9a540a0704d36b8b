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

"""Image and volume bytes from the chunk store into a new Glance image, verified.

The bytes never exist whole: ``PUT /v2/images/{id}/file`` sends an
``UploadBody`` whose iterator reads one verified chunk at a time (a few
read ahead on the chunk store's threads) while the whole stream's size is
checked against the data record.  Each chunk is checked against its name
(the sha256 of its bytes) as it is read, and the chunk list against the
record's ``chunk_list_sha256`` before the first byte is sent: together
they prove the whole stream without hashing it again.  A record written
before that digest existed carries the stream's ``sha256`` instead, and
its bytes are hashed on the way as they always were.  The last chunk is
held back until those checks pass, so Glance never receives a complete
body of wrong bytes; a failed upload deletes the half-made image.
"""

import collections
import concurrent.futures
import hashlib
import itertools
from typing import Any, Callable, Iterable, Iterator

from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks as chunk_mod
from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import glance
from dragon.recovery.restore import context as ctx_mod

GiB = 1024 ** 3


class UploadBody:
    """The request body of one image upload: an iterable of known length.

    ``len()`` makes ``requests`` send ``Content-Length`` (Glance then knows
    the size up front) instead of a chunked body; ``iter()`` is a generator
    over verified chunks.  When the stream fails, the iterator raises and
    keeps the reason in ``error`` (the HTTP library may wrap what it
    raises).

    :param pieces: a factory of the stream's plain chunks, in order.
    :param size: bytes the data record says the stream has.
    :param sha256: the whole stream's sha256 an older record gives, to
        check the bytes against; ``None`` when the chunk list was checked
        (``stream_check``) and each chunk's name proves its bytes.
    :param resource: how errors name the resource.
    :param checkpoint: how errors name the checkpoint.
    :param progress: called with each chunk's length once it is sent.
    """

    def __init__(self, pieces: Callable[[], Iterable[bytes]], size: int,
                 sha256: str | None, resource: str, checkpoint: str,
                 progress: Callable[[int], None]) -> None:
        self._pieces = pieces
        self.size = size
        self.sha256 = sha256
        self.resource = resource
        self.checkpoint = checkpoint
        self._progress = progress
        self.error: Exception | None = None
        self.sent = 0

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        # keystoneauth's debug log prints request bodies: never the bytes.
        return '<restore stream of %d bytes>' % self.size

    def __iter__(self) -> Iterator[bytes]:
        return self._generate()

    def _error(self, reason: str, corrupt: bool = True) -> Exception:
        """The stream's failure: corrupt data, or Swift failing to serve it."""
        if corrupt:
            self.error = exception.RestoreVerificationFailed(
                resource=self.resource, checkpoint=self.checkpoint,
                reason=reason)
        else:
            self.error = exception.RecoveryFailed(
                resource=self.resource, reason='reading checkpoint %s: %s' % (
                    self.checkpoint, reason))
        return self.error

    def _generate(self) -> Iterator[bytes]:
        digest = hashlib.sha256() if self.sha256 else None
        seen, held = 0, None
        pieces = iter(self._pieces())
        try:
            for piece in pieces:
                if digest is not None:
                    digest.update(piece)
                seen += len(piece)
                if seen > self.size:
                    raise self._error('the chunks hold more than the %d '
                                      'bytes recorded' % self.size)
                if held is not None:
                    yield self._send(held)
                held = piece
            if seen != self.size:
                raise self._error('the chunks hold %d bytes, %d recorded' % (
                    seen, self.size))
            if digest is not None and digest.hexdigest() != self.sha256:
                raise self._error('sha256 of the stream is %s, %s recorded'
                                  % (digest.hexdigest(), self.sha256))
        except chunk_mod.ChecksumMismatch as e:
            raise self._error(str(e)) from e
        except swift_exc.ClientException as e:
            if e.http_status == 404:
                raise self._error('a chunk is missing from Swift (%s)' % (
                    e.http_path or e)) from e
            raise self._error('Swift: %s' % e, corrupt=False) from e
        finally:
            close = getattr(pieces, 'close', None)
            if close is not None:
                close()
        if held is not None:
            yield self._send(held)

    def _send(self, piece: bytes) -> bytes:
        self.sent += len(piece)
        self._progress(len(piece))
        return piece


def stream_check(record: dict, refs: list, resource: str,
                 checkpoint: str) -> str | None:
    """Check a stream's chunk list up front; the sha256 left to check, if any.

    :param record: a data record, or an object entry of a Swift
        container's record (both carry the same digests).
    :param refs: the stream's ``ChunkRef`` list, in order.
    :returns: the whole-stream ``sha256`` of a record older than
        ``chunk_list_sha256`` (the upload hashes the bytes against it);
        ``None`` when the chunk list's digest matched.
    :raises dragon.exception.RestoreVerificationFailed: the chunk list
        does not hash to the recorded digest, or the record has neither
        digest.
    """
    recorded = record.get('chunk_list_sha256')
    if recorded:
        actual = chunk_mod.chunk_list_sha256(refs)
        if actual != recorded:
            raise exception.RestoreVerificationFailed(
                resource=resource, checkpoint=checkpoint,
                reason='the chunk list hashes to %s, %s recorded' % (
                    actual, recorded))
    elif not record.get('sha256'):
        raise exception.RestoreVerificationFailed(
            resource=resource, checkpoint=checkpoint,
            reason='the data record has no chunk_list_sha256 or sha256 to '
                   'check the bytes with')
    return record.get('sha256') or None


def read_ahead(store: Any, refs: list, depth: int) -> Iterator[bytes]:
    """``store.iter_stream(refs)`` with up to ``depth`` chunks read ahead.

    Swift reads overlap the Glance upload; memory stays at ``depth``
    chunks plus the one being sent, whatever the stream's length.  Each
    chunk is verified by ``store.read_chunk`` (its sha256) as usual.
    """
    if depth < 1:
        yield from store.iter_stream(refs)
        return
    pool = concurrent.futures.ThreadPoolExecutor(
        depth, thread_name_prefix='restore-read')
    try:
        remaining = iter(refs)
        pending = collections.deque(
            pool.submit(store.read_chunk, ref)
            for ref in itertools.islice(remaining, depth))
        while pending:
            block = pending.popleft().result()
            for ref in itertools.islice(remaining, 1):
                pending.append(pool.submit(store.read_chunk, ref))
            yield block
            del block
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _properties(record: dict, kind: str) -> dict:
    """The image attributes of the new image: formats, minimums, properties."""
    image = record.get('image') or {}
    body = {key: str(value) for key, value in
            (image.get('properties') or {}).items()
            if value is not None and not isinstance(value, (dict, list))}
    disk_format = image.get('disk_format') or 'raw'
    container_format = image.get('container_format') or 'bare'
    min_disk = int(image.get('min_disk') or 0)
    if kind == base.VOLUME:
        # Volume bytes are a raw disk; a volume made from the image must
        # be at least as large as the protected one.
        disk_format, container_format = 'raw', 'bare'
        size_gib = (record.get('volume') or {}).get('size_gib') or 0
        min_disk = max(min_disk, int(size_gib),
                       -(-int(record.get('size') or 0) // GiB))
    body.update(disk_format=disk_format, container_format=container_format,
                min_disk=min_disk, min_ram=int(image.get('min_ram') or 0),
                visibility='private')
    return body


def _create(ctx: ctx_mod.RestoreContext, key: str, record: dict) -> dict:
    """The empty image record, as ``POST /v2/images``.

    Not the SDK's ``create_image``: it looks the name up first (unless
    duplicates are allowed), adds its own ``owner_specified.openstack.*``
    checksum properties of a local file and uploads from a file or a
    buffer, while the restore creates a bare record and then streams the
    verified chunks itself (``UploadBody``).
    """
    body = _properties(record, record['kind'])
    body.update({'name': ctx.name(key),
                 ctx_mod.RESTORE_PROPERTY: ctx.recovery_id or 'unknown',
                 ctx_mod.RESTORE_KEY_PROPERTY: key})
    return ctx.clients.adapter('image').post('/v2/images', json=body).json()


def _verify_glance(ctx: ctx_mod.RestoreContext, resource: str, record: dict,
                   image: dict) -> None:
    """Glance's own size (and hash, when comparable) of the stored image.

    This costs Dragon no hashing: Glance computes its hash as it stores
    the upload.  It stays beside the chunk checks because it is Glance's
    integrity check of what it holds, not Dragon's of what it sent.
    """
    problems = []
    if image.get('size') is not None and image['size'] != record['size']:
        problems.append('Glance stored %s bytes, %d recorded' % (
            image['size'], record['size']))
    source = record.get('glance_hash') or {}
    if (source.get('algo') and source.get('value') and
            image.get('os_hash_algo') == source['algo'] and
            image.get('os_hash_value') != source['value']):
        problems.append('Glance %s is %s, the source image\'s %s' % (
            source['algo'], image.get('os_hash_value'), source['value']))
    if problems:
        raise exception.RestoreVerificationFailed(
            resource=resource, checkpoint=ctx.checkpoint_label(),
            reason='; '.join(problems))


def _remove(ctx: ctx_mod.RestoreContext, resource: str,
            image_id: str) -> None:
    """Delete a half-made image; a failure to do so is an event, not a mask."""
    try:
        with base.failing_as(resource, 'removing image %s' % image_id,
                             exception.RecoveryFailed):
            glance.delete_image(ctx.clients, image_id)
    except exception.RecoveryFailed as e:
        ctx.event('error', '%s; the half-made image is left behind' % e)


def restore_image(ctx: ctx_mod.RestoreContext, key: str, record: dict,
                  resource: str) -> dict:
    """A new Glance image in the target holding the record's bytes.

    :param record: a data record of kind ``image`` or ``volume``.
    :param resource: how errors name the resource.
    :returns: ``{"image_id": ...}`` of an ``active`` image.
    :raises dragon.exception.RestoreVerificationFailed: a corrupt chunk, or
        the stream's size, chunk list or sha256 differ from the record's
        (the image is deleted).
    :raises dragon.exception.RecoveryFailed: Glance refused something, or
        the image did not become active (the image is deleted).
    """
    refs = [chunk_mod.ChunkRef.from_dict(c) for c in record['chunks']]
    sha256 = stream_check(record, refs, resource, ctx.checkpoint_label())
    with base.failing_as(resource, 'creating the Glance image',
                         exception.RecoveryFailed):
        image_id = _create(ctx, key, record)['id']
    body = UploadBody(
        lambda: read_ahead(ctx.chunks, refs, ctx.chunks.workers),
        int(record['size']), sha256, resource,
        ctx.checkpoint_label(), ctx.progress)
    try:
        with base.failing_as(resource, 'uploading image %s' % image_id,
                             exception.RecoveryFailed):
            try:
                # Through the adapter, with the create (see _create): the
                # body streams chunk by chunk and stops at the first bad
                # one.
                ctx.clients.adapter('image').put(
                    '/v2/images/%s/file' % image_id, data=body,
                    headers={'Content-Type': 'application/octet-stream'})
            except Exception as e:
                if body.error is not None:
                    raise body.error from e
                raise
            if body.error is not None:
                raise body.error
            waits = ctx.waits
            image = glance.wait_active(
                ctx.clients, image_id, timeout=waits.image_active_timeout,
                interval=waits.poll_interval, resource=resource)
        _verify_glance(ctx, resource, record, image)
    except BaseException:
        _remove(ctx, resource, image_id)
        raise
    ctx.event('info', 'image %s holds the %d bytes of checkpoint %s' % (
        image_id, body.sent, ctx.checkpoint_label()))
    return {'image_id': image_id}


def restored_parameter(kind: str, restored: dict) -> str | None:
    """The restored image that fills a template parameter of ``kind``.

    A resource type whose data ``restore_image`` put back gives the new
    image to its node's ``image`` parameter (``restored_parameter`` of
    ``dragon.resource_types``); ``None`` for any other parameter.
    """
    if kind == 'image' and restored.get('image_id'):
        return restored['image_id']
    return None


def tagged_images(clients: Any, recovery_id: str,
                  key: str = ctx_mod.RESTORE_PROPERTY) -> list[str]:
    """Images a recovery restored, by their ``dragon_restore`` (or key)
    property and their ``dragon-restore-`` name.

    The property alone is not enough: Nova copies a server's image
    properties into every snapshot of it, so a snapshot of a server
    rebuilt from a restored image (the user's own, or a protection's)
    carries the tag too, and must never be taken for the recovery's.
    """
    return [i['id'] for i in images_with(clients, key, recovery_id)
            if (i.get('name') or '').startswith(ctx_mod.RESTORE_PREFIX + '-')]


def images_with(clients: Any, key: str, value: str) -> list[dict[str, Any]]:
    """Glance's records of the images whose property key is value.

    Through the adapter: openstacksdk's image listing does not filter on
    an arbitrary property.  A listing Glance refuses finds none.
    """
    response = clients.adapter('image').get(
        '/v2/images', params={key: value, 'limit': 1000}, raise_exc=False)
    if response.status_code >= 400:
        return []
    return list(response.json().get('images') or ())
