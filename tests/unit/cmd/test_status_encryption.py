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

"""dragon-status's encryption check, on a migrated database of policies.

It reports the readiness stored by protections and policy shows.
"""

from oslo_upgradecheck import upgradecheck
import pytest

from dragon.checkpoint import readiness
from dragon.cmd import status
from dragon import context as dragon_context
from dragon.db import api as db_api

KEY = '0b6f6c1e-6a57-4f0e-9d0a-6f1b3c2d4e51'
KEY_TWO = '7c2e9d4a-1f3b-4a8e-b5c6-2d9e0f1a3b72'


@pytest.fixture
def check(conf, db):
    return status.Checks(conf)._check_encryption


def _policy(name, encryption):
    return db_api.workload_policy_create(
        dragon_context.get_admin_context(), {
            'project_id': 'p1', 'user_id': 'u1', 'name': name,
            'options': {}, 'encryption': encryption, 'members': []}).id


def test_no_encrypted_policy_is_a_success(check):
    _policy('plain', None)
    result = check()
    assert result.code == upgradecheck.Code.SUCCESS
    assert 'No workload policy asks for encryption' in result.details


def test_policies_without_a_recovery_key_are_warned_by_id(check):
    lone = _policy('lone', {'key_ref': KEY, 'recovery_key_refs': {}})
    paired = _policy('paired', {'key_ref': KEY, 'recovery_key_refs': {
        'RegionTwo': KEY_TWO}})
    result = check()
    assert result.code == upgradecheck.Code.WARNING
    assert '1 encrypted policy(ies) not DR-ready' in result.details
    not_ready, _sep, unverified = result.details.partition('NOT checked')
    assert lone in not_ready and paired not in not_ready
    # Never measured: said to be unverified, not ready or not.
    assert paired in unverified
    assert 'RegionOne' in result.details


def test_named_recovery_keys_are_not_claimed_readable(check):
    _policy('paired', {'key_ref': KEY, 'recovery_key_refs': {
        'RegionTwo': KEY_TWO}})
    result = check()
    # Nothing proves it is not ready, and nothing proves it is.
    assert result.code == upgradecheck.Code.SUCCESS
    assert 'NOT checked' in result.details
    assert 'ready' not in result.details.replace('dr_ready', '')


def test_long_lists_are_cut(check, monkeypatch):
    monkeypatch.setattr(status, 'LISTED', 2)
    for n in range(3):
        _policy('lone%d' % n, {'key_ref': KEY, 'recovery_key_refs': {}})
    assert 'and 1 more' in check().details


def test_an_unmigrated_database_is_not_checked(conf, db_engine):
    result = status.Checks(conf)._check_encryption()
    assert result.code == upgradecheck.Code.WARNING
    assert 'Not checked' in result.details


def _measured(policy_id, two_readable, key_two=KEY_TWO):
    regions = {
        'RegionOne': {'role': 'source', 'key_ref': KEY, 'readable': True,
                      'unwraps': True, 'reason': None},
        'RegionTwo': {'role': 'recovery', 'key_ref': key_two,
                      'readable': two_readable, 'unwraps': None,
                      'reason': None if two_readable else
                      'Key %s was not found in the key manager of region '
                      'RegionTwo.' % key_two}}
    db_api.workload_policy_set_readiness(
        dragon_context.get_admin_context(), policy_id,
        readiness.stored(regions, two_readable, readiness.BY_PROTECTION))


def test_a_policy_measured_not_ready_is_warned_with_the_reason(check):
    paired = {'key_ref': KEY, 'recovery_key_refs': {'RegionTwo': KEY_TWO}}
    bad = _policy('bad', paired)
    good = _policy('good', paired)
    _measured(bad, False)
    _measured(good, True)
    result = check()
    assert result.code == upgradecheck.Code.WARNING
    assert '1 encrypted policy(ies) not DR-ready when last checked' in \
        result.details
    assert bad in result.details and good not in result.details
    assert 'RegionTwo: Key %s was not found' % KEY_TWO in result.details
    assert 'by a protection' in result.details
    assert 'cannot read a project\'s keys itself' in result.details
    assert 'NOT checked' not in result.details


def test_a_policy_measured_ready_is_a_success(check):
    _measured(_policy('good', {'key_ref': KEY, 'recovery_key_refs': {
        'RegionTwo': KEY_TWO}}), True)
    result = check()
    assert result.code == upgradecheck.Code.SUCCESS
    assert 'NOT checked' not in result.details


def test_a_measure_of_keys_since_replaced_is_not_trusted(check):
    # Measured not ready with another recovery key; the policy names a
    # new one since, never measured: neither ready nor not ready.
    policy = _policy('moved', {'key_ref': KEY, 'recovery_key_refs': {
        'RegionTwo': KEY_TWO}})
    _measured(policy, False, key_two=KEY)
    result = check()
    assert result.code == upgradecheck.Code.SUCCESS
    assert 'NOT checked since their keys were set' in result.details
    assert policy in result.details
