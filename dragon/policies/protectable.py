"""Policies of ``/v1/protectables``: the project's resources and their protection."""

from oslo_policy import policy

from dragon.policies import base

rules = [
    policy.DocumentedRuleDefault(
        name='dragon:protectable:list',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='List the project\'s servers and volumes with the policy '
                    'protecting each.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': '/v1/protectables'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
