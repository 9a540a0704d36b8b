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

"""Recovering an encrypted checkpoint: the target region's key, or a clear error."""

import collections
import os
import types

import pytest

from dragon.checkpoint import envelope
from dragon import exception
from dragon.protection import recorder as rec
from dragon.recovery import relaunch
from tests.unit.checkpoint.fake_swift import FakeAccount
from tests.unit.recovery.test_relaunch import _checkpoint
from tests.unit.recovery.test_relaunch import Fakes
from tests.unit.recovery.test_relaunch import MemoryRows
from tests.unit.recovery.test_relaunch import PROJECT

KEY = os.urandom(32)
REF_ONE = 'http://kms-one/v1/secrets/0b9f0a4e-3c6f-4a8e-9d51-5f0c2a6b7e10'
REF_TWO = 'http://kms-two/v1/secrets/1c8e1b5f-4d7a-4b9f-8e62-6a1d3b7c8f21'


def _encrypted_checkpoint(account):
    domain, _made = envelope.project_domain(account.connect(), PROJECT, KEY,
                                            REF_ONE)
    container = _checkpoint(account, domain=domain, key_refs={
        'RegionOne': REF_ONE, 'RegionTwo': REF_TWO})
    return container, domain


@pytest.fixture
def env(conf, monkeypatch):
    account = FakeAccount()
    container, domain = _encrypted_checkpoint(account)
    fakes = Fakes(monkeypatch)
    keys = {'RegionTwo': {REF_TWO: KEY}}
    reads, stores, templates = [], [], []

    def read(session, region, key_ref, conf=None):
        reads.append((session, region, key_ref))
        if key_ref not in keys.get(region, {}):
            raise exception.KeyNotFound(key_ref=key_ref, region=region)
        return keys[region][key_ref]

    real_store = relaunch.chunks_mod.project_store
    real_template = relaunch.store.read_template

    def project_store(*args, **kwargs):
        stores.append(kwargs.get('domain'))
        return real_store(*args, **kwargs)

    def read_template(swift, container, domain=None):
        templates.append(domain)
        return real_template(swift, container, domain)

    monkeypatch.setattr(relaunch.keyring.keys, 'read_customer_key', read)
    monkeypatch.setattr(relaunch.chunks_mod, 'project_store', project_store)
    monkeypatch.setattr(relaunch.store, 'read_template', read_template)
    rows = MemoryRows()
    clients = types.SimpleNamespace(
        swift=account.connect, project_id=PROJECT, region_name='RegionTwo',
        base_session='trust-two', calls=collections.Counter())

    def recover(region='RegionTwo'):
        clients.region_name = region
        recovery = types.SimpleNamespace(
            id='rec-1', mode='failover', recovery_point=container,
            target_region=region, resources=[], mappings={}, timeout=600,
            policy_id='pol-1')
        ok = relaunch.Recovery(conf, recovery, clients,
                               rec.RunRecorder(None, 'rec-1', rows.rows)).run()
        return ok, rows.row

    return types.SimpleNamespace(recover=recover, fakes=fakes, rows=rows,
                                 keys=keys, reads=reads, stores=stores,
                                 templates=templates, domain=domain)


def test_the_backup_regions_key_opens_everything(env):
    ok, row = env.recover()
    assert ok, row['error']
    assert env.reads == [('trust-two', 'RegionTwo', REF_TWO)]
    assert [d.key_id for d in env.stores + env.templates] == [
        env.domain.key_id] * 2
    assert any(REF_TWO in message for _l, _r, message in env.rows.events)


@pytest.mark.parametrize('region,named', [('RegionTwo', REF_TWO),
                                          ('RegionThree', 'RegionThree')])
def test_a_key_that_cannot_be_read_fails_before_anything_is_made(
        env, region, named):
    env.keys.clear()
    ok, row = env.recover(region)
    assert not ok and row['status'] == 'error'
    assert named in row['error']
    assert env.fakes.calls == [] and env.stores == []


def test_another_secret_behind_the_reference_is_refused_naming_it(env):
    env.keys['RegionTwo'][REF_TWO] = os.urandom(32)
    ok, row = env.recover()
    assert not ok and REF_TWO in row['error']
    assert 'does not unwrap' in row['error']
    assert env.fakes.calls == []
