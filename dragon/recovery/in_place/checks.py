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
yet (boot volumes, servers booted from a volume).  A server gone from
the region is recreated only when the checkpoint has its disk image and
everything it stands on is still there (``missing``: its networks,
subnets, security groups, flavor, key pair; in-place never makes them).
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
# Data record kinds whose bytes can be put into a new volume.
RESTORABLE_KINDS = (data_base.VOLUME, data_base.CINDER_BACKUP)


def _label(entry: dict[str, Any]) -> str:
    kind = 'server' if entry['type'] == plan_mod.SERVER else 'volume'
    # The id the user finds in the region now.
    resource_id = entry.get('current_id') or entry['id']
    if entry.get('name'):
        return '%s %s (%s)' % (kind, entry['name'], resource_id)
    return '%s %s' % (kind, resource_id)


def boot_volumes(graph: graph_mod.ResourceGraph) -> dict[str, str]:
    """{volume key: server key} of the volumes servers boot from."""
    found = {}
    for node in graph.nodes():
        if node.resource.type != plan_mod.SERVER:
            continue
        for device in node.properties.get('block_devices') or ():
            if device.get('boot_index') == 0 and device.get('volume'):
                found[device['volume']] = node.key
    return found


def _volume_reasons(entry: dict[str, Any], now: dict[str, Any],
                    record: dict[str, Any] | None, boot_of: str | None,
                    shrink_volumes: bool) -> list[str]:
    label = _label(entry)
    reasons = []
    if boot_of is not None:
        reasons.append('%s is the boot volume of server %s: replacing a '
                       'boot volume in place is not built yet' % (
                           label, boot_of))
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


def _recreate_reasons(entry: dict[str, Any], record: dict[str, Any] | None,
                      boot_of: str | None) -> list[str]:
    label = _label(entry)
    reasons = []
    if boot_of is not None:
        reasons.append('%s is gone from the region and is the boot volume '
                       'of server %s: recreating a boot volume in place is '
                       'not built yet' % (label, boot_of))
    kind = (record or {}).get('kind')
    if kind not in RESTORABLE_KINDS:
        reasons.append('%s is gone from the region and the checkpoint holds '
                       'no data to recreate it from (%s)' % (
                           label, kind or 'no data record'))
    return reasons


def _new_server_reasons(entry: dict[str, Any], node: graph_mod.Node,
                        record: dict[str, Any] | None,
                        missing: Missing | None) -> list[str]:
    label = _label(entry)
    reasons = []
    kind = (record or {}).get('kind')
    if kind != data_base.IMAGE:
        reasons.append('%s is gone from the region and the checkpoint holds '
                       'no image of its disk to recreate it from (%s)' % (
                           label, kind or 'no data record'))
    if not node.properties.get('image'):
        reasons.append('%s is gone from the region and booted from a '
                       'volume: recreating it in place is not built yet'
                       % label)
    if missing is not None:
        reasons += missing(node, label)
    return reasons


def _server_reasons(entry: dict[str, Any], now: dict[str, Any],
                    record: dict[str, Any] | None,
                    keep_current_flavor: bool) -> list[str]:
    label = _label(entry)
    reasons = []
    if not now.get('image_id'):
        reasons.append('%s boots from a volume: rebuilding it in place is '
                       'not built yet (name its data volumes in resources)'
                       % label)
    kind = (record or {}).get('kind')
    if kind != data_base.IMAGE:
        reasons.append('%s: the checkpoint holds no image of it to rebuild '
                       'it from (%s)' % (label, kind or 'no data record'))
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
            missing: Missing | None = None) -> list[str]:
    """Why plan cannot be carried out in place (empty: it can).

    :param lookup: the one plan.build used (lookup.remembered), asked
        again only for members to replace.
    :param missing: asked for each server to recreate (None: not asked).
    """
    boots = boot_volumes(graph)
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
            found += _new_server_reasons(
                entry, graph.get(entry['key']),
                manifest['data'].get(entry['key']), missing)
        elif action == plan_mod.RECREATE:
            found += _recreate_reasons(
                entry, manifest['data'].get(entry['key']),
                boots.get(entry['key']))
        elif entry['type'] == plan_mod.SERVER:
            found += _server_reasons(
                entry, lookup(graph.get(entry['key'])) or {},
                manifest['data'].get(entry['key']), keep_current_flavor)
        else:
            node = graph.get(entry['key'])
            found += _volume_reasons(
                entry, lookup(node) or {}, manifest['data'].get(entry['key']),
                boots.get(entry['key']), shrink_volumes)
    if not any(e['action'] in (plan_mod.REPLACE, plan_mod.REBUILD,
                               plan_mod.RECREATE) for e in plan):
        found.append('nothing selected to restore')
    return found


def refuse(graph: graph_mod.ResourceGraph, manifest: dict[str, Any],
           plan: list[dict[str, Any]], lookup: plan_mod.Lookup,
           shrink_volumes: bool = False,
           keep_current_flavor: bool = False,
           missing: Missing | None = None) -> None:
    """:raises dragon.exception.InPlaceRefused: with every reason."""
    found = reasons(graph, manifest, plan, lookup, shrink_volumes,
                    keep_current_flavor, missing)
    if found:
        raise exception.InPlaceRefused(reasons='; '.join(found))
