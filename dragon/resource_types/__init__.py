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

"""Resource-type plugins: one class per member type, one entry point each.

The namespace ``dragon.resource_types`` is read once per process (the API
and the engine at start-up, on first use); ``all_types()`` and ``get()``
are the only ways to reach a type, and the lookups below are what the
core dispatches through (data actions, template handlers, restores).
"""

import functools
from typing import Any

from oslo_log import log as logging
import stevedore

from dragon import exception
from dragon.resource_types.base import Action
from dragon.resource_types.base import options_schema
from dragon.resource_types.base import ResourceType

LOG = logging.getLogger(__name__)

NAMESPACE = 'dragon.resource_types'

__all__ = ['Action', 'NAMESPACE', 'ResourceType', 'all_types', 'by_heat_type',
           'by_record_kind', 'by_template_type', 'get', 'ids_are_names',
           'names', 'options_schema', 'template_handlers']


def _load_failed(manager: Any, entry_point: Any, error: Exception) -> None:
    # A type that does not load would silently vanish from the API and
    # leave its members unprotectable: refuse to start instead.
    raise exception.ResourceTypePluginInvalid(
        name=entry_point.name, reason=error) from error


def _check(plugins: list[ResourceType], entry_names: list[str]) -> None:
    seen_heat: dict[str, str] = {}
    seen_kinds: dict[str, str] = {}
    # One builder per Heat type: it also resolves the parameters it makes.
    seen_built: dict[str, str] = {}
    for plugin, entry_name in zip(plugins, entry_names):
        if plugin.name != entry_name:
            raise exception.ResourceTypePluginInvalid(
                name=entry_name, reason='its class says name %r'
                % plugin.name)
        if [a.default for a in plugin.actions].count(True) != 1:
            raise exception.ResourceTypePluginInvalid(
                name=entry_name, reason='needs exactly one default action')
        missing = {a.name for a in plugin.actions} - set(plugin.data_actions)
        if missing:
            raise exception.ResourceTypePluginInvalid(
                name=entry_name, reason='no data action for %s'
                % ', '.join(sorted(missing)))
        for table, values in ((seen_heat, (plugin.heat_type,)),
                              (seen_kinds, plugin.record_kinds),
                              (seen_built, plugin.template_handlers())):
            for value in values:
                if value in table:
                    raise exception.ResourceTypePluginInvalid(
                        name=entry_name, reason='%s is already %s\'s'
                        % (value, table[value]))
                table[value] = plugin.name


@functools.lru_cache(maxsize=1)
def _loaded() -> tuple[ResourceType, ...]:
    manager = stevedore.ExtensionManager(
        NAMESPACE, invoke_on_load=True,
        on_load_failure_callback=_load_failed)
    extensions = sorted(manager, key=lambda e: e.name)
    plugins = [e.obj for e in extensions]
    _check(plugins, [e.name for e in extensions])
    LOG.debug("resource types loaded: %s", ', '.join(p.name for p in plugins))
    return tuple(plugins)


def all_types() -> tuple[ResourceType, ...]:
    """Every installed resource type, by name."""
    return _loaded()


def names() -> list[str]:
    return [t.name for t in all_types()]


def get(name: str) -> ResourceType:
    """The resource type ``name``.

    :raises dragon.exception.UnknownResourceType:
    """
    for resource_type in all_types():
        if resource_type.name == name:
            return resource_type
    raise exception.UnknownResourceType(resource_type=name,
                                        known=', '.join(names()))


def by_heat_type(heat_type: str) -> ResourceType | None:
    """The type whose member nodes are ``heat_type`` (data-carrying nodes)."""
    for resource_type in all_types():
        if resource_type.heat_type == heat_type:
            return resource_type
    return None


def by_record_kind(kind: str) -> ResourceType | None:
    """The type that restores data records of ``kind``."""
    for resource_type in all_types():
        if kind in resource_type.record_kinds:
            return resource_type
    return None


def member_heat_types() -> tuple[str, ...]:
    """The Heat types of member nodes (what a recovery may select)."""
    return tuple(t.heat_type for t in all_types())


def template_handlers() -> dict[str, Any]:
    """``{Heat type: handler(builder, node)}`` of every type."""
    handlers: dict[str, Any] = {}
    for resource_type in all_types():
        handlers.update(resource_type.template_handlers())
    return handlers


def by_template_type(heat_type: str) -> ResourceType | None:
    """The type whose template handler builds ``heat_type`` resources.

    It also resolves their parameters' kinds and says what restored data
    replaces among them (``mapping_kinds``, ``restored_parameter``).
    """
    for resource_type in all_types():
        if heat_type in resource_type.template_handlers():
            return resource_type
    return None


def ids_are_names() -> frozenset[str]:
    """Heat types whose id is a name the target keeps (never scrubbed)."""
    return frozenset().union(*(t.ids_are_names for t in all_types()))
