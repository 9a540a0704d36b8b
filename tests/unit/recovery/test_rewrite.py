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

"""The rewrite of a template the real generator made from a realistic graph."""

import json

import pytest
import yaml

from dragon import exception
from dragon.recovery import mappings
from dragon.recovery import rewrite
from dragon.recovery import selection
from dragon import resource_types
from dragon.resource_types import base
from tests.unit.protection import fakes as source
from tests.unit.recovery import fakes


@pytest.fixture
def ckpt():
    return fakes.checkpoint(servers=2)


def _key(graph, type_, resource_id):
    return graph.by_resource(type_, resource_id).key


_run = fakes.run_rewrite
_consistent = fakes.assert_consistent


@pytest.mark.parametrize('mode', ['failover', 'drill'])
@pytest.mark.parametrize('with_graph', [True, False])
def test_no_source_id_remains(ckpt, mode, with_graph):
    _, graph, manifest, text = ckpt
    ids = fakes.source_ids(graph)
    assert any(i in text for i in ids)  # the source template has them
    tmpl, params = _run(ckpt, mode=mode, with_graph=with_graph)
    out = yaml.safe_dump(tmpl) + json.dumps(params)
    left = sorted(i for i in ids if i in out)
    assert left == []
    _consistent(tmpl)


def test_failover_fills_every_parameter_as_its_default(ckpt):
    _, graph, manifest, _ = ckpt
    tmpl, params = _run(ckpt)
    assert set(params) == set(tmpl['parameters'])
    for name, value in params.items():
        assert tmpl['parameters'][name]['default'] == value
    web0 = _key(graph, 'OS::Nova::Server', source.server_id(0))
    boot = _key(graph, 'OS::Cinder::Volume', source.BOOT_VOL)
    restored = fakes.restored_for(manifest)
    assert params[web0 + '_image'] == restored[web0]['image_id']
    assert params[boot + '_image'] == restored[boot]['image_id']
    public = _key(graph, 'OS::Neutron::Net', source.EXT_NET)
    router = _key(graph, 'OS::Neutron::Router', source.ROUTER)
    assert params[public + '_network'] == fakes.T_PUBLIC
    assert tmpl['resources'][router]['properties'][
        'external_gateway_info'] == {'network': {
            'get_param': public + '_network'}}
    fip = _key(graph, 'OS::Neutron::FloatingIP', 'fip-1')
    assert fip in tmpl['resources']


def test_selection_keeps_only_the_closure(ckpt):
    _, graph, _, _ = ckpt
    keys = selection.select(graph, [source.server_id(1)])
    tmpl, params = _run(ckpt, keys=keys)
    res = tmpl['resources']
    # The group rule referring to the default group is kept with both;
    # networks of other projects are parameters, not resources.
    web_sg = _key(graph, 'OS::Neutron::SecurityGroup', source.SG_WEB)
    foreign = {_key(graph, 'OS::Neutron::Net', i)
               for i in (source.EXT_NET, fakes.SHARED_NET)}
    assert set(res) == (keys - foreign) | {web_sg + '_rule_0'}
    assert set(params) == set(tmpl['parameters'])
    index = ckpt[2]['parameters']
    assert {index[p]['node'] for p in params} <= keys
    assert not any('volume' in p for p in params)
    assert 'conditions' not in tmpl  # only the volumes had conditions
    _consistent(tmpl)


def test_a_parameter_without_value_is_reported(ckpt):
    _, graph, manifest, text = ckpt
    values = mappings.resolve(manifest, fakes.Target(), {}, None)
    web0 = _key(graph, 'OS::Nova::Server', source.server_id(0))
    restored = fakes.restored_for(manifest)
    del restored[web0]
    with pytest.raises(exception.MappingMissing) as e:
        rewrite.rewrite(text, manifest['parameters'], values, restored, None,
                        graph=graph)
    assert e.value.missing == [
        "parameter %s_image (image of %s, source %r): no value and nothing "
        "restored" % (web0, web0, source.IMAGE)]


def test_unknown_mode(ckpt):
    with pytest.raises(exception.RewriteFailed):
        _run(ckpt, mode='chaos')


def test_user_data_is_left_as_written():
    world, graph, manifest, _ = fakes.checkpoint(servers=1, shared=False)
    from dragon.protection import discovery
    from dragon.protection import template
    world.nova['servers'][0]['OS-EXT-SRV-ATTR:user_data'] = \
        'ZWNobyA3MDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDIK'
    graph = discovery.discover(source.Clients(world),
                               source.server_members(world))
    tmpl, index = template.build(graph)
    manifest['graph'], manifest['parameters'] = graph.to_dict(), index
    values = mappings.resolve(manifest, fakes.Target(), {}, None)
    out, _ = rewrite.rewrite(template.to_yaml(tmpl), index, values,
                             fakes.restored_for(manifest), None, graph=graph)
    web0 = _key(graph, 'OS::Nova::Server', source.server_id(0))
    assert out['resources'][web0]['properties']['user_data'] == \
        'echo %s\n' % source.DATA_VOL


class _Thing(base.ResourceType):
    """A type whose restored things replace resources or fill colours."""

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
        return {self.heat_type: lambda builder, node: {}}

    def restored_parameter(self, kind, restored):
        return restored.get('colour') if kind == 'colour' else None

    def replacements(self, resources, restored, values, index):
        return {key: what['thing_id'] for key, what in restored.items()
                if key in resources and 'thing_id' in what}


def _things():
    return {
        'heat_template_version': '2021-04-16',
        'parameters': {p: {'type': 'string', 'default': 'blue'}
                       for p in ('a_colour', 'b_colour')},
        'resources': {
            key: {'type': 'OS::Fake::Thing', 'properties': {
                'colour': {'get_param': key + '_colour'}}}
            for key in ('a', 'b')} | {
            'user': {'type': 'OS::Fake::User', 'properties': {
                'things': [{'get_resource': 'a'},
                           {'get_resource': 'b'}]}}}}


def test_a_type_says_what_its_restored_data_replaces_and_fills(monkeypatch):
    monkeypatch.setattr(resource_types, '_loaded', lambda: (_Thing(),))
    index = {key + '_colour': {'kind': 'colour', 'node': key,
                               'default': 'blue'} for key in ('a', 'b')}
    tmpl, params = rewrite.rewrite(
        _things(), index, {'a_colour': 'blue', 'b_colour': 'mapped'},
        {'a': {'thing_id': 'existing-a'}, 'b': {'colour': 'restored'}},
        None)
    assert 'a' not in tmpl['resources']
    assert tmpl['resources']['user']['properties']['things'] == [
        'existing-a', {'get_resource': 'b'}]
    # The restored value wins over the resolved one; a's parameter went
    # with its resource.
    assert params == {'b_colour': 'restored'}
    assert tmpl['parameters'] == {'b_colour': {'type': 'string',
                                               'default': 'restored'}}
