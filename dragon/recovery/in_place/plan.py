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

"""The plan of an in-place restore: each data-carrying member and its fate.

Pure: the caller says which members exist in the region now (and their
current shape); this module decides.  A member the user selected (or every
member, without a selection) is *replaced* (a volume) or *rebuilt* (a
server) when it still exists and *recreated* when it is gone (a volume
or a server: a server is booted again on the networks it had,
``recreate``; a member a committed in-place restore replaced or recreated
since the checkpoint is the one in its place now: ``lineage``); a member
outside the selection is *left alone*.  Types in-place restore cannot swap
are *refused*, with the reason.  A server that boots from a volume is
rebuilt too, but its disk is its boot volume: the boot volume's line
(``replace``) says that its checkpoint data is written onto it in place
(``boot``), not into a new volume.  One gone from the region is
recreated from a new volume holding its boot volume's checkpoint data:
the boot volume's line is ``recreate`` too, and says that the boot volume
it had, when it is still there (deleted with ``delete_on_termination``
false), is left as it is.
"""

from typing import Any, Callable

from dragon.protection import graph as graph_mod
from dragon.recovery import selection

REPLACE = 'replace'
REBUILD = 'rebuild'
RECREATE = 'recreate'
UNTOUCHED = 'untouched'
REFUSED = 'refused'
ACTIONS = (REPLACE, REBUILD, RECREATE, UNTOUCHED, REFUSED)

SERVER = 'OS::Nova::Server'
VOLUME = 'OS::Cinder::Volume'
FLOATING_IP = 'OS::Neutron::FloatingIP'
# What restoring an existing member means, per type: said in the plan so
# a reader of a dry run knows what would happen to the resource.
_REPLACING = {
    VOLUME: (REPLACE, 'its checkpoint data is restored into a new volume '
                      'attached in its place; the current volume is kept, '
                      'detached'),
    SERVER: (REBUILD, 'rebuilt from its checkpoint image, keeping its '
                      'ports, addresses, security groups, key pair and '
                      'metadata; its current disk is kept as an image'),
}
# A server booted from a volume, and its boot volume: Nova's rebuild with
# the volume re-imaged by Cinder (``boot``), not a new volume or image.
_BOOT_SERVER = ('boots from a volume: rebuilt by Nova with its boot volume '
                're-imaged from the checkpoint\'s data of that volume '
                '(compute API microversion 2.93), keeping its ID, ports, '
                'addresses, security groups, key pair, metadata and volume '
                'attachments')
_BOOT_VOLUME = ('boot volume of server %s: a copy of it as it is now is '
                'kept (a new volume, detached), then its checkpoint data is '
                'written onto it in place by a Nova rebuild of the server '
                'that has Cinder re-image it (the server is stopped for it); '
                'it keeps its ID and device, the server its ports and '
                'addresses')
_RECREATING = {
    VOLUME: 'gone from the region: a new volume holding its checkpoint '
            'data is made and attached to its server at its recorded device '
            '(if the server exists); kept at commit, deleted at rollback',
    SERVER: 'gone from the region: a new server is booted from its '
            'checkpoint image with its name, flavor, key pair, security '
            'groups and metadata, on the networks (by id) it had, keeping '
            'its fixed IP when that is free, with its data volumes of the '
            'restore attached; kept at commit, deleted at rollback',
}
# A server booted from a volume, gone: booted again from a new volume of
# its boot volume's checkpoint data (``apply``, ``recreate``).
_RECREATING_BOOT_SERVER = (
    'gone from the region, booted from a volume: a new server is booted '
    'from a new volume holding the checkpoint\'s data of its boot volume '
    '(boot index 0, device %s; the boot volume\'s line) with its name, '
    'flavor, key pair, security groups and metadata, on the networks (by '
    'id) it had, keeping its fixed IP when that is free, with its data '
    'volumes of the restore attached; kept at commit, deleted with its new '
    'boot volume at rollback')
_BOOT_VOLUME_RECREATED = (
    'boot volume of server %s, which is gone from the region: its '
    'checkpoint data is restored into a new volume (checkpoint size, zone '
    'and type) that the recreated server boots from; kept at commit, '
    'deleted at rollback')
