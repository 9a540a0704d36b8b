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

"""Dragon's policies in code; ``list_rules`` is the ``oslo.policy.policies`` entry point."""

import itertools

from oslo_policy import policy

from dragon.policies import base
from dragon.policies import checkpoint
from dragon.policies import engine
from dragon.policies import policy_member
from dragon.policies import protectable
from dragon.policies import recovery
from dragon.policies import resource_type
from dragon.policies import schedule
from dragon.policies import workload_policy

# One module per resource joins this tuple as resources are added.
MODULES = (base, resource_type, protectable, workload_policy, policy_member,
           schedule, checkpoint, recovery, engine)


def list_rules() -> list[policy.RuleDefault]:
    """Return every rule Dragon registers, base personas first."""
    return list(itertools.chain.from_iterable(m.list_rules() for m in MODULES))
