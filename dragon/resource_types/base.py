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

"""The resource-type plugin interface: all Dragon knows of one member type.

A resource type (``server``, ``volume``, ...) is one class, registered by
one entry point in the ``dragon.resource_types`` namespace.  The class
brings every piece the rest of Dragon dispatches through: its actions with
their option schemas (the API, its schemas and the OpenAPI document read
them), the caller's resources of the type (protectables, member checks),
its discovery plugin, its data actions, its contribution to the HOT
template, the restore of its data records, the target values of its
template parameters (mapping kinds) and what its restored data replaces
in the template.  Nothing else is edited to add a type: see
``doc/source/contributor/adding_a_resource_type.rst``.
"""

import abc
import dataclasses
from typing import Any, Callable, Mapping

from dragon import exception

# A template handler: a graph node → the HOT properties of its resource,
# or ``None`` when the node becomes no resource (e.g. a network that is
# a parameter).  It gets the template builder (``dragon.protection.
# template``) for parameters, conditions and warnings.
TemplateHandler = Callable[[Any, Any], dict[str, Any] | None]
# A restore function: ``(ctx, key, record, node) → what was made``.
RestoreFunction = Callable[[Any, str, dict, Any], dict]
# A mapping function: ``(resolver, param, node, source)`` sets the target
# value of one parameter (``resolver.values[param]``) or says why not
# (``resolver.lack``); ``resolver`` is ``dragon.recovery.mappings``'.
MappingFunction = Callable[[Any, str, Any, Any], None]


def options_schema(properties: dict[str, Any] | None = None
                   ) -> dict[str, Any]:
    """The JSON schema of an action's options: these properties, no others."""
    return {'type': 'object', 'additionalProperties': False,
            'properties': properties or {}}


@dataclasses.dataclass(frozen=True)
class Action:
    """One way of protecting a resource type.

    ``exclusive`` actions own the resource: it may be in only one policy
    with an exclusive action (taking data twice would waste space and
    fight over snapshots); ``template_only`` merely records it.
    """

    name: str
    description: str
    options_schema: dict[str, Any]
    default: bool = False
    exclusive: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {'name': self.name, 'default': self.default,
                'description': self.description,
                'options_schema': self.options_schema}


