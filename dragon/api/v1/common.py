"""Helpers shared by the v1 controllers: object-level policy checks, views, paging."""

import datetime
from typing import Any
from urllib import parse

import webob

from dragon.api.middleware import context as context_mw
from dragon.db import models
from dragon import exception

MAX_LIMIT = 1000


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


def isotime(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=datetime.UTC).isoformat()


def member_view(member: models.PolicyMember) -> dict[str, Any]:
    return {
        'resource_type': member.resource_type,
        'resource_id': member.resource_id,
        'resource_name': member.resource_name,
        'action': member.action,
        'options': member.options,
        'created_at': isotime(member.created_at),
    }


def policy_view(policy: models.WorkloadPolicy) -> dict[str, Any]:
    return {
        'id': policy.id,
        'name': policy.name,
        'description': policy.description,
        'project_id': policy.project_id,
        'options': policy.options,
        'members': [member_view(m) for m in policy.members],
        'status': policy.status,
        'last_drill': None,
        'created_at': isotime(policy.created_at),
        'updated_at': isotime(policy.updated_at),
    }


def next_links(req: webob.Request, items: list[Any], limit: int
               ) -> list[dict[str, str]]:
    """The ``next`` link when a full page suggests that more may follow."""
    if not items or len(items) < limit:
        return []
    params = [(k, v) for k, v in req.GET.items() if k != 'marker']
    params.append(('marker', items[-1].id))
    return [{'rel': 'next',
             'href': req.path_url + '?' + parse.urlencode(params)}]
