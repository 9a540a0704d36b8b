"""Restore a checkpoint's data records into the target region.

One function per record kind (the manifest's ``data[<key>]["kind"]``):

- ``image`` (a server's disk or base image) and ``volume`` (a volume's
  bytes): a new Glance image ``dragon-restore-<key>-<checkpoint time>``
  with property ``dragon_restore=<recovery id>``, its bytes streamed from
  the chunk store and verified (``images``); ``{"image_id"}``.  A volume
  image is ``raw``/``bare`` with ``min_disk`` the volume's size, and Heat
  creates the volume from it.
- ``cinder_backup``: the backup restored to a new volume, imported first
  when the target's Cinder does not know it (``volumes``);
  ``{"volume_id", "backup_id", "backup_imported"}``.
- ``replicated``: the storage's replica adopted (``volumes`` documents how
  it is found); ``{"volume_id", "adopted": True}``.
- ``none``: nothing; ``{}``.

Restoring one resource streams chunk by chunk (memory: a few chunks); the
recovery workflow restores several resources at once on a small pool.
"""

from typing import Any

from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import glance
from dragon.recovery.restore import context
from dragon.recovery.restore.context import RestoreContext
from dragon.recovery.restore import images
from dragon.recovery.restore import volumes

__all__ = ['RestoreContext', 'cleanup', 'estimate', 'restore']

_STREAMED = (base.IMAGE, base.VOLUME)


def estimate(record: dict) -> int:
    """Bytes restoring ``record`` moves, for progress (0: nothing moves)."""
    if record.get('kind') in _STREAMED + (base.CINDER_BACKUP,):
        return int(record.get('size') or 0)
    return 0


def restore(ctx: RestoreContext, key: str, record: dict,
            node: Any = None) -> dict:
    """Put one data record back into the target region.

    :param ctx: the target region's context.
    :param key: the resource's node key (names the restored objects).
    :param record: the manifest's ``data[key]``.
    :param node: the resource's graph node, when known: errors name it
        (``volume db (<id>)`` rather than the key), and adopting a replica
        needs the source volume's id.
    :returns: what the template rewrite uses: ``{"image_id": ...}`` or
        ``{"volume_id": ...}`` (plus bookkeeping for ``cleanup``), ``{}``.
    :raises dragon.exception.RestoreVerificationFailed: the checkpoint's
        bytes are corrupt or not what was protected.
    :raises dragon.exception.RecoveryFailed: the target refused or failed;
        whatever was half made for this resource is removed first.
    """
    resource = base.label(node) if node is not None else key
    kind = record.get('kind')
    if kind in _STREAMED:
        return images.restore_image(ctx, key, record, resource)
    if kind == base.CINDER_BACKUP:
        return volumes.restore_backup(ctx, key, record, resource)
    if kind == base.REPLICATED:
        source_id = node.resource.id if node is not None else record.get(
            'source_volume_id')
        return volumes.adopt_replica(ctx, key, record, resource, source_id)
    if kind == base.NONE:
        return {}
    raise exception.RecoveryFailed(
        resource=resource, reason='data of kind %r cannot be restored by '
        'this Dragon' % kind)


def cleanup(ctx: RestoreContext, restored: dict) -> None:
    """Delete what ``restore`` made (recovery failure, drill, delete).

    Every entry is tried; already gone is success; adopted replicas and
    imported backups are kept (they are not the recovery's to delete).

    :param restored: ``{key: what restore returned}``.
    :raises dragon.exception.RecoveryFailed: something could not be
        removed (the first such error, after trying all).
    """
    first_error = None
    for key, made in sorted(restored.items()):
        try:
            if made.get('image_id'):
                with base.failing_as(key, 'removing image %s' % made[
                        'image_id'], exception.RecoveryFailed):
                    glance.delete_image(ctx.clients, made['image_id'])
            volumes.cleanup_volume(ctx, key, made)
        except exception.DragonException as e:
            ctx.event('error', str(e))
            first_error = first_error or e
    if first_error is not None:
        raise first_error


# The context module's names, for callers that import only this package.
RESTORE_PROPERTY = context.RESTORE_PROPERTY
