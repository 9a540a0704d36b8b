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

"""The early part of a recovery's stack, split from a realistic template."""

import pytest

from dragon.recovery import early_stack
from tests.unit.recovery import fakes


@pytest.fixture(params=['failover', 'drill'])
def split(request):
    """(early template, its parameters, full template, full params, data)."""
    ckpt = fakes.checkpoint(servers=2)
    manifest = ckpt[2]
    work = {key: record for key, record in manifest['data'].items()
            if record.get('kind') not in (None, 'none')}
    template, params = fakes.run_rewrite(
        ckpt, mode=request.param,
        restored=early_stack.placeholders(work))
    early, early_params = early_stack.split(template, params, work)
    full, full_params = fakes.run_rewrite(ckpt, mode=request.param)
    return early, early_params, full, full_params, work


def _types(template):
    return {r['type'] for r in template['resources'].values()}


def test_networking_is_early_and_whatever_needs_data_is_not(split):
    early, early_params, full, _, work = split
    types = _types(early)
    assert not set(work) & set(early['resources'])
    assert 'OS::Nova::Server' not in types
    # Only the volume without data (template_only: Heat makes it blank).
    [blank] = [name for name, r in early['resources'].items()
               if r['type'] == 'OS::Cinder::Volume']
    assert early_params[blank + '_image'] == ''
    assert 'OS::Cinder::VolumeAttachment' not in types
    assert {'OS::Neutron::Net', 'OS::Neutron::Subnet', 'OS::Neutron::Port',
            'OS::Neutron::SecurityGroup'} <= types
    assert 'OS::Nova::Server' in _types(full)


def test_the_early_part_is_whole_and_names_no_placeholder(split):
    early, early_params, _, _, _ = split
    fakes.assert_consistent(early)
    assert 'outputs' not in early
    assert early_stack.MARK not in repr(early) + repr(early_params)
    assert set(early_params) == set(early.get('parameters') or {})


def test_the_update_keeps_every_early_resource_as_it_is(split):
    """Heat replaces a resource whose definition changed: none may."""
    early, early_params, full, full_params, _ = split
    for name, resource in early['resources'].items():
        assert full['resources'][name] == resource, name
    for name, value in early_params.items():
        assert full_params[name] == value, name


def test_placeholders_follow_what_each_kind_gives():
    found = early_stack.placeholders({
        'web': {'kind': 'image'}, 'db': {'kind': 'volume'},
        'logs': {'kind': 'cinder_backup'}, 'repl': {'kind': 'replicated'},
        'bucket': {'kind': 'swift_container'}})
    assert found == {
        'web': {'image_id': early_stack.MARK + 'web'},
        'db': {'image_id': early_stack.MARK + 'db'},
        'logs': {'volume_id': early_stack.MARK + 'logs'},
        'repl': {'volume_id': early_stack.MARK + 'repl'},
        'bucket': {}}


def test_dependents_wait_through_every_kind_of_reference():
    template = {'resources': {
        'net': {'type': 'OS::Neutron::Net'},
        'vol': {'type': 'OS::Cinder::Volume'},
        'attach': {'type': 'OS::Cinder::VolumeAttachment', 'properties': {
            'volume_id': {'get_resource': 'vol'}}},
        'after': {'type': 'OS::Heat::None', 'depends_on': 'attach'},
        'reads': {'type': 'OS::Heat::Value', 'properties': {
            'value': {'get_attr': ['after', 'show']}}},
        'uses_image': {'type': 'OS::Nova::Server', 'properties': {
            'image': {'get_param': 'img'}}},
        'literal': {'type': 'OS::Cinder::VolumeAttachment', 'properties': {
            'volume_id': early_stack.MARK + 'db'}}},
        'parameters': {'img': {'type': 'string'},
                       'net_name': {'type': 'string'}}}
    params = {'img': early_stack.MARK + 'web', 'net_name': 'n'}
    assert early_stack.waiting_for_data(
        template['resources'], params, ['vol']) == {
            'vol', 'attach', 'after', 'reads', 'uses_image', 'literal'}


def test_nothing_to_gain_is_no_split():
    everything_waits = {'resources': {'vol': {'type': 'OS::Cinder::Volume'}}}
    assert early_stack.split(everything_waits, {}, ['vol']) is None
    nothing_waits = {'resources': {'net': {'type': 'OS::Neutron::Net'}}}
    assert early_stack.split(nothing_waits, {}, ['vol']) is None


def test_only_the_conditions_and_parameters_the_early_part_reads():
    template = {
        'heat_template_version': '2021-04-16',
        'parameters': {'cidr': {'type': 'string'},
                       'img': {'type': 'string'},
                       'flag': {'type': 'boolean'}},
        'conditions': {'has_net': {'get_param': 'flag'},
                       'late': {'equals': [{'get_param': 'img'}, 'x']}},
        'resources': {
            'net': {'type': 'OS::Neutron::Net', 'condition': 'has_net'},
            'sub': {'type': 'OS::Neutron::Subnet', 'properties': {
                'cidr': {'get_param': 'cidr'},
                'network': {'get_resource': 'net'}}},
            'srv': {'type': 'OS::Nova::Server', 'condition': 'late',
                    'properties': {'image': {'get_param': 'img'}}}},
        'outputs': {'net': {'value': {'get_resource': 'net'}}}}
    params = {'cidr': '10.0.0.0/24', 'img': early_stack.MARK + 'srv',
              'flag': True}
    early, early_params = early_stack.split(template, params, ['srv'])
    assert set(early['resources']) == {'net', 'sub'}
    assert early['conditions'] == {'has_net': {'get_param': 'flag'}}
    assert set(early['parameters']) == {'cidr', 'flag'}
    assert early_params == {'cidr': '10.0.0.0/24', 'flag': True}
    assert early['heat_template_version'] == '2021-04-16'
    assert 'outputs' not in early
