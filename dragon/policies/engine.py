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

"""Policies of ``/v1/engines``: the engines' heartbeats, for operators."""

from oslo_policy import policy

from dragon.policies import base

rules = [
    policy.DocumentedRuleDefault(
        name='dragon:engine:list',
        check_str=base.RULE_ADMIN_API,
        description='List the engines: host, last heartbeat, whether it '
                    'is alive, and the runs each one holds.',
        scope_types=['project'],
        operations=[{'method': 'GET', 'path': '/v1/engines'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
