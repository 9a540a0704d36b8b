"""Policies of ``/v1/policies/{policy_id}/schedules``: when a policy protects itself."""

from oslo_policy import policy

from dragon.policies import base

PREFIX = 'dragon:schedule:%s'
BASE_PATH = '/v1/policies/{policy_id}/schedules'
ITEM_PATH = BASE_PATH + '/{schedule_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=PREFIX % 'create',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Add a schedule to a workload policy; Dragon keeps a '
                    'standing trust of the caller to run it.',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='List the schedules of a workload policy.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'get',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='Show a schedule: next run, last result, counts.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'update',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Change, enable or disable a schedule; the caller '
                    'becomes its owner.',
        scope_types=['project'],
        operations=[{'method': 'PATCH', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'delete',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Delete a schedule and its trust.',
        scope_types=['project'],
        operations=[{'method': 'DELETE', 'path': ITEM_PATH}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
