"""Helpers of the v1 controllers: object-level policy checks, views, paging, runs."""

import datetime
from typing import Any
from urllib import parse

from oslo_config import cfg
import webob

from dragon.api.middleware import context as context_mw
from dragon.api import validation
from dragon import conf as dragon_conf
from dragon.db import models
from dragon.engine import rpcapi
from dragon import exception
from dragon import statuses

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


def schedule_view(schedule: models.Schedule) -> dict[str, Any]:
    """A schedule as the API shows it (never its trust id)."""
    return {
        'id': schedule.id,
        'policy_id': schedule.policy_id,
        'cron': schedule.cron,
        'timezone': schedule.timezone,
        'enabled': schedule.enabled,
        'start_at': isotime(schedule.start_at),
        'end_at': isotime(schedule.end_at),
        'jitter': schedule.jitter,
        'misfire_grace': schedule.misfire_grace,
        'status': schedule.status,
        'error': schedule.error,
        'user_id': schedule.user_id,
        'next_run_at': isotime(schedule.next_run_at),
        'last_run_at': isotime(schedule.last_run_at),
        'last_result': schedule.last_result,
        'last_reason': schedule.last_reason,
        'last_checkpoint_id': schedule.last_checkpoint_id,
        'run_count': schedule.run_count,
        'skipped_count': schedule.skipped_count,
        'missed_count': schedule.missed_count,
        'created_at': isotime(schedule.created_at),
        'updated_at': isotime(schedule.updated_at),
    }


def rpo_view(status: dict[str, Any] | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {**status, 'captured_at': isotime(status['captured_at'])}


def policy_view(policy: models.WorkloadPolicy,
                rpo: dict[str, Any] | None = None) -> dict[str, Any]:
    """A policy; ``rpo`` is its RPO status (``dragon.scheduling.rpo``)."""
    return {
        'id': policy.id,
        'name': policy.name,
        'description': policy.description,
        'project_id': policy.project_id,
        'options': policy.options,
        'members': [member_view(m) for m in policy.members],
        'schedules': [schedule_view(s) for s in policy.schedules],
        'rpo': rpo_view(rpo),
        'status': policy.status,
        'last_drill': policy.last_drill,
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


# -- runs (checkpoints, recoveries): what their controllers share

def seconds(delta: datetime.timedelta) -> float:
    return round(max(delta.total_seconds(), 0.0), 3)


def duration(row: Any) -> float | None:
    """Seconds from start to end of a run, once it has ended."""
    if row.started_at and row.finished_at:
        return seconds(row.finished_at - row.started_at)
    return None


def progress(row: Any, resources: list[dict[str, Any]], running: str,
             complete: str) -> dict[str, Any]:
    """Bytes, percent, ETA and resources done of a run's row.

    The ETA extrapolates the elapsed time over the bytes left while the
    run is ``running``; a ``complete`` run is 100 %.
    """
    done, total = row.bytes_done or 0, row.bytes_total or 0
    if row.status == complete:
        percent = 100.0
    elif total:
        percent = round(min(100.0, 100.0 * done / total), 1)
    else:
        percent = 0.0
    eta = None
    if row.status == running and row.started_at and 0 < done < total:
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        elapsed = seconds(now - row.started_at)
        eta = round(elapsed * (total - done) / done, 1)
    return {'bytes_done': done, 'bytes_total': total, 'percent': percent,
            'eta_seconds': eta,
            'resources_done': sum(1 for r in resources
                                  if r['status'] ==
                                  statuses.Resource.DONE),
            'resources_total': len(resources)}


def event_view(event: Any) -> dict[str, Any]:
    return {'time': isotime(event.time), 'level': event.level,
            'resource': event.resource, 'message': event.message}


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


def accepted(key: str, view: dict[str, Any]) -> webob.Response:
    """202 with ``{key: view}``: the engine took the request over."""
    return webob.Response(status=202, content_type='application/json',
                          charset='UTF-8', json_body={key: view})


class EngineController:
    """A controller that casts to the engines (client made on first use)."""

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        self._conf = conf
        self._engine: rpcapi.EngineAPI | None = None

    def engine(self) -> rpcapi.EngineAPI:
        if self._engine is None:
            self._engine = rpcapi.EngineAPI(self._conf or dragon_conf.CONF)
        return self._engine


def run_filters(req: webob.Request, rule: str, allowed: tuple[str, ...],
                statuses: list[str]) -> tuple[Any, dict[str, str],
                                               dict[str, Any]]:
    """Policy check and query of a run listing (checkpoints, recoveries).

    ``rule`` allows the listing; ``rule:all_projects`` every project's.

    :returns: the context, the query parameters and the list filters
        (all_projects, status, limit, marker, sort_dir).
    :raises dragon.exception.Invalid: a bad query.
    :raises dragon.exception.Forbidden:
    """
    context = authorize(req, rule)
    params = validation.query(req, allowed)
    all_projects = validation.query_bool(params, 'all_projects')
    if all_projects:
        authorize(req, rule + ':all_projects')
    status = params.get('status')
    if status is not None and status not in statuses:
        raise exception.Invalid(reason='status must be one of %s' %
                                ', '.join(statuses))
    limit = validation.query_int(params, 'limit', 1, MAX_LIMIT) or MAX_LIMIT
    return context, params, {
        'all_projects': all_projects, 'status': status, 'limit': limit,
        'marker': params.get('marker'),
        'sort_dir': params.get('sort_dir', 'desc')}


def page_of(req: webob.Request, key: str, rows: list[Any],
            view: Any, limit: int) -> dict[str, Any]:
    """``{key: [views]}`` with the ``next`` link of a full page."""
    result: dict[str, Any] = {key: [view(row) for row in rows]}
    links = next_links(req, rows, limit)
    if links:
        result['links'] = links
    return result
