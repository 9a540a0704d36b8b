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

"""``POST /v1/recoveries/{id}/failback``: the reverse policy of a failover.

This Dragon is the backup site's (RegionTwo). The recovery's checkpoint
(its manifest faked at ``in_place.read_manifest``) was taken in
RegionOne; the recovery recorded the id each member got here.
"""

import json

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon.services import in_place
from tests.unit.api.v1.conftest import OTHER
from tests.unit.api.v1.test_checkpoints import _check
from tests.unit.api.v1.test_checkpoints import _error
from tests.unit.api.v1 import test_recoveries as recoveries
from tests.unit.api.v1.test_recoveries import containers  # noqa: F401
from tests.unit.api.v1.test_recoveries import cp_api  # noqa: F401
from tests.unit.api.v1.test_recoveries import engine  # noqa: F401
from tests.unit.api.v1.test_recoveries import rec_api  # noqa: F401
from tests.unit.api.v1.test_recoveries import swift  # noqa: F401
from tests.unit.api.v1.test_recoveries import trusts  # noqa: F401

CATALOG = json.dumps([
    {'type': 'orchestration', 'name': 'heat', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://one/heat'},
        {'region': 'RegionTwo', 'publicURL': 'http://two/heat'}]},
    {'type': 'object-store', 'name': 'swift', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://one/swift'},
        {'region': 'RegionTwo', 'publicURL': 'http://two/swift'}]}])
SCHEDULE = {'cron': '0 * * * *', 'timezone': 'UTC', 'enabled': True,
            'start_at': None, 'end_at': None, 'jitter': 0,
            'misfire_grace': 300}


def _manifest(**policy):
    return {
        'project_id': 'p1', 'source_region': 'RegionOne',
        'policy': {'id': 'pol-a', 'name': 'app', 'description': '',
                   'options': {'consistent': True, 'strict': False,
                               'retention': None, 'rpo': 3600,
                               'verify_every_days': None},
                   'members': [
                       {'resource_type': 'server', 'resource_id': 'a-srv',
                        'resource_name': 'web', 'action': 'image_snapshot',
                        'options': {}},
                       {'resource_type': 'volume', 'resource_id': 'a-vol',
                        'resource_name': 'data', 'action': 'snapshot_data',
                        'options': {}},
                       {'resource_type': 'volume', 'resource_id': 'a-gone',
                        'resource_name': 'tmp', 'action': 'snapshot_data',
                        'options': {}}],
                   'schedules': [SCHEDULE], **policy}}


@pytest.fixture
def backup(rec_api, fake_cloud, conf, monkeypatch):
    """RegionTwo's Dragon with a succeeded failover of POINT into it."""
    conf.set_override('region_name', 'RegionTwo', group='engine')
    fake_cloud.add('server', 'b-srv', name='web')
    fake_cloud.add('volume', 'b-vol', name='data')
    manifest = _manifest()
    reads = []

    def read_manifest(ctx, container):
        reads.append((ctx.project_id, container))
        return manifest

    monkeypatch.setattr(in_place, 'read_manifest', read_manifest)

    def call(method, path, body=None, **kwargs):
        headers = {'X-Service-Catalog': CATALOG,
                   **kwargs.pop('headers', {})}
        return rec_api(method, path, body, headers=headers, **kwargs)
    call.manifest = manifest
    call.reads = reads
    return call


def _failover(api, status='succeeded', **values):
    recovery = recoveries._recover(api, **values)
    recoveries._set(recovery['id'], status=status, stack_id='stack-b',
                    resource_status=[
                        {'key': 'server_web', 'type': 'OS::Nova::Server',
                         'id': 'a-srv', 'target_id': 'b-srv'},
                        {'key': 'volume_data', 'type': 'OS::Cinder::Volume',
                         'id': 'a-vol', 'target_id': 'b-vol'}])
    return recovery


def _prepare(api, recovery, body=None, **kwargs):
    return api('POST', '/v1/recoveries/%s/failback' % recovery['id'], body,
               **kwargs)


def test_prepare_makes_a_reverse_policy_and_protects_it(backup, engine,
                                                        trusts):
    recovery = _failover(backup)

    response = _prepare(backup, recovery)

    assert response.status_int == 202, response.text
    _check(response, 'Failback')
    failback = response.json['failback']
    policy = failback['policy']
    assert policy['name'] == 'app-failback'
    assert policy['replication'] == {'target_region': 'RegionOne'}
    assert sorted((m['resource_type'], m['resource_id'], m['action'])
                  for m in policy['members']) == [
        ('server', 'b-srv', 'image_snapshot'),
        ('volume', 'b-vol', 'snapshot_data')]
    assert policy['options']['consistent'] is True
    assert policy['options']['rpo'] == 3600
    # The schedule is copied, disabled: nothing runs before the user asks.
    assert [(s['cron'], s['enabled']) for s in policy['schedules']] == [
        ('0 * * * *', False)]
    assert failback['schedules_copied'] == 1
    assert policy['failback']['recovery_id'] == recovery['id']
    assert policy['failback']['source_region'] == 'RegionOne'
    assert policy['failback']['stack_id'] == 'stack-b'
    assert sorted((m['source_id'], m['resource_id'])
                  for m in policy['failback']['members']) == [
        ('a-srv', 'b-srv'), ('a-vol', 'b-vol')]
    assert [m['source_id'] for m in failback['left_out']] == ['a-gone']
    assert 'not in the recovered workload' in failback['left_out'][0][
        'reason']
    # Protected once, with a trust of the caller.
    checkpoint = failback['checkpoint']
    assert checkpoint['policy_id'] == policy['id']
    assert checkpoint['status'] == 'queued'
    assert engine.casts[-1] == ('protect', checkpoint['id'])
    assert backup.reads == [('p1', recoveries.POINT)]
    shown = backup('GET', '/v1/policies/%s' % policy['id'])
    assert shown.json['policy']['failback']['recovery_id'] == recovery['id']


