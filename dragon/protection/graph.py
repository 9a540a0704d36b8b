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

"""The resource graph of a workload: members, their dependencies, in order.

Discovery builds it, the template generator and the data actions read it,
and the checkpoint manifest stores it (``to_dict``) so recovery needs no
source database. Nodes are keyed by the Heat resource name they become.
"""

import dataclasses
import hashlib
import re
from typing import Any, Iterator

from dragon import exception

FORMAT_VERSION = 1

_KEY_SAFE = re.compile(r'[^A-Za-z0-9]+')
_KEY_PATTERN = re.compile(r'^[A-Za-z][A-Za-z0-9_]*$')
_NAME_LIMIT = 32


@dataclasses.dataclass(frozen=True)
class Resource:
    """One cloud resource: its Heat type (``OS::Nova::Server``), id, name."""

    type: str
    id: str
    name: str = ''


@dataclasses.dataclass
class Node:
    """A resource in the graph and what discovery learnt about it.

    ``member`` is true for the policy's own members; ``action`` is the
    member's action (or the implicit one of a reachable volume, ``None``
    for resources that carry no data); ``properties`` is JSON-able.
    """

    key: str
    resource: Resource
    member: bool = False
    action: str | None = None
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    properties: dict[str, Any] = dataclasses.field(default_factory=dict)
    depends_on: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {'key': self.key, 'type': self.resource.type,
                'id': self.resource.id, 'name': self.resource.name,
                'member': self.member, 'action': self.action,
                'options': dict(self.options),
                'properties': dict(self.properties),
                'depends_on': list(self.depends_on)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> 'Node':
        return cls(key=data['key'],
                   resource=Resource(data['type'], data['id'],
                                     data.get('name') or ''),
                   member=bool(data.get('member')),
                   action=data.get('action'),
                   options=dict(data.get('options') or {}),
                   properties=dict(data.get('properties') or {}),
                   depends_on=tuple(data.get('depends_on') or ()))


def make_key(kind: str, name: str | None, resource_id: str) -> str:
    """Return a readable Heat resource name: ``<kind>_<name>_<id prefix>``.

    Only ``[A-Za-z0-9_]``, so it is also safe inside parameter names;
    the id prefix keeps two resources of the same name apart.
    """
    words = _KEY_SAFE.sub('_', (name or '').strip()).strip('_').lower()
    words = words[:_NAME_LIMIT].rstrip('_')
    ident = _KEY_SAFE.sub('', resource_id or '').lower()
    if len(ident) < 8:
        # Key pairs have no id: a digest of the name keeps keys unique.
        ident = hashlib.sha256((resource_id or '').encode()).hexdigest()
    parts = [kind] + ([words] if words else []) + [ident[:8]]
    return '_'.join(parts)


class ResourceGraph:
    """Nodes keyed by Heat resource name, with a dependency check on read.

    ``add`` accepts dependencies on nodes added later (discovery meets
    them in any order); ``nodes()`` and ``to_dict()`` check that every
    dependency exists and that there is no cycle.
    """

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._by_resource: dict[tuple[str, str], str] = {}

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, key: object) -> bool:
        return key in self._nodes

    def add(self, node: Node) -> Node:
        """Add ``node``; returns it.

        :raises dragon.exception.GraphInvalid: the key is not a valid Heat
            resource name, or the key or the resource is already present.
        """
        if not _KEY_PATTERN.match(node.key):
            raise exception.GraphInvalid(
                reason='key %r is not [A-Za-z][A-Za-z0-9_]*' % node.key)
        if node.key in self._nodes:
            raise exception.GraphInvalid(
                reason='key %s is already in the graph' % node.key)
        ident = (node.resource.type, node.resource.id)
        if ident in self._by_resource:
            raise exception.GraphInvalid(
                reason='%s %s is already in the graph as %s' % (
                    ident[0], ident[1], self._by_resource[ident]))
        self._nodes[node.key] = node
        self._by_resource[ident] = node.key
        return node

    def get(self, key: str) -> Node:
        """Return the node ``key``.

        :raises KeyError: no such node.
        """
        return self._nodes[key]

    def by_resource(self, type_: str, resource_id: str) -> Node | None:
        """Return the node of resource ``(type_, resource_id)`` or ``None``."""
        key = self._by_resource.get((type_, resource_id))
        return self._nodes[key] if key else None

    def unique_key(self, kind: str, name: str | None,
                   resource_id: str) -> str:
        """``make_key`` made unique in this graph (a longer id on clashes)."""
        key = make_key(kind, name, resource_id)
        if key not in self._nodes:
            return key
        digest = hashlib.sha256(resource_id.encode()).hexdigest()
        for length in (16, 32, 64):
            candidate = '%s_%s' % (key, digest[:length])
            if candidate not in self._nodes:
                return candidate
        raise exception.GraphInvalid(reason='no unique key for %s' % key)

    def add_dependency(self, key: str, depends_on: str) -> None:
        """Make node ``key`` depend on ``depends_on`` (idempotent)."""
        node = self._nodes[key]
        if depends_on not in node.depends_on:
            node.depends_on = node.depends_on + (depends_on,)

    def dependents(self, key: str) -> list[Node]:
        """Nodes that depend directly on ``key``, in insertion order."""
        return [n for n in self._nodes.values() if key in n.depends_on]

    def nodes(self) -> list[Node]:
        """Every node, dependencies before dependents.

        Ties keep insertion order, so the same graph always lists the same
        way (the manifest and the template stay stable across checkpoints).

        :raises dragon.exception.GraphInvalid: a dependency is missing.
        :raises dragon.exception.GraphCycle: the dependencies form a cycle.
        """
        for node in self._nodes.values():
            for dep in node.depends_on:
                if dep not in self._nodes:
                    raise exception.GraphInvalid(
                        reason='%s depends on unknown node %s' % (
                            node.key, dep))
        ordered: list[Node] = []
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done

        def visit(key: str, path: list[str]) -> None:
            mark = state.get(key)
            if mark == 2:
                return
            if mark == 1:
                cycle = path[path.index(key):] + [key]
                raise exception.GraphCycle(cycle=' -> '.join(cycle))
            state[key] = 1
            path.append(key)
            for dep in self._nodes[key].depends_on:
                visit(dep, path)
            path.pop()
            state[key] = 2
            ordered.append(self._nodes[key])

        for key in self._nodes:
            visit(key, [])
        return ordered

    def members(self) -> list[Node]:
        """The policy's members, in dependency order."""
        return [n for n in self.nodes() if n.member]

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes())

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form stored in the checkpoint manifest."""
        return {'version': FORMAT_VERSION,
                'nodes': [n.to_dict() for n in self.nodes()]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> 'ResourceGraph':
        """Rebuild a graph from ``to_dict()`` output.

        :raises dragon.exception.GraphInvalid: unknown version, bad nodes.
        :raises dragon.exception.GraphCycle:
        """
        if not isinstance(data, dict) or data.get('version') != FORMAT_VERSION:
            raise exception.GraphInvalid(
                reason='unsupported graph version %r' % (
                    data.get('version') if isinstance(data, dict) else None))
        graph = cls()
        try:
            for item in data['nodes']:
                graph.add(Node.from_dict(item))
        except (KeyError, TypeError) as e:
            raise exception.GraphInvalid(reason='malformed node: %s' % e)
        graph.nodes()  # checks dependencies and cycles now, not on first use
        return graph
