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
from dragon.protection import registry


def test_default_actions():
    assert registry.get('server').action(None).name == 'image_snapshot'
    assert registry.get('volume').action(None).name == 'snapshot_data'


def test_only_template_only_is_shared():
    shared = {a.name for t in registry.resource_types() for a in t.actions
              if not a.exclusive}
    assert shared == {'template_only'}


def test_unknown_names_raise_clear_errors():
    with pytest.raises(exception.UnknownResourceType, match='server, .*volume'):
        registry.get('network')
    with pytest.raises(exception.UnknownAction, match='image_snapshot'):
        registry.get('server').action('snapshot_data')


@pytest.mark.parametrize('action', ['image_snapshot', 'image_copy',
                                    'template_only'])
def test_server_actions_choose_what_becomes_of_attached_volumes(action):
    schema = registry.get('server').action(action).options_schema
    option = schema['properties']['attached_volumes']
    assert option['enum'] == ['protect', 'template_only']
    assert option['default'] == 'protect'
