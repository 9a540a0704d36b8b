"""Dragon's policies in code; ``list_rules`` is the ``oslo.policy.policies`` entry point."""

import itertools

from oslo_policy import policy

from dragon.policies import base
from dragon.policies import checkpoint
from dragon.policies import policy_member
from dragon.policies import protectable
from dragon.policies import recovery
from dragon.policies import resource_type
from dragon.policies import schedule
from dragon.policies import workload_policy

# One module per resource joins this tuple as resources are added.
MODULES = (base, resource_type, protectable, workload_policy, policy_member,
           schedule, checkpoint, recovery)


def list_rules() -> list[policy.RuleDefault]:
    """Return every rule Dragon registers, base personas first."""
    return list(itertools.chain.from_iterable(m.list_rules() for m in MODULES))
