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

"""The HOT resources of the volume plugin: volumes and attachments."""

import pytest

from tests.unit.protection import fakes


@pytest.fixture
def built():
    graph, tmpl, params, _warnings = fakes.built_template()
    return graph, tmpl, params


def test_volumes_and_attachment(built):
    graph, tmpl, params = built
    data = fakes.key_of(graph, 'OS::Cinder::Volume', fakes.DATA_VOL)
    props = tmpl['resources'][data]['properties']
    assert props['size'] == 1 and props['name'] == 'data'
    assert props['metadata'] == {'k': 'v'}
    assert props['volume_type'] == {'if': [
        data + '_has_volume_type', {'get_param': data + '_volume_type'}]}
    assert params[data + '_volume_type']['default'] == 'file'
    assert params[data + '_image'] == {'kind': 'image', 'node': data,
                                       'default': ''}
    cond = data + '_has_image'
    assert props['image'] == {'if': [cond, {'get_param': data + '_image'}]}
    assert tmpl['conditions'][cond] == {
        'not': {'equals': [{'get_param': data + '_image'}, '']}}
    att = fakes.key_of(graph, 'OS::Cinder::VolumeAttachment', 'att-data')
    server = fakes.key_of(graph, 'OS::Nova::Server', fakes.server_id(0))
    assert tmpl['resources'][att]['properties'] == {
        'instance_uuid': {'get_resource': server},
        'volume_id': {'get_resource': data}, 'mountpoint': '/dev/vdb'}


def test_a_volume_without_type_or_zone_leaves_them_to_the_target():
    def change(world):
        for volume in world.volumes:
            volume['volume_type'] = None
            volume['availability_zone'] = None
    graph, tmpl, params, _ = fakes.built_template(change)
    data = fakes.key_of(graph, 'OS::Cinder::Volume', fakes.DATA_VOL)
    props = tmpl['resources'][data]['properties']
    assert 'volume_type' not in props and 'availability_zone' not in props
    assert data + '_volume_type' not in params
    assert data + '_has_volume_type' not in tmpl['conditions']
