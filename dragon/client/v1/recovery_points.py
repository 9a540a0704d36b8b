"""Recovery points: complete checkpoints as Swift holds them, no database involved."""

from dragon.client.v1 import base


class RecoveryPointManager(base.Manager):

    def list(self, policy: str | None = None) -> list[dict]:
        """Every recovery point, or those of one policy (name or ID).

        The API reads Swift, so a backup site whose Dragon database knows
        nothing of the policy still filters by the name or ID given here.
        """
        return self._list('/recovery-points', 'recovery_points',
                          {'policy': policy})
