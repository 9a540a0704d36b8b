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

"""A boot volume restored in place: copied, then re-imaged by a Nova rebuild.

Nova gives a project no way to put another volume under a server's root
disk: detaching the root volume is refused in every state ("Cannot detach
a root device volume"), and the volume-attachment update (swap volume) is
for Cinder's own migrations only (service role, and the volume must be
migrating).  What it gives is the rebuild of a volume-backed server at
microversion 2.93: Cinder writes an image onto the boot volume itself
(``os-reimage``, project member) and tells Nova when it is done (a
``volume-reimaged`` event, sent with Cinder's ``[nova]`` service
credentials), and the server keeps its ID, boot volume, device, ports,
addresses, key pair and metadata.  That overwrites the volume, so:

- before, with the server stopped, the boot volume is cloned (a new
  volume, detached, metadata ``dragon_replaced_by=<recovery id>`` and
  ``dragon_copy_of=<boot volume id>``): its data as it was;
- the server is rebuilt from the restored image of the checkpoint's bytes
  (``reimaged`` is saved just before: from then on a put-back writes the
  copy back), and the restored image is deleted once Cinder is done;
- a rollback (or a failure, or an engine taking over) uploads the copy to
  an image (``dragon-rollback-<recovery id>-<volume id>``, found by that
  name if the engine stopped before writing its id down), rebuilds the
  server from it and deletes the image and the copy;
- a commit deletes the copy (an expired window keeps it, tagged) and
  removes the restore tags Cinder copied from the restored image into the
  boot volume's image metadata.

Entries are ``kind`` boot_volume: ``{"key", "name", "kind", "volume_id",
"server_id", "device", "saved_volume_id", "restored_image_id",
"image_id", "reimaged", "rollback_image_id", "server_status", "state"}``
(``image_id``: the restored image until it is deleted).  The server is
stopped and started by the caller (``apply``, ``window``).
"""

from typing import Any, Callable

from dragon import exception
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.restore import context as ctx_mod

KIND = 'boot_volume'
RESTORE_TAGS = (ctx_mod.RESTORE_PROPERTY, ctx_mod.RESTORE_KEY_PROPERTY)

Event = Callable[..., None]
Save = Callable[[], None]


def entry(key: str, name: str | None, volume_id: str, server_id: str,
          device: str | None, state: str) -> dict[str, Any]:
    """A new replacement of the boot volume volume_id of server_id."""
    return {'key': key, 'name': name, 'kind': KIND, 'volume_id': volume_id,
            'server_id': server_id, 'device': device,
            'saved_volume_id': None, 'restored_image_id': None,
            'image_id': None, 'reimaged': False, 'rollback_image_id': None,
            'server_status': None, 'state': state}


def _copy_name(recovery_id: str, entry: dict[str, Any]) -> str:
    return ('dragon-before-%s-%s' % (
        recovery_id, entry.get('name') or entry['volume_id']))[:255]


def _rollback_name(recovery_id: str, entry: dict[str, Any]) -> str:
    return 'dragon-rollback-%s-%s' % (recovery_id, entry['volume_id'])


def swap(cloud: swap_mod.Cloud, entry: dict[str, Any], recovery_id: str,
         save: Save, event: Event) -> None:
    """Copy the boot volume, then re-image it from the restored image.

    The server is stopped.  Run again after a crash, it goes on: the copy
    is made once, and a volume holding the restored image already is not
    re-imaged twice.  The caller marks the entry swapped.
    """
    key, server_id = entry['key'], entry['server_id']
    volume_id = entry['volume_id']
    if not entry.get('saved_volume_id'):
        entry['saved_volume_id'] = cloud.clone(
            volume_id, _copy_name(recovery_id, entry),
            {swap_mod.REPLACED_TAG: recovery_id,
             swap_mod.COPY_TAG: volume_id})
        save()
    saved = entry['saved_volume_id']
    cloud.wait_available(saved)
    if not entry.get('reimaged'):
        event('info', 'boot volume %s of server %s: its data as it is now '
              'is kept as volume %s (detached, %s=%s) until the recovery '
              'is committed' % (volume_id, server_id, saved,
                                swap_mod.REPLACED_TAG, recovery_id), key)
        # From here on a put-back writes the copy back onto the volume.
        entry['reimaged'] = True
        save()
    cloud.reimage(server_id, volume_id, entry['restored_image_id'])
    if entry.get('image_id') and cloud.delete_image(entry['image_id']):
        event('info', 'restored image %s deleted: boot volume %s holds its '
              'bytes' % (entry['image_id'], volume_id), key)
    entry['image_id'] = None
    save()
    event('info', 'server %s rebuilt by Nova with its boot volume %s '
          're-imaged from the checkpoint\'s data (same volume, device %s, '
          'ports and addresses: %s)' % (
              server_id, volume_id, entry.get('device') or '-',
              cloud.addresses(server_id)), key)


