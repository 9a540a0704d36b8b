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
