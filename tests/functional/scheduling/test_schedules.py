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
ticks: a policy scheduled every minute is made with every engine stopped,
across its first two ticks; two engines are then started: exactly one
catch-up run, then one run of the next tick (never two) in the next
minute; retention ``keep_last 1`` then leaves that one. Meanwhile the
schedule of a user disabled in Keystone stops with the trust error at its
first run, and a notification says so. (About three minutes of wall
clock: the two missed ticks and the next one.)
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
    # Every engine down from the policy's creation until 10 s into the
    # minute after next: its first two ticks are missed, wherever in its
    # minute the policy was made.
    scheduled.dragon.stop_engines()
    policy = scheduled.policy(
        dr, scheduled.name, options={'retention': {'keep_last': 1}},
        schedules=[{'cron': EVERY_MINUTE, 'misfire_grace': 300}])
    created = _utc(policy['created_at'])
    schedule = policy['schedules'][0]
    assert schedule['status'] == 'active'
    assert _utc(schedule['next_run_at']) == _minute(
        policy['created_at']) + datetime.timedelta(minutes=1)

    # A schedule whose owner is disabled before its first tick.
    doomed_dr = scheduled.doomed_user_client()
    doomed = scheduled.policy(doomed_dr, scheduled.name + '-doomed',
                              schedules=[{'cron': EVERY_MINUTE}])
    scheduled.admin.identity.update_user(scheduled.user, is_enabled=False)

    resume = created.replace(second=10, microsecond=0) + \
        datetime.timedelta(minutes=2)
    _sleep_until(resume)
    assert scheduled.scheduled_checkpoints(policy['id']) == []
    scheduled.dragon.start_engine(1)
    scheduled.dragon.start_engine(2)

    # Two ticks missed, then up: exactly one catch-up.
    caught_up = wait_for(
        'the catch-up checkpoint',
        lambda: scheduled.scheduled_checkpoints(policy['id']), 40,
        interval=1)[0]
    # Well before the next tick (resume is at second 10), nothing else.
    _sleep_until(resume + datetime.timedelta(seconds=35))
    assert [c['id'] for c in scheduled.scheduled_checkpoints(
        policy['id'])] == [caught_up['id']]
    shown = dr.schedules.get(policy['id'], schedule['id'])
    assert shown['missed_count'] == 1, shown
    events = dr.checkpoints.events(caught_up['id'])
    assert 'caught up once' in events[0]['message'], events[0]

    # The next tick, two engines up: one run, in the next minute.
    tick = wait_for(
        'the next tick\'s checkpoint',
        lambda: [c for c in scheduled.scheduled_checkpoints(
            policy['id'], 'available') if c['id'] != caught_up['id']],
        150)
    assert len(tick) == 1, tick
    tick = tick[0]
    assert _minute(tick['created_at']) - _minute(
        caught_up['created_at']) == datetime.timedelta(minutes=1)
    minutes = [_minute(c['created_at'])
               for c in scheduled.scheduled_checkpoints(policy['id'])]
    assert len(minutes) == len(set(minutes)), 'a tick ran twice: %s' % (
        minutes,)
    shown = dr.schedules.get(policy['id'], schedule['id'])
    assert shown['run_count'] == 2, shown
    assert shown['last_result'] == 'started'
    assert shown['skipped_count'] == 0

    # The disabled user's schedule stopped at its first run, loudly.
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
        EventType.CHECKPOINT_CREATE_END, about(caught_up['id']), 30))
    assert (ended['trigger'], ended['schedule_id']) == (
        'schedule', schedule['id'])

    # Retention keep_last 1: with the tick's checkpoint available, the
    # catch-up goes.
    remaining = wait_for(
        'retention to leave one',
        lambda: (lambda cs: cs if len(cs) == 1 else None)(
            dr.checkpoints.list(policy_id=policy['id'], all_pages=True)),
        120)
    assert [(c['id'], c['status']) for c in remaining] == [
        (tick['id'], 'available')]
    pruned = _sampled(scheduled.notifications.wait_for(
        EventType.RETENTION_PRUNE_END,
        lambda p: caught_up['id'] in str(data_of(p)), 30))
    assert pruned['policy_id'] == policy['id']
