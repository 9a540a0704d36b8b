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

"""Whether a plan may really be carried out in place, and if not why.

Pure, like the plan: the API calls it with the caller's view of the
region (a 409 before any trust is made) and the engine again with its own
just before it changes anything (the region may have changed meanwhile).
Every reason is collected, so the user fixes them in one go.  What is
refused here is either unsafe (a volume larger now than in the
checkpoint, unless ``shrink_volumes`` says the user accepts it shrinking
back; a server whose flavor changed, unless ``keep_current_flavor`` says
the user accepts it being rebuilt on the flavor it has now) or not built
yet (a boot volume whose size changed, or that the checkpoint holds no
bytes of; a boot volume gone from the region under a server that is
still there).  A boot volume is re-imaged in place (``boot``): it must be
in-use on its server, which must be ACTIVE or SHUTOFF and still boot
from a volume.  A server gone from
the region is recreated only when the checkpoint has its disk (its image,
or the data of its boot volume) and everything it stands on is still
there (``missing``: its networks, subnets, security groups, flavor, key
pair; in-place never makes them); a boot volume is recreated only with
its server.
"""

from typing import Any, Callable

from dragon import exception
from dragon.protection.data import base as data_base
from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import plan as plan_mod

# Volume statuses a swap starts from.
SWAPPABLE = ('available', 'in-use')
# Server statuses a rebuild starts from (Nova rebuilds either; the server
# is stopped first and started again only if it was ACTIVE).
REBUILDABLE = ('ACTIVE', 'SHUTOFF')
# missing(node, label): what a server to recreate needs that is gone
# from the region (recreate.missing with the caller's clients).
Missing = Callable[[graph_mod.Node, str], list[str]]
# reimage(): the region's Nova offers the rebuild that re-images a boot
# volume (swap.reimage_offered with the caller's clients).
Reimage = Callable[[], bool]
# Data record kinds whose bytes can be put into a new volume.
RESTORABLE_KINDS = (data_base.VOLUME, data_base.CINDER_BACKUP)
# ... and onto a boot volume: Cinder re-images it from a Glance image,
# which only a record of the volume's bytes is restored into.
BOOT_KINDS = (data_base.VOLUME,)


def _label(entry: dict[str, Any]) -> str:
    kind = 'server' if entry['type'] == plan_mod.SERVER else 'volume'
    # The id the user finds in the region now.
    resource_id = entry.get('current_id') or entry['id']
    if entry.get('name'):
        return '%s %s (%s)' % (kind, entry['name'], resource_id)
    return '%s %s' % (kind, resource_id)


def _volume_reasons(entry: dict[str, Any], now: dict[str, Any],
                    record: dict[str, Any] | None,
                    shrink_volumes: bool) -> list[str]:
    label = _label(entry)
    reasons = []
    kind = (record or {}).get('kind')
    if kind not in RESTORABLE_KINDS:
        reasons.append('%s: the checkpoint holds no data to restore it '
                       'from (%s)' % (label, kind or 'no data record'))
    if entry['changes'] and not shrink_volumes:
        reasons.append('%s changed since the checkpoint (%s): restoring it '
                       'shrinks it back to its checkpoint size, and what is '
                       'beyond is lost at commit; confirm with '
                       'shrink_volumes (--shrink-volumes)' % (
                           label, '; '.join(entry['changes'])))
    if now.get('status') not in SWAPPABLE:
        reasons.append('%s is %s: an in-place restore needs it %s' % (
            label, now.get('status'), ' or '.join(SWAPPABLE)))
    attachments = now.get('attachments') or ()
    if len(attachments) > 1:
        reasons.append('%s is attached to %d servers: multi-attached '
                       'volumes are not restored in place' % (
                           label, len(attachments)))
    return reasons


