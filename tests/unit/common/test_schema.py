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

from dragon.common import schema
from dragon import exception


def test_error_names_the_field_and_stays_short():
    spec = {'type': 'object', 'properties': {'n': {
        'type': 'string', 'maxLength': 3}}}
    with pytest.raises(exception.Invalid) as error:
        schema.validate({'n': 'x' * 10000}, spec)
    assert 'field n' in error.value.message
    assert len(error.value.message) < 200


def test_unknown_fields_are_listed():
    spec = {'type': 'object', 'additionalProperties': False,
            'properties': {}}
    with pytest.raises(exception.Invalid, match="unknown field.*'z'"):
        schema.validate({'z': 1}, spec)
