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

"""The replacements of an in-place restore, and how its window closes.

A replacement (one entry of the recovery's ``replaced``) is either one
volume taken out of its place and the restored volume put there
(``kind`` volume: ``{"key", "name", "kind", "old_volume_id",
"new_volume_id", "image_id", "server_id", "device", "server_status",
"state"}``; a volume gone from the region has no ``old_volume_id`` and
``recreates`` its checkpoint id instead), or one server rebuilt from its checkpoint image (``kind``
server: ``{"key", "name", "kind", "server_id", "previous_image_id",
"saved_image_id", "restored_image_id", "server_status", "state"}``;
``saved_image_id`` is a snapshot of its disk taken just before the
rebuild, what a rollback rebuilds it from).  ``state`` moves restoring →
ready → swapped (rebuilt), then to one of the ends: committed (the old
volume, or the saved disk image, deleted), kept (the window expired: both
kept), rolled_back (the old volume back in place and the new one deleted;
the server rebuilt from its saved disk image and the restored image
deleted).  A server gone from the region and booted again from its
checkpoint image (``kind`` new_server: ``{"key", "name", "kind",
"recreates", "server_id", "restored_image_id", "boot_volume_key",
"floating_ips", "state"}``; ``recreates`` is the gone server's id,
``server_id`` the new one's; one booted from a volume has no restored
image but ``boot_volume_key``, the key of its boot volume's entry, a
``kind`` volume entry with ``boot`` true whose new volume it boots from;
``floating_ips``, those associated with it again, ``floating``) is kept
at commit (its restore tags removed) and deleted with its restored image
at rollback, its floating IPs disassociated first; the volumes put on
it (its new boot volume too) are then deleted or left detached, as they
were before.  A boot volume re-imaged in place (``kind``
boot_volume) keeps its id; the copy of its data taken before is written
back at rollback and deleted at commit (``boot``).

``put_back`` and ``settle`` look at where the volumes are before they
move them, so running them again after a crash finishes the job.
"""

from typing import Any, Callable

from oslo_log import log as logging

from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon.protection.data import glance
from dragon.recovery.in_place import boot
from dragon.recovery.in_place import floating
from dragon.recovery.in_place import recreate
from dragon.recovery.in_place import swap as swap_mod

LOG = logging.getLogger(__name__)

RESTORING, READY, SWAPPED = 'restoring', 'ready', 'swapped'
COMMITTED, KEPT, ROLLED_BACK = 'committed', 'kept', 'rolled_back'
SETTLED = (COMMITTED, KEPT, ROLLED_BACK)
STATES = (RESTORING, READY, SWAPPED) + SETTLED

# commit, rollback, keep: how a window is closed (recoveries.window_action).
COMMIT, ROLLBACK, KEEP = 'commit', 'rollback', 'keep'
ACTIONS = (COMMIT, ROLLBACK, KEEP)
# What a replacement replaces (entries written before servers were rebuilt
# in place have no kind: they are volumes).
VOLUME, SERVER, NEW_SERVER = 'volume', 'server', 'new_server'
BOOT_VOLUME = boot.KIND
KINDS = (VOLUME, SERVER, NEW_SERVER, BOOT_VOLUME)

Event = Callable[..., None]
Save = Callable[[list[dict[str, Any]]], None]


def open_entries(replaced: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in replaced if r.get('state') not in SETTLED]


def kind_of(entry: dict[str, Any]) -> str:
    return entry.get('kind') or VOLUME


def _by_server(entries: list[dict[str, Any]]
               ) -> dict[str | None, list[dict[str, Any]]]:
    servers: dict[str | None, list[dict[str, Any]]] = {}
    for entry in entries:
        servers.setdefault(entry.get('server_id'), []).append(entry)
    return servers