def _boot_volume_reasons(entry: dict[str, Any], now: dict[str, Any],
                         record: dict[str, Any] | None,
                         server: graph_mod.Node,
                         server_now: dict[str, Any] | None,
                         server_id: str) -> list[str]:
    """Why the boot volume cannot be re-imaged in place on its server."""
    label = _label(entry)
    reasons = []
    kind = (record or {}).get('kind')
    if kind not in BOOT_KINDS:
        reasons.append('%s is the boot volume of server %s and the '
                       'checkpoint holds no bytes of it (%s): a boot volume '
                       'is restored in place only from its bytes '
                       '(snapshot_data); recover it with a failover' % (
                           label, server_id, kind or 'no data record'))
    if entry['changes']:
        reasons.append('%s is the boot volume of server %s and changed '
                       'since the checkpoint (%s): Cinder re-images a boot '
                       'volume at the size it has now, so restoring one '
                       'whose size changed in place is not built yet; '
                       'recover it with a failover or a drill' % (
                           label, server_id, '; '.join(entry['changes'])))
    attached = [a.get('server_id') for a in now.get('attachments') or ()]
    if len(attached) > 1:
        reasons.append('%s is attached to %d servers: multi-attached '
                       'volumes are not restored in place' % (
                           label, len(attached)))
    elif now.get('status') != 'in-use' or attached != [server_id]:
        reasons.append('%s is %s and not attached to server %s: a boot '
                       'volume is restored in place on the server that '
                       'boots from it' % (label, now.get('status'),
                                          server_id))
    if server_now is None:
        reasons.append('%s: server %s, which boots from it, is gone from '
                       'the region: select the server to recreate it, '
                       'booted from a new volume of this checkpoint data'
                       % (label, server_id))
    elif server_now.get('image_id'):
        reasons.append('%s: server %s boots from an image now, not from '
                       'it' % (label, server_id))
    elif server_now.get('status') not in REBUILDABLE:
        reasons.append('%s: server %s, which boots from it, is %s: Nova '
                       're-images a boot volume only by rebuilding its '
                       'server, which needs it %s' % (
                           label, server_id, server_now.get('status'),
                           ' or '.join(REBUILDABLE)))
    return reasons


def _recreate_reasons(entry: dict[str, Any], record: dict[str, Any] | None,
                      boot_of: dict[str, Any] | None) -> list[str]:
    """Why the gone volume cannot be made again.

    :param boot_of: the plan entry of the server that boots from it.
    """
    label = _label(entry)
    reasons = []
    if boot_of is not None and boot_of['action'] != plan_mod.RECREATE:
        reasons.append(
            '%s is gone from the region and is the boot volume of server '
            '%s: a boot volume is recreated in place only with its server, '
            'when that is gone too and selected (then booted from it); '
            'otherwise recover it with a failover' % (
                label, boot_of.get('current_id') or boot_of['id']))
    kind = (record or {}).get('kind')
    if kind not in RESTORABLE_KINDS:
        reasons.append('%s is gone from the region and the checkpoint holds '
                       'no data to recreate it from (%s)' % (
                           label, kind or 'no data record'))
    return reasons


def _new_server_reasons(entry: dict[str, Any], node: graph_mod.Node,
                        record: dict[str, Any] | None,
                        missing: Missing | None,
                        boot: dict[str, Any] | None = None) -> list[str]:
    """Why the gone server cannot be booted again.

    :param boot: the plan entry of its boot volume (booted from one).
    """
    label = _label(entry)
    reasons = []
    kind = (record or {}).get('kind')
    if plan_mod.boots_from_volume(node):
        # Its disk is its boot volume's data, checked on that entry.
        if boot is None or boot['action'] != plan_mod.RECREATE:
            reasons.append('%s is gone from the region and booted from a '
                           'volume the checkpoint holds no data of: it '
                           'cannot be booted again in place' % label)
    elif kind != data_base.IMAGE:
        reasons.append('%s is gone from the region and the checkpoint holds '
                       'no image of its disk to recreate it from (%s)' % (
                           label, kind or 'no data record'))
    if missing is not None:
        reasons += missing(node, label)
    return reasons


