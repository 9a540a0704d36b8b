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

"""Dependency discovery: from a policy's members to a resource graph.

One discovery plugin per member resource type, named by the type's
plugin (``dragon.resource_types``); ``discover`` lets each start the
lists it needs, then runs them in their ``order`` over one shared
``DiscoveryRun``.  A run reads each list once, one page of up to 1000
items a call, so its calls grow with resource types, not with members;
lists of different services are read in parallel threads.
"""

import collections
import concurrent.futures
from typing import Any

from dragon.protection.discovery import base
from dragon.protection import graph as graph_mod
from dragon.protection import warnings as warnings_mod
from dragon import resource_types

# Lists read at once: Nova's three, Cinder's, Glance's and Neutron's.
THREADS = 6


def get(resource_type: str) -> base.DiscoveryPlugin:
    """The discovery plugin of ``resource_type`` (``server``, ``volume``).

    :raises dragon.exception.UnknownResourceType:
    """
    return resource_types.get(resource_type).discovery_plugin()


def discover(clients: Any, members: list[dict[str, Any]],
             warn: warnings_mod.Warn = warnings_mod.ignore,
             ) -> graph_mod.ResourceGraph:
    """Build the resource graph of ``members`` and all their dependencies.

    :param clients: ``ServiceClients`` of the source region and project.
    :param members: the policy's member rows (``resource_type``,
        ``resource_id``, ``resource_name``, ``action``, ``options``).
    :param warn: told about every resource or attribute left out.
    :returns: the graph, checked (no missing dependency, no cycle).
    :raises dragon.exception.DiscoveryFailed: something cannot be read.
    :raises dragon.exception.UnknownResourceType:
    """
    by_type: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for member in members:
        by_type[member['resource_type']].append(member)
    plugins = sorted(((get(t), rows) for t, rows in by_type.items()),
                     key=lambda p: (p[0].order, p[0].resource_type))
    with concurrent.futures.ThreadPoolExecutor(
            THREADS, thread_name_prefix='discovery') as pool:
        run = base.DiscoveryRun(clients, warn, pool)
        for plugin, rows in plugins:
            plugin.prefetch(run, rows)
        for plugin, rows in plugins:
            plugin.discover(run, rows)
    run.graph.nodes()  # a missing dependency or a cycle fails here, early
    return run.graph