def follow_member(policy_id: str | None, old_id: str, new_id: str) -> bool:
    """The policy protects the volume (or server) in place now (new_id, not old_id).

    Only when this database has the policy and old_id is a member of it
    (a volume protected through its server follows by itself: discovery
    reads what the server has attached).

    :returns: whether a member was changed.
    """
    if not policy_id:
        return False
    admin = dragon_context.get_admin_context()
    try:
        member = db_api.policy_member_get(admin, policy_id, old_id)
    except exception.NotFound:
        return False
    values = {'resource_id': new_id}
    if member.exclusive_resource_id == old_id:
        values['exclusive_resource_id'] = new_id
    db_api.policy_member_update(admin, policy_id, old_id, values)
    return True


def put_back(cloud: swap_mod.Cloud, replaced: list[dict[str, Any]],
             save: Save, event: Event, policy_id: str | None = None,
             recovery_id: str | None = None) -> None:
    """Every open replacement undone: old volumes back, new ones deleted.

    A rebuilt server is rebuilt again from the image of its disk saved
    before the restore; a re-imaged boot volume gets its copy written back
    (``boot``, which names its image after recovery_id).  Servers whose
    volumes move or that are rebuilt are stopped for it and started again
    when they were ACTIVE before the restore.

    :raises dragon.exception.DragonException: a step failed; what was put
        back so far is saved, running it again goes on from there.
    """
    entries = open_entries(replaced)
    for entry in entries:
        if kind_of(entry) == NEW_SERVER:
            _new_server_back(cloud, entry, event, policy_id)
            save(replaced)
    # Volumes put on a recreated server (or meant for it): it is gone now,
    # and they were not attached before the restore.
    made = {i for e in replaced if kind_of(e) == NEW_SERVER
            for i in (e.get('server_id'), e.get('recreates')) if i}
    volumes = [e for e in entries if kind_of(e) == VOLUME]
    servers = [e for e in entries if kind_of(e) == SERVER]
    boots = [e for e in entries if kind_of(e) == BOOT_VOLUME]
    by_server = _by_server([e for e in volumes
                            if e.get('server_id') not in made])
    rebuilt = {e['server_id']: e for e in servers if _rebuilt(cloud, e)}
    reimaged = {e['server_id']: e for e in boots if e.get('reimaged')}
    for server_id in sorted(set(by_server) | {e['server_id']
                                              for e in servers + boots},
                            key=lambda i: i or ''):
        on_server = by_server.get(server_id, [])
        moves = [e for e in on_server if server_id and _misplaced(cloud, e)]
        server = rebuilt.get(server_id)
        disk = reimaged.get(server_id)
        if not moves and server is None and disk is None:
            _restart(cloud, server_id, on_server + servers + boots, event)
            continue
        found = cloud.stop(server_id)
        before = next((e.get('server_status') for e in
                       on_server + [server, disk] if e and
                       e.get('server_status')), None) or found
        event('info', 'server %s stopped to put %s back' % (
            server_id, 'its disk' if server is not None else
            'its boot volume' if disk is not None else 'its volumes'))
        if disk is not None:
            boot.put_back(cloud, disk, recovery_id or 'unknown',
                          lambda: save(replaced), event)
        if server is not None:
            cloud.rebuild(server_id, server['saved_image_id'])
            event('info', 'server %s rebuilt from image %s, its disk as it '
                  'was before the restore' % (
                      server_id, server['saved_image_id']), server['key'])
        for entry in moves:
            if entry.get('new_volume_id'):
                cloud.detach(server_id, entry['new_volume_id'])
            if not entry.get('old_volume_id'):
                continue        # recreated: nothing to put back
            device = cloud.attach(server_id, entry['old_volume_id'],
                                  entry.get('device'))
            event('info', 'volume %s back on server %s at %s' % (
                entry['old_volume_id'], server_id, device), entry['key'])
        if before == swap_mod.ACTIVE:
            cloud.start(server_id)
            event('info', 'server %s started' % server_id)
    for entry in servers:
        _server_back(cloud, entry, event)
        entry['state'] = ROLLED_BACK
        save(replaced)
    for entry in boots:
        boot.drop(cloud, entry, event)
        entry['state'] = ROLLED_BACK
        save(replaced)
    for entry in volumes:
        if entry.get('new_volume_id'):
            if cloud.delete(entry['new_volume_id']):
                event('info', 'restored volume %s deleted' %
                      entry['new_volume_id'], entry['key'])
            if entry.get('state') == SWAPPED:
                follow_member(policy_id, entry['new_volume_id'],
                              entry.get('old_volume_id') or
                              entry['recreates'])
        drop_image(cloud, entry, event)
        if entry.get('old_volume_id'):
            cloud.untag(entry['old_volume_id'], swap_mod.REPLACED_TAG)
        entry['state'] = ROLLED_BACK
        save(replaced)


