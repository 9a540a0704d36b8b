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
