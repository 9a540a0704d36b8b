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

"""The request context: who is calling, and the one place policy is checked."""

import json
from typing import Any

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade

from dragon import exception
from dragon import policy


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """Caller identity carried from the API through RPC into the engine.

    ``service_catalog`` is the caller's catalog (v2 layout, as
    keystonemiddleware passes it); Dragon calls Nova and Cinder with it and
    the caller's token.
    """

    def __init__(self, *args: Any, service_catalog: list | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_catalog = service_catalog or []

    @classmethod
    def from_environ(cls, environ: dict[str, Any],
                     **kwargs: Any) -> 'RequestContext':
        if 'service_catalog' not in kwargs:
            try:
                catalog = json.loads(environ.get('HTTP_X_SERVICE_CATALOG')
                                     or '[]')
            except ValueError:
                catalog = []
            kwargs['service_catalog'] = catalog if isinstance(
                catalog, list) else []
        return super().from_environ(environ, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        result = super().to_dict()
        result['service_catalog'] = self.service_catalog
        return result

    @classmethod
    def from_dict(cls, values: dict[str, Any],
                  **kwargs: Any) -> 'RequestContext':
        kwargs.setdefault('service_catalog', values.get('service_catalog'))
        return super().from_dict(values, **kwargs)

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
