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

"""DR readiness unwraps: a readable key is not enough, it must be the one.

A customer who stored a different secret in the backup region's Barbican
would see ``readable`` there and learn otherwise only during the
disaster; each readable key therefore unwraps the newest checkpoint's data
key, as a recovery in that region would.
"""
import os

import pytest

from dragon.checkpoint import store
from dragon.services import encryption
from tests.unit.checkpoint import test_envelope as sealed
from tests.unit.checkpoint.test_envelope import account  # noqa: F401

ENCRYPTION = {'key_ref': sealed.REF,
              'recovery_key_refs': {'RegionTwo': sealed.REF_TWO}}


@pytest.fixture
def newest(account):  # noqa: F811 - the fixture imported above
    domain, _made = sealed._domain(account)
    container, _stream = sealed._checkpoint(account, domain)
    return container, store.read_manifest(account.connect(), container)


@pytest.fixture
def key_managers(monkeypatch):
    """(region, key_ref) -> the secret's bytes that region's Barbican has."""
    held = {('RegionOne', sealed.REF): sealed.KEY,
            ('RegionTwo', sealed.REF_TWO): os.urandom(32)}
    monkeypatch.setattr(encryption, '_read',
                        lambda context, region, ref, conf: held[region, ref])
    return held


def test_a_readable_recovery_key_that_is_another_secret_is_not_ready(
        conf, newest, key_managers):
    conf.set_override('region_name', 'RegionOne', group='engine')
    result, dr_ready = encryption.readiness(None, ENCRYPTION, conf, newest)
    assert dr_ready is False
    assert result['RegionOne'] == {
        'role': 'source', 'key_ref': sealed.REF, 'readable': True,
        'unwraps': True, 'reason': None}
    two = result['RegionTwo']
    assert (two['readable'], two['unwraps']) == (True, False)
    assert ('key %s of RegionTwo does not unwrap the data key of the '
            'newest checkpoint %s' % (sealed.REF_TWO, newest[0])
            ) in two['reason']

    # The customer stores the same secret in the backup region: ready.
    key_managers['RegionTwo', sealed.REF_TWO] = sealed.KEY
    result, dr_ready = encryption.readiness(None, ENCRYPTION, conf, newest)
    assert dr_ready is True
    assert result['RegionTwo']['unwraps'] is True


def test_before_any_checkpoint_readable_keys_are_ready(conf, key_managers):
    conf.set_override('region_name', 'RegionOne', group='engine')
    result, dr_ready = encryption.readiness(None, ENCRYPTION, conf, None)
    assert dr_ready is True
    assert {r: s['unwraps'] for r, s in result.items()} == {
        'RegionOne': None, 'RegionTwo': None}


def test_the_key_the_checkpoint_names_is_the_one_tried(conf, newest,
                                                      key_managers):
    # The policy now names a good secret in RegionTwo, but the newest
    # checkpoint was taken naming the other one: a recovery there reads
    # that one, so that checkpoint is still not recoverable there.
    conf.set_override('region_name', 'RegionOne', group='engine')
    fixed = dict(ENCRYPTION, recovery_key_refs={'RegionTwo': 'good-ref'})
    key_managers['RegionTwo', 'good-ref'] = sealed.KEY
    result, dr_ready = encryption.readiness(None, fixed, conf, newest)
    assert dr_ready is False
    two = result['RegionTwo']
    assert (two['key_ref'], two['readable'], two['unwraps']) == (
        'good-ref', True, False)
    assert sealed.REF_TWO in two['reason']


def test_a_region_the_checkpoint_names_no_key_for_is_not_ready(
        conf, newest, key_managers):
    conf.set_override('region_name', 'RegionOne', group='engine')
    three = dict(ENCRYPTION, recovery_key_refs={'RegionThree': 'ref-3'})
    key_managers['RegionThree', 'ref-3'] = sealed.KEY
    result, dr_ready = encryption.readiness(None, three, conf, newest)
    assert dr_ready is False
    assert 'names no key reference for region RegionThree' in \
        result['RegionThree']['reason']