class ResourceType(abc.ABC):
    """A resource type policies may have members of.

    Class attributes say what the type is; methods are the hooks the core
    calls.  Instances hold no state: one is loaded per process.

    :cvar name: the member ``resource_type`` (``[a-z_]+``), also the entry
        point's name.
    :cvar description: one sentence for ``GET /v1/resource-types``.
    :cvar heat_type: the Heat type of its members' graph nodes; nodes of
        this type with an action get their data through ``data_action``.
    :cvar actions: the member actions, exactly one ``default``.
    :cvar data_actions: ``{action: DataAction class}``; may hold more than
        ``actions`` (``volume.template_only`` serves attached volumes).
    :cvar discovery: the ``DiscoveryPlugin`` class of its members.
    :cvar record_kinds: the data record kinds its data actions write and
        ``restore`` puts back (``none`` is the core's).
    :cvar ids_are_names: Heat types of this plugin whose resource id is a
        name the target keeps (key pairs, containers): recovery's rewrite
        never shortens them as source ids.
    """

    name: str = ''
    description: str = ''
    heat_type: str = ''
    actions: tuple[Action, ...] = ()
    data_actions: Mapping[str, type] = {}
    discovery: type | None = None
    record_kinds: tuple[str, ...] = ()
    ids_are_names: frozenset[str] = frozenset()

    # -- what the API shows and checks ----------------------------------------

    @property
    def default_action(self) -> Action:
        return next(a for a in self.actions if a.default)

    def action(self, name: str | None) -> Action:
        """Return the action ``name`` (the default one for ``None``).

        :raises dragon.exception.UnknownAction:
        """
        if name is None:
            return self.default_action
        for action in self.actions:
            if action.name == name:
                return action
        raise exception.UnknownAction(
            action=name, resource_type=self.name,
            known=', '.join(a.name for a in self.actions))

    def to_dict(self) -> dict[str, Any]:
        return {'name': self.name, 'description': self.description,
                'actions': [a.to_dict() for a in self.actions]}

    def member_refusal(self, resource: dict[str, Any],
                       action: Action) -> str | None:
        """Why ``resource`` cannot be protected with ``action``, or None.

        Asked when a member is added or its action changed, so that a
        policy never promises what its checkpoints could not recover; the
        answer is the 400's message.

        :param resource: what ``get_resource`` returned for it.
        """
        return None

    @abc.abstractmethod
    def list_resources(self, context: Any) -> list[dict[str, Any]]:
        """The caller's resources of this type (``GET /v1/protectables``).

        :param context: the request context (the caller's token and
            catalog: ``dragon.cloud.caller``).
        :returns: ``[{"id", "name", "status"}]``.
        :raises dragon.exception.RemoteServiceUnavailable:
        """

    @abc.abstractmethod
    def get_resource(self, context: Any,
                     resource_id: str) -> dict[str, Any] | None:
        """One resource, to check a member before it is stored.

        :returns: ``{"id", "name", "status", "project_id"}``
            (``project_id`` ``None`` when the service does not say), or
            ``None`` when the caller cannot see it.
        :raises dragon.exception.RemoteServiceUnavailable:
        """

    def exclusive_key(self, project_id: str, resource_id: str) -> str:
        """What makes an exclusive member unique across every project.

        Ids that are unique only within a project (names) must include
        the project; the value fits 255 characters.
        """
        return resource_id

    # -- protection -----------------------------------------------------------

    def discovery_plugin(self) -> Any:
        """A new instance of ``discovery`` (``DiscoveryPlugin``)."""
        if self.discovery is None:
            raise exception.UnknownResourceType(resource_type=self.name,
                                                known='(no discovery)')
        return self.discovery()

    def data_action(self, action: str) -> Any:
        """A new instance of the data action ``action``.

        :raises dragon.exception.UnknownDataAction:
        """
        try:
            return self.data_actions[action]()
        except KeyError:
            raise exception.UnknownDataAction(
                name='%s.%s' % (self.name, action)) from None

    def template_handlers(self) -> dict[str, TemplateHandler]:
        """``{Heat type: handler(builder, node)}`` of every node it adds."""
        return {}

    # -- recovery -------------------------------------------------------------

    def restorers(self) -> dict[str, RestoreFunction]:
        """``{record kind: restore(ctx, key, record, node)}``.

        A restore function puts one data record back into the target
        region (``ctx``: ``dragon.recovery.restore.RestoreContext``) and
        returns what it made (JSON-able; stored on the recovery row and
        passed to ``cleanup_restored``), removing its half-made objects
        itself when it fails.
        """
        return {}

    def mapping_kinds(self) -> dict[str, MappingFunction]:
        """``{parameter kind: resolve(resolver, param, node, source)}``.

        The kinds of the parameters its template handlers make (the
        ``kind`` of ``builder.param``), resolved to the target region's
        values before anything is restored.  A parameter goes to the type
        whose template handler built its node; ``network``,
        ``external_network`` and ``name_prefix`` are the core's.  A kind
        whose value restored data gives (``restored_parameter``) may
        leave it unset.
        """
        return {}

    def check_mappings(self, resolver: Any) -> None:
        """Refuse the recovery's mappings this type would ignore.

        Called once after every parameter is resolved; say each problem
        with ``resolver.missing.append(text)`` (all are raised at once).
        """

    def restored_parameter(self, kind: str, restored: dict) -> Any:
        """The value of a parameter of ``kind`` that restored data gives.

        :param restored: what a restorer of this type returned for the
            parameter's node (``{}`` when nothing was restored).
        :returns: the value, or ``None`` to take the resolved one.
        """
        return None

    def replacements(self, resources: dict[str, Any], restored: dict,
                     values: dict[str, Any],
                     index: dict[str, Any]) -> dict[str, Any]:
        """Template resources an existing target resource replaces.

        :param resources: the template's resources (``{name: resource}``),
            after the selection.
        :param restored: ``{node key: what restore returned}``.
        :param values: the resolved parameter values (an entry under a
            node key, ``mappings.existing_key``, names an existing
            resource).
        :param index: the parameter index.
        :returns: ``{resource name: what takes its place}``: the rewrite
            removes the resource and puts the value where
            ``get_resource`` named it.
        :raises dragon.exception.RewriteFailed:
        """
        return {}

    def estimate_restore(self, record: dict) -> int:
        """Bytes restoring ``record`` moves, for progress."""
        return int(record.get('size') or 0)

    def cleanup_restored(self, ctx: Any, key: str, made: dict) -> None:
        """Remove what a restore function of this type made.

        Called for every restored entry of a recovery, whoever made it:
        act only on entries you recognize; already gone is success.

        :raises dragon.exception.RecoveryFailed:
        """
