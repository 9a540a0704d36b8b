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

"""Volumes whose bytes Dragon never held: cinder-backup restores and adopted replicas.

``cinder_backup``: the backup the checkpoint names is used directly when
the target's Cinder knows it (one Cinder for both sites, or a record
imported by an earlier recovery); otherwise its export record is imported
(``POST /backups/import_record``, admin-only in Cinder's default policy),
with the backups an incremental one depends on, base first (the
record's ``export_chain``).  The backup is then restored into a new volume made for it, tagged
``dragon_restore=<recovery id>`` when it is created (the rollback of a
recovery whose engine died finds it by that tag).  An imported backup is never
deleted by cleanup: its record points at the very objects the source
site's backup uses, and deleting it would delete that backup's data.

``replicated``: the storage copied the volume; recovery adopts the copy.
The rule, in order: (1) the one volume of the project in the target whose
metadata ``dragon_replica_of`` is the source volume's id (set by the
operator or the replication tooling); (2) a volume with the source
volume's own id (backends and failovers that keep ids).  Names are never
used: they are not unique.  An adopted volume is the user's and is never
deleted by cleanup.
"""

from typing import Any

from openstack import exceptions as sdk_exc

from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import cinder
from dragon.protection.data import waiting
from dragon.recovery.restore import context as ctx_mod

REPLICA_OF = 'dragon_replica_of'


def _get(ctx: ctx_mod.RestoreContext, kind: str, obj_id: str) -> Any | None:
    try:
        return cinder.get(ctx.clients, kind, obj_id)
    except waiting.Gone:
        return None


def _import(ctx: ctx_mod.RestoreContext, exported: dict | None,
            backup_id: str, resource: str) -> str:
    if not exported:
        raise exception.RecoveryFailed(
            resource=resource, reason=(
                'backup %s is unknown to Cinder in %s, and the checkpoint '
                'holds no export record to import it with (Cinder did not '
                'allow exporting it when it was protected; only an admin '
                'may by default)' % (backup_id, ctx.clients.region_name)))
    # Not the SDK's import_backup: openstacksdk 4.22's
    # Backup.import_record posts to /backups/export_record and sends that
    # path as backup_url.  The call Cinder documents, through the proxy.
    block_storage = ctx.clients.connection.block_storage
    try:
        response = block_storage.post(
            '/backups/import_record', json={'backup-record': {
                'backup_service': exported['backup_service'],
                'backup_url': exported['backup_url']}})
        sdk_exc.raise_from_response(response)
    except sdk_exc.ForbiddenException as e:
        raise exception.RecoveryFailed(
            resource=resource, reason=(
                'Cinder in %s refused to import the record of backup %s: '
                'importing backups is admin-only in Cinder\'s default policy '
                '(backup:backup-import); ask an admin to import it, or '
                'recover with a role that may (HTTP %s)' % (
                    ctx.clients.region_name, backup_id,
                    e.status_code or 403))) from e
    return response.json()['backup']['id']


def _import_chain(ctx: ctx_mod.RestoreContext, record: dict,
                  backup_id: str, resource: str) -> str:
    """Import the backup and the backups it is incremental on, base first.

    Cinder imports a backup under the id its record holds, so an
    incremental's parent must be there before it.  Links the target
    already knows (an earlier recovery imported them) are skipped.
    Records of older checkpoints carry no chain: the backup alone.

    :returns: the id of the imported backup.
    """
    chain = record.get('export_chain') or [
        {'id': backup_id, 'export_record': record.get('export_record')}]
    imported = backup_id
    for link in chain:
        if link['id'] != backup_id and _get(ctx, 'backup', link['id']):
            continue
        imported = _import(ctx, link.get('export_record'), link['id'],
                           resource)
        ctx.event('info', 'backup %s imported into %s' % (
            imported, ctx.clients.region_name))
        if link['id'] != backup_id:
            cinder.wait_status(
                ctx.clients, 'backup', imported, ('available',),
                cinder.BACKUP_BAD, timeout=ctx.waits.backup_timeout,
                interval=ctx.waits.poll_interval, resource=resource)
    return imported


