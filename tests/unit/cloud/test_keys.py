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

"""Reading the customer key: castellan's answers mapped to Dragon's errors.

Faked at the client boundary (barbicanclient's ``Client``): castellan's
own typing of secrets and mapping of Barbican's errors run for real.
"""
import datetime
import types

from barbicanclient import exceptions as barbican_exc
from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
import pytest

from dragon.cloud import keys
from dragon import conf as dragon_conf
from dragon import exception

UUID = '3f1c0e4a-8d2b-4c6e-9a1f-5b7d3e9c2a10'
REF = 'http://kms.example/v1/secrets/' + UUID
KEY = bytes(range(32))


def _secret(payload=KEY, secret_type='symmetric', algorithm='AES',
            bit_length=256):
    return types.SimpleNamespace(
        secret_type=secret_type, payload=payload, algorithm=algorithm,
        bit_length=bit_length, name='k', secret_ref=REF, consumers=[],
        created=datetime.datetime(2026, 1, 1))


class FakeBarbican:
    """barbicanclient's Client: records how it was made, answers ``get``."""

    def __init__(self, answer):
        self.answer = answer
        self.made = []
        self.asked = []

    def __call__(self, **kwargs):
        self.made.append(kwargs)
        if isinstance(self.answer, ks_exc.ClientException):
            raise self.answer   # version discovery already fails
        return types.SimpleNamespace(secrets=types.SimpleNamespace(
            get=self._get, register_consumer=self._consumer('register'),
            remove_consumer=self._consumer('remove')))

    def _consumer(self, verb):
        def call(secret_id, **consumer):
            self.asked.append((verb, secret_id, consumer))
            if isinstance(self.answer, Exception):
                raise self.answer
        return call

    def _get(self, secret_id):
        self.asked.append(secret_id)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    dragon_conf.register_opts(conf)
    conf([])
    return conf


class FakeSession:
    """A keystoneauth session's catalog lookup: one key manager, or none."""

    def __init__(self, endpoint='http://kms-two:9311'):
        self.endpoint = endpoint
        self.looked_up = []

    def get_endpoint(self, **kwargs):
        self.looked_up.append(kwargs)
        return self.endpoint


def _read(monkeypatch, conf, answer, key_ref=REF, session=None):
    fake = FakeBarbican(answer)
    monkeypatch.setattr(keys.barbican_client, 'Client', fake)
    session = session or FakeSession()
    try:
        return keys.read_customer_key(session, 'RegionTwo', key_ref, conf)
    finally:
        for made in fake.made:
            assert made['session'] is session
            assert made['region_name'] == 'RegionTwo'
        _read.fake = fake


def test_reads_an_aes_256_key_with_the_given_session(monkeypatch, conf):
    assert _read(monkeypatch, conf, _secret()) == KEY
    assert _read.fake.asked == [UUID]   # the id, from the href
    made = _read.fake.made[0]
    assert made['service_type'] == 'key-manager'
    # Resolved from the catalog of that region, for barbicanclient to
    # append its version to.
    assert made['endpoint'] == 'http://kms-two:9311'


def test_no_key_manager_in_the_region_is_503(monkeypatch, conf):
    session = FakeSession(endpoint=None)
    with pytest.raises(exception.KeyManagerUnavailable, match='catalog'):
        _read(monkeypatch, conf, _secret(), session=session)
    assert session.looked_up == [{'service_type': 'key-manager',
                                  'interface': ['internal', 'public'],
                                  'region_name': 'RegionTwo'}]


def test_bare_ids_and_the_endpoint_override(monkeypatch, conf):
    conf.set_override('endpoint_override', 'http://kms:9311',
                      group='barbican')
    session = FakeSession()
    assert _read(monkeypatch, conf, _secret(), key_ref=UUID,
                 session=session) == KEY
    assert _read.fake.made[0]['endpoint'] == 'http://kms:9311'
    assert session.looked_up == []


