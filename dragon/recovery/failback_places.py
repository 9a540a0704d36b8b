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

"""Where a failback boots a server that is gone at home: where it stood.

The final checkpoint was taken at the backup site: a server of it stands
on the backup site's networks, subnets and security groups, with the
flavor and key pair the failover gave it there.  None of those ids means
anything at home.  The checkpoint the failover recovered the workload
from (the failover recovery's ``recovery_point``) was taken at home: it
has the server under its id at home (``failback_in_place.home_ids``),
with its ports' networks, subnets and fixed IPs, its security groups,
key pair and flavor as they are at home.  That node is the server's
**place**: ``recreate`` boots the server there (``missing`` checks it
is all still there), from the final checkpoint's image of its disk.

A gone server without a place cannot be recreated in place, and the
failback goes as a new stack saying why (``missing``): one the failover
did not make from a server at home (no id there), or whose home
checkpoint is not readable (read at home, else its copy at the backup
site) or does not have it.
"""

import dataclasses
from typing import Any

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import checks
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import recreate
from dragon.recovery.in_place import run as run_mod


@dataclasses.dataclass
class Places:
    """The gone servers' places at home, by their final checkpoint key."""

    graph: graph_mod.ResourceGraph | None = None
    nodes: dict[str, graph_mod.Node] = dataclasses.field(
        default_factory=dict)
    # key -> why the server has no place (completes "<label> is gone ...").
    refused: dict[str, str] = dataclasses.field(default_factory=dict)

    def of(self, key: str) -> tuple[graph_mod.ResourceGraph,
                                    graph_mod.Node]:
        """The graph and node server ``key`` is booted from.

        :raises dragon.exception.RecoveryFailed: it has none (the checks
            refuse such a plan first: never booted on the backup site's
            networks).
        """
        if self.graph is None or key not in self.nodes:
            raise exception.RecoveryFailed(
                resource=key, reason='no place at home to recreate it in: '
                '%s' % self.refused.get(key, 'not looked up'))
        return self.graph, self.nodes[key]

    def missing(self, clients: Any) -> checks.Missing:
        """checks' missing: what a gone server lacks at home (by key)."""
        def missing(node: graph_mod.Node, label: str) -> list[str]:
            if node.key in self.refused:
                return ['%s is gone from the region and %s' % (
                    label, self.refused[node.key])]
            graph, home_node = self.of(node.key)
            return recreate.missing(clients, graph, home_node, label)
        return missing


def gone_servers(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan's servers to recreate (gone at home, or never there)."""
    return [e for e in entries if e['type'] == plan_mod.SERVER and
            e['action'] == plan_mod.RECREATE]


def _open(conf: Any, clients: Any, container: str) -> dict[str, Any]:
    """The home checkpoint's manifest: home's Swift, else the backup's copy.

    :raises: what reading it at home raised, when the copy fails too.
    """
    try:
        return run_mod.open_own(conf, clients, container)[0]
    except Exception:
        region = getattr(getattr(conf, 'engine', None), 'region_name', None)
        if not region or region == clients.region_name:
            raise
        try:
            return run_mod.open_own(conf, clients.in_region(region),
                                    container)[0]
        except Exception:  # noqa: BLE001 - home's error says more
            pass
        raise


def find(conf: Any, clients: Any, container: str | None,
         entries: list[dict[str, Any]], ids: dict[str, str]) -> Places:
    """The place at home of each server the plan recreates; reads only.

    :param clients: the home region's.
    :param container: the checkpoint the failover recovered from (None:
        the failover recovery is gone).
    :param entries: the failback's plan (``failback_in_place.plan``).
    :param ids: {id at the backup site: id at home}
        (``failback_in_place.home_ids``).
    """
    gone = gone_servers(entries)
    places = Places()
    at_home = [e for e in gone if ids.get(e['id'])]
    for entry in gone:
        if not ids.get(entry['id']):
            places.refused[entry['key']] = (
                'has no id there: the failover did not make it from a '
                'server there, so it has no place there to be recreated in')
    if not at_home:
        return places
    why = None
    if not container:
        why = ('the failover recovery is gone: where it stood there (the '
               'checkpoint it was recovered from) is not known')
    else:
        try:
            places.graph = graph_mod.ResourceGraph.from_dict(
                _open(conf, clients, container)['graph'])
        except Exception as e:  # noqa: BLE001 - refused, saying why
            why = ('the checkpoint %s the failover recovered it from cannot '
                   'be read (%s): where it stood there is not known' % (
                       container, exception.one_line(e)))
    by_id = {n.resource.id: n for n in places.graph.nodes()
             if n.resource.type == plan_mod.SERVER} if places.graph else {}
    for entry in at_home:
        node = by_id.get(ids[entry['id']])
        if node is not None:
            places.nodes[entry['key']] = node
        else:
            places.refused[entry['key']] = why or (
                'the checkpoint %s the failover recovered from has no '
                'server %s: where it stood there is not known' % (
                    container, ids[entry['id']]))
    return places
