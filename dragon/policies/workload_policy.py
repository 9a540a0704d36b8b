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

"""Policies of ``/v1/policies``: workload policies."""

from oslo_policy import policy

from dragon.policies import base

PREFIX = 'dragon:policy:%s'
BASE_PATH = '/v1/policies'
ITEM_PATH = '/v1/policies/{policy_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=PREFIX % 'create',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Create a workload policy.',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='List the workload policies of the project.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list:all_projects',
        check_str=base.RULE_ADMIN_API,
        description='List the workload policies of every project '
                    '(all_projects=true).',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': BASE_PATH + '?all_projects=true'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'get',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='Show a workload policy.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'update',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Change the name, description or options of a workload '
                    'policy.',
        scope_types=['project'],
        operations=[{'method': 'PATCH', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'delete',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Delete a workload policy (its checkpoints are kept).',
        scope_types=['project'],
        operations=[{'method': 'DELETE', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'retention',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='Preview retention: which checkpoints of a workload '
                    'policy it would delete now, and why each is kept.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': ITEM_PATH + '/retention'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'failback',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Fail a reverse policy\'s workload back home: quiesce '
                    'it here, protect it once more, fence the stale servers '
                    'at home and recover it there, awaiting commit '
                    '(delegates the caller\'s roles to Dragon with a '
                    'Keystone trust kept until the commit or rollback).',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': ITEM_PATH + '/failback'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