@pytest.mark.parametrize('answer,error,code', [
    (barbican_exc.HTTPClientError('not found', status_code=404),
     exception.KeyNotFound, 400),
    (barbican_exc.HTTPClientError('forbidden', status_code=403),
     exception.KeyForbidden, 403),
    (barbican_exc.HTTPServerError('boom', status_code=500),
     exception.KeyManagerUnavailable, 503),
    (ks_exc.ConnectFailure('refused'), exception.KeyManagerUnavailable, 503),
    (ks_exc.EndpointNotFound('none'), exception.KeyManagerUnavailable, 503),
])
def test_failures_name_the_key_and_region(monkeypatch, conf, answer, error,
                                          code):
    with pytest.raises(error) as raised:
        _read(monkeypatch, conf, answer)
    assert raised.value.code == code
    assert REF in raised.value.message
    assert 'RegionTwo' in raised.value.message


@pytest.mark.parametrize('secret,why', [
    (_secret(algorithm='DES', bit_length=192, payload=bytes(24)), 'DES'),
    (_secret(bit_length=128, payload=bytes(16)), '128'),
    (_secret(secret_type='opaque', algorithm=None, bit_length=None),
     'OpaqueData'),
    (_secret(secret_type='passphrase'), 'Passphrase'),
])
def test_anything_but_aes_256_is_refused(monkeypatch, conf, secret, why):
    with pytest.raises(exception.KeyInvalid, match=why) as raised:
        _read(monkeypatch, conf, secret)
    assert raised.value.code == 400
    # The message never carries the key material.
    assert KEY.hex() not in raised.value.message


def test_secret_ids():
    assert keys.secret_id(REF) == UUID
    assert keys.secret_id(REF + '/') == UUID
    assert keys.secret_id(UUID) == UUID


@pytest.mark.parametrize('ref', ['3f1c', 'http://kms/v1/secrets/', '?', '%'])
def test_malformed_references_are_400_before_any_call(monkeypatch, conf,
                                                      ref):
    with pytest.raises(exception.KeyRefInvalid) as raised:
        _read(monkeypatch, conf, _secret(), key_ref=ref)
    assert raised.value.code == 400 and ref in raised.value.message
    assert _read.fake.made == []


POLICY = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a'
CONSUMER = {'service': 'dragon', 'resource_type': 'workload-policy',
            'resource_id': POLICY}


def _consumer(monkeypatch, conf, verb, answer=None):
    fake = FakeBarbican(answer)
    monkeypatch.setattr(keys.barbican_client, 'Client', fake)
    call = keys.register_consumer if verb == 'register' else \
        keys.remove_consumer
    try:
        call(FakeSession(), 'RegionTwo', REF, POLICY, conf)
    finally:
        _consumer.fake = fake


@pytest.mark.parametrize('verb', ['register', 'remove'])
def test_consumers_name_dragon_and_the_policy(monkeypatch, conf, verb):
    _consumer(monkeypatch, conf, verb)
    assert _consumer.fake.asked == [(verb, UUID, CONSUMER)]
    assert _consumer.fake.made[0]['region_name'] == 'RegionTwo'


@pytest.mark.parametrize('answer,error', [
    (barbican_exc.HTTPClientError('not found', status_code=404),
     exception.KeyNotFound),
    (barbican_exc.HTTPClientError('forbidden', status_code=403),
     exception.KeyForbidden),
    (barbican_exc.HTTPServerError('boom', status_code=500),
     exception.KeyManagerUnavailable),
    (NotImplementedError('Server does not support secret consumers.'),
     exception.KeyManagerUnavailable),
])
def test_registering_fails_with_the_key_and_region(monkeypatch, conf, answer,
                                                   error):
    with pytest.raises(error) as raised:
        _consumer(monkeypatch, conf, 'register', answer)
    assert REF in raised.value.message
    assert 'RegionTwo' in raised.value.message


def test_removing_from_a_secret_already_gone_is_done(monkeypatch, conf):
    _consumer(monkeypatch, conf, 'remove',
              barbican_exc.HTTPClientError('not found', status_code=404))
    assert _consumer.fake.asked == [('remove', UUID, CONSUMER)]


def test_removing_still_fails_when_barbican_does(monkeypatch, conf):
    with pytest.raises(exception.KeyManagerUnavailable):
        _consumer(monkeypatch, conf, 'remove',
                  barbican_exc.HTTPServerError('boom', status_code=500))
