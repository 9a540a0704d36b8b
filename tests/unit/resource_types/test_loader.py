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

"""Resource types come from one entry point each, checked when loaded."""

import pytest

from dragon import exception
from dragon.protection import data
from dragon.protection import discovery
from dragon.protection import registry
from dragon import resource_types
from dragon.resource_types import base


class _Fake(base.ResourceType):
    name = 'fake'
    description = 'A fake type.'
    heat_type = 'OS::Fake::Thing'
    actions = (base.Action('copy', 'Copy it.', base.options_schema(),
                           default=True),)
    data_actions = {'copy': object}
    record_kinds = ('fake_copy',)

    def list_resources(self, context):
        return []

    def get_resource(self, context, resource_id):
        return None


def test_the_built_in_types_are_entry_points():
    loaded = {t.name: t for t in resource_types.all_types()}
    assert {'server', 'volume'} <= set(loaded)
    assert resource_types.by_heat_type('OS::Nova::Server') is loaded['server']
    assert resource_types.by_record_kind('cinder_backup') is loaded['volume']
    assert resource_types.by_heat_type('OS::Neutron::Port') is None
    # The registry the API asks is the loaded plugins.
    assert registry.get('volume') is loaded['volume']


def test_every_action_of_every_type_has_discovery_and_data():
    for resource_type in resource_types.all_types():
        assert resource_type.discovery_plugin().resource_type == \
            resource_type.name
        assert discovery.get(resource_type.name).resource_type == \
            resource_type.name
        for action in resource_type.actions:
            loaded = data.get(resource_type.name, action.name)
            assert loaded.name == '%s.%s' % (resource_type.name, action.name)


def test_template_handlers_cover_what_discovery_adds():
    handlers = resource_types.template_handlers()
    for heat_type in ('OS::Nova::Server', 'OS::Neutron::Port',
                      'OS::Cinder::Volume', 'OS::Cinder::VolumeAttachment'):
        assert heat_type in handlers
    assert 'OS::Nova::KeyPair' in resource_types.ids_are_names()


def test_unknown_data_action_of_an_unknown_type_is_clear():
    with pytest.raises(exception.UnknownDataAction, match='nope.copy'):
        data.get('nope', 'copy')


def test_a_plugin_whose_name_differs_from_its_entry_point_is_refused():
    with pytest.raises(exception.ResourceTypePluginInvalid,
                       match='class says name'):
        resource_types._check([_Fake()], ['other'])


def test_a_plugin_without_one_default_action_is_refused():
    fake = _Fake()
    fake.actions = (base.Action('copy', 'Copy.', {}),)
    with pytest.raises(exception.ResourceTypePluginInvalid,
                       match='exactly one default'):
        resource_types._check([fake], ['fake'])


def test_an_action_without_data_action_is_refused():
    fake = _Fake()
    fake.data_actions = {}
    with pytest.raises(exception.ResourceTypePluginInvalid,
                       match='no data action for copy'):
        resource_types._check([fake], ['fake'])


def test_two_plugins_cannot_claim_one_record_kind():
    other = _Fake()
    other.name = 'other'
    other.heat_type = 'OS::Other::Thing'
    with pytest.raises(exception.ResourceTypePluginInvalid,
                       match="fake_copy is already fake's"):
        resource_types._check([_Fake(), other], ['fake', 'other'])


def test_two_plugins_cannot_build_one_heat_type():
    class Builds(_Fake):
        def template_handlers(self):
            return {'OS::Nova::Server': lambda builder, node: {}}
    other = Builds()
    other.name = 'other'
    other.heat_type = 'OS::Other::Thing'
    other.record_kinds = ()
    with pytest.raises(exception.ResourceTypePluginInvalid,
                       match="OS::Nova::Server is already server's"):
        resource_types._check(
            list(resource_types.all_types()) + [other],
            resource_types.names() + ['other'])


def test_the_template_builder_of_a_heat_type_is_its_plugin():
    loaded = {t.name: t for t in resource_types.all_types()}
    assert resource_types.by_template_type(
        'OS::Nova::KeyPair') is loaded['server']
    # The servers' Neutron resources come with the server plugin.
    assert resource_types.by_template_type(
        'OS::Neutron::Port') is loaded['server']
    assert resource_types.by_template_type(
        'OS::Cinder::VolumeAttachment') is loaded['volume']
    assert resource_types.by_template_type('OS::Fake::Thing') is None


def test_a_plugin_that_fails_to_load_stops_the_start():
    class EntryPoint:
        name = 'broken'
    with pytest.raises(exception.ResourceTypePluginInvalid,
                       match='broken.*No module named'):
        resource_types._load_failed(None, EntryPoint(),
                                    ImportError('No module named x'))


def test_an_added_plugin_is_seen_by_registry_and_openapi(monkeypatch):
    from dragon.api.v1 import openapi
    loaded = resource_types.all_types() + (_Fake(),)
    monkeypatch.setattr(resource_types, '_loaded', lambda: loaded)
    assert 'fake' in registry.names()
    assert registry.get('fake').action(None).name == 'copy'
    document = openapi.document()
    types = document['paths']['/v1/protectables']['get']['parameters'][0]
    assert 'fake' in types['schema']['enum']
    option = document['components']['schemas']['MemberOptions.fake.copy']
    assert option['additionalProperties'] is False
    assert 'Copy it.' in option['description']
