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

"""Selective recovery: which graph nodes a chosen subset of members needs.

A server brings what it depends on (ports, networks, subnets, groups, key
pair, boot volume) and what wires it to the rest: the attachments of its
volumes, the floating IPs of its ports and the router interfaces of its
subnets (with their routers).  A security group brings the groups its
rules refer to, which are references, not graph dependencies.
"""

from typing import Iterable

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon import resource_types

# Connector type → the property naming the node that pulls it in.
_ANCHORS = {'OS::Cinder::VolumeAttachment': 'server',
            'OS::Neutron::FloatingIP': 'port',
            'OS::Neutron::RouterInterface': 'subnet'}


def _find(graph: graph_mod.ResourceGraph, wanted: str) -> str | None:
    # Members of any resource type (servers, volumes, ...) are selectable.
    selectable = resource_types.member_heat_types()
    for type_ in selectable:
        node = graph.by_resource(type_, wanted)
        if node is not None:
            return node.key
    if wanted in graph and graph.get(wanted).resource.type in selectable:
        return wanted
    return None


def _references(node: graph_mod.Node) -> list[str]:
    """Keys a node's template refers to beyond its ``depends_on``."""
    if node.resource.type != 'OS::Neutron::SecurityGroup':
        return []
    return [r['remote_group'] for r in node.properties.get('rules') or ()
            if r.get('remote_group') not in (None, 'self')]


def select(graph: graph_mod.ResourceGraph,
           resource_ids: Iterable[str] | None) -> set[str]:
    """The keys of the nodes that recovering ``resource_ids`` needs.

    :param resource_ids: ids (or node keys) of members' resources
        (servers, volumes, ...) of the checkpoint; ``None`` or empty
        selects every node.
    :returns: node keys: the chosen resources and their closure.
    :raises dragon.exception.SelectionInvalid: an id is not a server or
        volume of the checkpoint.
    """
    nodes = graph.nodes()
    wanted = [i for i in (resource_ids or ()) if i]
    if not wanted:
        return {n.key for n in nodes}
    chosen, unknown = set(), []
    for ident in wanted:
        key = _find(graph, ident)
        if key is None:
            unknown.append(ident)
        else:
            chosen.add(key)
    if unknown:
        raise exception.SelectionInvalid(
            ids=', '.join(unknown),
            reason='not a member resource (%s) of this checkpoint' % ', '.join(
                resource_types.names()))
    keys: set[str] = set()
    todo = list(chosen)
    while todo:
        while todo:
            key = todo.pop()
            if key in keys:
                continue
            keys.add(key)
            node = graph.get(key)
            todo.extend(node.depends_on)
            todo.extend(_references(node))
        for node in nodes:
            anchor = _ANCHORS.get(node.resource.type)
            if (anchor and node.key not in keys and
                    node.properties.get(anchor) in keys):
                todo.append(node.key)
    return keys


def chosen_members(graph: graph_mod.ResourceGraph,
                   keys: set[str]) -> list[graph_mod.Node]:
    """The selected nodes that carry data or are members, in order."""
    return [n for n in graph.nodes() if n.key in keys and
            (n.member or n.action)]
