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

"""A policy's ``encryption``: validated, checked, reported, and not faked.

The key managers are faked (``FakeKeys`` in conftest); the rules of
``dragon.services.encryption`` and the API run for real.
"""
import pytest

from dragon import exception
from dragon.services import encryption
from tests.unit.api.v1.test_checkpoints import _protect
from tests.unit.api.v1.test_checkpoints import cp_api  # noqa: F401
from tests.unit.api.v1.test_checkpoints import engine  # noqa: F401
from tests.unit.api.v1.test_checkpoints import swift  # noqa: F401
from tests.unit.api.v1.test_checkpoints import trusts  # noqa: F401

KEY = 'http://kms-one/v1/secrets/0b6f6c1e-6a57-4f0e-9d0a-6f1b3c2d4e51'
KEY_TWO = 'http://kms-two/v1/secrets/7c2e9d4a-1f3b-4a8e-b5c6-2d9e0f1a3b72'
ENCRYPTION = {'key_ref': KEY, 'recovery_key_refs': {'RegionTwo': KEY_TWO}}
# What is stored and shown: the project's data key unless asked otherwise.
STORED = dict(ENCRYPTION, data_key_scope='project')


def _create(api, encryption=ENCRYPTION, **policy):
    return api('POST', '/v1/policies', {'policy': {
        'name': 'enc', 'encryption': encryption, **policy}})


def test_encryption_is_stored_and_readiness_reported(api):
    response = _create(api)
    assert response.status_int == 201, response.text
    policy = response.json['policy']
    assert policy['encryption'] == STORED
    assert policy['dr_ready'] is True
    assert policy['encryption_readiness'] == {
        'RegionOne': {'role': 'source', 'key_ref': KEY, 'readable': True,
                      'unwraps': None, 'reason': None},
        'RegionTwo': {'role': 'recovery', 'key_ref': KEY_TWO,
                      'readable': True, 'unwraps': None, 'reason': None}}
    shown = api('GET', '/v1/policies/' + policy['id']).json['policy']
    assert shown == policy
    listed = api('GET', '/v1/policies').json['policies'][0]
    assert listed['encryption'] == STORED
    assert 'dr_ready' not in listed   # no key manager call per listed policy


def test_readiness_flips_when_the_recovery_key_is_missing(api, fake_cloud):
    policy = _create(api).json['policy']
    fake_cloud.keys.missing.add(('RegionTwo', KEY_TWO))
    shown = api('GET', '/v1/policies/' + policy['id']).json['policy']
    assert shown['dr_ready'] is False
    two = shown['encryption_readiness']['RegionTwo']
    assert two['readable'] is False and KEY_TWO in two['reason']
    assert shown['encryption_readiness']['RegionOne']['readable'] is True


def test_without_recovery_regions_a_policy_is_not_dr_ready(api):
    policy = _create(api, encryption={'key_ref': KEY}).json['policy']
    assert policy['encryption'] == {'key_ref': KEY, 'recovery_key_refs': {},
                                    'data_key_scope': 'project'}
    assert policy['dr_ready'] is False


def test_unencrypted_policies_report_nothing(api):
    policy = _create(api, encryption=None).json['policy']
    assert policy['encryption'] is None
    assert policy['encryption_readiness'] is None
    assert policy['dr_ready'] is None


@pytest.mark.parametrize('kind,code', [('missing', 400), ('foreign', 403)])
def test_an_unreadable_source_key_is_refused(api, fake_cloud, kind, code):
    getattr(fake_cloud.keys, kind).add(('RegionOne', KEY))
    response = _create(api)
    assert response.status_int == code, response.text
    assert KEY in response.json['error']['message']
    assert api('GET', '/v1/policies').json['policies'] == []


@pytest.mark.parametrize('encryption', [
    {},                                           # no key_ref
    {'key_ref': ''},
    {'key_ref': 'has space'},
    {'key_ref': KEY, 'extra': 1},
    {'key_ref': KEY, 'recovery_key_refs': {'RegionTwo': 5}},
    {'key_ref': KEY, 'recovery_key_refs': ['RegionTwo']},
    {'key_ref': KEY, 'recovery_key_refs': {'RegionTwo': 'not-a-uuid'}},
    'k1',
])
def test_malformed_encryption_is_400(api, encryption):
    assert _create(api, encryption=encryption).status_int == 400


