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

"""The rules of policy schedules; the API's service layer.

A schedule runs as its owner long after their token expired, so an
enabled schedule holds a standing Keystone trust made from the caller
(``dragon.identity.create_trust(expires=False)``): made when the schedule
is created or enabled, replaced when someone edits it (the editor becomes
the owner), deleted when it is disabled or deleted. The first tick is
computed here; the engines take it from there (``dragon.scheduling``).
"""

import datetime
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from dragon.common import timeutils
from dragon import conf as dragon_conf
from dragon.db import api as db_api
from dragon.db import models
from dragon import exception
from dragon import identity
from dragon.scheduling import cron
from dragon import statuses

LOG = logging.getLogger(__name__)

# Fields that change when a schedule's ticks come.
TIMING = ('cron', 'timezone', 'start_at', 'end_at', 'jitter')


def _instant(value: str | None, what: str) -> datetime.datetime | None:
    """An ISO 8601 time as naive UTC (UTC when it names no offset)."""
    if value is None:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise exception.Invalid(reason='%s %r is not an ISO 8601 time' % (
            what, value[:64]))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
    return parsed


def _jitter(value: int | str | None) -> int:
    return 0 if value in (None, 'none') else int(value)


def _checked(values: dict[str, Any], base: models.Schedule | None,
             conf: cfg.ConfigOpts) -> dict[str, Any]:
    """Database values of a validated schedule request over ``base``.

    :raises dragon.exception.Invalid: a cron line croniter refuses, an
        unknown time zone, an end before the start.
    """
    result: dict[str, Any] = {}
    if base is None:
        result = {'timezone': 'UTC', 'enabled': True, 'start_at': None,
                  'end_at': None, 'jitter': 0,
                  'misfire_grace': conf.scheduler.default_misfire_grace}
    else:
        result = {k: getattr(base, k) for k in (
            'cron', 'timezone', 'enabled', 'start_at', 'end_at', 'jitter',
            'misfire_grace')}
    for key, value in values.items():
        if key == 'cron':
            result['cron'] = cron.check_cron(value)
        elif key == 'timezone':
            cron.check_timezone(value)
            result['timezone'] = value
        elif key in ('start_at', 'end_at'):
            result[key] = _instant(value, key)
        elif key == 'jitter':
            result['jitter'] = _jitter(value)
        else:
            result[key] = value
    if (result['start_at'] and result['end_at'] and
            result['end_at'] <= result['start_at']):
        raise exception.Invalid(reason='end_at must be after start_at')
    return result


def _timing(values: dict[str, Any], policy_id: str,
            now: datetime.datetime) -> dict[str, Any]:
    """The first tick (and run time) a schedule waits for from ``now``."""
    tick = cron.first_tick(values['cron'], values['timezone'],
                           values['start_at'], values['end_at'], now)
    if tick is None:
        return {'next_tick_at': None, 'next_run_at': None}
    return {'next_tick_at': tick, 'next_run_at': tick + datetime.timedelta(
        seconds=cron.jitter_offset(policy_id, values['jitter']))}


def _drop_trust(conf: cfg.ConfigOpts, trust_id: str | None) -> None:
    """Delete a schedule's trust as its trustee (any member may edit it)."""
    if not trust_id:
        return
    try:
        identity.delete_trust(identity.trust_session(conf, trust_id),
                              trust_id, conf)
    except exception.DragonException as e:
        LOG.warning("trust %s of a schedule not deleted: %s", trust_id, e)


def check_all(context: Any, schedules: list[dict[str, Any]],
              conf: cfg.ConfigOpts | None = None) -> list[dict[str, Any]]:
    """Validate schedule requests before anything is stored.

    :raises dragon.exception.Invalid:
    """
    conf = conf or dragon_conf.CONF
    return [_checked(s, None, conf) for s in schedules]


