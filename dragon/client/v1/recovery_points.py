"""Recovery points: complete checkpoints as Swift holds them, no database involved."""

from dragon.client.v1 import base


class RecoveryPointManager(base.Manager):

    def verify(self, container: str, read_data: bool = False) -> dict:
        """Check a recovery point's chunks against the Swift listing.

        Answered in the request (no database): ``status`` ``ok`` or
        ``damaged``, ``problems``, counts.
        """
        return self._request(
            'POST', '/recovery-points/%s/verify' % base.quote(container),
            {'verify': {'read_data': bool(read_data)}})['verification']

    def list(self, policy: str | None = None) -> list[dict]:
        """Every recovery point, or those of one policy (name or ID).

        The API reads Swift, so a backup site whose Dragon database knows
        nothing of the policy still filters by the name or ID given here.
        """
        return self._list('/recovery-points', 'recovery_points',
                          {'policy': policy})
