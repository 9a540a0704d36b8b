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

"""Policies of recoveries: relaunching a checkpoint elsewhere, reading, deleting."""

from oslo_policy import policy

from dragon.policies import base

PREFIX = 'dragon:recovery:%s'
BASE_PATH = '/v1/recoveries'
ITEM_PATH = BASE_PATH + '/{recovery_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=PREFIX % 'create',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Recover a checkpoint (or a recovery point in Swift) '
                    'into a target region (delegates the caller\'s roles '
                    'to Dragon with a Keystone trust for the run).',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='List the recoveries of the project.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': BASE_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list:all_projects',
        check_str=base.RULE_ADMIN_API,
        description='List the recoveries of every project '
                    '(all_projects=true).',
        scope_types=['project'],
        operations=[{'method': 'GET',
                     'path': BASE_PATH + '?all_projects=true'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'get',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='Show a recovery with its progress, stack and RTO.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'events',
        check_str=base.RULE_PROJECT_READER_OR_ADMIN,
        description='Show the event history of a recovery.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': ITEM_PATH + '/events'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'delete',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Delete a recovery: its Heat stack and the images and '
                    'volumes it restored.',
        scope_types=['project'],
        operations=[{'method': 'DELETE', 'path': ITEM_PATH}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'failback',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Prepare the failback of a failover recovery: create a '
                    'reverse policy over its workload at this site, '
                    'replicating to the region it came from, and protect '
                    'it once (delegates the caller\'s roles to Dragon with '
                    'a Keystone trust for the run).',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': ITEM_PATH + '/failback'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'commit',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Commit an in-place restore awaiting commit: keep the '
                    'restored volumes and delete the ones they replaced.',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': ITEM_PATH + '/commit'}]),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'rollback',
        check_str=base.RULE_PROJECT_MEMBER_OR_ADMIN,
        description='Roll back an in-place restore awaiting commit: put the '
                    'replaced volumes back and delete the restored ones.',
        scope_types=['project'],
        operations=[{'method': 'POST', 'path': ITEM_PATH + '/rollback'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
