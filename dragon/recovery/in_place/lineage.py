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

"""Which volume (server) is a checkpoint's now, after committed in-place restores.

A committed in-place restore (or one whose window expired: the restored
volume stays in place) puts a new volume where the old one was, or where
a deleted one was recorded; the policy follows it.  Checkpoints taken
before still name the old id.  Restoring from one of them in place must
replace the volume in place now, not call the old one gone and recreate
a second volume beside it: the settled replacements of the project's
earlier in-place restores in the region are followed, chained
(a -> b -> c), from the checkpoint's id to the current one.  Volume ids
are never reused, so a replacement of another policy's restore is the
same volume's history too; so are server ids, and a server recreated
in place (gone, booted again) is followed the same way.  What is known is what the recovery records
say: a deleted recovery record is a forgotten link.
"""

from typing import Any, Iterable

from dragon.db import api as db_api
from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import window

# A replacement in one of these states left its new volume in place.
_IN_PLACE = (window.COMMITTED, window.KEPT)


def replacements(recoveries: Iterable[Any]) -> dict[str, str]:
    """{old id: new id} of the recoveries' settled swaps and recreations.

    A volume replaced or recreated, and a server recreated (a rebuilt
    server keeps its id).

    :param recoveries: closed in-place restores in the order they were
        closed (a later replacement of the same volume wins).
    """
    follows: dict[str, str] = {}
    for recovery in recoveries:
        for entry in recovery.replaced or ():
            old = entry.get('old_volume_id') or entry.get('recreates')
            new = entry.get('new_volume_id')
            if (window.kind_of(entry) == window.VOLUME and old and new and
                    entry.get('state') in _IN_PLACE):
                follows[old] = new
            elif (window.kind_of(entry) == window.NEW_SERVER and
                  entry.get('recreates') and entry.get('server_id') and
                  entry.get('state') in _IN_PLACE):
                follows[entry['recreates']] = entry['server_id']
    return follows


def resolve(follows: dict[str, str], resource_id: str) -> str:
    """The id resource_id has now, following follows to its end."""
    seen = {resource_id}
    while resource_id in follows and follows[resource_id] not in seen:
        resource_id = follows[resource_id]
        seen.add(resource_id)
    return resource_id


def current_ids(follows: dict[str, str],
                resource_ids: Iterable[str]) -> dict[str, str]:
    """{checkpoint id: id now} of those of resource_ids replaced since."""
    found = {}
    for resource_id in resource_ids:
        now = resolve(follows, resource_id)
        if now != resource_id:
            found[resource_id] = now
    return found


def load(context: Any, project_id: str, region: str,
         manifest: dict[str, Any]) -> dict[str, str]:
    """{checkpoint id: id now} of the manifest's replaced volumes and servers.

    :param context: one that may read project_id's recoveries (the
        caller's, or the engine's admin context).
    """
    recoveries = db_api.recovery_get_settled_in_place(context, project_id,
                                                      region)
    graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
    return current_ids(replacements(recoveries), [
        n.resource.id for n in graph.nodes()
        if n.resource.type in (plan_mod.VOLUME, plan_mod.SERVER) and
        n.resource.id])
