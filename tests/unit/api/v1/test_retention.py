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

"""The retention preview and retention input through the whole pipeline."""

import datetime

import jsonschema

from dragon.api.v1 import openapi
from dragon import context
from dragon.db import api as db_api
from tests.unit.api.v1.conftest import OTHER


def _policy(api, retention=None, name='app'):
    body = {'policy': {'name': name}}
    if retention is not None:
        body['policy']['options'] = {'retention': retention}
    response = api('POST', '/v1/policies', body)
    assert response.status_int == 201, response.text
    return response.json['policy']


def _checkpoint(policy, hours_ago, status='available', hold=False):
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return db_api.checkpoint_create(context.get_admin_context(), {
        'project_id': policy['project_id'], 'user_id': 'u1',
        'policy_id': policy['id'], 'policy_name': policy['name'],
        'status': status, 'hold': hold,
        'captured_at': now - datetime.timedelta(hours=hours_ago)})


def _preview(api, policy, **kwargs):
    return api('GET', '/v1/policies/%s/retention' % policy['id'], **kwargs)


def test_preview_lists_each_checkpoint_with_its_verdict(api):
    policy = _policy(api, {'keep_last': 2})
    newest = _checkpoint(policy, 1)
    second = _checkpoint(policy, 2)
    held = _checkpoint(policy, 3, hold=True)
    failed = _checkpoint(policy, 4, status='error')
    old = _checkpoint(policy, 5)
    response = _preview(api, policy, roles='reader')
    assert response.status_int == 200, response.text
    jsonschema.validate(response.json,
                        openapi.json_schemas()['RetentionPreview'])
    preview = response.json['retention']
    assert preview['rules'] == {'keep_last': 2}
    assert preview['timezone'] == 'UTC'
    rows = [(c['id'], c['keep'], c['reasons'])
            for c in preview['checkpoints']]
    assert rows == [
        (newest.id, True, ['newest available', 'keep_last 2']),
        (second.id, True, ['keep_last 2']),
        (held.id, True, ['on hold']),
        (failed.id, True, ['not available (error)']),
        (old.id, False, ['no rule keeps it'])]
    assert preview['checkpoints'][2]['hold'] is True
    assert preview['checkpoints'][0]['captured_at'].endswith('+00:00')
    # a preview deletes nothing
    assert db_api.checkpoint_get(context.get_admin_context(),
                                 old.id).status == 'available'


def test_preview_without_retention_keeps_everything(api):
    policy = _policy(api)
    _checkpoint(policy, 1)
    _checkpoint(policy, 30)
    preview = _preview(api, policy).json['retention']
    assert preview['rules'] == {}
    assert [c['reasons'] for c in preview['checkpoints']] == [
        ['no retention rules', 'newest available'], ['no retention rules']]
    assert all(c['keep'] for c in preview['checkpoints'])


def test_preview_uses_the_retention_time_zone(api):
    policy = _policy(api, {'daily': 7, 'timezone': 'Asia/Tokyo',
                           'max_age': '30d'})
    preview = _preview(api, policy).json['retention']
    assert preview['timezone'] == 'Asia/Tokyo'
    assert preview['rules']['max_age'] == 30 * 86400
    assert preview['checkpoints'] == []


def test_preview_of_another_projects_policy_is_404(api):
    policy = _policy(api, {'keep_last': 1})
    for roles in ('member,reader', 'reader'):
        response = _preview(api, policy, project=OTHER, roles=roles)
        assert response.status_int == 404
    assert _preview(api, policy, roles='').status_int == 403
    response = api('GET', '/v1/policies/nope/retention')
    assert response.status_int == 404
    response = api('GET', '/v1/policies/%s/retention?x=1' % policy['id'])
    assert response.status_int == 400


def test_retention_that_keeps_nothing_is_400_and_nothing_is_stored(api):
    response = api('POST', '/v1/policies', {'policy': {
        'name': 'app', 'options': {'retention': {'daily': 0}}}})
    assert response.status_int == 400
    assert 'keep nothing' in response.json['error']['message']
    assert api('GET', '/v1/policies').json['policies'] == []
    policy = _policy(api, {'keep_last': 3})
    path = '/v1/policies/' + policy['id']
    for retention, reason in (
            ({'hourly': 0, 'timezone': 'UTC'}, 'keep nothing'),
            ({'max_age': '10m'}, 'at least 1h'),
            ({'daily': 1, 'timezone': 'Mars/Olympus'}, 'IANA')):
        response = api('PATCH', path, {'policy': {'options': {
            'retention': retention}}})
        assert response.status_int == 400, retention
        assert reason in response.json['error']['message']
    assert api('GET', path).json['policy']['options']['retention'] == {
        'keep_last': 3}
    for retention in ({}, {'max_checkpoints': 3}, {'keep_last': 0},
                      {'max_age': '30 days'}, {'daily': -1}):
        response = api('PATCH', path, {'policy': {'options': {
            'retention': retention}}})
        assert response.status_int == 400, retention
    # null removes retention
    response = api('PATCH', path, {'policy': {'options': {
        'retention': None}}})
    assert response.status_int == 200, response.text
    assert response.json['policy']['options']['retention'] is None