def put_back(cloud: swap_mod.Cloud, entry: dict[str, Any], recovery_id: str,
             save: Save, event: Event) -> None:
    """Write the copy back onto the boot volume (the server is stopped).

    Only for an entry whose volume may have been re-imaged (``reimaged``).
    """
    key, server_id = entry['key'], entry['server_id']
    volume_id, saved = entry['volume_id'], entry.get('saved_volume_id')
    if not saved or cloud.volume(saved) is None:
        raise exception.RecoveryFailed(
            resource='volume %s' % volume_id,
            reason='its copy from before the restore (%s) is gone: it '
            'cannot be put back' % saved)
    if not entry.get('rollback_image_id'):
        cloud.wait_available(saved)
        name = _rollback_name(recovery_id, entry)
        entry['rollback_image_id'] = (cloud.image_named(name) or
                                      cloud.upload(saved, name))
        save()
    image_id = entry['rollback_image_id']
    try:
        cloud.wait_image_active(image_id, 'volume %s' % saved)
    except exception.ResourceFailed:
        # A failed upload: the next try uploads the copy again.
        cloud.delete_image(image_id)
        entry['rollback_image_id'] = None
        save()
        raise
    cloud.reimage(server_id, volume_id, image_id)
    entry['reimaged'] = False
    save()
    event('info', 'server %s rebuilt with its boot volume %s re-imaged from '
          'its copy %s (through image %s): the data it had before the '
          'restore' % (server_id, volume_id, saved, image_id), key)


def drop(cloud: swap_mod.Cloud, entry: dict[str, Any], event: Event) -> None:
    """After a put-back (or none needed): images and the copy deleted."""
    key = entry['key']
    if entry.get('reimaged'):
        raise exception.RecoveryFailed(
            resource='volume %s' % entry['volume_id'],
            reason='it was not put back: its copy %s is kept' %
            entry.get('saved_volume_id'))
    for field in ('image_id', 'restored_image_id', 'rollback_image_id'):
        if entry.get(field) and cloud.delete_image(entry[field]):
            event('info', 'image %s deleted' % entry[field], key)
    entry['image_id'] = None
    _drop_copy(cloud, entry, event)


def _drop_copy(cloud: swap_mod.Cloud, entry: dict[str, Any],
               event: Event) -> None:
    saved = entry.get('saved_volume_id')
    if not saved or cloud.volume(saved) is None:
        return
    try:
        # Cinder deletes a volume only once it is made (or uploaded).
        cloud.wait_available(saved)
    except exception.DragonException:
        pass        # in error: deletable as it is
    if cloud.delete(saved):
        event('info', 'volume %s (the copy of boot volume %s) deleted' % (
            saved, entry['volume_id']), entry['key'])


def settle(cloud: swap_mod.Cloud, entry: dict[str, Any], keep_old: bool,
           event: Event) -> None:
    """Commit (the copy deleted) or keep (the copy kept, tagged).

    The caller marks the entry committed or kept.
    """
    key, volume_id = entry['key'], entry['volume_id']
    cloud.untag_boot_image(volume_id, RESTORE_TAGS)
    if keep_old:
        event('info', 'volume %s (boot volume %s as it was before the '
              'restore) kept, detached, with metadata %s: delete it when it '
              'is no longer needed' % (entry.get('saved_volume_id'),
                                       volume_id, swap_mod.REPLACED_TAG), key)
        return
    _drop_copy(cloud, entry, event)


def adopt(cloud: swap_mod.Cloud, recovery_id: str,
          replaced: list[dict[str, Any]], event: Event) -> None:
    """Copies of boot volumes whose id never reached the row.

    An engine killed between Cinder's answer to the clone and the next
    write leaves a volume tagged with the recovery and the boot volume it
    copies: it is put on that entry (the volume was not re-imaged yet: that
    comes after the write, so a put-back deletes it), or deleted.
    """
    entries = [r for r in replaced if r.get('kind') == KIND]
    known = {r.get('saved_volume_id') for r in entries}
    for copy_id, of in cloud.tagged_copies(recovery_id).items():
        if copy_id in known:
            continue
        found = next((r for r in entries if r['volume_id'] == of and
                      not r.get('saved_volume_id')), None)
        if found is not None:
            found['saved_volume_id'] = copy_id
            event('info', 'volume %s, the copy of boot volume %s made by '
                  'the engine that stopped, found by its tag' % (
                      copy_id, of), found['key'])
        else:
            _drop_copy(cloud, {'key': None, 'volume_id': of,
                               'saved_volume_id': copy_id}, event)
