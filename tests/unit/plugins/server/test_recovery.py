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

"""Recovery of the server plugin: flavors, images, key pairs."""

import pytest

from dragon import exception
from dragon.plugins.server import recovery
from dragon.recovery import mappings
from dragon.recovery import rewrite
from tests.unit.protection import fakes as source
from tests.unit.recovery import fakes


@pytest.fixture
def ckpt():
    return fakes.checkpoint(servers=2)


def test_mapping_to_a_flavor_that_does_not_exist(ckpt):
    _, _, manifest, _ = ckpt
    with pytest.raises(exception.MappingMissing) as e:
        mappings.resolve(manifest, fakes.Target(),
                         {'flavors': {'m1.tiny': 'm1.huge'}}, None)
    assert len(e.value.missing) == 3
    assert all('m1.huge' in m and "'m1.tiny'" in m for m in e.value.missing)


def test_template_only_server_image_by_name_or_mapping():
    _, graph, manifest, _ = fakes.checkpoint(servers=1,
                                             template_only=('web-0',))
    web0 = source.key_of(graph, 'OS::Nova::Server', source.server_id(0))
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
    keypair = source.key_of(graph, 'OS::Nova::KeyPair', 'ops')
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


def test_existing_key_pair_replaces_its_resource(ckpt):
    _, graph, manifest, text = ckpt
    keypair = source.key_of(graph, 'OS::Nova::KeyPair', 'ops')
    target = fakes.Target()
    target.keypairs = [{'name': 'ops', 'public_key': 'ssh-ed25519 AAAA'}]
    values = mappings.resolve(manifest, target, {}, None)
    tmpl, params = rewrite.rewrite(text, manifest['parameters'], values,
                                   fakes.restored_for(manifest), None,
                                   graph=graph)
    assert keypair not in tmpl['resources']
    web0 = source.key_of(graph, 'OS::Nova::Server', source.server_id(0))
    assert tmpl['resources'][web0]['properties']['key_name'] == 'ops'
    assert keypair + '_key_name' not in params


def test_only_existing_key_pairs_are_replaced():
    resources = {'kp': {'type': 'OS::Nova::KeyPair'},
                 'kp2': {'type': 'OS::Nova::KeyPair'},
                 'srv': {'type': 'OS::Nova::Server'}}
    values = {'kp': 'ops', 'srv': 'x', 'kp2_key_name': 'ops2'}
    assert recovery.key_pair_replacements(resources, values, {}) == {
        'kp': 'ops'}
    # A parameter is never an existing resource.
    assert recovery.key_pair_replacements(resources, values,
                                          {'kp': {}}) == {}
