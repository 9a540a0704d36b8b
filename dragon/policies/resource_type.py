"""Policies of ``/v1/resource-types``: what can be protected, and how."""

from oslo_policy import policy

from dragon.policies import base

rules = [
    policy.DocumentedRuleDefault(
        name='dragon:resource_type:list',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='List the protectable resource types and their actions.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': '/v1/resource-types'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
