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

"""Persona check strings shared by every resource policy.

OpenStack's secure-RBAC personas: project reader < project member < admin.
Resource policies (``dragon/policies/<resource>.py``) build on these
strings, and every resource rule is project-scoped (``scope_types =
['project']``): oslo.policy refuses it to a system- or domain-scoped token.
A default changed later keeps the old check string as the rule's
``deprecated_rule`` for a release, honoured while an operator sets
``[oslo_policy] enforce_new_defaults = False``.
"""

from oslo_policy import policy

ADMIN = 'role:admin'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_ADMIN = 'role:admin and project_id:%(project_id)s'

RULE_ADMIN_API = 'rule:admin_api'
RULE_PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'
RULE_PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'

rules = [
    policy.RuleDefault(
        name='admin_api',
        check_str=ADMIN,
        description='Cloud administrator: any project, operator APIs.'),
    policy.RuleDefault(
        name='project_reader',
        check_str=PROJECT_READER,
        description='A reader of the project that owns the object.'),
    policy.RuleDefault(
        name='project_member',
        check_str=PROJECT_MEMBER,
        description='A member of the project that owns the object.'),
    policy.RuleDefault(
        name='project_admin',
        check_str=PROJECT_ADMIN,
        description='An administrator of the project that owns the object.'),
    policy.RuleDefault(
        name='project_reader_or_admin',
        check_str=f'({PROJECT_READER}) or ({ADMIN})',
        description='Read access: the owning project\'s readers, or an '
                    'administrator.'),
    policy.RuleDefault(
        name='project_member_or_admin',
        check_str=f'({PROJECT_MEMBER}) or ({ADMIN})',
        description='Write access: the owning project\'s members, or an '
                    'administrator.'),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