_OLD_BOOT_VOLUME_LEFT = (
    '; this volume, still in the region (%s), is left untouched: the '
    'restore neither attaches nor deletes it')
_FLOATING = ('; its floating IP %s associated again with its new port '
             'on the same network when it is still the project\'s and '
             'free (one gone or in use elsewhere is not taken: an event '
             'says so), and disassociated at rollback')
# Why a member's id now is not the checkpoint's (plan.build).
FOLLOWED_BECAUSE = 'a committed in-place restore put it in its place'
# lookup(node) -> None when the resource is gone, else what it is now:
# {"status", "size_gib"} of a volume, {"status", "flavor"} of a
# server.
Lookup = Callable[[graph_mod.Node], dict[str, Any] | None]


def boots_from_volume(node: graph_mod.Node) -> bool:
    """The checkpoint's server booted from a volume (it had no image)."""
    return boot_device(node) is not None


def boot_device(node: graph_mod.Node) -> dict[str, Any] | None:
    """The checkpoint's boot block device of the server (None: an image)."""
    if node.properties.get('image'):
        return None
    return next((d for d in node.properties.get('block_devices') or ()
                 if d.get('boot_index') == 0 and d.get('volume')), None)


def floating_ips(graph: graph_mod.ResourceGraph,
                 node: graph_mod.Node) -> list[graph_mod.Node]:
    """The checkpoint's floating IPs of the server's ports."""
    ports = set(node.properties.get('ports') or ())
    return [n for n in graph.nodes()
            if n.resource.type == FLOATING_IP and
            n.properties.get('port') in ports]


def boot_volumes(graph: graph_mod.ResourceGraph) -> dict[str, str]:
    """{volume key: server key} of the volumes servers boot from."""
    found = {}
    for node in graph.nodes():
        if node.resource.type != SERVER:
            continue
        for device in node.properties.get('block_devices') or ():
            if device.get('boot_index') == 0 and device.get('volume'):
                found[device['volume']] = node.key
    return found


def _replacing(graph: graph_mod.ResourceGraph, node: graph_mod.Node,
               boots: dict[str, str], current_ids: dict[str, str]
               ) -> tuple[str, str] | None:
    """(action, detail) of restoring node where it exists; None: refused."""
    if node.resource.type == SERVER and boots_from_volume(node):
        return REBUILD, _BOOT_SERVER
    if node.key in boots:
        return REPLACE, _BOOT_VOLUME % _server_label(graph, boots[node.key],
                                                     current_ids)
    return _REPLACING.get(node.resource.type)


def _server_label(graph: graph_mod.ResourceGraph, key: str,
                  current_ids: dict[str, str]) -> str:
    server = graph.get(key)
    server_id = current_ids.get(server.resource.id, server.resource.id)
    return ('%s (%s)' % (server.resource.name, server_id)
            if server.resource.name else server_id)


def _recreating(graph: graph_mod.ResourceGraph, node: graph_mod.Node) -> str:
    """What recreating the gone member does (a server: how it boots)."""
    if node.resource.type != SERVER:
        return _RECREATING[node.resource.type]
    device = boot_device(node)
    detail = (_RECREATING_BOOT_SERVER % (device.get('device') or 'as '
                                         'recorded')
              if device is not None else _RECREATING[SERVER])
    addresses = [n.properties.get('floating_ip_address') or n.resource.name
                 or n.resource.id for n in floating_ips(graph, node)]
    if addresses:
        detail += _FLOATING % ('%s is' % addresses[0] if len(addresses) == 1
                               else 's %s are' % ', '.join(addresses))
    return detail


def _shape_changes(node: graph_mod.Node, now: dict[str, Any]) -> list[str]:
    """How the resource differs from the checkpoint in ways in-place minds."""
    changes = []
    props = node.properties
    if node.resource.type == VOLUME:
        then = props.get('size')
        if then is not None and now.get('size_gib') not in (None, then):
            changes.append('size %s GiB at the checkpoint, %s GiB now' % (
                then, now['size_gib']))
    elif node.resource.type == SERVER:
        then = (props.get('flavor') or {}).get('original_name')
        if then and now.get('flavor') not in (None, then):
            changes.append('flavor %s at the checkpoint, %s now' % (
                then, now['flavor']))
    return changes


