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

"""``cinder_backup``: cinder-backup keeps the bytes, Dragon the record."""

from typing import Any

from openstack import exceptions as sdk_exc

from dragon.protection.data import backup_chain
from dragon.protection.data import base
from dragon.protection.data import cinder
from dragon.protection.data import volume as volume_mod
from dragon.protection import warnings

GiB = 1024 ** 3
# Backups Dragon made carry this metadata, so the next one can be
# incremental on top of Dragon's chain rather than someone else's.
METADATA_KEY = 'dragon_backup'


def _volume_backups(ctx: base.DataContext, volume_id: str) -> list:
    """Every backup of the volume, whoever made it.

    Filtered here, not with ``?volume_id=``: a deployment's
    ``resource_filters.json`` may not allow that filter (Cinder answers 400).
    The SDK follows the pages.
    """
    backups = ctx.clients.connection.block_storage.backups(details=True)
    return [b for b in backups if b.volume_id == volume_id]


def _dragons(backups: list) -> list:
    """Dragon's available backups among ``backups``."""
    return [b for b in backups if b.status == 'available' and
            (b.metadata or {}).get(METADATA_KEY) == 'true']


def backup_name(ctx: base.DataContext, node: Any) -> str:
    """``dragon-backup-<checkpoint id>-<node key>``: kept, not temporary.

    Deterministic, so a run whose engine died before the backup's id was
    on the row is swept by name (``sweep``); not ``dragon-tmp-``, since the
    backup of a completed checkpoint is what the checkpoint references.
    """
    return 'dragon-backup-%s-%s' % (ctx.run_id, node.key)


def export_record(ctx: base.DataContext, backup_id: str) -> dict | None:
    """The backup's export record; ``None`` when policy forbids it (403).

    Cinder's default policy lets only admins export; the backup is still
    usable in this cloud, so this is not a failure.
    """
    try:
        return ctx.clients.connection.block_storage.export_backup(
            backup_id)['backup-record']
    except sdk_exc.ForbiddenException:
        return None


class CinderBackup(base.DataAction):
    """A native cinder-backup (incremental after Dragon's first full one)."""

    resource_type = 'volume'
    action = 'cinder_backup'

    def estimate(self, ctx: base.DataContext, node: Any) -> int:
        return int(volume_mod.get_volume(ctx, node).size) * GiB

    def capture(self, ctx: base.DataContext, node: Any) -> dict:
        volume = volume_mod.get_unencrypted_volume(ctx, node)
        metadata = {METADATA_KEY: 'true'}
        incremental = False
        if base.option(ctx, node, 'incremental', True):
            backups = _volume_backups(ctx, node.resource.id)
            # On top of the one Cinder will choose, named so the chain can
            # be walked back (Cinder's API does not say).
            parent = backup_chain.parent(backups)
            incremental = bool(_dragons(backups)) and parent is not None
            if incremental:
                metadata[backup_chain.PARENT_KEY] = parent.id
        state = {'incremental': incremental,
                 'volume': volume_mod.facts(volume)}
        attrs = {'volume_id': node.resource.id,
                 'name': base.intend(ctx, state, 'backup', backup_name(
                     ctx, node)),
                 'is_incremental': incremental,
                 'force': volume.status == 'in-use',
                 'metadata': metadata}
        container = base.option(ctx, node, 'container', None)
        if container:
            attrs['container'] = container
        backup = cinder.create(ctx.clients, 'backup', **attrs)
        base.created(ctx, state, 'backup', backup.id)
        return state

    def prepare(self, ctx: base.DataContext, node: Any,
                state: dict) -> None:
        """Until Cinder has written the backup."""
        self._wait(ctx, node, state)

    def _wait(self, ctx: base.DataContext, node: Any, state: dict) -> Any:
        conf = ctx.protection
        return cinder.wait_status(
            ctx.clients, 'backup', state['backup_id'], ('available',),
            cinder.BACKUP_BAD, timeout=conf.backup_timeout,
            interval=conf.poll_interval, resource=base.label(node))

    def transfer(self, ctx: base.DataContext, node: Any,
                 state: dict) -> dict:
        # Available already (prepare): one read of the backup.
        backup = self._wait(ctx, node, state)
        links = backup_chain.chain(ctx.clients, backup)
        chain = [{'id': link.id, 'is_incremental': bool(link.is_incremental),
                  'export_record': export_record(ctx, link.id)}
                 for link in links]
        exported = chain[-1]['export_record']
        if exported is None:
            ctx.warn(warnings.BACKUP_NOT_EXPORTABLE,
                     '%s: Cinder did not allow exporting backup %s '
                     '(admin-only by default); the checkpoint keeps its id '
                     'only, so it can be restored only where that backup is '
                     'visible' % (base.label(node), backup.id))
        else:
            ctx.warn(warnings.BACKUP_IMPORT_ADMIN_ONLY,
                     '%s: backup %s can be restored at another site only by '
                     'importing its record, which Cinder allows '
                     'administrators only by default (backup:backup-import)'
                     % (base.label(node), backup.id))
        size = int(backup.size or 0) * GiB
        ctx.progress(size)
        state['done'] = True
        return base.record(
            self.action, base.CINDER_BACKUP, size=size,
            backup={'id': backup.id,
                    'container': backup.container,
                    'size_gib': backup.size,
                    'is_incremental': bool(backup.is_incremental),
                    'parent_id': (backup.metadata or {}).get(
                        backup_chain.PARENT_KEY),
                    'object_count': backup.object_count,
                    'availability_zone': backup.availability_zone},
            export_allowed=exported is not None, export_record=exported,
            export_chain=chain,
            volume=state['volume'])

    def cleanup(self, ctx: base.DataContext, node: Any, state: dict) -> None:
        """A failed checkpoint's backup is referenced by nothing: delete it."""
        backup_id = state.get('backup_id')
        if not backup_id or state.get('done'):
            return
        conf = ctx.protection
        with base.failing_as(node, 'removing backup %s' % backup_id):
            cinder.delete_and_wait(
                ctx.clients, 'backup', backup_id,
                timeout=conf.backup_timeout, interval=conf.poll_interval,
                resource=base.label(node))
