"""Dragon's policies in code; ``list_rules`` is the ``oslo.policy.policies`` entry point."""

import itertools

from oslo_policy import policy

from dragon.policies import base

# One module per resource joins this tuple as resources are added.
MODULES = (base,)


def list_rules() -> list[policy.RuleDefault]:
    """Return every rule Dragon registers, base personas first."""
    return list(itertools.chain.from_iterable(m.list_rules() for m in MODULES))
