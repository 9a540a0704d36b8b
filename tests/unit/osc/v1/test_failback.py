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

"""``openstack dr failback prepare``, faked API."""

import pytest

MiB = 1024 ** 2


@pytest.fixture
def failover(api):
    policy = api.add_policy('web', members=[
        {'resource_type': 'volume', 'resource_id': 'a-vol',
         'resource_name': 'data', 'action': 'snapshot_data'}])
    checkpoint = api.add_checkpoint(policy, status='available')
    return api.add_recovery(checkpoint, status='succeeded', resource_status=[
        {'key': 'volume_data', 'type': 'OS::Cinder::Volume', 'id': 'a-vol',
         'target_id': 'b-vol', 'status': 'done'}])


def _post(api):
    [call] = [c for c in api.requests('POST')
              if c.path.endswith('/failback')]
    return call


def test_prepare_shows_the_reverse_policy_and_its_checkpoint(
        api, openstack, failover):
    result = openstack('dr', 'failback', 'prepare', failover['id'],
                       '-f', 'json')

    assert result.code == 0, result.err
    assert _post(api).json == {'failback': {}}
    shown = result.json()
    assert shown['policy'] == 'web-failback'
    assert shown['replication_target'] == 'RegionOne'
    assert shown['members'] == 'volume b-vol (was a-vol), snapshot_data'
    assert shown['schedules'] == '1 copied, 0 enabled'
    assert shown['checkpoint_status'] == 'queued'
    assert shown['notes'] == 'a note'


def test_prepare_sends_name_description_and_schedules(
        api, openstack, failover):
    result = openstack('dr', 'failback', 'prepare', failover['id'],
                       '--name', 'home', '--description', 'back',
                       '--enable-schedules', '-f', 'json')

    assert result.code == 0, result.err
    assert _post(api).json == {'failback': {
        'name': 'home', 'description': 'back', 'enable_schedules': True}}
    assert result.json()['schedules'] == '1 copied, 1 enabled'


def test_wait_follows_the_checkpoint_and_shows_what_it_uploaded(
        api, openstack, failover, clock):
    api.protect_steps = [
        {'status': 'protecting'},
        {'status': 'available', 'stats': {'uploaded_bytes': 3 * MiB,
                                          'reused_chunks': 250}}]

    result = openstack('dr', 'failback', 'prepare', failover['id'],
                       '--wait', '-f', 'json')

    assert result.code == 0, result.err
    shown = result.json()
    assert shown['checkpoint_status'] == 'available'
    assert (shown['uploaded_bytes'], shown['reused_chunks']) == (3 * MiB,
                                                                 250)
    assert 'Protecting reverse policy web-failback' in result.err


@pytest.mark.parametrize('fields, words', [
    ({'mode': 'drill'}, 'not a failover'),
    ({'status': 'error'}, 'possible only when it is succeeded'),
])
def test_a_refusal_is_one_line(api, openstack, failover, fields, words):
    failover.update(fields)

    result = openstack('dr', 'failback', 'prepare', failover['id'])

    assert result.code == 1
    assert words in result.err
    assert 'Traceback' not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err


@pytest.fixture
def reverse(api):
    return api.add_policy('web-failback', failback={'recovery_id': 'r-1'},
                          members=[{'resource_type': 'volume',
                                    'resource_id': 'b-vol',
                                    'resource_name': 'data',
                                    'action': 'snapshot_data'}])


def _run_post(api):
    [call] = [c for c in api.requests('POST')
              if c.path.endswith('/failback')]
    return call


def test_run_finds_the_policy_by_name_and_shows_the_recovery(
        api, openstack, reverse):
    result = openstack('dr', 'failback', 'run', 'web-failback',
                       '-f', 'json')

    assert result.code == 0, result.err
    assert _run_post(api).path == '/v1/policies/%s/failback' % reverse['id']
    assert _run_post(api).json == {'failback': {}}
    shown = result.json()
    assert (shown['mode'], shown['target_region']) == ('failback',
                                                       'RegionOne')
    # Answered before anything was quiesced: no checkpoint yet, and where
    # to follow the run.
    assert shown['checkpoint_id'] is None
    assert ("they pause its servers here, then take the final checkpoint. "
            "Follow it with 'openstack dr recovery event list %s'"
            % shown['id']) in result.err


def test_run_sends_quiesce_and_delete_stale(api, openstack, reverse):
    result = openstack('dr', 'failback', 'run', reverse['id'], '--quiesce',
                       'stop', '--delete-stale-servers', '-f', 'json')

    assert result.code == 0, result.err
    assert _run_post(api).json == {'failback': {'quiesce': 'stop',
                                                'delete_stale': True}}


def test_run_refuses_an_unknown_quiesce(api, openstack, reverse):
    result = openstack('dr', 'failback', 'run', reverse['id'], '--quiesce',
                       'shelve')

    assert result.code == 2
    assert api.requests('POST') == []


def test_run_wait_follows_until_awaiting_commit(api, openstack, reverse,
                                                clock):
    api.recover_steps = [{'status': 'recovering'},
                         {'status': 'awaiting_commit', 'stack_id': 's-a'}]

    result = openstack('dr', 'failback', 'run', reverse['id'], '--wait',
                       '-f', 'json')

    assert result.code == 0, result.err
    assert result.json()['status'] == 'awaiting_commit'
    assert 'Failing back policy web-failback to RegionOne' in result.err


def test_run_wait_fails_when_the_failback_fails(api, openstack, reverse,
                                                clock):
    api.recover_steps = [{'status': 'error', 'error': 'replication: late'}]

    result = openstack('dr', 'failback', 'run', reverse['id'], '--wait')

    assert result.code == 1
    assert 'replication: late' in result.err


def test_run_of_a_plain_policy_is_one_readable_line(api, openstack):
    plain = api.add_policy('plain')

    result = openstack('dr', 'failback', 'run', plain['id'])

    assert result.code == 1
    assert 'not a reverse policy' in result.err
    assert 'Traceback' not in result.err
