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

import pytest
import yaml

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.protection import template
from dragon import resource_types
from dragon.resource_types import base
from tests.unit.protection import fakes


@pytest.fixture
def built():
    graph, tmpl, params, _warnings = fakes.built_template()
    return graph, tmpl, params


def test_every_node_but_foreign_networks_is_a_resource(built):
    graph, tmpl, _ = built
    assert tmpl['heat_template_version'] == '2021-04-16'
    res = tmpl['resources']
    for node in graph.nodes():
        if node.resource.type == 'OS::Neutron::Net' and \
                not node.properties['owned']:
            assert node.key not in res
        else:
            assert res[node.key]['type'] == node.resource.type
    # The rule referring to another group is its own resource.
    web_sg = fakes.key_of(graph, 'OS::Neutron::SecurityGroup', fakes.SG_WEB)
    rules = [k for k in res if k.startswith(web_sg + '_rule_')]
    assert len(rules) == 1
    assert res[rules[0]]['type'] == 'OS::Neutron::SecurityGroupRule'


def test_yaml_round_trip_and_stable(built):
    graph, tmpl, _ = built
    text = template.to_yaml(tmpl)
    assert yaml.safe_load(text) == tmpl
    assert text.startswith("heat_template_version: '2021-04-16'")
    assert '&id' not in text  # a repeated get_param is written out again
    assert template.to_yaml(template.build(graph)[0]) == text


def test_validate_passes_and_reports_heat_reasons():
    world = fakes.World()
    clients = fakes.Clients(world)
    assert template.validate(clients, 'x: 1') == {'Parameters': {}}
    assert world.log[-1] == ('orchestration', '/validate',
                             {'template': 'x: 1'})
    world.post_answer = fakes.Response(400, {
        'explanation': 'The server could not comply',
        'error': {'message': 'Unknown resource Type : OS::Bad',
                  'type': 'StackValidationFailed'}})
    with pytest.raises(exception.TemplateInvalid,
                       match='Unknown resource Type : OS::Bad'):
        template.validate(clients, 'x: 1')
    world.post_answer = fakes.Response(503, {})
    with pytest.raises(exception.RemoteServiceUnavailable):
        template.validate(clients, 'x: 1')


def test_a_template_over_heats_size_limit_says_what_to_change():
    world = fakes.World()
    clients = fakes.Clients(world)
    world.post_answer = fakes.Response(400, {
        'error': {'message': 'Request limit exceeded: Template size '
                             '(985168 bytes) exceeds maximum allowed size '
                             '(524288 bytes).',
                  'type': 'RequestLimitExceeded'}})
    with pytest.raises(exception.TemplateInvalid) as raised:
        template.validate(clients, 'x: 1')
    message = str(raised.value)
    assert '985168 bytes' in message
    assert 'max_template_size' in message
    assert 'max_resources_per_stack' in message
    assert 'several policies' in message


def test_an_ordinary_workload_has_no_template_warnings(built):
    graph = built[0]
    warnings = []
    template.build(graph, lambda *w: warnings.append(w))
    assert warnings == []


class _Thing(base.ResourceType):
    """A type whose things are resources unless hidden, with a note each."""

    name = 'thing'
    heat_type = 'OS::Fake::Thing'
    actions = (base.Action('copy', 'Copy it.', base.options_schema(),
                           default=True),)
    data_actions = {'copy': object}

    def list_resources(self, context):
        return []

    def get_resource(self, context, resource_id):
        return None

    def template_handlers(self):
        return {self.heat_type: self._thing}

    @staticmethod
    def _thing(builder, node):
        if node.properties.get('hidden'):
            builder.param(node, 'ref', 'thing_ref', node.resource.id,
                          'Thing %s (mapped)' % node.resource.name)
            return None
        builder.add_resource(node.key + '_note', {
            'type': 'OS::Fake::Note', 'properties': {
                'of': template.ref(node.key)}})
        props = {'name': node.resource.name}
        template.set_if(props, 'tags', node.properties.get('tags'))
        return props


def _things(*specs):
    graph = graph_mod.ResourceGraph()
    for key, hidden, deps in specs:
        graph.add(graph_mod.Node(
            key=key, resource=graph_mod.Resource('OS::Fake::Thing', key,
                                                 key),
            properties={'hidden': hidden, 'tags': []}))
        for dep in deps:
            graph.add_dependency(key, dep)
    return graph


def test_a_plugin_builds_its_heat_type_through_its_handler(monkeypatch):
    monkeypatch.setattr(resource_types, '_loaded', lambda: (_Thing(),))
    graph = _things(('a', True, ()), ('b', False, ()),
                    ('c', False, ('a', 'b')))
    tmpl, index = template.build(graph)
    res = tmpl['resources']
    # A node whose handler says None is no resource, only its parameter.
    assert 'a' not in res
    assert index['a_ref'] == {'kind': 'thing_ref', 'node': 'a',
                              'default': 'a'}
    assert res['b'] == {'type': 'OS::Fake::Thing',
                        'properties': {'name': 'b'}}
    assert res['b_note']['properties'] == {'of': {'get_resource': 'b'}}
    # Heat sees no get_resource of b in c: the dependency is explicit;
    # a, which is no resource, is not named.
    assert res['c']['depends_on'] == ['b']
    assert 'conditions' not in tmpl


def test_a_node_no_plugin_builds_is_refused(monkeypatch):
    monkeypatch.setattr(resource_types, '_loaded', lambda: ())
    with pytest.raises(exception.GraphInvalid,
                       match='no template for OS::Fake::Thing'):
        template.build(_things(('a', False, ())))
