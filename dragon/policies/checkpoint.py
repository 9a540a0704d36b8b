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

"""Policies of checkpoints: protecting a policy, reading, holding, deleting checkpoints."""

from oslo_policy import policy

from dragon.policies import base

PREFIX = 'dragon:checkpoint:%s'
BASE_PATH = '/v1/checkpoints'
ITEM_PATH = BASE_PATH + '/{checkpoint_id}'

rules = [
    policy.DocumentedRuleDefault(
        name='dragon:policy:protect',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Protect a workload policy now: start a checkpoint '
                    '(delegates the caller\'s roles to Dragon with a '
                    'Keystone trust for the run).',
        scope_types=['project'],
        operations=[{'method': 'POST',
                     'path': '/v1/policies/{policy_id}/protect'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='List the checkpoints of the project.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list:all_projects',
        check_str=base.RULE_ADMIN_API,
        description='List the checkpoints of every project '
                    '(all_projects=true).',
        scope_types=['project'],
        operations=[{'method': 'GET',
                     'path': BASE_PATH + '?all_projects=true'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'get',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='Show a checkpoint with its progress.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'update',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Put a checkpoint on hold (retention never deletes it) '
                    'or release it.',
        scope_types=['project'],
        operations=[{'method': 'PATCH', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'delete',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Delete a checkpoint and its Swift container.',
        scope_types=['project'],
        operations=[{'method': 'DELETE', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'events',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='Show the event history of a checkpoint.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': ITEM_PATH + '/events'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'template',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='Show the Heat template and parameters of an available '
                    'checkpoint (read from Swift with the caller\'s token).',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': ITEM_PATH + '/template'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'verify',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Verify the data of an available checkpoint in Swift '
                    '(by listing, or reading every chunk); an engine does '
                    'it with a Keystone trust and records the result.',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': ITEM_PATH + '/verify'}]),
    policy.DocumentedRuleDefault(
        name='dragon:recovery_point:verify',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Verify a recovery point\'s chunks against the Swift '
                    'listing, in the request, with the caller\'s token.',
        scope_types=['project'],
        operations=[{'method': 'POST',
                     'path': '/v1/recovery-points/{container}/verify'}]),
    policy.DocumentedRuleDefault(
        name='dragon:recovery_point:list',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='List the complete checkpoints in the project\'s Swift '
                    'account (no database needed).',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': '/v1/recovery-points'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