def create(context: Any, policy: models.WorkloadPolicy,
           checked: dict[str, Any], conf: cfg.ConfigOpts | None = None
           ) -> models.Schedule:
    """Store a checked schedule of ``policy``, with a trust if enabled.

    :raises dragon.exception.TrustRefused:
    :raises dragon.exception.TrustFailed:
    """
    conf = conf or dragon_conf.CONF
    now = timeutils.utcnow()
    trust_id = (identity.create_trust(context, conf, expires=False)
                if checked['enabled'] else None)
    try:
        schedule = db_api.schedule_create(context, {
            **checked, **_timing(checked, policy.id, now),
            'policy_id': policy.id, 'project_id': policy.project_id,
            'user_id': context.user_id, 'trust_id': trust_id,
            'status': statuses.Schedule.ACTIVE, 'run_count': 0,
            'skipped_count': 0, 'missed_count': 0})
    except Exception:
        _drop_trust(conf, trust_id)
        raise
    LOG.info("schedule %s of policy %s: %s (%s), next run %s", schedule.id,
             policy.id, schedule.cron, schedule.timezone,
             schedule.next_run_at)
    return schedule


def update(context: Any, policy: models.WorkloadPolicy,
           schedule: models.Schedule, values: dict[str, Any],
           conf: cfg.ConfigOpts | None = None) -> models.Schedule:
    """Change a schedule: its trust is made anew from the caller.

    Editing hands the schedule to the caller (their roles, their trust);
    a schedule in ``error`` (its trust was refused) starts again. Timing
    changes move the next tick; the counts are kept.

    :raises dragon.exception.Invalid:
    :raises dragon.exception.TrustRefused:
    :raises dragon.exception.TrustFailed:
    """
    conf = conf or dragon_conf.CONF
    checked = _checked(values, schedule, conf)
    now = timeutils.utcnow()
    trust_id = (identity.create_trust(context, conf, expires=False)
                if checked['enabled'] else None)
    changes = {**checked, 'trust_id': trust_id, 'user_id': context.user_id,
               'status': statuses.Schedule.ACTIVE, 'error': None}
    if (any(k in values for k in TIMING) or 'enabled' in values or
            schedule.status != statuses.Schedule.ACTIVE or
            schedule.next_tick_at is None):
        changes.update(_timing(checked, policy.id, now))
    try:
        updated = db_api.schedule_update(context, schedule.id, changes)
    except Exception:
        _drop_trust(conf, trust_id)
        raise
    _drop_trust(conf, schedule.trust_id)
    return updated


def delete(context: Any, schedule: models.Schedule,
           conf: cfg.ConfigOpts | None = None) -> None:
    """Delete a schedule and its trust."""
    conf = conf or dragon_conf.CONF
    db_api.schedule_delete(context, schedule.id)
    _drop_trust(conf, schedule.trust_id)
    LOG.info("deleted schedule %s of policy %s", schedule.id,
             schedule.policy_id)


def replace_all(context: Any, policy: models.WorkloadPolicy,
                checked: list[dict[str, Any]],
                conf: cfg.ConfigOpts | None = None) -> None:
    """Make ``checked`` the policy's schedules (``policy set --schedule``)."""
    old = db_api.schedule_get_all(context, policy_id=policy.id)
    created = []
    try:
        for values in checked:
            created.append(create(context, policy, values, conf))
    except Exception:
        for schedule in created:
            delete(context, schedule, conf)
        raise
    for schedule in old:
        delete(context, schedule, conf)


def delete_all(context: Any, policy: models.WorkloadPolicy,
               conf: cfg.ConfigOpts | None = None) -> None:
    """Delete every schedule of a policy being deleted (and their trusts)."""
    for schedule in db_api.schedule_get_all(context, policy_id=policy.id):
        delete(context, schedule, conf)


def get(context: Any, policy: models.WorkloadPolicy,
        schedule_id: str) -> models.Schedule:
    return db_api.schedule_get(context, schedule_id, policy_id=policy.id)


def list_of(context: Any, policy: models.WorkloadPolicy
            ) -> list[models.Schedule]:
    return db_api.schedule_get_all(context, policy_id=policy.id)
