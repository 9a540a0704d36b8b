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

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.recovery import mappings
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


def test_everything_resolves_by_name(ckpt):
    _, graph, manifest, _ = ckpt
    target = fakes.Target()
    values = mappings.resolve(manifest, target, {}, None)
    web0 = _key(graph, 'OS::Nova::Server', source.server_id(0))
    boot = _key(graph, 'OS::Cinder::Volume', source.BOOT_VOL)
    data = _key(graph, 'OS::Cinder::Volume', source.DATA_VOL)
    public = _key(graph, 'OS::Neutron::Net', source.EXT_NET)
    shared = _key(graph, 'OS::Neutron::Net', fakes.SHARED_NET)
    keypair = _key(graph, 'OS::Nova::KeyPair', 'ops')
    assert values[web0 + '_flavor'] == fakes.T_FLAVOR_TINY
    assert values[web0 + '_availability_zone'] == 'nova'
    assert values[public + '_network'] == fakes.T_PUBLIC
    assert values[shared + '_network'] == fakes.T_SHARED
    # The target's default type is what an empty value gives.
    assert values[boot + '_volume_type'] == ''
    # Not in the target: the stack creates it; no existing-resource entry.
    assert values[keypair + '_key_name'] == 'ops'
    assert keypair not in values
    # Restored data fills these later; a template-only volume is blank.
    assert web0 + '_image' not in values
    assert boot + '_image' not in values
    assert values[data + '_image'] == ''
    # Lists only: nothing is created while resolving.
    assert target.writes() == []


def test_explicit_mappings_win(ckpt):
    _, graph, manifest, _ = ckpt
    target = fakes.Target()
    target.cinder_zones = ['nova', 'az2']
    values = mappings.resolve(manifest, target, {
        'flavors': {'m1.tiny': 'm1.small'},
        'volume_types': {'file': 'fast'},
        'availability_zones': {'nova': 'nova'},
        'external_network': fakes.T_PUBLIC,
        'networks': {fakes.SHARED_NET: 'recreate'}}, None)
    web0 = _key(graph, 'OS::Nova::Server', source.server_id(0))
    boot = _key(graph, 'OS::Cinder::Volume', source.BOOT_VOL)
    shared = _key(graph, 'OS::Neutron::Net', fakes.SHARED_NET)
    assert values[web0 + '_flavor'] == fakes.T_FLAVOR_SMALL
    assert values[boot + '_volume_type'] == fakes.T_TYPE_FAST
    assert values[shared + '_network'] == mappings.RECREATE


def test_every_missing_mapping_is_reported_at_once(ckpt):
    _, graph, manifest, _ = ckpt
    target = fakes.Target()
    target.flavors = [{'id': fakes.T_FLAVOR_SMALL, 'name': 'm1.small'}]
    target.nova_zones = ['az-b']
    target.networks = [n for n in target.networks if n['name'] != 'public']
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, target, {
            'volume_types': {'file': 'gold'}}, None)
    missing = e.value.missing
    text = str(e.value)
    # 3 servers x (flavor, zone), 2 volumes' types, 1 external network.
    assert len(missing) == 3 * 2 + 2 + 1
    assert sum('flavor of server' in m for m in missing) == 3
    assert sum('availability zone of server' in m for m in missing) == 3
    assert sum('volume type' in m and 'gold' in m for m in missing) == 2
    assert 'external network' in text and 'public' in text
    assert e.value.code == 400
    assert target.writes() == []


def test_only_the_selection_is_resolved(ckpt):
    _, graph, manifest, _ = ckpt
    target = fakes.Target()
    target.networks = []  # the volume alone needs no network
    keys = selection.select(graph, [source.DATA_VOL])
    values = mappings.resolve(manifest, target, {}, keys)
    data = _key(graph, 'OS::Cinder::Volume', source.DATA_VOL)
    assert set(values) == {data + '_volume_type', data + '_availability_zone',
                           data + '_image'}


def test_drill_needs_no_network_mapping(ckpt):
    _, graph, manifest, _ = ckpt
    target = fakes.Target()
    target.networks = []
    values = mappings.resolve(manifest, target, {}, None, mode='drill')
    assert not any(k.endswith('_network') for k in values)
    with pytest.raises(exception.MappingMissing):
        mappings.resolve(manifest, target, {}, None)


def test_owned_networks_cannot_be_mapped(ckpt):
    _, _, manifest, _ = ckpt
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, fakes.Target(),
                         {'networks': {source.NET: fakes.T_SHARED}}, None)
    assert "project's own" in str(e.value)


def test_ambiguous_names_are_not_guessed(ckpt):
    _, _, manifest, _ = ckpt
    target = fakes.Target()
    target.networks.append({'id': 'x' * 32, 'name': 'public',
                            'router:external': True})
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, target, {}, None)
    assert '2 of them are named public' in str(e.value)


class _Thing(base.ResourceType):
    """A type with a parameter kind of its own and a mapping it checks."""

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

    def mapping_kinds(self):
        return {'colour': self._colour}

    @staticmethod
    def _colour(resolver, param, node, source):
        colour = resolver.map('colours').get(source, source)
        if colour == 'red':
            resolver.values[param] = 'rouge'
        else:
            resolver.lack(param, node, 'colour', source, 'no ' + colour,
                          'map it with colours')

    def check_mappings(self, resolver):
        if 'unused' in resolver.map('colours'):
            resolver.missing.append('colour mapping unused: no thing')


def _thing_manifest(kind='colour'):
    graph = graph_mod.ResourceGraph()
    graph.add(graph_mod.Node(key='t', resource=graph_mod.Resource(
        'OS::Fake::Thing', 't-id', 'tee')))
    return {'graph': graph.to_dict(), 'data': {}, 'parameters': {
        't_colour': {'kind': kind, 'node': 't', 'default': 'blue'}}}


def test_a_parameter_is_resolved_by_the_type_that_built_it(monkeypatch):
    monkeypatch.setattr(resource_types, '_loaded', lambda: (_Thing(),))
    manifest = _thing_manifest()
    assert mappings.resolve(manifest, fakes.Target(),
                            {'colours': {'blue': 'red'}}, None) == {
        't_colour': 'rouge'}
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, fakes.Target(), {'colours': {
            'blue': 'green', 'unused': 'red'}}, None)
    assert e.value.missing == [
        "colour of thing tee (parameter t_colour, source 'blue'): no green "
        "in RegionTwo; map it with colours",
        'colour mapping unused: no thing']


def test_a_kind_no_type_resolves_is_reported(monkeypatch):
    monkeypatch.setattr(resource_types, '_loaded', lambda: (_Thing(),))
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(_thing_manifest('flavor'), fakes.Target(), {},
                         None)
    assert e.value.missing == ["parameter t_colour: unknown kind 'flavor'"]
