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

"""What every engine does now and then: fire due schedule ticks and watch RPOs.

Any number of engines run this at once. A tick belongs to the engine whose
compare-and-swap moves the schedule past it (``db_api.schedule_fire``), so
it runs exactly once; the checkpoint it starts is ``queued`` and admitted
by whichever engine has room (``EngineManager.admit``). Nothing here is
kept in memory between polls: an engine restart loses nothing.
"""

import dataclasses
import datetime
from typing import Any
import uuid

from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import verify
from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon import identity
from dragon.notifications import notifier
from dragon.scheduling import cron
from dragon.scheduling import rpo
from dragon import statuses

LOG = logging.getLogger(__name__)

# Keystone answers that mean the trust itself is no good any more (user
# disabled or deleted, role removed, trust deleted): retrying cannot help.
TRUST_GONE = (ks_exc.Unauthorized, ks_exc.Forbidden, ks_exc.NotFound)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of one due schedule in one poll."""

    schedule_id: str
    result: str          # started, skipped, missed, error, or 'taken'
    detail: str = ''
    checkpoint_id: str | None = None


def _verification_due(admin: Any, policy: Any, days: int,
                      now: datetime.datetime) -> Any | None:
    """The policy's newest available checkpoint if no verification of its
    checkpoints started within ``days`` (and none is running).
    """
    checkpoints = db_api.checkpoint_get_all(
        admin, policy_id=policy.id, status=statuses.Checkpoint.AVAILABLE,
        limit=1000)
    if not checkpoints:
        return None
    latest = None
    for checkpoint in checkpoints:
        verification = checkpoint.verification or {}
        if verification.get('status') == statuses.Verification.RUNNING:
            return None
        when = verification.get('started_at')
        if when:
            moment = datetime.datetime.fromisoformat(
                when.replace('Z', '+00:00')).astimezone(
                    datetime.UTC).replace(tzinfo=None)
            latest = moment if latest is None else max(latest, moment)
    if latest is not None and now - latest < datetime.timedelta(days=days):
        return None
    return max(checkpoints, key=lambda c: c.point_in_time)


class TrustInvalid(Exception):
    """Keystone refused the schedule's trust (not a transient failure)."""


def check_trust(conf: cfg.ConfigOpts, trust_id: str | None) -> None:
    """Authenticate once with the trust, so a dead trust is seen at the tick.

    :raises TrustInvalid: Keystone refused it (with Keystone's reason).
    :raises keystoneauth1.exceptions.ClientException: Keystone unreachable.
    """
    if not trust_id:
        raise TrustInvalid('the schedule holds no trust')
    session = identity.trust_session(conf, trust_id)
    try:
        session.get_token()
    except TRUST_GONE as e:
        raise TrustInvalid('Keystone refused it (%s: %s)' % (
            type(e).__name__, str(e)[:200]))


