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