def _new_server_back(cloud: swap_mod.Cloud, entry: dict[str, Any],
                     event: Event, policy_id: str | None = None) -> None:
    """A recreated server deleted, and the image it was booted from.

    Its floating IPs are disassociated first (they stay allocated), and
    a policy that followed it names the gone server again.
    """
    key, server_id = entry['key'], entry.get('server_id')
    if server_id and entry.get('state') == SWAPPED:
        follow_member(policy_id, server_id, entry['recreates'])
    floating.put_back(cloud, entry, event)
    if server_id and cloud.delete_server(server_id):
        event('info', 'recreated server %s deleted' % server_id, key)
    if entry.get('restored_image_id') and cloud.delete_image(
            entry['restored_image_id']):
        event('info', 'restored image %s deleted' %
              entry['restored_image_id'], key)
    entry['state'] = ROLLED_BACK


def _restart(cloud: swap_mod.Cloud, server_id: str | None,
             entries: list[dict[str, Any]], event: Event) -> None:
    """A server the restore stopped before it failed runs again."""
    was = {e.get('server_status') for e in entries
           if e.get('server_id') == server_id}
    if server_id and swap_mod.ACTIVE in was and \
            cloud.server_status(server_id) == swap_mod.SHUTOFF:
        cloud.start(server_id)
        event('info', 'server %s started' % server_id)


def _rebuilt(cloud: swap_mod.Cloud, entry: dict[str, Any]) -> bool:
    """The server runs from its restored image (a rebuild happened)."""
    return bool(entry.get('saved_image_id') and entry.get(
        'restored_image_id') and cloud.server_image(
            entry['server_id']) == entry['restored_image_id'])


def _server_back(cloud: swap_mod.Cloud, entry: dict[str, Any],
                 event: Event) -> None:
    """The restored image deleted; the saved disk image kept if in use."""
    key, server_id = entry['key'], entry['server_id']
    if entry.get('restored_image_id'):
        if cloud.delete_image(entry['restored_image_id']):
            event('info', 'restored image %s deleted' %
                  entry['restored_image_id'], key)
    saved = entry.get('saved_image_id')
    if not saved:
        return
    if cloud.server_image(server_id) == saved:
        # The server runs from it now: deleting it would leave the server
        # without the image Nova rebuilds, evacuates and resizes from.
        cloud.untag_image(saved, swap_mod.REPLACED_TAG)
        event('info', 'image %s is kept: server %s runs from it' % (
            saved, server_id), key)
    elif cloud.delete_image(saved):
        event('info', 'image %s of server %s\'s disk deleted: the server '
              'was not rebuilt' % (saved, server_id), key)


def _misplaced(cloud: swap_mod.Cloud, entry: dict[str, Any]) -> bool:
    """The old volume is off its server, or the new one is on it."""
    server_id = entry['server_id']
    if entry.get('old_volume_id') and cloud.device_of(
            entry['old_volume_id'], server_id) is None:
        return True
    return bool(entry.get('new_volume_id') and cloud.device_of(
        entry['new_volume_id'], server_id) is not None)


