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

"""dragon.identity: what the trust delegates, and the engine's trust session."""

import datetime
import json

import pytest
import requests

from dragon import context as dragon_context
from dragon import exception
from dragon import identity

CATALOG = [{'type': 'identity', 'name': 'keystone', 'endpoints': [
    {'region': 'RegionOne', 'publicURL': 'http://keystone/v3'}]}]


def _Response(status_code, body=None):
    """What Keystone answers, as requests hands it to openstacksdk."""
    response = requests.Response()
    response.status_code = status_code
    response._content = json.dumps(body).encode() if body is not None else b''
    if body is not None:
        response.headers['Content-Type'] = 'application/json'
    return response


def _url(kwargs, url):
    return kwargs['endpoint_override'].rstrip('/') + '/' + url.lstrip('/')


def _sent(request):
    """Fake the ``Session.request`` that openstacksdk's proxy calls.

    ``request(self, url, method, json, kwargs)`` sees what the SDK puts on
    the wire (url under the endpoint, body), never the network.
    """
    def fake(self, url, method, json=None, **kwargs):
        if 'endpoint_filter' not in kwargs:
            # keystoneauth's version discovery of the endpoint.
            return _Response(200, {'version': {
                'id': 'v3.14', 'status': 'stable', 'links': [
                    {'rel': 'self', 'href': url.rstrip('/') + '/'}]}})
        return request(self, url, method, json, kwargs)
    return fake


def _ctx():
    return dragon_context.RequestContext(
        user_id='u1', project_id='p1', roles=['member', 'reader', 'member'],
        auth_token='secret-token', service_catalog=CATALOG)


def _trustee(conf, **extra):
    conf.set_override('auth_type', 'password', group='trustee')
    values = {'auth_url': 'http://keystone/v3', 'username': 'dragon',
              'password': 'pw', 'user_domain_name': 'Default',
              'project_name': 'service', 'project_domain_name': 'Default',
              **extra}
    # The password plugin's options are registered on first load.
    try:
        identity._trustee_auth(conf)
    except exception.TrusteeNotConfigured:
        pass
    for key, value in values.items():
        conf.set_override(key, value, group='trustee')


@pytest.fixture
def posted(monkeypatch):
    calls = []

    def post(self, url, method, json, kwargs):
        calls.append((_url(kwargs, url), method, json,
                      self.get_auth_headers()))
        return _Response(201, {'trust': {'id': 'trust-1'}})

    monkeypatch.setattr(identity.ks_session.Session, 'request', _sent(post))
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    return calls


def test_trust_delegates_the_callers_roles_on_their_project(conf, posted):
    conf.set_override('trust_expiry_hours', 2, group='engine')
    assert identity.create_trust(_ctx(), conf) == 'trust-1'
    url, method, body, headers = posted[0]
    assert (url, method) == ('http://keystone/v3/OS-TRUST/trusts', 'POST')
    assert headers == {'X-Auth-Token': 'secret-token'}
    trust = body['trust']
    assert trust['trustor_user_id'] == 'u1'
    assert trust['trustee_user_id'] == 'dragon-id'
    assert trust['project_id'] == 'p1'
    assert trust['impersonation'] is True
    assert trust['roles'] == [{'name': 'member'}, {'name': 'reader'}]
    assert trust['expires_at'].endswith('Z')
    assert 'allow_redelegation' not in trust


def test_a_recovery_trust_may_be_redelegated_once_for_heat(conf, posted):
    identity.create_trust(_ctx(), conf, redelegate=True)
    trust = posted[0][2]['trust']
    assert trust['allow_redelegation'] is True
    assert trust['redelegation_count'] == 1


@pytest.mark.parametrize('status,error,code', [
    (403, exception.TrustRefused, 403),
    (500, exception.TrustFailed, 503)])
def test_refused_trust_is_a_clear_error(conf, monkeypatch, status, error,
                                        code):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    monkeypatch.setattr(
        identity.ks_session.Session, 'request',
        _sent(lambda self, url, method, body, kw: _Response(
            status, {'error': {'message': 'roles not held'}})))
    with pytest.raises(error, match='roles not held') as e:
        identity.create_trust(_ctx(), conf)
    assert e.value.code == code
    assert 'secret-token' not in str(e.value)


