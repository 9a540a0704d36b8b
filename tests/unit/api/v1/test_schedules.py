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

"""/v1/policies/{id}/schedules and schedules in policy bodies: validation, trusts, views."""

import datetime

import pytest

from dragon.db import api as db_api
from dragon import identity
from tests.unit.api.v1.conftest import OTHER


@pytest.fixture
def trusts(monkeypatch):
    """Keystone faked at dragon.identity: trusts made and deleted, by id."""
    made, deleted = [], []

    def create(context, conf=None, redelegate=False, expires=True):
        assert expires is False, 'a schedule needs a standing trust'
        made.append('trust-%d' % (len(made) + 1))
        return made[-1]

    monkeypatch.setattr(identity, 'create_trust', create)
    monkeypatch.setattr(identity, 'trust_session',
                        lambda conf, trust_id: object())
    monkeypatch.setattr(identity, 'delete_trust',
                        lambda session, trust_id, conf=None:
                        deleted.append(trust_id) or True)
    return made, deleted


def _policy(api, name='app', **policy):
    response = api('POST', '/v1/policies', {'policy': {'name': name,
                                                       **policy}})
    assert response.status_int == 201, response.text
    return response.json['policy']


def _message(response, code):
    assert response.status_int == code, response.text
    return response.json['error']['message']


def test_policy_created_with_schedules_gets_a_trust_and_a_next_run(
        api, trusts):
    policy = _policy(api, schedules=[
        {'cron': '0 */4 * * *', 'timezone': 'Europe/Berlin'},
        {'cron': '30 2 * * 0', 'enabled': False}])
    first, second = policy['schedules']
    assert (first['cron'], first['timezone'], first['enabled']) == (
        '0 */4 * * *', 'Europe/Berlin', True)
    assert first['status'] == 'active'
    assert first['next_run_at'] is not None
    next_run = datetime.datetime.fromisoformat(first['next_run_at'])
    assert next_run > datetime.datetime.now(datetime.UTC)
    assert next_run.astimezone(
        __import__('zoneinfo').ZoneInfo('Europe/Berlin')).hour % 4 == 0
    assert (first['run_count'], first['skipped_count'],
            first['missed_count']) == (0, 0, 0)
    assert 'trust_id' not in first
    # A disabled schedule holds no trust: only the enabled one made one.
    assert trusts[0] == ['trust-1']
    rows = db_api.schedule_get_all(_admin(), policy_id=policy['id'])
    assert sorted(r.trust_id or '' for r in rows) == ['', 'trust-1']


def _admin():
    from dragon import context
    return context.get_admin_context()


@pytest.mark.parametrize('schedule, reason', [
    ({'cron': '* * * *'}, 'cron'),
    ({'cron': '61 * * * *'}, 'cron'),
    ({'cron': 'every day'}, 'cron'),
    ({'cron': '0 * * * *', 'timezone': 'Mars/Olympus'}, 'is unknown'),
    ({'cron': '0 * * * *', 'start_at': '2027-01-02T00:00:00Z',
      'end_at': '2027-01-01T00:00:00Z'}, 'end_at must be after start_at'),
    ({'cron': '0 * * * *', 'start_at': 'tomorrow'}, 'ISO 8601'),
    ({'cron': '0 * * * *', 'jitter': 7200}, 'jitter'),
])
def test_bad_schedules_are_400_and_nothing_is_stored(api, trusts, schedule,
                                                     reason):
    response = api('POST', '/v1/policies', {'policy': {
        'name': 'bad', 'schedules': [schedule]}})
    assert reason in _message(response, 400)
    assert api('GET', '/v1/policies').json['policies'] == []
    assert trusts[0] == []


@pytest.mark.parametrize('options, reason', [
    ({'rpo': 0}, 'rpo'),
    ({'rpo': '0h'}, 'rpo must be at least 60 seconds'),
    ({'rpo': 'soon'}, 'rpo'),
    ({'retention': {'keep_last': 0}}, 'keep_last'),
    ({'retention': {'daily': 0, 'weekly': 0}}, 'would keep nothing'),
    ({'retention': {'max_age': '30x'}}, 'max_age'),
    ({'retention': {'keep_last': 2, 'timezone': 'Nowhere/Land'}},
     'IANA'),
])
def test_bad_rpo_and_retention_are_400(api, trusts, options, reason):
    response = api('POST', '/v1/policies', {'policy': {
        'name': 'bad', 'options': options}})
    assert reason in _message(response, 400)
    assert api('GET', '/v1/policies').json['policies'] == []


