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

"""Schedules on the minicloud: two engines, real minutes, retention, one catch-up, a dead trust.

One scenario on the wall clock, because every step waits for real cron
ticks: a policy scheduled every minute is protected by two engines in
consecutive minutes, once per tick; every engine is stopped across two
ticks and started again: exactly one catch-up run; retention ``keep_last
2`` leaves two. Meanwhile the schedule of a user disabled in Keystone
stops with the trust error, and a notification says so.
"""
import datetime
import time
import uuid

import pytest

from dragon.client.v1 import client as dragon_client
from dragon.notifications.payloads import EventType
from dragon.notifications import samples
from tests.functional.notifications import about
from tests.functional.notifications import data_of
from tests.functional.notifications import NotificationCollector
from tests.story import session

EVERY_MINUTE = '* * * * *'


def _utc(text):
    return datetime.datetime.fromisoformat(text)


def _minute(text):
    return _utc(text).replace(second=0, microsecond=0)


def wait_for(what, predicate, timeout, interval=2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %d s waiting for %s' % (
                timeout, what))
        time.sleep(interval)


def _sleep_until(moment):
    time.sleep(max(0.0, (moment - datetime.datetime.now(
        datetime.UTC)).total_seconds()))


class Scheduled:
    """The policies, users and engines the scenario makes (and removes)."""

    def __init__(self, cloud, dragon, protected):
        self.cloud = cloud
        self.dragon = dragon
        self.protected = protected
        self.dr = dragon_client.Client(session(cloud.layout),
                                       region_name='RegionOne')
        self.admin = cloud.connect('admin')
        self.name = 'ft-sched-' + uuid.uuid4().hex[:6]
        self.policies = []
        self.user = None

    def member(self):
        # template_only: the cheapest protection that still discovers,
        # builds and validates a template, and may share its server.
        return [{'resource_type': 'server',
                 'resource_id': self.protected.workload.ids['web'],
                 'action': 'template_only'}]

    def policy(self, dr, name, **fields):
        policy = dr.policies.create(name, members=self.member(), **fields)
        self.policies.append((dr, policy['id']))
        return policy

    def doomed_user_client(self):
        """A member of project demo whose schedule will outlive them."""
        idn = self.admin.identity
        project = idn.find_project('demo')
        self.user = idn.create_user(name=self.name + '-user',
                                    password=self.cloud.layout.password,
                                    default_project_id=project.id,
                                    domain_id='default')
        role = idn.find_role('member')
        idn.assign_project_role_to_user(project, self.user, role)
        from keystoneauth1.identity import v3
        from keystoneauth1 import session as ks_session
        auth = v3.Password(
            auth_url=self.cloud.layout.keystone_url,
            username=self.user.name, password=self.cloud.layout.password,
            project_name='demo', user_domain_name='Default',
            project_domain_name='Default')
        return dragon_client.Client(ks_session.Session(auth=auth),
                                    region_name='RegionOne')

    def scheduled_checkpoints(self, policy_id, status=None):
        return [c for c in self.dr.checkpoints.list(
            policy_id=policy_id, all_pages=True)
            if c.get('trigger') == 'schedule' and
            (status is None or c['status'] == status)]

    def cleanup(self):
        for dr, policy_id in self.policies:
            try:
                for checkpoint in self.dr.checkpoints.list(
                        policy_id=policy_id, all_pages=True):
                    wait_for('checkpoint %s to end' % checkpoint['id'],
                             lambda: self.dr.checkpoints.get(
                                 checkpoint['id'])['status'] not in (
                                     'queued', 'protecting'), 120)
                    self.dr.checkpoints.delete(checkpoint['id'])
                self.dr.policies.delete(policy_id)
            except Exception:  # noqa: BLE001 - best effort
                pass
        if self.user is not None:
            self.admin.identity.delete_user(self.user, ignore_missing=True)
        self.dragon.stop_engines()
        self.dragon.start_engine(1)


@pytest.fixture
def scheduled(cloud, dragon, protected):
    state = Scheduled(cloud, dragon.ensure_up(), protected)
    dragon.start_engine(2)
    try:
        with NotificationCollector(
                cloud.layout.rabbit_url(dragon.vhost)) as collector:
            state.notifications = collector
            yield state
    finally:
        state.cleanup()


def _sampled(entry):
    event_type, payload, publisher_id, priority = entry
    samples.check_against_sample(event_type, payload, priority=priority,
                                 publisher_id=publisher_id)
    return data_of(payload)


