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

"""A data key rotation: which stored data key a protection takes after it."""

import datetime
import os

import pytest

from dragon.checkpoint import datakeys
from dragon.checkpoint import envelope
from dragon.checkpoint import keyring
from dragon.checkpoint import naming
from dragon.checkpoint import store
from tests.unit.checkpoint.fake_swift import FakeAccount
from tests.unit.checkpoint import test_envelope as sealed

KEY = os.urandom(32)
REF = 'http://kms-one/v1/secrets/0b9f0a4e-3c6f-4a8e-9d51-5f0c2a6b7e10'
NEW_REF = 'http://kms-one/v1/secrets/5d3c2b1a-0f9e-4d8c-b7a6-9584736251a0'
T0 = datetime.datetime(2026, 1, 1, 12, 0)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def account():
    return FakeAccount()


def _meta(account):
    return account.containers[naming.chunk_container('proj')]['meta']


def _domain(account, key=KEY, ref=REF, policy=None, **kwargs):
    return envelope.project_domain(account.connect(), 'proj', key, ref,
                                   policy_id=policy, **kwargs)


def _opens(domain, key=KEY, ref=REF):
    """Whether a checkpoint's envelope of ``domain`` opens with ``key``."""
    found = {'project_id': 'proj', 'policy_id': domain.policy_id or 'pol',
             'encryption': domain.describe({'RegionOne': ref})}
    return envelope.checkpoint_domain(key, found, ref).key_id == \
        domain.key_id


def test_the_newest_usable_key_comes_first_then_by_id():
    keys = {'b': datakeys.StoredKey('r', b'', T0),
            'a': datakeys.StoredKey('r', b'', T0),
            'c': datakeys.StoredKey('r', b'', T0 + HOUR),
            'old': datakeys.StoredKey('r', b'', None)}
    assert datakeys.usable(keys) == ['c', 'a', 'b', 'old']
    # After a rotation: neither a key made before nor one without a time.
    assert datakeys.usable(keys, T0 + HOUR) == ['c']
    assert datakeys.usable(keys, T0 + 2 * HOUR) == []
    assert datakeys.usable({'x': datakeys.StoredKey('r', b'')}, T0) == []


def test_times_round_trip_and_a_malformed_one_is_absent():
    aware = datetime.datetime(2026, 3, 4, 5, 6, 7, 8, tzinfo=datetime.UTC)
    text = datakeys.format_time(aware)
    assert text == '2026-03-04T05:06:07.000008Z'
    assert datakeys.parse_time(text) == aware.replace(tzinfo=None)
    for bad in (None, '', 'yesterday', '2026-03-04'):
        assert datakeys.parse_time(bad) is None


@pytest.mark.parametrize('policy', [None, 'pol'])
def test_a_rotation_makes_a_new_data_key_and_the_old_checkpoints_open(
        account, policy):
    first, how = _domain(account, policy=policy, now=T0)
    assert how == envelope.MADE and first.made == T0
    assert _domain(account, policy=policy)[0].key_id == first.key_id

    second, how = _domain(account, policy=policy, not_before=T0 + HOUR,
                          now=T0 + 2 * HOUR)
    assert how == envelope.ROTATED and second.key_id != first.key_id
    assert second.chunk_name(b'same bytes') != first.chunk_name(b'same bytes')
    # Later protections reuse it, rotated or not (the newest).
    for not_before in (T0 + HOUR, None):
        again, how = _domain(account, policy=policy, not_before=not_before)
        assert (how, again.key_id) == (envelope.FOUND, second.key_id)
    # The replaced key leaves the container (its metadata is bounded);
    # the checkpoints made with it keep it in their envelopes.
    if policy is None:
        assert set(datakeys.stored_keys(_meta(account))) == {second.key_id}
    else:
        assert set(account.containers[naming.chunk_container('proj')][
            'objects']) == {'keys/pol/' + second.key_id}
    assert _opens(first) and _opens(second)


def test_a_key_stored_before_times_existed_is_older_than_any_rotation(
        account):
    legacy, _how = _domain(account)
    meta = _meta(account)
    for name in [n for n in meta if n.endswith('-made')]:
        del meta[name]          # as stored by an older Dragon
    assert _domain(account)[0].key_id == legacy.key_id
    rotated, how = _domain(account, not_before=T0)
    assert how == envelope.ROTATED and rotated.key_id != legacy.key_id


