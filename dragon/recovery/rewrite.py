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

"""The template rewrite: a checkpoint's HOT template made for the target.

Unselected resources go (with the parameters and conditions only they
used); parameters are filled (resolved values, what restored data gives) and
become the template's defaults, so the stack's template names no source
value; existing target resources replace the ones their resource type
says (``replacements``: a volume restored as a Cinder volume, a key pair
that exists); names get the prefix.  A drill isolates the copy (no
router gateway, no floating IP, every network recreated: ``networking``,
as are networks recreated on request).  Finally every
source id still written anywhere (descriptions) is shortened to the
8-character prefix resource keys use.
"""

import copy
import json
import re
from typing import Any, Iterable

import yaml

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.recovery import intrinsics
from dragon.recovery import networking
from dragon import resource_types

FAILOVER, DRILL = 'failover', 'drill'
MODES = (FAILOVER, DRILL)
# Resources that are no graph node but belong to one (a group's rules).
_DERIVED = re.compile(r'^(?P<key>.+)_rule_\d+$')
_UUID = re.compile(r'\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?'
                   r'[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b')
# Free text a user wrote for the workload itself: left as it is.
_VERBATIM = ('user_data',)


class _Rewriter:
    def __init__(self, template: dict[str, Any], index: dict[str, Any],
                 values: dict[str, Any], restored: dict[str, Any],
                 keys: set[str] | None, mode: str, name_prefix: str,
                 graph: graph_mod.ResourceGraph | None) -> None:
        if mode not in MODES:
            raise exception.RewriteFailed(
                reason='unknown mode %r (one of %s)' % (mode,
                                                        ', '.join(MODES)))
        self.t = template
        self.resources: dict[str, Any] = template.setdefault('resources', {})
        self.index = index or {}
        self.values = dict(values or {})
        self.restored = restored or {}
        self.keys = keys
        self.drill = mode == DRILL
        self.prefix = name_prefix or ''
        self.graph = graph
        self.removed: set[str] = set()
        # get_resource of a removed resource → what takes its place.
        self.existing: dict[str, Any] = {}
        # Without the graph: the index's source values and the ids the
        # generator writes into descriptions.
        self.source_ids = {str(e.get('default')) for e in self.index.values()
                           if _UUID.fullmatch(str(e.get('default') or ''))}
        self.source_ids.update(_UUID.findall(json.dumps(
            _descriptions(template))))

    def run(self) -> tuple[dict[str, Any], dict[str, Any]]:
        self.select()
        self.replace_existing()
        if self.drill:
            networking.isolate(self)
        self.resources.update(networking.recreate(self))
        self.check_references()
        self.prune()
        parameters = self.fill()
        self.prefix_names()
        self.scrub(_source_ids(self.graph) if self.graph is not None
                   else self.source_ids)
        return self.t, parameters

    def remove(self, name: str) -> None:
        self.resources.pop(name, None)
        self.removed.add(name)

    # -- selection and replacements ------------------------------------------

    def select(self) -> None:
        if self.keys is None:
            return
        for name in list(self.resources):
            derived = _DERIVED.match(name)
            owner = name if name in self.keys or not derived \
                else derived.group('key')
            if owner not in self.keys:
                self.remove(name)
            elif owner != name:
                # A rule between two groups needs both of them.
                refs = intrinsics.refs(self.resources[name], 'get_resource')
                if not refs <= self.keys:
                    self.remove(name)

    def replace_existing(self) -> None:
        """Existing target resources in place of some of the template's.

        Each resource type says which of its resources they are
        (``replacements``: a volume restored as a Cinder volume, a key
        pair that exists).
        """
        for plugin in resource_types.all_types():
            for key, existing in plugin.replacements(
                    self.resources, self.restored, self.values,
                    self.index).items():
                self.existing[key] = existing
                self.remove(key)
        self.substitute_resources()

    def substitute_resources(self) -> None:
        for name, resource in self.resources.items():
            resource = intrinsics.substitute(resource, 'get_resource', self.existing)
            deps = resource.get('depends_on')
            if deps is not None:
                deps = [d for d in ([deps] if isinstance(deps, str) else deps)
                        if d not in self.removed]
                if deps:
                    resource['depends_on'] = deps
                else:
                    del resource['depends_on']
            self.resources[name] = resource

    # -- consistency, parameters, names ---------------------------------------

    def check_references(self) -> None:
        for name, resource in self.resources.items():
            lost = (intrinsics.refs(resource, 'get_resource') |
                    intrinsics.refs(resource, 'get_attr')) - set(self.resources)
            if lost:
                raise exception.RewriteFailed(
                    reason='%s refers to %s, which is not recovered' % (
                        name, ', '.join(sorted(lost))))

    def prune(self) -> None:
        """Drop outputs, conditions and parameters nothing uses any more."""
        outputs = self.t.get('outputs') or {}
        for name in list(outputs):
            refs = (intrinsics.refs(outputs[name], 'get_resource') |
                    intrinsics.refs(outputs[name], 'get_attr'))
            if refs - set(self.resources):
                del outputs[name]
        if 'outputs' in self.t and not outputs:
            del self.t['outputs']
        conditions = self.t.get('conditions') or {}
        used = intrinsics.conditions_used([self.resources, outputs])
        for name in list(conditions):
            if name not in used:
                del conditions[name]
        if 'conditions' in self.t and not conditions:
            del self.t['conditions']
        params = intrinsics.refs([self.resources, outputs, conditions], 'get_param')
        for name in list(self.t.get('parameters') or {}):
            if name not in params:
                del self.t['parameters'][name]

    def fill(self) -> dict[str, Any]:
        parameters: dict[str, Any] = {}
        missing = []
        for name, spec in (self.t.get('parameters') or {}).items():
            entry = self.index.get(name) or {}
            node = entry.get('node')
            restored = (self.restored.get(node) or {}) if node else {}
            value = self._restored_value(entry.get('kind'), node, restored)
            if value is None and entry.get('kind') == 'name_prefix':
                value = self.prefix
            elif value is None and name in self.values:
                value = self.values[name]
            elif value is None:
                missing.append('parameter %s (%s of %s, source %r): no value '
                               'and nothing restored' % (
                                   name, entry.get('kind'), node,
                                   entry.get('default')))
                continue
            parameters[name] = value
            spec['default'] = value
        if missing:
            raise exception.MappingMissing(missing=missing)
        return parameters

    def _restored_value(self, kind: str | None, node: str | None,
                        restored: dict) -> Any:
        """What restored data gives the parameter (its node's type says)."""
        if not restored:
            return None
        heat_type = (self.resources.get(node) or {}).get('type')
        if heat_type is None and self.graph is not None and \
                node in self.graph:
            heat_type = self.graph.get(node).resource.type
        plugin = (resource_types.by_template_type(heat_type)
                  if heat_type else None)
        return (plugin.restored_parameter(kind, restored)
                if plugin is not None else None)

    def prefix_names(self) -> None:
        if not self.prefix:
            return
        for resource in self.resources.values():
            props = resource.get('properties') or {}
            if isinstance(props.get('name'), str):
                props['name'] = self.prefix + props['name']

    def scrub(self, ids: Iterable[str]) -> None:
        """Shorten every source id left in free text to its 8 first chars."""
        ids = sorted(set(ids), key=len, reverse=True)
        if not ids:
            return
        pattern = re.compile('|'.join(re.escape(i) for i in ids))

        def clean(value: Any, verbatim: bool = False) -> Any:
            if isinstance(value, dict):
                return {k: clean(v, verbatim or k in _VERBATIM)
                        for k, v in value.items()}
            if isinstance(value, list):
                return [clean(v, verbatim) for v in value]
            if isinstance(value, str) and not verbatim:
                return pattern.sub(
                    lambda m: m.group(0).replace('-', '')[:8], value)
            return value
        for section in ('description', 'parameters', 'resources',
                        'outputs'):
            if section in self.t:
                self.t[section] = clean(self.t[section])
        self.resources = self.t['resources']


