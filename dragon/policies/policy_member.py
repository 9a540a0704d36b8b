"""Policies of ``/v1/policies/{policy_id}/members``: the resources a policy protects."""

from oslo_policy import policy

from dragon.policies import base

PREFIX = 'dragon:policy_member:%s'
BASE_PATH = '/v1/policies/{policy_id}/members'
ITEM_PATH = BASE_PATH + '/{resource_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=PREFIX % 'create',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Add a resource of the project to a workload policy.',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='List the members of a workload policy.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'update',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Change the action or options of a member.',
        scope_types=['project'],
        operations=[{'method': 'PATCH', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'delete',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Remove a resource from a workload policy.',
        scope_types=['project'],
        operations=[{'method': 'DELETE', 'path': ITEM_PATH}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
