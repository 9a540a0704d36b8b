"""Who may protect, read, hold, verify and delete checkpoints by default."""

import pytest

from dragon.policies import checkpoint
from tests.unit.policies import personas
from tests.unit.policies.personas import ADMIN
from tests.unit.policies.personas import MEMBER
from tests.unit.policies.personas import READER

EXPECTED = {
    'dragon:policy:protect': MEMBER,
    'dragon:checkpoint:list': READER,
    'dragon:checkpoint:list:all_projects': ADMIN,
    'dragon:checkpoint:get': READER,
    'dragon:checkpoint:update': MEMBER,
    'dragon:checkpoint:delete': MEMBER,
    'dragon:checkpoint:events': READER,
    'dragon:checkpoint:template': READER,
    'dragon:checkpoint:verify': MEMBER,
    'dragon:recovery_point:verify': MEMBER,
    'dragon:recovery_point:list': READER,
}


def test_every_rule_has_an_expected_persona_and_project_scope():
    personas.assert_covers(checkpoint, EXPECTED)


@pytest.mark.parametrize('caller', sorted(personas.CALLERS))
@pytest.mark.parametrize('rule', sorted(EXPECTED))
def test_default_lets_in_exactly_its_personas(rule, caller):
    assert personas.allowed(rule, caller) == personas.expected(
        EXPECTED[rule], caller)