def _entry(node: graph_mod.Node, action: str, detail: str,
           now: dict[str, Any] | None = None,
           current_id: str | None = None) -> dict[str, Any]:
    entry = {'key': node.key, 'type': node.resource.type,
             'id': node.resource.id, 'name': node.resource.name,
             'current_id': current_id or node.resource.id,
             'action': action, 'detail': detail, 'changes': []}
    if now is not None:
        entry['current_status'] = now.get('status')
        entry['changes'] = _shape_changes(node, now)
    return entry


def build(graph: graph_mod.ResourceGraph, keys: set[str],
          lookup: Lookup,
          current_ids: dict[str, str] | None = None,
          followed_because: str = FOLLOWED_BECAUSE
          ) -> list[dict[str, Any]]:
    """Each data-carrying member of the checkpoint and what in-place does.

    :param keys: the selection's node keys (selection.select).
    :param lookup: what the resource is now, None when it is gone;
        called only for selected members (by the id it has now).
    :param current_ids: {checkpoint id: id now} of the volumes and
        servers that committed in-place restores replaced or recreated
        since (lineage.load), or of a failback's checkpoint at the backup
        site, its resources' ids at home (``failback_in_place``).
    :param followed_because: why a member has another id now, said in
        its detail.
    :returns: [{"key", "type", "id", "name", "current_id", "action",
        "detail", "changes"[, "current_status"]}] in graph order;
        action is one of ACTIONS; current_id is id unless replaced.
    """
    current_ids = current_ids or {}
    boots = boot_volumes(graph)
    chosen = {n.key for n in selection.chosen_members(graph, keys)}
    plan = []
    for node in selection.chosen_members(graph, {n.key for n in
                                                 graph.nodes()}):
        if node.key not in chosen:
            # Its id now all the same: a volume recreated in this restore
            # is attached to its server as it is now.
            plan.append(_entry(node, UNTOUCHED, 'not selected: not touched',
                               current_id=current_ids.get(node.resource.id)))
            continue
        replacing = _replacing(graph, node, boots, current_ids)
        if replacing is None:
            plan.append(_entry(node, REFUSED, 'in-place restore of %s is '
                               'not supported; recover it with failover'
                               % node.resource.type))
            continue
        now = lookup(node)
        current_id = current_ids.get(node.resource.id)
        kind = 'server' if node.resource.type == SERVER else 'volume'
        followed = ('%s %s of the checkpoint is %s %s now (%s): ' % (
            kind, node.resource.id, kind, current_id, followed_because)
            if current_id else '')
        if node.key in boots and boots[node.key] in chosen and \
                lookup(graph.get(boots[node.key])) is None:
            # Its server is recreated: from a new volume of this data.
            entry = _entry(node, RECREATE, followed + _BOOT_VOLUME_RECREATED
                           % _server_label(graph, boots[node.key],
                                           current_ids),
                           current_id=current_id)
            if now is not None:
                entry['detail'] += _OLD_BOOT_VOLUME_LEFT % now.get('status')
                entry['current_status'] = now.get('status')
            plan.append(entry)
        elif now is None:
            plan.append(_entry(node, RECREATE, followed + _recreating(
                graph, node), current_id=current_id))
        else:
            plan.append(_entry(node, replacing[0], followed + replacing[1],
                               now, current_id))
    return plan


def summary(plan: list[dict[str, Any]]) -> str:
    """2 to replace, 1 to rebuild, 3 untouched (only what occurs)."""
    words = {REPLACE: 'to replace', REBUILD: 'to rebuild',
             RECREATE: 'to recreate',
             UNTOUCHED: 'untouched', REFUSED: 'refused'}
    counts = [(a, sum(e['action'] == a for e in plan)) for a in ACTIONS]
    said = ['%d %s' % (n, words[a]) for a, n in counts if n]
    return ', '.join(said) or 'nothing to restore'