def test_schedules_are_enabled_when_asked(backup, trusts):
    recovery = _failover(backup)

    response = _prepare(backup, recovery, {'failback': {
        'name': 'home', 'description': 'back to one',
        'enable_schedules': True}})

    assert response.status_int == 202, response.text
    policy = response.json['failback']['policy']
    assert (policy['name'], policy['description']) == ('home', 'back to one')
    assert [s['enabled'] for s in policy['schedules']] == [True]


def test_verification_without_an_enabled_schedule_is_not_copied(backup):
    backup.manifest['policy']['options']['verify_every_days'] = 7
    recovery = _failover(backup)

    response = _prepare(backup, recovery)

    assert response.status_int == 202, response.text
    failback = response.json['failback']
    assert failback['policy']['options']['verify_every_days'] is None
    assert any('verify_every_days' in n for n in failback['notes'])


def test_a_checkpoint_without_schedules_says_so(backup):
    del backup.manifest['policy']['schedules']
    recovery = _failover(backup)

    response = _prepare(backup, recovery)

    assert response.status_int == 202, response.text
    failback = response.json['failback']
    assert failback['schedules_copied'] == 0
    assert any('no schedule copied' in n for n in failback['notes'])


@pytest.mark.parametrize('recorded, scope', [
    ({}, 'project'),       # a checkpoint from before data key scopes
    ({'data_key_scope': 'project'}, 'project'),
    ({'data_key_scope': 'policy'}, 'policy')])
def test_an_encrypted_checkpoint_swaps_its_keys(backup, fake_cloud,
                                                recorded, scope):
    backup.manifest['encryption'] = dict(recorded, key_refs={
        'RegionOne': 'https://one/v1/secrets/' + '1' * 32,
        'RegionTwo': 'https://two/v1/secrets/' + '2' * 32})
    recovery = _failover(backup)

    response = _prepare(backup, recovery)

    assert response.status_int == 202, response.text
    encryption = response.json['failback']['policy']['encryption']
    assert encryption == {
        'key_ref': 'https://two/v1/secrets/' + '2' * 32,
        'data_key_scope': scope,
        'recovery_key_refs': {
            'RegionOne': 'https://one/v1/secrets/' + '1' * 32}}


@pytest.mark.parametrize('values, code, words', [
    ({'mode': 'drill'}, 400, 'it is a drill, not a failover'),
    ({'target_region': 'RegionOne'}, 400, 'this Dragon protects RegionTwo'),
])
def test_what_is_not_a_failover_here_is_refused(backup, engine, values,
                                                code, words):
    recovery = _failover(backup, **values)
    casts = list(engine.casts)

    message = _error(_prepare(backup, recovery), code)

    assert words in message, message
    assert engine.casts == casts
    assert db_api.workload_policy_get_all(context.get_admin_context(),
                                          project_id='p1') == []


@pytest.mark.parametrize('status', ['recovering', 'error'])
def test_a_recovery_that_has_not_succeeded_is_refused(backup, status):
    recovery = _failover(backup, status=status)

    message = _error(_prepare(backup, recovery), 409)

    assert 'only when it is succeeded' in message, message


def test_a_recovery_into_its_own_region_is_refused(backup):
    backup.manifest['source_region'] = 'RegionTwo'
    recovery = _failover(backup)

    message = _error(_prepare(backup, recovery), 400)

    assert 'no other site to return to' in message, message


def test_nothing_recovered_is_refused(backup):
    recovery = _failover(backup)
    recoveries._set(recovery['id'], resource_status=[])

    message = _error(_prepare(backup, recovery), 400)

    assert 'none of the members' in message, message


def test_a_second_prepare_is_refused(backup):
    recovery = _failover(backup)
    first = _prepare(backup, recovery).json['failback']['policy']

    message = _error(_prepare(backup, recovery), 409)

    assert first['id'] in message and 'app-failback' in message, message


def test_another_project_and_readers_cannot(backup):
    recovery = _failover(backup)

    _error(_prepare(backup, recovery, project=OTHER), 404)
    _error(_prepare(backup, recovery, roles='reader'), 403)
    assert db_api.workload_policy_get_all(context.get_admin_context()) == []


@pytest.mark.parametrize('body', [
    {'failback': {'enable_schedules': 'yes'}},
    {'failback': {'name': ''}},
    {'failback': {'target_region': 'RegionThree'}},
    {'other': {}},
])
def test_a_bad_body_is_a_400(backup, body):
    recovery = _failover(backup)

    _error(_prepare(backup, recovery, body), 400)


def test_a_member_gone_since_the_recovery_is_refused(backup, fake_cloud):
    recovery = _failover(backup)
    recoveries._set(recovery['id'], resource_status=[
        {'key': 'server_web', 'type': 'OS::Nova::Server', 'id': 'a-srv',
         'target_id': 'b-deleted'}])

    message = _error(_prepare(backup, recovery), 400)

    assert 'b-deleted' in message, message