def test_a_key_is_never_made_before_its_rotation(account):
    """The engine's clock behind the API's: the key still counts as new."""
    domain, how = _domain(account, not_before=T0 + HOUR, now=T0)
    assert how == envelope.MADE and domain.made == T0 + HOUR
    assert _domain(account, not_before=T0 + HOUR)[1] == envelope.FOUND


def test_a_key_made_before_the_rotation_is_not_rewrapped_either(account):
    first, _how = _domain(account, now=T0)
    new_key = os.urandom(32)
    secrets = {REF: KEY}
    rotated, how = _domain(account, key=new_key, ref=NEW_REF,
                           read_key=secrets.get, not_before=T0 + HOUR)
    assert how == envelope.ROTATED and rotated.key_id != first.key_id
    # Another customer key's data key stays: not that key's to drop.
    assert set(datakeys.stored_keys(_meta(account))) == {
        first.key_id, rotated.key_id}
    assert _opens(first)


def test_a_rewrapped_key_keeps_when_it_was_made(account):
    first, _how = _domain(account, now=T0)
    new_key = os.urandom(32)
    rewrapped, how = _domain(account, key=new_key, ref=NEW_REF,
                             read_key={REF: KEY}.get, not_before=T0)
    assert how == envelope.REWRAPPED and rewrapped.key_id == first.key_id
    assert rewrapped.made == T0
    assert _domain(account, key=new_key, ref=NEW_REF,
                   not_before=T0)[0].made == T0


def test_policies_sharing_the_projects_key_settle_on_the_newest(account):
    _domain(account, now=T0)
    rotated, _how = _domain(account, not_before=T0 + HOUR, now=T0 + HOUR)
    # A policy never rotated, same customer key: the newest, not the first.
    assert _domain(account)[0].key_id == rotated.key_id


@pytest.fixture
def held(monkeypatch):
    """Reference → the customer key the key manager holds."""
    keys = {REF: KEY}
    monkeypatch.setattr(keyring.keys, 'read_customer_key',
                        lambda session, region, ref, conf=None: keys[ref])
    return keys


@pytest.fixture
def protect(account, held):
    """A protection's key domain for an encryption; its events in .events."""
    def protect(encryption):
        return keyring.protect_domain(
            None, 's', account.connect(), 'RegionOne', 'proj', encryption,
            'pol', lambda level, message: protect.events.append(message))
    protect.events = []
    return protect


def test_the_run_says_a_rotation_made_a_new_data_key(protect):
    events = protect.events
    first = protect({'key_ref': REF})
    assert events == []
    rotation = datakeys.format_time(datetime.datetime.now(datetime.UTC))
    encryption = {'key_ref': REF, 'data_key_not_before': rotation}
    second = protect(encryption)
    assert second.key_id != first.key_id
    [message] = events
    assert 'new data key %s made' % second.key_id in message
    assert 'rotated at %s' % rotation in message
    assert protect(encryption).key_id == second.key_id and len(events) == 1


def test_a_customer_key_rotation_rewraps_checkpoints_of_older_data_keys(
        account, held, protect):
    """Data key rotated, then customer key: the old key can still go."""
    new_key = held[NEW_REF] = os.urandom(32)
    events = protect.events
    first = protect({'key_ref': REF})
    old, _stream = sealed._checkpoint(account, first, cid='cp-old')
    rotation = datakeys.format_time(datetime.datetime.now(datetime.UTC))
    second = protect({'key_ref': REF, 'data_key_not_before': rotation})
    assert second.key_id != first.key_id
    rewrapped = protect({'key_ref': NEW_REF,
                         'data_key_not_before': rotation})
    assert rewrapped.key_id == second.key_id
    assert 're-wrapped by the new key %s' % NEW_REF in events[-1]
    assert '1 earlier checkpoints' in events[-1]
    found = store.read_manifest(account.connect(), old)
    assert found['encryption']['key_id'] == first.key_id
    assert found['encryption']['wrap_ref'] == NEW_REF
    del held[REF]               # the old customer key destroyed
    opened = envelope.checkpoint_domain(new_key, found, NEW_REF, old)
    assert set(store.read_manifest(account.connect(), old, opened)[
        'data']) == {'server_secret_db'}
