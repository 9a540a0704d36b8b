"""Who may list the protectable resource types by default."""

import pytest

from dragon.policies import resource_type
from tests.unit.policies import personas
from tests.unit.policies.personas import READER

EXPECTED = {
    'dragon:resource_type:list': READER,
}


def test_every_rule_has_an_expected_persona_and_project_scope():
    personas.assert_covers(resource_type, EXPECTED)


@pytest.mark.parametrize('caller', sorted(personas.CALLERS))
@pytest.mark.parametrize('rule', sorted(EXPECTED))
def test_default_lets_in_exactly_its_personas(rule, caller):
    assert personas.allowed(rule, caller) == personas.expected(
        EXPECTED[rule], caller)
