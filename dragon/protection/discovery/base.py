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

"""The discovery plugin interface and the state one discovery run shares.

A plugin per member resource type (named by the type's plugin in
``dragon.resource_types``) adds its members and everything they
depend on to the run's graph.  Lists the plugins share (all of the
project's volumes, its server groups, ...) are fetched once per run
through ``DiscoveryRun.once`` so no plugin pays for them twice;
``DiscoveryRun.start`` fetches a list on the run's thread pool while
the run goes on, so calls to different services overlap.  Only lists are
fetched on the pool: the graph is built on the run's own thread.
"""

import abc
import concurrent.futures
import threading
from typing import Any, Callable

from dragon.protection import graph as graph_mod
from dragon.protection import warnings as warnings_mod

# Actions whose data a server's boot volume must carry along.
DATA_SERVER_ACTIONS = frozenset({'image_snapshot', 'image_copy'})
TEMPLATE_ONLY = 'template_only'
SNAPSHOT_DATA = 'snapshot_data'


class DiscoveryRun:
    """What one ``discover()`` call builds and caches.

    :param clients: ``dragon.cloud.clients.ServiceClients`` of the source
        region and project.
    :param warn: told about every resource or attribute left out.
    :param pool: the threads ``start`` fetches on; ``None`` fetches each
        list when it is first needed, on the caller's thread.
    """

    def __init__(self, clients: Any,
                 warn: warnings_mod.Warn = warnings_mod.ignore,
                 pool: concurrent.futures.Executor | None = None) -> None:
        self.clients = clients
        self.warn = warn
        self.graph = graph_mod.ResourceGraph()
        self._pool = pool
        self._once: dict[str, Any] = {}
        self._proxies = threading.Lock()

    @property
    def project_id(self) -> str | None:
        return getattr(self.clients, 'project_id', None)

    def proxy(self, name: str) -> Any:
        """openstacksdk's proxy ``name`` (``compute``, ``network``, ...).

        The connection makes a proxy on first use, with version discovery;
        the lock keeps two threads from making the same one twice.
        """
        with self._proxies:
            return getattr(self.clients.connection, name)

    def start(self, name: str, fetch: Callable[[], Any]) -> None:
        """Begin ``fetch()`` on the pool unless ``name`` is known or begun.

        ``once(name, ...)`` then waits for it, and raises what it raised.
        """
        if name in self._once:
            return
        if self._pool is None:
            self._once[name] = _Later(fetch)
        else:
            self._once[name] = self._pool.submit(fetch)

    def once(self, name: str, fetch: Callable[[], Any]) -> Any:
        """``fetch()`` the first time ``name`` is asked for, then the same."""
        if name not in self._once:
            self._once[name] = fetch()
        found = self._once[name]
        if isinstance(found, (concurrent.futures.Future, _Later)):
            found = self._once[name] = found.result()
        return found

    def node_for(self, type_: str, resource_id: str, name: str | None,
                 kind: str, label: str | None = None,
                 **fields: Any) -> graph_mod.Node:
        """The node of a resource, added (with ``fields``) if new.

        The key reads ``<kind>_<label or name>_<id prefix>``.
        """
        node = self.graph.by_resource(type_, resource_id)
        if node is None:
            node = self.graph.add(graph_mod.Node(
                key=self.graph.unique_key(kind, label or name, resource_id),
                resource=graph_mod.Resource(type_, resource_id, name or ''),
                **fields))
        return node


class _Later:
    """A fetch ``start`` deferred to its first ``once`` (no pool)."""

    def __init__(self, fetch: Callable[[], Any]) -> None:
        self._fetch = fetch

    def result(self) -> Any:
        return self._fetch()


class DiscoveryPlugin(abc.ABC):
    """Discovers the members of one resource type and their dependencies.

    ``order``: plugins run in ascending order, so a type that others
    reference (volumes, referenced by servers) is added first and keeps
    its member action when a server meets it later.
    """

    resource_type: str = ''
    order: int = 100

    def prefetch(self, run: DiscoveryRun,
                 members: list[dict[str, Any]]) -> None:
        """Start the lists ``discover`` will need (``run.start``).

        Called for every plugin before the first ``discover``, so the
        plugins' first calls to their services overlap.  The default
        starts nothing.
        """

    @abc.abstractmethod
    def discover(self, run: DiscoveryRun,
                 members: list[dict[str, Any]]) -> list[graph_mod.Node]:
        """Add ``members`` and every resource they depend on to ``run.graph``.

        :param run: the discovery run (clients, graph, shared lists).
        :param members: the policy's member rows of this plugin's type:
            ``{"resource_type", "resource_id", "resource_name", "action",
            "options"}``.
        :returns: the members' nodes, in ``members`` order.
        :raises dragon.exception.DiscoveryFailed: a member or a dependency
            cannot be read (the reason names it).
        """
