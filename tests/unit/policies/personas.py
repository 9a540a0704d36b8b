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

"""Callers of every persona, and the check that each rule lets in exactly its own.

A resource's policy test lists, for each of its rules, the least persona
the default allows (``READER``, ``MEMBER`` or ``ADMIN``); ``allowed`` asks
the enforcer on behalf of every caller in ``CALLERS`` and compares.
"""

from oslo_policy import policy as oslo_policy

from dragon import context

READER = 'reader'
MEMBER = 'member'
ADMIN = 'admin'

# The project that owns the object acted on.
PROJECT = 'p1'
OTHER_PROJECT = 'p2'

# name: (context arguments, the levels it may act at on PROJECT's objects)
CALLERS = {
    'project reader': (
        {'roles': ['reader'], 'project_id': PROJECT}, {READER}),
    'project member': (
        {'roles': ['member', 'reader'], 'project_id': PROJECT},
        {READER, MEMBER}),
    'project admin': (
        {'roles': ['admin', 'member', 'reader'], 'project_id': PROJECT},
        {READER, MEMBER, ADMIN}),
    'other project reader': (
        {'roles': ['reader'], 'project_id': OTHER_PROJECT}, set()),
    'other project member': (
        {'roles': ['member', 'reader'], 'project_id': OTHER_PROJECT},
        set()),
    # role:admin is cloud-wide in OpenStack's personas: an admin of any
    # project may act on every project (and list all_projects).
    'other project admin': (
        {'roles': ['admin', 'member', 'reader'],
         'project_id': OTHER_PROJECT}, {READER, MEMBER, ADMIN}),
    'project user without role': ({'roles': [], 'project_id': PROJECT},
                                  set()),
    # Every rule is project-scoped: a system-scoped token is refused even
    # with the admin role.
    'system admin': ({'roles': ['admin', 'member', 'reader'],
                      'system_scope': 'all'}, set()),
}


def allowed(rule: str, caller: str) -> bool:
    """Return whether ``caller`` may apply ``rule`` to a PROJECT object."""
    values, _levels = CALLERS[caller]
    ctx = context.RequestContext(user_id='u-' + caller.replace(' ', '-'),
                                 **values)
    return ctx.can(rule, {'project_id': PROJECT, 'user_id': 'owner'},
                   fatal=False)


def expected(level: str, caller: str) -> bool:
    return level in CALLERS[caller][1]


def assert_covers(module, table: dict[str, str]) -> None:
    """Every rule of ``module`` has an expected level, and nothing else."""
    names = {rule.name for rule in module.list_rules()}
    assert names == set(table)
    for rule in module.list_rules():
        assert isinstance(rule, oslo_policy.DocumentedRuleDefault)
        assert rule.scope_types == ['project'], rule.name
