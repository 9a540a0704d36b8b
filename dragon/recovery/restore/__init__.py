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

"""Restore a checkpoint's data records into the target region.

The resource type whose plugin claims a record's kind (the manifest's
``data[<key>]["kind"]``, see ``dragon.resource_types``) restores it; the
built-in kinds:

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
from dragon import resource_types

__all__ = ['RestoreContext', 'cleanup', 'estimate', 'restore']


def estimate(record: dict) -> int:
    """Bytes restoring ``record`` moves, for progress (0: nothing moves)."""
    plugin = resource_types.by_record_kind(record.get('kind'))
    return plugin.estimate_restore(record) if plugin is not None else 0


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
    kind = record.get('kind')
    if kind == base.NONE:
        return {}
    plugin = resource_types.by_record_kind(kind)
    restorer = plugin.restorers().get(kind) if plugin is not None else None
    if restorer is None:
        raise exception.RecoveryFailed(
            resource=base.label(node) if node is not None else key,
            reason='data of kind %r cannot be restored by this Dragon '
            '(no resource type plugin restores it)' % kind)
    return restorer(ctx, key, record, node)


def cleanup(ctx: RestoreContext, restored: dict) -> None:
    """Delete what ``restore`` made (recovery failure, drill, delete).

    Every entry is tried; already gone is success; adopted replicas and
    imported backups are kept (they are not the recovery's to delete).
    Restored images are the core's to remove; each resource type's
    ``cleanup_restored`` removes the rest of what it made.

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
            for plugin in resource_types.all_types():
                plugin.cleanup_restored(ctx, key, made)
        except exception.DragonException as e:
            ctx.event('error', str(e))
            first_error = first_error or e
    if first_error is not None:
        raise first_error


# The context module's names, for callers that import only this package.
RESTORE_PROPERTY = context.RESTORE_PROPERTY