def test_update_sets_changes_and_removes_encryption(api, fake_cloud):
    policy = _create(api, encryption=None).json['policy']
    path = '/v1/policies/' + policy['id']
    gone = '5e1d2c3b-4a59-4687-9b0a-1c2d3e4f5a6b'
    fake_cloud.keys.missing.add(('RegionOne', gone))
    response = api('PATCH', path, {'policy': {'encryption': {
        'key_ref': gone}}})
    assert response.status_int == 400
    assert api('GET', path).json['policy']['encryption'] is None
    response = api('PATCH', path, {'policy': {'encryption': ENCRYPTION}})
    assert response.status_int == 200, response.text
    assert response.json['policy']['encryption'] == STORED
    response = api('PATCH', path, {'policy': {'encryption': None}})
    assert response.json['policy']['encryption'] is None


def test_protect_of_an_encrypted_policy_is_cast(cp_api, engine,  # noqa: F811,E501
                                               trusts):
    policy = cp_api('POST', '/v1/policies', {'policy': {
        'name': 'enc', 'encryption': ENCRYPTION, 'members': [{
            'resource_type': 'server', 'resource_id': 'srv-1',
            'action': 'template_only'}]}}).json['policy']
    assert _protect(cp_api, policy).status_int == 202
    assert len(engine.casts) == 1 and len(trusts['created']) == 1


def _consumers(fake_cloud, policy_id):
    return {(region, ref) for region, ref, pid in fake_cloud.keys.consumers
            if pid == policy_id}


def test_the_policy_is_registered_as_a_consumer_of_its_keys(api, fake_cloud):
    policy = _create(api).json['policy']
    assert _consumers(fake_cloud, policy['id']) == {
        ('RegionOne', KEY), ('RegionTwo', KEY_TWO)}
    path = '/v1/policies/' + policy['id']
    other = '5e1d2c3b-4a59-4687-9b0a-1c2d3e4f5a6b'
    response = api('PATCH', path, {'policy': {'encryption': {
        'key_ref': KEY, 'recovery_key_refs': {'RegionTwo': other}}}})
    assert response.status_int == 200, response.text
    # The replaced recovery key is no longer consumed; the kept one is.
    assert _consumers(fake_cloud, policy['id']) == {
        ('RegionOne', KEY), ('RegionTwo', other)}
    api('PATCH', path, {'policy': {'encryption': None}})
    assert _consumers(fake_cloud, policy['id']) == set()


def test_deleting_the_policy_removes_its_registrations(api, fake_cloud):
    policy = _create(api).json['policy']
    response = api('DELETE', '/v1/policies/' + policy['id'])
    assert response.status_int in (200, 204), response.text
    assert _consumers(fake_cloud, policy['id']) == set()


def test_a_source_key_not_registered_refuses_the_policy(api, fake_cloud,
                                                        monkeypatch):
    def fail(context, region, key_ref, policy_id, conf):
        raise exception.KeyManagerUnavailable(reason='HTTP 500',
                                              key_ref=key_ref, region=region)

    monkeypatch.setattr(encryption, '_register', fail)
    response = _create(api)
    assert response.status_int == 503, response.text
    assert 'RegionOne' in response.json['error']['message']
    assert api('GET', '/v1/policies').json['policies'] == []


def test_a_recovery_key_not_registered_is_logged_not_refused(api, fake_cloud,
                                                             caplog):
    fake_cloud.keys.missing.add(('RegionTwo', KEY_TWO))
    response = _create(api)
    assert response.status_int == 201, response.text
    policy = response.json['policy']
    assert policy['dr_ready'] is False
    assert _consumers(fake_cloud, policy['id']) == {('RegionOne', KEY)}
    assert any('consumer' in r.getMessage() and 'RegionTwo' in r.getMessage()
               for r in caplog.records)


def test_a_registration_left_behind_does_not_block_delete(api, fake_cloud,
                                                          caplog):
    policy = _create(api).json['policy']
    fake_cloud.keys.down.add('RegionTwo')
    response = api('DELETE', '/v1/policies/' + policy['id'])
    assert response.status_int in (200, 204), response.text
    assert _consumers(fake_cloud, policy['id']) == {('RegionTwo', KEY_TWO)}
    assert any('still registered' in r.getMessage() and
               KEY_TWO in r.getMessage() for r in caplog.records)


def test_a_policy_may_ask_for_a_data_key_of_its_own(api):
    policy = _create(api, encryption=dict(
        ENCRYPTION, data_key_scope='policy')).json['policy']
    assert policy['encryption'] == dict(ENCRYPTION, data_key_scope='policy')
    path = '/v1/policies/' + policy['id']
    # A rotation without a scope keeps the policy's.
    other = '5e1d2c3b-4a59-4687-9b0a-1c2d3e4f5a6b'
    response = api('PATCH', path, {'policy': {'encryption': {
        'key_ref': other}}})
    assert response.status_int == 200, response.text
    assert response.json['policy']['encryption'] == {
        'key_ref': other, 'recovery_key_refs': {},
        'data_key_scope': 'policy'}
    # No checkpoint yet: the scope may change.
    response = api('PATCH', path, {'policy': {'encryption': dict(
        ENCRYPTION, data_key_scope='project')}})
    assert response.status_int == 200, response.text
    assert response.json['policy']['encryption'] == STORED