def restore_backup(ctx: ctx_mod.RestoreContext, key: str, record: dict,
                   resource: str) -> dict:
    """A new volume in the target restored from the record's backup.

    :returns: ``{"volume_id", "backup_id", "backup_imported"}``.
    :raises dragon.exception.RecoveryFailed: the backup cannot be found or
        imported, or the restore failed (the new volume is deleted).
    """
    backup_id = (record.get('backup') or {}).get('id')
    if not backup_id:
        raise exception.RecoveryFailed(
            resource=resource, reason='the data record names no backup')
    waits = ctx.waits
    with base.failing_as(resource, 'restoring backup %s' % backup_id,
                         exception.RecoveryFailed):
        imported = _get(ctx, 'backup', backup_id) is None
        if imported:
            backup_id = _import_chain(ctx, record, backup_id, resource)
        backup = cinder.wait_status(
            ctx.clients, 'backup', backup_id, ('available',),
            cinder.BACKUP_BAD, timeout=waits.backup_timeout,
            interval=waits.poll_interval, resource=resource)
        # Made here, tagged as the recovery's in the create call itself,
        # then restored into: an engine killed before the volume's id is
        # on the row leaves a volume the rollback finds by its tag (a
        # volume Cinder's restore made would carry only a name, and names
        # are not unique).
        volume_id = cinder.create(
            ctx.clients, 'volume', size=int(
                backup.size or (record.get('backup') or {}).get('size_gib')
                or 1),
            name=ctx.name(key), metadata={
                ctx_mod.RESTORE_PROPERTY: ctx.recovery_id or 'unknown',
                ctx_mod.RESTORE_KEY_PROPERTY: key}).id
    result = {'volume_id': volume_id, 'backup_id': backup_id,
              'backup_imported': imported}
    try:
        with base.failing_as(resource, 'restoring backup %s' % backup_id,
                             exception.RecoveryFailed):
            cinder.wait_status(
                ctx.clients, 'volume', volume_id, ('available',),
                cinder.VOLUME_BAD, timeout=waits.backup_timeout,
                interval=waits.poll_interval, resource=resource)
            ctx.clients.connection.block_storage.restore_backup(
                backup_id, volume_id=volume_id)
            cinder.wait_status(
                ctx.clients, 'volume', volume_id, ('available',),
                cinder.VOLUME_BAD, timeout=waits.backup_timeout,
                interval=waits.poll_interval, resource=resource)
    except BaseException:
        try:
            cleanup_volume(ctx, key, dict(result, backup_imported=False))
        except exception.RecoveryFailed as e:
            ctx.event('error', '%s; the half-restored volume is left' % e)
        raise
    ctx.progress(int(record.get('size') or 0))
    ctx.event('info', 'volume %s restored from backup %s' % (volume_id,
                                                             backup_id))
    return result


def _volumes(ctx: ctx_mod.RestoreContext) -> list:
    """The project's volumes in the target, every page (the SDK pages).

    Filtered here: ``?metadata=`` may be refused by a deployment's
    ``resource_filters.json``.
    """
    return list(ctx.clients.connection.block_storage.volumes(details=True))


def _replica(ctx: ctx_mod.RestoreContext, source_id: str,
             resource: str) -> Any:
    tagged = [v for v in _volumes(ctx)
              if (v.metadata or {}).get(REPLICA_OF) == source_id]
    if len(tagged) > 1:
        raise exception.RecoveryFailed(
            resource=resource, reason='%d volumes in %s claim to be its '
            'replica (metadata %s=%s): %s' % (
                len(tagged), ctx.clients.region_name, REPLICA_OF, source_id,
                ', '.join(sorted(v.id for v in tagged))))
    if tagged:
        return tagged[0]
    same_id = _get(ctx, 'volume', source_id)
    if same_id is not None:
        return same_id
    raise exception.RecoveryFailed(
        resource=resource, reason='no replica in %s: no volume has metadata '
        '%s=%s, and no volume has the source volume\'s id' % (
            ctx.clients.region_name, REPLICA_OF, source_id))


def adopt_replica(ctx: ctx_mod.RestoreContext, key: str, record: dict,
                  resource: str, source_id: str | None) -> dict:
    """The replica of the source volume in the target, checked usable.

    :param source_id: the protected volume's id (from the graph node).
    :returns: ``{"volume_id": ..., "adopted": True}``.
    :raises dragon.exception.RecoveryFailed: no replica, several, or one
        that is not ``available`` or smaller than the source.
    """
    if not source_id:
        raise exception.RecoveryFailed(
            resource=resource, reason='the source volume\'s id is needed '
            'to find its replica')
    with base.failing_as(resource, 'finding the replica',
                         exception.RecoveryFailed):
        volume = _replica(ctx, source_id, resource)
    wanted = (record.get('volume') or {}).get('size_gib') or 0
    if volume.status != 'available':
        raise exception.RecoveryFailed(
            resource=resource, reason='replica %s is %s, not available' % (
                volume.id, volume.status))
    if int(volume.size or 0) < int(wanted):
        raise exception.RecoveryFailed(
            resource=resource, reason='replica %s has %s GiB, the source '
            'volume %s GiB' % (volume.id, volume.size, wanted))
    ctx.event('info', 'replica %s adopted' % volume.id)
    return {'volume_id': volume.id, 'adopted': True}


def tagged_volumes(ctx: ctx_mod.RestoreContext) -> list[str]:
    """Volumes of this recovery by their ``dragon_restore`` metadata.

    The SDK follows the pages; no filter, which a deployment's
    ``resource_filters.json`` may refuse.
    """
    if not ctx.recovery_id:
        return []
    return [v.id for v in _volumes(ctx)
            if (v.metadata or {}).get(ctx_mod.RESTORE_PROPERTY) ==
            ctx.recovery_id]


def cleanup_volume(ctx: ctx_mod.RestoreContext, key: str,
                   restored: dict) -> bool:
    """Delete a volume the recovery made; adopted replicas are kept.

    :returns: ``False`` when nothing was deleted (kept or already gone).
    """
    volume_id = restored.get('volume_id')
    if restored.get('backup_imported'):
        ctx.event('info', '%s: imported backup %s is kept: its record '
                  'points at the source backup\'s data' % (
                      key, restored.get('backup_id')))
    if not volume_id or restored.get('adopted'):
        return False
    waits = ctx.waits
    with base.failing_as(key, 'removing volume %s' % volume_id,
                         exception.RecoveryFailed):
        return cinder.delete_and_wait(
            ctx.clients, 'volume', volume_id, timeout=waits.delete_timeout,
            interval=waits.poll_interval, resource=key)