def _descriptions(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == 'description' and isinstance(v, str):
                found.append(v)
            else:
                found.extend(_descriptions(v))
    elif isinstance(value, list):
        for v in value:
            found.extend(_descriptions(v))
    return found


def _source_ids(graph: graph_mod.ResourceGraph) -> set[str]:
    """Ids of the source site: every node's id and every UUID it records.

    Resources whose id is their name (key pairs, as each resource type's
    plugin says) are the exception: the target keeps the name on purpose.
    """
    ids: set[str] = set()
    named = resource_types.ids_are_names()
    for node in graph.nodes():
        if node.resource.type not in named:
            for part in node.resource.id.split(':'):
                if len(part) >= 8:
                    ids.add(part)
        text = json.dumps(node.properties)
        ids.update(_UUID.findall(text))
    return ids


def rewrite(template_yaml: str | dict[str, Any],
            parameters_index: dict[str, Any], values: dict[str, Any],
            restored: dict[str, Any] | None, keys: set[str] | None,
            mode: str = FAILOVER, name_prefix: str = '', *,
            graph: graph_mod.ResourceGraph | dict[str, Any] | None = None,
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The checkpoint's template rewritten for the target region.

    :param template_yaml: the checkpoint's HOT template (text or dict).
    :param parameters_index: its parameter index (``{name: {kind, node,
        default}}``).
    :param values: ``mappings.resolve`` output.
    :param restored: ``{node key: {"image_id": ...} | {"volume_id": ...}}``
        from the data restore.
    :param keys: selected node keys (``selection.select``); ``None`` keeps
        every resource.
    :param mode: ``failover`` or ``drill``.
    :param name_prefix: prepended to every ``name`` property.
    :param graph: the checkpoint's resource graph (object or
        ``to_dict()``; pass it): gives recreated networks their names and
        address ranges, and every source id to scrub from the result
        (without it: the index's source values and ids in descriptions).
    :returns: ``(template, parameter_values)``; the template's parameter
        defaults are the values too.
    :raises dragon.exception.MappingMissing: a parameter has no value.
    :raises dragon.exception.RewriteFailed: the selection or a
        replacement leaves a dangling reference, a network that an
        external gateway or floating IP needs is to be recreated, or the
        mode is unknown.
    """
    template = (copy.deepcopy(template_yaml) if isinstance(template_yaml,
                                                           dict)
                else yaml.safe_load(template_yaml))
    if isinstance(graph, dict):
        graph = graph_mod.ResourceGraph.from_dict(graph)
    return _Rewriter(template, parameters_index, values, restored or {},
                     keys, mode, name_prefix, graph).run()