def test_every_minute_with_two_engines_retention_catch_up_and_dead_trust(
        scheduled):
    dr = scheduled.dr
    policy = scheduled.policy(
        dr, scheduled.name, options={'retention': {'keep_last': 2}},
        schedules=[{'cron': EVERY_MINUTE, 'misfire_grace': 300}])
    schedule = policy['schedules'][0]
    assert schedule['status'] == 'active' and schedule['next_run_at']

    # A schedule whose owner is disabled before its first tick.
    doomed_dr = scheduled.doomed_user_client()
    doomed = scheduled.policy(doomed_dr, scheduled.name + '-doomed',
                              schedules=[{'cron': EVERY_MINUTE}])
    scheduled.admin.identity.update_user(scheduled.user, is_enabled=False)

    # Two ticks, two engines: one checkpoint per tick, consecutive minutes.
    first_two = wait_for(
        'two scheduled checkpoints',
        lambda: (lambda cs: cs if len(cs) >= 2 else None)(
            scheduled.scheduled_checkpoints(policy['id'], 'available')),
        200)
    everything = scheduled.scheduled_checkpoints(policy['id'])
    minutes = sorted(_minute(c['created_at']) for c in everything)
    assert len(minutes) == len(set(minutes)), 'a tick ran twice: %s' % (
        minutes,)
    ordered = sorted(first_two, key=lambda c: c['created_at'])[:2]
    assert _minute(ordered[1]['created_at']) - _minute(
        ordered[0]['created_at']) == datetime.timedelta(minutes=1)
    shown = dr.schedules.get(policy['id'], schedule['id'])
    assert shown['run_count'] >= 2
    assert shown['last_result'] == 'started'
    assert (shown['skipped_count'], shown['missed_count']) == (0, 0)

    # The disabled user's schedule stopped at its first tick, loudly.
    dead = wait_for(
        'the doomed schedule to fail',
        lambda: (lambda s: s if s['status'] == 'error' else None)(
            dr.policies.get(doomed['id'])['schedules'][0]), 90)
    assert dead['error'].startswith('trust no longer valid'), dead
    assert dead['run_count'] == 0
    assert scheduled.scheduled_checkpoints(doomed['id']) == []
    notified = _sampled(scheduled.notifications.wait_for(
        EventType.SCHEDULE_ERROR, about(dead['id']), 30))
    assert notified['error'] == dead['error']
    ended = _sampled(scheduled.notifications.wait_for(
        EventType.CHECKPOINT_CREATE_END, about(ordered[0]['id']), 30))
    assert (ended['trigger'], ended['schedule_id']) == (
        'schedule', schedule['id'])

    # Every engine down across two ticks, then up: exactly one catch-up.
    # Stop early in a minute, with no run going: the ticks of the next
    # two minutes are the ones missed.
    wait_for('a quiet moment early in a minute', lambda: (
        8 <= datetime.datetime.now(datetime.UTC).second <= 40 and not [
            c for c in scheduled.scheduled_checkpoints(policy['id'])
            if c['status'] in ('queued', 'protecting')]), 120, interval=1)
    before = {c['id'] for c in scheduled.scheduled_checkpoints(
        policy['id'])}
    scheduled.dragon.stop_engines()
    stopped_at = datetime.datetime.now(datetime.UTC)
    resume = stopped_at.replace(second=10, microsecond=0) + \
        datetime.timedelta(minutes=2)
    _sleep_until(resume)
    missed_ticks = int((resume.replace(second=0) - stopped_at.replace(
        second=0, microsecond=0)).total_seconds() // 60)
    assert missed_ticks == 2
    scheduled.dragon.start_engine(1)
    scheduled.dragon.start_engine(2)
    caught_up = wait_for(
        'the catch-up checkpoint',
        lambda: [c for c in scheduled.scheduled_checkpoints(policy['id'])
                 if c['id'] not in before], 40, interval=1)
    # Well before the next tick (resume is at second 10), nothing else.
    _sleep_until(resume + datetime.timedelta(seconds=35))
    new = [c for c in scheduled.scheduled_checkpoints(policy['id'])
           if c['id'] not in before]
    assert [c['id'] for c in new] == [caught_up[0]['id']], new
    shown = dr.schedules.get(policy['id'], schedule['id'])
    assert shown['missed_count'] == 1, shown
    events = dr.checkpoints.events(caught_up[0]['id'])
    assert 'caught up once' in events[0]['message'], events[0]

    # Retention keep_last 2: with the catch-up available, two remain.
    wait_for('the catch-up checkpoint to be available', lambda: dr.checkpoints
             .get(caught_up[0]['id'])['status'] == 'available', 120)
    remaining = wait_for(
        'retention to leave two',
        lambda: (lambda cs: cs if len(cs) == 2 else None)(
            dr.checkpoints.list(policy_id=policy['id'], all_pages=True)),
        120)
    assert {c['status'] for c in remaining} == {'available'}
    assert caught_up[0]['id'] in {c['id'] for c in remaining}
    assert ordered[0]['id'] not in {c['id'] for c in remaining}
    pruned = _sampled(scheduled.notifications.wait_for(
        EventType.RETENTION_PRUNE_END,
        lambda p: ordered[0]['id'] in str(data_of(p)), 30))
    assert pruned['policy_id'] == policy['id']