class Scheduler:
    """The schedule ticks and RPO checks of one engine."""

    def __init__(self, conf: cfg.ConfigOpts, host: str) -> None:
        self.conf = conf
        self.host = host

    # -- ticks
    def poll(self, now: datetime.datetime | None = None) -> list[Outcome]:
        """Fire every due tick; return what happened to each."""
        now = now or timeutils.utcnow()
        admin = dragon_context.get_admin_context()
        outcomes = []
        for schedule in db_api.schedule_get_due(admin, now):
            try:
                outcomes.append(self.fire(admin, schedule, now))
            except Exception:
                # One broken schedule must not stop the others.
                LOG.exception("schedule %s: tick failed", schedule.id)
        return outcomes

    def grace(self, misfire_grace: int) -> int:
        """Seconds late a tick may still run: the schedule's grace on top of
        the engines' own look interval.

        Engines find a due tick up to ``[scheduler] poll_interval`` after its
        time in normal operation; that lateness is Dragon's, not a misfire,
        so a schedule with ``misfire_grace`` 0 still runs every tick an
        engine was up for, and skips only those missed while none was.
        """
        return misfire_grace + self.conf.scheduler.poll_interval

    def fire(self, admin: Any, schedule: Any,
             now: datetime.datetime) -> Outcome:
        offset = cron.jitter_offset(schedule.policy_id, schedule.jitter)
        plan = cron.plan(schedule.cron, schedule.timezone,
                         schedule.next_tick_at, now,
                         self.grace(schedule.misfire_grace),
                         offset, schedule.start_at, schedule.end_at)
        values: dict[str, Any] = {
            'next_tick_at': plan.next_tick, 'next_run_at': plan.next_run,
            'missed_count': schedule.missed_count + plan.missed,
        }
        if plan.next_tick is None:
            values['status'] = statuses.Schedule.FINISHED
        if plan.run_tick is None:
            return self._missed(admin, schedule, values, plan, now)
        values.update(last_tick_at=plan.run_tick, last_run_at=now)
        try:
            check_trust(self.conf, schedule.trust_id)
        except TrustInvalid as e:
            return self._trust_refused(admin, schedule, values, str(e))
        except (ks_exc.ClientException, exception.DragonException) as e:
            return self._not_run(admin, schedule, values,
                                 'Keystone unreachable (%s); tick missed' %
                                 type(e).__name__)
        policy = db_api.workload_policy_get(admin, schedule.policy_id)
        if policy.status == statuses.Policy.SUSPENDED:
            return self._not_run(admin, schedule, values,
                                 'the policy is suspended (a failback from '
                                 'the backup site may be running)',
                                 skipped=True)
        if not policy.members:
            return self._not_run(admin, schedule, values,
                                 'the policy has no members', skipped=True)
        when = plan.run_tick.replace(tzinfo=datetime.UTC).isoformat()
        late = (now - plan.run_tick).total_seconds() - offset > \
            2 * self.conf.scheduler.poll_interval
        taken = db_api.schedule_fire(
            admin, schedule.id, schedule.next_tick_at, values,
            {'project_id': schedule.project_id, 'user_id': schedule.user_id,
             'policy_id': policy.id, 'policy_name': policy.name,
             'trust_id': schedule.trust_id, 'schedule_id': schedule.id,
             'trigger': 'schedule'},
            'protection of policy %s started by schedule %s (%s %s) for '
            'the tick of %s%s' % (
                policy.name, schedule.id, schedule.cron, schedule.timezone,
                when, ' (caught up once after downtime)' if late else ''))
        if taken is None:
            return Outcome(schedule.id, 'taken')
        result, detail = taken
        if result == statuses.Tick.SKIPPED:
            LOG.info("schedule %s: tick of %s skipped: %s", schedule.id,
                     when, detail)
            notifier.schedule_skipped(
                self.conf, db_api.schedule_get(admin, schedule.id), detail)
            return Outcome(schedule.id, result, detail)
        LOG.info("schedule %s: tick of %s started checkpoint %s",
                 schedule.id, when, detail.id)
        return Outcome(schedule.id, result, checkpoint_id=detail.id)

    def _missed(self, admin: Any, schedule: Any, values: dict[str, Any],
                plan: cron.TickPlan, now: datetime.datetime) -> Outcome:
        reason = ('%d tick(s) missed while no engine ran, the last more '
                  'than %d s (misfire_grace %d s + poll_interval) ago' % (
                      plan.missed, self.grace(schedule.misfire_grace),
                      schedule.misfire_grace))
        values.update(last_result=statuses.Tick.MISSED, last_reason=reason)
        if not db_api.schedule_advance(admin, schedule.id,
                                       schedule.next_tick_at, values):
            return Outcome(schedule.id, 'taken')
        LOG.warning("schedule %s: %s", schedule.id, reason)
        return Outcome(schedule.id, statuses.Tick.MISSED, reason)

    def _not_run(self, admin: Any, schedule: Any, values: dict[str, Any],
                 reason: str, skipped: bool = False) -> Outcome:
        """Move past a tick that cannot start, saying why."""
        result = statuses.Tick.SKIPPED if skipped else statuses.Tick.ERROR
        values = dict(values, last_result=result, last_reason=reason)
        if skipped:
            values['skipped_count'] = schedule.skipped_count + 1
        else:
            values['missed_count'] = values['missed_count'] + 1
        if not db_api.schedule_advance(admin, schedule.id,
                                       schedule.next_tick_at, values):
            return Outcome(schedule.id, 'taken')
        LOG.warning("schedule %s: tick not run: %s", schedule.id, reason)
        row = db_api.schedule_get(admin, schedule.id)
        if skipped:
            notifier.schedule_skipped(self.conf, row, reason)
        else:
            notifier.schedule_error(self.conf, row, reason)
        return Outcome(schedule.id, result, reason)

    def _trust_refused(self, admin: Any, schedule: Any,
                       values: dict[str, Any], reason: str) -> Outcome:
        """Stop a schedule whose trust is gone: loudly, once, no retries."""
        error = 'trust no longer valid: %s' % reason
        values = dict(values, status=statuses.Schedule.ERROR, error=error,
                      last_result=statuses.Tick.ERROR, last_reason=error,
                      missed_count=values['missed_count'] + 1)
        if not db_api.schedule_advance(admin, schedule.id,
                                       schedule.next_tick_at, values):
            return Outcome(schedule.id, 'taken')
        LOG.error("schedule %s of policy %s stopped: %s", schedule.id,
                  schedule.policy_id, error)
        notifier.schedule_error(self.conf,
                                db_api.schedule_get(admin, schedule.id),
                                error)
        return Outcome(schedule.id, statuses.Tick.ERROR, error)

    # -- scheduled verification
    def check_verifications(self, submit: Any,
                            now: datetime.datetime | None = None
                            ) -> list[str]:
        """Start the verifications due by the policies' ``verify_every_days``.

        A policy is due when none of its available checkpoints was verified
        within that many days; its newest available checkpoint is read
        back whole (``--read-data``) with the trust of one of its enabled
        schedules. A compare-and-swap on the checkpoint's verification
        makes one engine start it.

        :param submit: ``(checkpoint_id, verification_id, read_data,
            trust_id, keep_trust)``: runs the job on the engine's pool.
        :returns: the ids of the checkpoints whose verification started.
        """
        now = now or timeutils.utcnow()
        admin = dragon_context.get_admin_context()
        started = []
        for policy in db_api.workload_policy_get_all(admin, limit=None):
            days = (policy.options or {}).get('verify_every_days')
            if not days:
                continue
            checkpoint = _verification_due(admin, policy, days, now)
            if checkpoint is None:
                continue
            trust_id = next((s.trust_id for s in policy.schedules
                             if s.enabled and s.trust_id and
                             s.status == statuses.Schedule.ACTIVE), None)
            if trust_id is None:
                LOG.warning("policy %s: verification due every %d days, but "
                            "no enabled schedule holds a trust to run it",
                            policy.id, days)
                continue
            verification_id = uuid.uuid4().hex
            if not db_api.checkpoint_claim_verification(
                    admin, checkpoint.id,
                    (checkpoint.verification or {}).get('id'),
                    verify.running(True, verification_id)):
                continue
            db_api.checkpoint_event_add(
                admin, checkpoint.id, 'info', 'scheduled verification (every '
                '%d days, reading every chunk) started' % days)
            submit(checkpoint.id, verification_id, True, trust_id, True)
            started.append(checkpoint.id)
        return started

    # -- RPO
    def check_rpo(self, now: datetime.datetime | None = None
                  ) -> list[tuple[str, str]]:
        """Record each policy's RPO state; announce the ones newly missed.

        :returns: ``(policy_id, state)`` of the states this engine changed.
        """
        now = now or timeutils.utcnow()
        admin = dragon_context.get_admin_context()
        policies = [p for p in db_api.workload_policy_get_all(
            admin, limit=None) if (p.options or {}).get('rpo')]
        newest = db_api.checkpoint_newest_available(
            admin, [p.id for p in policies], at_target=True)
        changed = []
        for policy in policies:
            state = rpo.status(policy, newest.get(policy.id), now,
                               self.conf.scheduler.rpo_at_risk_ratio)
            if state is None or state['state'] == policy.rpo_state:
                continue
            if not db_api.workload_policy_set_rpo_state(
                    admin, policy.id, policy.rpo_state, state['state']):
                continue  # another engine saw it first
            changed.append((policy.id, state['state']))
            if state['state'] == statuses.Rpo.MISSED:
                LOG.warning("policy %s missed its RPO of %d s", policy.id,
                            state['target_seconds'])
                notifier.rpo_missed(self.conf, policy, state)
        return changed
