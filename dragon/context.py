"""The request context: who is calling, and the one place policy is checked."""

from typing import Any

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade

from dragon import exception
from dragon import policy


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """Caller identity carried from the API through RPC into the engine."""

    def can(self, rule: str, target: dict[str, Any] | None = None,
            fatal: bool = True) -> bool:
        """Check ``rule`` for this caller; the only way Dragon checks policy.

        :param rule: a policy name registered in ``dragon.policies``.
        :param target: attributes of the object acted on; defaults to the
            caller's own project and user, i.e. "my project's resources".
        :param fatal: raise instead of returning ``False``.
        :returns: whether the rule allows the call.
        :raises dragon.exception.Forbidden: if denied and ``fatal``.
        """
        if target is None:
            target = {'project_id': self.project_id, 'user_id': self.user_id}
        allowed = policy.authorize(self, rule, target)
        if not allowed and fatal:
            raise exception.Forbidden(action=rule)
        return allowed


def get_admin_context() -> RequestContext:
    """Return a context for Dragon's own work (heartbeats, periodic tasks)."""
    return RequestContext(is_admin=True, overwrite=False)
