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
}


def test_every_rule_has_an_expected_persona_and_project_scope():
    personas.assert_covers(workload_policy, EXPECTED)


@pytest.mark.parametrize('caller', sorted(personas.CALLERS))
@pytest.mark.parametrize('rule', sorted(EXPECTED))
def test_default_lets_in_exactly_its_personas(rule, caller):
    assert personas.allowed(rule, caller) == personas.expected(
        EXPECTED[rule], caller)
