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

"""The key domain of a run: read with the run's session, refused clearly."""

import datetime
import os

import pytest

from dragon.checkpoint import keyring
from dragon.checkpoint import naming
from dragon import exception
from tests.unit.checkpoint.fake_swift import FakeAccount
from tests.unit.checkpoint.test_gc import _checkpoint

KEY = os.urandom(32)
REF = 'http://kms/v1/secrets/0b9f0a4e-3c6f-4a8e-9d51-5f0c2a6b7e10'
ENCRYPTION = {'key_ref': REF, 'recovery_key_refs': {'RegionTwo': 'r2'}}


@pytest.fixture
def reads(monkeypatch):
    seen = []

    def read(session, region, key_ref, conf=None):
        seen.append((session, region, key_ref))
        if key_ref != REF:
            raise exception.KeyForbidden(key_ref=key_ref, region=region)
        return KEY

    monkeypatch.setattr(keyring.keys, 'read_customer_key', read)
    return seen


def test_a_clear_policy_reads_no_key(reads):
    assert keyring.protect_domain(None, 's', None, 'RegionOne', 'p',
                                  None) is None
    assert reads == []


def test_a_protection_reads_the_key_with_its_session_once(reads):
    account = FakeAccount()
    one = keyring.protect_domain(None, 'trust', account.connect(),
                                 'RegionOne', 'p', ENCRYPTION)
    two = keyring.protect_domain(None, 'trust', account.connect(),
                                 'RegionOne', 'p', ENCRYPTION)
    assert reads == [('trust', 'RegionOne', REF)] * 2
    assert one.key_id == two.key_id and one.wrap_ref == REF
    assert naming.chunk_container('p') in account.containers


def test_an_unreadable_key_stores_nothing(reads):
    account = FakeAccount()
    with pytest.raises(exception.KeyForbidden, match='other'):
        keyring.protect_domain(None, 't', account.connect(), 'RegionOne',
                               'p', {'key_ref': 'other'})
    assert account.containers == {}


def test_key_refs_name_every_region_the_checkpoint_may_recover_in():
    assert keyring.key_refs(ENCRYPTION, 'RegionOne') == {
        'RegionOne': REF, 'RegionTwo': 'r2'}


def test_a_clear_checkpoint_opens_without_a_key(reads):
    account = FakeAccount()
    container, _stream = _checkpoint(account, b'x' * 2048,
                                     datetime.datetime.now(datetime.UTC),
                                     'cp-1')
    manifest, domain = keyring.open_checkpoint(None, pytest.fail, account.connect(),
                                               'RegionTwo', container)
    assert domain is None and manifest['checkpoint_id'] == 'cp-1'
    assert reads == []
