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

"""Object-level policy checks: another project's objects stay hidden."""

from typing import Any

import webob

from dragon.api.middleware import context as context_mw
from dragon import exception


def authorize(req: webob.Request, rule: str,
              project_id: str | None = None) -> Any:
    """Check ``rule`` for the caller on an object of ``project_id``.

    Another project's object that the caller may not touch is reported as
    not found (raising ``NotFound`` is the caller's job when this returns
    ``None``), so its existence does not leak; the caller's own project
    gets an honest 403.

    :returns: the caller's context, or ``None`` for a hidden object.
    :raises dragon.exception.Forbidden:
    """
    context = context_mw.context_of(req)
    target = {'project_id': project_id or context.project_id,
              'user_id': context.user_id}
    if context.can(rule, target, fatal=False):
        return context
    if project_id is not None and project_id != context.project_id:
        return None
    raise exception.Forbidden(action=rule)


def visible(req: webob.Request, rule: str, row: Any,
            not_found: type[exception.NotFound]) -> Any:
    """The caller's context if ``rule`` allows it on ``row`` (of a project).

    :raises not_found: another project's row the caller may not act on.
    :raises dragon.exception.Forbidden: own project, but not allowed.
    """
    context = authorize(req, rule, row.project_id)
    if context is None:
        raise not_found(id=row.id)
    return context
