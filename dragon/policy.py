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

"""oslo.policy enforcement for Dragon: the enforcer and one authorize call.

Code checks policy only through ``RequestContext.can``; this module is its
backend and the ``oslo.policy.enforcer`` entry point for the oslopolicy tools.

The enforcer reads the ``[oslo_policy]`` options of Dragon's configuration
(``policy_file``, ``enforce_new_defaults``); scope is always enforced by the
oslo.policy Dragon pins (it dropped ``enforce_scope``), so a token whose
scope is not in a rule's ``scope_types`` is denied like a missing role.
"""

import functools
from typing import Any

from oslo_policy import policy

from dragon import conf as dragon_conf
from dragon import policies


@functools.cache
def enforcer() -> policy.Enforcer:
    """Return the process's enforcer, created on first use.

    Cached because the enforcer keeps the policy file it has read (and
    re-reads it when it changes); this is the one process-wide object Dragon
    keeps. Needs ``CONF`` to have been parsed.
    """
    result = policy.Enforcer(dragon_conf.CONF)
    result.register_defaults(policies.list_rules())
    return result


def get_enforcer() -> policy.Enforcer:
    """Entry point (``oslo.policy.enforcer``) for the ``oslopolicy-*`` tools.

    The tools do not parse Dragon's configuration, so this does (without
    command line arguments); services never call it.
    """
    dragon_conf.CONF([], project='dragon')
    return enforcer()


def authorize(context: Any, rule: str, target: dict[str, Any]) -> bool:
    """Return whether ``rule`` allows ``context`` to act on ``target``.

    :raises oslo_policy.policy.PolicyNotRegistered: for an unknown rule, a
        programming error that must not read as "denied".
    """
    return enforcer().authorize(rule, target, context, do_raise=False)
