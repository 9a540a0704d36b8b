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

"""The chains of incremental ``cinder_backup`` backups, and their deletion.

Cinder makes an incremental backup on top of the volume's newest available
backup (by data timestamp) and does not say which one in its API.  Dragon
names it in the new backup's metadata (``dragon_parent``) when it asks for
the backup, so the chain can be walked back to its full backup: the
checkpoint's record carries every link's export record, base first
(``export_chain``), which is what another site imports, in that order.

A deleted checkpoint no longer needs its backup, but Cinder refuses to
delete a backup that later incrementals depend on.  Such a backup is
marked ``dragon_released`` and deleted when its last dependent goes:
deleting a backup releases its parent in turn when the parent was
released and has no other dependent.

Known race: a checkpoint deleted while a protection of the same volume
starts may delete the backup Cinder is about to chain the new incremental
on (Cinder then fails the backup, and with it that checkpoint).
"""

from typing import Any

from dragon.protection.data import base
from dragon.protection.data import cinder
from dragon.protection.data import waiting

PARENT_KEY = 'dragon_parent'
RELEASED_KEY = 'dragon_released'
# Links followed back before the chain is cut (a loop in hand-edited
# metadata must not walk forever).
MAX_CHAIN = 1000


def _get(clients: Any, backup_id: str) -> Any | None:
    try:
        return cinder.get(clients, 'backup', backup_id)
    except waiting.Gone:
        return None


def parent(backups: list) -> Any | None:
    """The backup Cinder chains an incremental on: the newest available.

    :param backups: every backup of the volume (any owner: Cinder does not
        look at who made them).
    """
    usable = [b for b in backups if b.status == 'available']
    if not usable:
        return None
    return max(usable, key=lambda b: (b.data_timestamp or b.created_at or '',
                                      b.created_at or ''))


def chain(clients: Any, backup: Any) -> list:
    """The backup and those it depends on, base (the full backup) first."""
    links = [backup]
    while links[-1].is_incremental and len(links) < MAX_CHAIN:
        parent_id = (links[-1].metadata or {}).get(PARENT_KEY)
        found = _get(clients, parent_id) if parent_id else None
        if found is None:
            break       # not Dragon's chain beyond this point
        links.append(found)
    return links[::-1]


def release(clients: Any, conf: Any, backup_id: str,
            resource: str) -> list[str]:
    """Delete a backup no checkpoint references, or mark it for later.

    :returns: what was done, one line per backup (for events and logs).
    :raises dragon.exception.DragonException: a delete that failed.
    """
    done: list[str] = []
    protection = conf.protection
    while backup_id:
        backup = _get(clients, backup_id)
        if backup is None:
            break
        metadata = dict(backup.metadata or {})
        if backup.has_dependent_backups:
            if metadata.get(RELEASED_KEY) != 'true':
                metadata[RELEASED_KEY] = 'true'
                with base.failing_as(resource, 'marking backup %s released'
                                     % backup_id):
                    clients.connection.block_storage.update_backup(
                        backup_id, metadata=metadata)
            done.append('backup %s kept until the incremental backups that '
                        'depend on it are deleted (%s)' % (backup_id,
                                                           RELEASED_KEY))
            break
        with base.failing_as(resource, 'deleting backup %s' % backup_id):
            cinder.delete_and_wait(
                clients, 'backup', backup_id, timeout=protection.backup_timeout,
                interval=protection.poll_interval, resource=resource)
        done.append('backup %s deleted' % backup_id)
        # Its parent may have waited for it.
        parent_id = metadata.get(PARENT_KEY)
        if not parent_id:
            break
        up = _get(clients, parent_id)
        if up is None or (up.metadata or {}).get(RELEASED_KEY) != 'true':
            break
        backup_id = parent_id
    return done


def release_checkpoint(clients: Any, conf: Any, manifest: dict) -> list[str]:
    """Release every ``cinder_backup`` backup a deleted checkpoint names.

    :returns: what was done, one line per backup.
    :raises dragon.exception.DragonException: the first backup that could
        not be deleted (the others are still tried first).
    """
    done, errors = [], []
    for key, record in sorted((manifest.get('data') or {}).items()):
        if (record or {}).get('kind') != base.CINDER_BACKUP:
            continue
        backup_id = (record.get('backup') or {}).get('id')
        if not backup_id:
            continue
        try:
            done.extend(release(clients, conf, backup_id, key))
        except Exception as e:  # noqa: BLE001 - the others are tried
            errors.append(e)
    if errors:
        raise errors[0]
    return done
