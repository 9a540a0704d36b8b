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

"""Who may read and change workload policies by default."""

import pytest

from dragon.policies import workload_policy
from tests.unit.policies import personas
from tests.unit.policies.personas import ADMIN
from tests.unit.policies.personas import MEMBER
from tests.unit.policies.personas import READER

EXPECTED = {
    'dragon:policy:create': MEMBER,
    'dragon:policy:list': READER,
    'dragon:policy:list:all_projects': ADMIN,
    'dragon:policy:get': READER,
    'dragon:policy:update': MEMBER,
    'dragon:policy:delete': MEMBER,
    'dragon:policy:retention': READER,
    'dragon:policy:failback': MEMBER,
}


def test_every_rule_has_an_expected_persona_and_project_scope():
    personas.assert_covers(workload_policy, EXPECTED)


@pytest.mark.parametrize('caller', sorted(personas.CALLERS))
@pytest.mark.parametrize('rule', sorted(EXPECTED))
def test_default_lets_in_exactly_its_personas(rule, caller):
    assert personas.allowed(rule, caller) == personas.expected(
        EXPECTED[rule], caller)
