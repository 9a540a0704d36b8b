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

"""Recovery of the volume plugin: restored volumes replace their resources."""

import pytest

from dragon import exception
from dragon.plugins.volume import recovery
from tests.unit.protection import fakes as source
from tests.unit.recovery import fakes


@pytest.fixture
def ckpt():
    return fakes.checkpoint(servers=2)


def test_restored_volume_replaces_its_resource(ckpt):
    _, graph, manifest, _ = ckpt
    data = source.key_of(graph, 'OS::Cinder::Volume', source.DATA_VOL)
    attachment = source.key_of(graph, 'OS::Cinder::VolumeAttachment', 'att-data')
    restored = fakes.restored_for(manifest)
    restored[data] = {'volume_id': fakes.RESTORED_VOLUME}
    tmpl, params = fakes.run_rewrite(ckpt, restored=restored)
    assert data not in tmpl['resources']
    assert tmpl['resources'][attachment]['properties']['volume_id'] == \
        fakes.RESTORED_VOLUME
    assert not any(p.startswith(data) for p in params)
    assert not any(c.startswith(data) for c in tmpl['conditions'])
    fakes.assert_consistent(tmpl)


def test_restored_boot_volume_in_block_device_mapping(ckpt):
    _, graph, manifest, _ = ckpt
    boot = source.key_of(graph, 'OS::Cinder::Volume', source.BOOT_VOL)
    bfv = source.key_of(graph, 'OS::Nova::Server', source.BFV)
    restored = {boot: {'volume_id': fakes.RESTORED_VOLUME}}
    restored.update({k: v for k, v in fakes.restored_for(manifest).items()
                     if k != boot})
    tmpl, _ = fakes.run_rewrite(ckpt, restored=restored)
    bdm = tmpl['resources'][bfv]['properties']['block_device_mapping_v2']
    assert bdm[0]['volume_id'] == fakes.RESTORED_VOLUME
    assert boot not in tmpl['resources'][bfv].get('depends_on', [])


def test_only_volumes_may_be_restored_as_volumes():
    resources = {'vol': {'type': 'OS::Cinder::Volume'},
                 'srv': {'type': 'OS::Nova::Server'}}
    assert recovery.restored_volumes(resources, {
        'vol': {'volume_id': 'v'}, 'srv': {'image_id': 'i'},
        'gone': {'volume_id': 'w'}}) == {'vol': 'v'}
    with pytest.raises(exception.RewriteFailed,
                       match='srv is restored as a volume but is a '
                             'OS::Nova::Server'):
        recovery.restored_volumes(resources, {'srv': {'volume_id': 'v'}})