def test_a_same_second_duplicate_trust_expires_a_little_later(
        conf, monkeypatch):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    sent = []

    def post(self, url, method, json, kwargs):
        sent.append(json['trust']['expires_at'])
        if len(sent) < 3:
            return _Response(409, {'error': {'message': 'Duplicate entry'}})
        return _Response(201, {'trust': {'id': 'trust-3'}})

    monkeypatch.setattr(identity.ks_session.Session, 'request', _sent(post))
    assert identity.create_trust(_ctx(), conf) == 'trust-3'
    assert len(set(sent)) == 3 and sorted(sent) == sent
    # Each step is random: two requests retrying in lockstep part ways.
    steps = [(datetime.datetime.fromisoformat(b) -
              datetime.datetime.fromisoformat(a)).total_seconds()
             for a, b in zip(sent, sent[1:])]
    assert all(1 <= s <= identity.DUPLICATE_SPREAD for s in steps)


def test_a_trust_keystone_keeps_refusing_as_a_duplicate_is_a_409(
        conf, monkeypatch):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    sent = []

    def post(self, url, method, json, kwargs):
        sent.append(json['trust']['expires_at'])
        return _Response(409, {'error': {'message': 'Duplicate entry'}})

    monkeypatch.setattr(identity.ks_session.Session, 'request', _sent(post))
    with pytest.raises(exception.TrustConflict, match='try again') as e:
        identity.create_trust(_ctx(), conf)
    assert e.value.code == 409
    assert len(sent) == identity.DUPLICATE_RETRIES + 1


def test_a_create_answered_not_found_is_tried_again(conf, monkeypatch):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    monkeypatch.setattr(identity, 'NOT_FOUND_PAUSE', 0)
    sent = []

    def post(self, url, method, json, kwargs):
        sent.append(json)
        if len(sent) < 2:
            return _Response(404, {'error': {
                'message': 'Could not find trust: 3d9b.'}})
        return _Response(201, {'trust': {'id': 'trust-2'}})

    monkeypatch.setattr(identity.ks_session.Session, 'request', _sent(post))
    assert identity.create_trust(_ctx(), conf) == 'trust-2'
    assert len(sent) == 2


def test_a_create_always_answered_not_found_is_a_503_with_its_words(
        conf, monkeypatch):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    monkeypatch.setattr(identity, 'NOT_FOUND_PAUSE', 0)
    sent = []

    def post(self, url, method, json, kwargs):
        sent.append(json)
        return _Response(404, {'error': {
            'message': 'Could not find trust: 3d9b.'}})

    monkeypatch.setattr(identity.ks_session.Session, 'request', _sent(post))
    with pytest.raises(exception.TrustFailed,
                       match='HTTP 404: Could not find trust') as e:
        identity.create_trust(_ctx(), conf)
    assert e.value.code == 503
    assert len(sent) == identity.DUPLICATE_RETRIES + 1


def test_a_duplicate_standing_trust_gets_a_far_off_expiry(conf, monkeypatch):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    sent = []

    def post(self, url, method, json, kwargs):
        sent.append(json['trust']['expires_at'])
        if len(sent) == 1:
            return _Response(409, {'error': {'message': 'Duplicate entry'}})
        return _Response(201, {'trust': {'id': 'trust-2'}})

    monkeypatch.setattr(identity.ks_session.Session, 'request', _sent(post))
    assert identity.create_trust(_ctx(), conf, expires=False) == 'trust-2'
    assert sent[0] is None and sent[1].startswith('2999-01-01T00:00:')


def test_unconfigured_trustee_is_reported(conf):
    with pytest.raises(exception.TrusteeNotConfigured, match='auth_type'):
        identity.trust_session(conf, 'trust-1')


def test_trust_session_drops_the_service_users_project_scope(conf):
    _trustee(conf)
    session = identity.trust_session(conf, 'trust-1')
    auth = session.auth
    # The generic password plugin keeps its scope in private attributes.
    assert auth._trust_id == 'trust-1'
    assert auth._project_name is None and auth._project_id is None
    assert auth.auth_url == 'http://keystone/v3'


def test_delete_trust_is_best_effort(conf, monkeypatch):
    deleted = []

    def delete(self, url, method, body, kwargs):
        assert method == 'DELETE'
        deleted.append(_url(kwargs, url))
        return _Response(404 if 'gone' in url else 500)

    monkeypatch.setattr(identity.ks_session.Session, 'request', _sent(delete))
    assert identity.delete_trust(_ctx(), 'gone', conf)
    assert not identity.delete_trust(_ctx(), 'broken', conf)
    assert identity.delete_trust(_ctx(), None, conf)
    assert deleted == ['http://keystone/v3/OS-TRUST/trusts/gone',
                       'http://keystone/v3/OS-TRUST/trusts/broken']
