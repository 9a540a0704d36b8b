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

"""Whether the user may perform a Dragon action: to hide what they may not.

The Dragon API stays the authority (a 403 it answers is shown as its
message); this only decides which buttons a page offers. When Horizon's
``POLICY_FILES`` names a ``dragon`` file (the deployment's
``policy.yaml``), Horizon's own policy engine reads it; otherwise the
rules are Dragon's defaults in code (``dragon.policies``), so the panels
hide the right actions out of the box.
"""

import functools
from typing import Any

from django.conf import settings
from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from dragon import policies

SCOPE = 'dragon'


@functools.lru_cache(maxsize=1)
def _defaults_enforcer() -> oslo_policy.Enforcer:
    conf = cfg.ConfigOpts()
    conf([], project='dragon-dashboard', default_config_files=[],
         default_config_dirs=[])
    enforcer = oslo_policy.Enforcer(conf, use_conf=False)
    enforcer.suppress_default_change_warnings = True
    rules = policies.list_rules()
    enforcer.register_defaults(rules)
    # Without a file to read (use_conf=False) the defaults become rules
    # only when set.
    enforcer.set_rules(oslo_policy.Rules.from_dict(
        {rule.name: rule.check_str for rule in rules}), use_conf=False)
    return enforcer


def _credentials(request: Any) -> dict[str, Any]:
    # No 'domain_id': oslo.policy would take the token for domain-scoped.
    user = request.user
    return {'user_id': user.id, 'project_id': user.project_id,
            'roles': [role['name'].lower() for role in user.roles]}


def check(request: Any, rule: str, target: dict | None = None) -> bool:
    """Whether ``rule`` allows the user on ``target`` (their project by default).

    ``target`` is what the API checks the rule against: the object's
    ``project_id``.
    """
    target = {'project_id': request.user.project_id, **(target or {})}
    if SCOPE in getattr(settings, 'POLICY_FILES', {}):
        from openstack_auth import policy as horizon_policy
        return horizon_policy.check(((SCOPE, rule),), request, target)
    enforcer = _defaults_enforcer()
    if rule not in enforcer.rules:
        # A rule this Dragon does not know: let the API decide.
        return True
    return bool(enforcer.enforce(rule, target, _credentials(request)))


def target_of(datum: Any) -> dict | None:
    """The policy target of an API object: its project."""
    project_id = getattr(datum, 'project_id', None) if datum else None
    return {'project_id': project_id} if project_id else None