def drop_image(cloud: swap_mod.Cloud, entry: dict[str, Any],
                event: Event) -> None:
    """The restored image a new volume was made from is not kept."""
    if entry.get('image_id'):
        glance.delete_image(cloud.clients, entry['image_id'])
        event('info', 'restored image %s deleted' % entry['image_id'],
              entry['key'])
        entry['image_id'] = None


def settle(cloud: swap_mod.Cloud, replaced: list[dict[str, Any]],
           keep_old: bool, save: Save, event: Event) -> None:
    """Make the restored volumes and images the workload's own (commit, or keep).

    The new volumes (and the images servers were rebuilt from) lose their
    restore tag (no cleanup of the recovery touches them again); the old
    volumes and the servers' saved disk images are deleted, or with
    keep_old kept with their ``dragon_replaced_by`` tag.

    :raises dragon.exception.DragonException: a step failed (saved so
        far; running it again goes on).
    """
    for entry in open_entries(replaced):
        if entry.get('state') != SWAPPED:
            raise exception.RecoveryFailed(
                resource=entry['key'], reason='its swap is %s, not done: '
                'only a rollback can close it' % entry.get('state'))
        if kind_of(entry) == SERVER:
            _settle_server(cloud, entry, keep_old, event)
            save(replaced)
            continue
        if kind_of(entry) == BOOT_VOLUME:
            boot.settle(cloud, entry, keep_old, event)
            entry['state'] = KEPT if keep_old else COMMITTED
            save(replaced)
            continue
        if kind_of(entry) == NEW_SERVER:
            cloud.untag_server(entry['server_id'], recreate.TAGS)
            if entry.get('restored_image_id'):
                cloud.untag_image(entry['restored_image_id'],
                                  swap_mod.RESTORE_TAG)
            entry['state'] = COMMITTED
            event('info', 'recreated server %s kept (it replaces server %s, '
                  'gone from the region)' % (entry['server_id'],
                                             entry['recreates']),
                  entry['key'])
            save(replaced)
            continue
        cloud.untag(entry['new_volume_id'], swap_mod.RESTORE_TAG)
        if entry.get('boot'):
            # A server's new boot volume: as for one re-imaged (boot).
            cloud.untag_boot_image(entry['new_volume_id'], boot.RESTORE_TAGS)
        drop_image(cloud, entry, event)
        if not entry.get('old_volume_id'):
            entry['state'] = COMMITTED
            event('info', 'recreated volume %s kept' % entry['new_volume_id'],
                  entry['key'])
        elif keep_old:
            entry['state'] = KEPT
            event('info', 'volume %s kept, detached, with metadata %s: '
                  'delete it when it is no longer needed' % (
                      entry['old_volume_id'], swap_mod.REPLACED_TAG),
                  entry['key'])
        else:
            cloud.delete(entry['old_volume_id'])
            entry['state'] = COMMITTED
            event('info', 'replaced volume %s deleted' %
                  entry['old_volume_id'], entry['key'])
        save(replaced)


def _settle_server(cloud: swap_mod.Cloud, entry: dict[str, Any],
                   keep_old: bool, event: Event) -> None:
    """The restored image is the server's; its saved disk image goes."""
    key, saved = entry['key'], entry.get('saved_image_id')
    # Untagged, no cleanup of the recovery deletes it: the server runs
    # from it.
    cloud.untag_image(entry['restored_image_id'], swap_mod.RESTORE_TAG)
    if keep_old:
        entry['state'] = KEPT
        event('info', 'image %s (server %s\'s disk before the restore) '
              'kept, with property %s: delete it when it is no longer '
              'needed' % (saved, entry['server_id'], swap_mod.REPLACED_TAG),
              key)
        return
    if saved:
        cloud.delete_image(saved)
        event('info', 'image %s (server %s\'s disk before the restore) '
              'deleted' % (saved, entry['server_id']), key)
    entry['state'] = COMMITTED