def _server_reasons(entry: dict[str, Any], node: graph_mod.Node,
                    now: dict[str, Any], record: dict[str, Any] | None,
                    keep_current_flavor: bool) -> list[str]:
    label = _label(entry)
    reasons = []
    if plan_mod.boots_from_volume(node):
        # Its data is its boot volume's, checked on that volume's entry.
        if now.get('image_id'):
            reasons.append('%s booted from a volume at the checkpoint and '
                           'boots from an image now: not restored in place'
                           % label)
    else:
        if not now.get('image_id'):
            reasons.append('%s boots from a volume now, not from an image '
                           'as at the checkpoint: not restored in place'
                           % label)
        kind = (record or {}).get('kind')
        if kind != data_base.IMAGE:
            reasons.append('%s: the checkpoint holds no image of it to '
                           'rebuild it from (%s)' % (
                               label, kind or 'no data record'))
    if entry['changes'] and not keep_current_flavor:
        reasons.append('%s changed since the checkpoint (%s): a rebuild '
                       'keeps the flavor it has now and puts the '
                       'checkpoint\'s disk on it; confirm with '
                       'keep_current_flavor (--keep-current-flavor)' % (
                           label, '; '.join(entry['changes'])))
    if now.get('status') not in REBUILDABLE:
        reasons.append('%s is %s: an in-place rebuild needs it %s' % (
            label, now.get('status'), ' or '.join(REBUILDABLE)))
    return reasons


def reasons(graph: graph_mod.ResourceGraph, manifest: dict[str, Any],
            plan: list[dict[str, Any]], lookup: plan_mod.Lookup,
            shrink_volumes: bool = False,
            keep_current_flavor: bool = False,
            missing: Missing | None = None,
            reimage: Reimage | None = None) -> list[str]:
    """Why plan cannot be carried out in place (empty: it can).

    :param lookup: the one plan.build used (lookup.remembered), asked
        again only for members to replace.
    :param missing: asked for each server to recreate (None: not asked).
    :param reimage: asked once when a boot volume is to be restored
        (None: not asked).
    """
    boots = plan_mod.boot_volumes(graph)
    current = {e['id']: e.get('current_id') or e['id'] for e in plan}
    by_key = {e['key']: e for e in plan}
    found = []
    for entry in plan:
        action = entry['action']
        if action == plan_mod.UNTOUCHED:
            continue
        label = _label(entry)
        if action == plan_mod.REFUSED:
            found.append('%s: %s' % (label, entry['detail']))
        elif action == plan_mod.RECREATE and \
                entry['type'] == plan_mod.SERVER:
            node = graph.get(entry['key'])
            device = plan_mod.boot_device(node)
            found += _new_server_reasons(
                entry, node, manifest['data'].get(entry['key']), missing,
                None if device is None else by_key.get(device['volume']))
        elif action == plan_mod.RECREATE:
            server_key = boots.get(entry['key'])
            found += _recreate_reasons(
                entry, manifest['data'].get(entry['key']),
                None if server_key is None else by_key.get(server_key, {
                    'action': plan_mod.UNTOUCHED,
                    'id': graph.get(server_key).resource.id}))
        elif entry['type'] == plan_mod.SERVER:
            node = graph.get(entry['key'])
            found += _server_reasons(
                entry, node, lookup(node) or {},
                manifest['data'].get(entry['key']), keep_current_flavor)
        elif entry['key'] in boots:
            server = graph.get(boots[entry['key']])
            found += _boot_volume_reasons(
                entry, lookup(graph.get(entry['key'])) or {},
                manifest['data'].get(entry['key']), server, lookup(server),
                current.get(server.resource.id, server.resource.id))
        else:
            found += _volume_reasons(
                entry, lookup(graph.get(entry['key'])) or {},
                manifest['data'].get(entry['key']), shrink_volumes)
    if reimage is not None and any(
            e['action'] == plan_mod.REPLACE and e['key'] in boots
            for e in plan) and not reimage():
        found.append('Nova in this region does not offer compute API '
                     'microversion 2.93 (a rebuild that has Cinder re-image '
                     'a boot volume; Zed or later): boot volumes cannot be '
                     'restored in place here')
    if not any(e['action'] in (plan_mod.REPLACE, plan_mod.REBUILD,
                               plan_mod.RECREATE) for e in plan):
        found.append('nothing selected to restore')
    return found


def refuse(graph: graph_mod.ResourceGraph, manifest: dict[str, Any],
           plan: list[dict[str, Any]], lookup: plan_mod.Lookup,
           shrink_volumes: bool = False,
           keep_current_flavor: bool = False,
           missing: Missing | None = None,
           reimage: Reimage | None = None) -> None:
    """:raises dragon.exception.InPlaceRefused: with every reason."""
    found = reasons(graph, manifest, plan, lookup, shrink_volumes,
                    keep_current_flavor, missing, reimage)
    if found:
        raise exception.InPlaceRefused(reasons='; '.join(found))
