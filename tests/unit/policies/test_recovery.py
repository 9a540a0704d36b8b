"""Who may start, read and delete recoveries by default."""

import pytest

from dragon.policies import recovery
from tests.unit.policies import personas
from tests.unit.policies.personas import ADMIN
from tests.unit.policies.personas import MEMBER
from tests.unit.policies.personas import READER

EXPECTED = {
    'dragon:recovery:create': MEMBER,
    'dragon:recovery:list': READER,
    'dragon:recovery:list:all_projects': ADMIN,
    'dragon:recovery:get': READER,
    'dragon:recovery:events': READER,
    'dragon:recovery:delete': MEMBER,
}


def test_every_rule_has_an_expected_persona_and_project_scope():
    personas.assert_covers(recovery, EXPECTED)


@pytest.mark.parametrize('caller', sorted(personas.CALLERS))
@pytest.mark.parametrize('rule', sorted(EXPECTED))
def test_default_lets_in_exactly_its_personas(rule, caller):
    assert personas.allowed(rule, caller) == personas.expected(
        EXPECTED[rule], caller)