@pytest.mark.parametrize('scope', ['tenant', '', None, 1, 'Policy'])
def test_an_unknown_data_key_scope_is_400(api, scope):
    response = _create(api, encryption=dict(ENCRYPTION,
                                            data_key_scope=scope))
    assert response.status_int == 400, response.text
    assert 'data_key_scope' in response.json['error']['message']


def test_the_scope_of_a_policy_with_checkpoints_cannot_change(
        cp_api, engine, trusts):  # noqa: F811
    policy = cp_api('POST', '/v1/policies', {'policy': {
        'name': 'enc', 'encryption': ENCRYPTION, 'members': [{
            'resource_type': 'server', 'resource_id': 'srv-1',
            'action': 'template_only'}]}}).json['policy']
    assert _protect(cp_api, policy).status_int == 202
    path = '/v1/policies/' + policy['id']
    response = cp_api('PATCH', path, {'policy': {'encryption': dict(
        ENCRYPTION, data_key_scope='policy')}})
    assert response.status_int == 409, response.text
    message = response.json['error']['message']
    assert '1 checkpoint(s)' in message and 'project' in message
    assert cp_api('GET', path).json['policy']['encryption'] == STORED
    # The same scope, or a rotation, or no encryption at all: allowed.
    for value in (dict(ENCRYPTION, data_key_scope='project'),
                  {'key_ref': KEY}, None):
        response = cp_api('PATCH', path, {'policy': {'encryption': value}})
        assert response.status_int == 200, response.text


def test_what_a_show_measured_is_kept_for_dragon_status(api, fake_cloud):
    from dragon import context as dragon_context
    from dragon.db import api as db_api
    policy = _create(api).json['policy']
    fake_cloud.keys.missing.add(('RegionTwo', KEY_TWO))
    before = db_api.workload_policy_get(
        dragon_context.get_admin_context(), policy['id'])
    api('GET', '/v1/policies/' + policy['id'])
    after = db_api.workload_policy_get(dragon_context.get_admin_context(),
                                       policy['id'])
    assert before.readiness['dr_ready'] is True
    state = after.readiness
    assert state['by'] == 'request' and state['dr_ready'] is False
    assert state['regions']['RegionTwo']['readable'] is False
    # A check is not a change of the policy.
    assert after.updated_at == before.updated_at


def test_a_data_key_rotation_is_recorded_and_kept(api):
    policy = _create(api).json['policy']
    path = '/v1/policies/' + policy['id']
    assert 'data_key_not_before' not in policy['encryption']
    rotate = dict(ENCRYPTION, rotate_data_key=True)
    first = api('PATCH', path, {'policy': {'encryption': rotate}})
    assert first.status_int == 200, first.text
    rotated = first.json['policy']['encryption']
    assert rotated == dict(STORED,
                           data_key_not_before=rotated['data_key_not_before'])
    # Another change of the keys keeps it; another rotation moves it on.
    kept = api('PATCH', path, {'policy': {'encryption': ENCRYPTION}})
    assert kept.json['policy']['encryption'] == rotated
    again = api('PATCH', path, {'policy': {'encryption': rotate}})
    assert again.json['policy']['encryption']['data_key_not_before'] > \
        rotated['data_key_not_before']
    assert api('GET', path).json['policy']['encryption'] == \
        again.json['policy']['encryption']


def test_a_data_key_rotation_without_encryption_is_400(api):
    response = _create(api, encryption=dict(ENCRYPTION, rotate_data_key=True))
    assert response.status_int == 400, response.text
    assert 'no data key to rotate' in response.json['error']['message']
    policy = _create(api, encryption=None).json['policy']
    response = api('PATCH', '/v1/policies/' + policy['id'], {'policy': {
        'encryption': dict(ENCRYPTION, rotate_data_key=True)}})
    assert response.status_int == 400, response.text
    assert 'no data key to rotate' in response.json['error']['message']
    assert api('GET', '/v1/policies/' + policy['id']).json['policy'][
        'encryption'] is None


@pytest.mark.parametrize('value', ['yes', 1, None])
def test_rotate_data_key_is_a_boolean(api, value):
    response = _create(api, encryption=dict(ENCRYPTION,
                                            rotate_data_key=value))
    assert response.status_int == 400, response.text
    assert 'rotate_data_key' in response.json['error']['message']
