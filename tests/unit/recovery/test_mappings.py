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
from dragon.recovery import mappings
from dragon.recovery import selection
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


def test_mapping_to_a_flavor_that_does_not_exist(ckpt):
    _, _, manifest, _ = ckpt
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, fakes.Target(),
                         {'flavors': {'m1.tiny': 'm1.huge'}}, None)
    assert len(e.value.missing) == 3
    assert all('m1.huge' in m and "'m1.tiny'" in m for m in e.value.missing)


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


def test_template_only_server_image_by_name_or_mapping():
    _, graph, manifest, _ = fakes.checkpoint(servers=1,
                                             template_only=('web-0',))
    web0 = _key(graph, 'OS::Nova::Server', source.server_id(0))
    target = fakes.Target()
    values = mappings.resolve(manifest, target, {}, None)
    assert values[web0 + '_image'] == fakes.T_IMAGE  # named cirros
    target.images = [{'id': fakes.T_IMAGE, 'name': 'other',
                      'status': 'active'}]
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, target, {}, None)
    assert 'image of server web-0' in str(e.value)
    values = mappings.resolve(manifest, target,
                              {'images': {source.IMAGE: 'other'}}, None)
    assert values[web0 + '_image'] == fakes.T_IMAGE


def test_key_pairs(ckpt):
    _, graph, manifest, _ = ckpt
    keypair = _key(graph, 'OS::Nova::KeyPair', 'ops')
    target = fakes.Target()
    # The same key exists already: used, not created again.
    target.keypairs = [{'name': 'ops', 'public_key': 'ssh-ed25519 AAAA x'}]
    values = mappings.resolve(manifest, target, {}, None)
    assert values[mappings.existing_key(keypair)] == 'ops'
    # Another key under that name: the user must choose.
    target.keypairs = [{'name': 'ops', 'public_key': 'ssh-ed25519 BBBB'}]
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, target, {}, None)
    assert 'different key pair named ops' in str(e.value)
    # ... a prefix makes a new one, a mapping names an existing one.
    values = mappings.resolve(manifest, target, {'name_prefix': 'dr-'}, None)
    assert values[keypair + '_key_name'] == 'dr-ops'
    assert keypair not in values
    values = mappings.resolve(manifest, target,
                              {'key_pairs': {'ops': 'ops'}}, None)
    assert values[keypair] == 'ops'


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


def test_a_flavor_mapping_no_server_uses_is_refused(ckpt):
    # Checkpoints record flavors by name (Nova embeds no flavor id), so a
    # mapping keyed by an id, or by a flavor no server has, would be
    # ignored: it is named instead, before anything is created.
    _, _, manifest, _ = ckpt
    target = fakes.Target()
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, target, {'flavors': {
            'm1.tiny': 'm1.small',
            '0d6a2c5e-flavor-id': 'm1.small'}}, None)
    assert e.value.missing == [
        "flavor mapping '0d6a2c5e-flavor-id': no server of the checkpoint "
        "has a flavor named so (flavors are mapped by the source flavor's "
        "name: m1.tiny)"]
    assert target.writes() == []