def test_rpo_is_stored_in_seconds_and_shown_with_its_state(api, trusts):
    policy = _policy(api, options={'rpo': '2h'})
    assert policy['options']['rpo'] == 7200
    # Never protected: counted from creation, so not late yet.
    assert policy['rpo']['state'] == 'ok'
    assert policy['rpo']['achieved_seconds'] is None
    assert policy['rpo']['target_seconds'] == 7200
    listed = api('GET', '/v1/policies').json['policies']
    assert listed[0]['rpo']['state'] == 'ok'
    assert _policy(api, name='no-target')['rpo'] is None


def test_schedule_sub_resource_lifecycle(api, trusts):
    made, deleted = trusts
    policy = _policy(api)
    url = '/v1/policies/%s/schedules' % policy['id']
    created = api('POST', url, {'schedule': {'cron': '*/15 * * * *'}})
    assert created.status_int == 201, created.text
    schedule = created.json['schedule']
    assert schedule['misfire_grace'] == 3600  # [scheduler] default
    assert made == ['trust-1']
    item = url + '/' + schedule['id']
    assert api('GET', item).json['schedule']['cron'] == '*/15 * * * *'
    # Disabling drops the trust; enabling makes a new one.
    off = api('PATCH', item, {'schedule': {'enabled': False}}).json
    assert off['schedule']['enabled'] is False
    assert deleted == ['trust-1']
    on = api('PATCH', item, {'schedule': {'enabled': True,
                                          'cron': '0 3 * * *'}}).json
    assert on['schedule']['cron'] == '0 3 * * *'
    assert made == ['trust-1', 'trust-2']
    assert [s['id'] for s in api('GET', url).json['schedules']] == [
        schedule['id']]
    assert api('DELETE', item).status_int == 204
    assert deleted == ['trust-1', 'trust-2']
    assert api('GET', item).status_int == 404


def test_policy_set_schedules_replaces_them_all_and_delete_drops_trusts(
        api, trusts):
    made, deleted = trusts
    policy = _policy(api, schedules=[{'cron': '0 1 * * *'}])
    updated = api('PATCH', '/v1/policies/' + policy['id'], {'policy': {
        'schedules': [{'cron': '0 2 * * *'}, {'cron': '0 3 * * *'}]}})
    assert updated.status_int == 200, updated.text
    assert [s['cron'] for s in updated.json['policy']['schedules']] == [
        '0 2 * * *', '0 3 * * *']
    assert deleted == ['trust-1']
    api('DELETE', '/v1/policies/' + policy['id'])
    assert sorted(deleted) == ['trust-1', 'trust-2', 'trust-3']
    assert db_api.schedule_get_all(_admin(), policy_id=policy['id']) == []


def test_another_projects_schedules_are_404(api, trusts):
    policy = _policy(api, schedules=[{'cron': '0 1 * * *'}])
    url = '/v1/policies/%s/schedules' % policy['id']
    assert api('GET', url, project=OTHER).status_int == 404
    assert api('POST', url, {'schedule': {'cron': '0 1 * * *'}},
               project=OTHER).status_int == 404


def test_readers_see_schedules_but_cannot_change_them(api, trusts):
    policy = _policy(api)
    url = '/v1/policies/%s/schedules' % policy['id']
    assert api('GET', url, roles='reader').status_int == 200
    assert api('POST', url, {'schedule': {'cron': '0 1 * * *'}},
               roles='reader').status_int == 403


def test_verify_every_days_needs_an_enabled_schedule(api, trusts):
    response = api('POST', '/v1/policies', {'policy': {
        'name': 'v', 'options': {'verify_every_days': 7}}})
    assert 'verify_every_days needs an enabled schedule' in _message(
        response, 400)
    policy = _policy(api, name='v2', options={'verify_every_days': 7},
                     schedules=[{'cron': '0 2 * * *'}])
    assert policy['options']['verify_every_days'] == 7
    # Removing the last schedule while it is set is refused too.
    response = api('PATCH', '/v1/policies/' + policy['id'],
                   {'policy': {'schedules': []}})
    assert 'verify_every_days' in _message(response, 400)
