"""dragon.identity: what the trust delegates, and the engine's trust session."""

import datetime
import json

import pytest

from dragon import context as dragon_context
from dragon import exception
from dragon import identity

CATALOG = [{'type': 'identity', 'name': 'keystone', 'endpoints': [
    {'region': 'RegionOne', 'publicURL': 'http://keystone/v3'}]}]


class _Response:

    def __init__(self, status_code, body=None):
        self.status_code = status_code
        self._body = body
        self.text = json.dumps(body) if body is not None else ''

    def json(self):
        return self._body


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

    def post(self, url, json=None, **kwargs):
        calls.append((url, json, self.get_auth_headers()))
        return _Response(201, {'trust': {'id': 'trust-1'}})

    monkeypatch.setattr(identity.ks_session.Session, 'post', post)
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    return calls


def test_trust_delegates_the_callers_roles_on_their_project(conf, posted):
    conf.set_override('trust_expiry_hours', 2, group='engine')
    assert identity.create_trust(_ctx(), conf) == 'trust-1'
    url, body, headers = posted[0]
    assert url == 'http://keystone/v3/OS-TRUST/trusts'
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
    trust = posted[0][1]['trust']
    assert trust['allow_redelegation'] is True
    assert trust['redelegation_count'] == 1


@pytest.mark.parametrize('status,error,code', [
    (403, exception.TrustRefused, 403),
    (500, exception.TrustFailed, 503)])
def test_refused_trust_is_a_clear_error(conf, monkeypatch, status, error,
                                        code):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    monkeypatch.setattr(
        identity.ks_session.Session, 'post',
        lambda self, url, **kw: _Response(
            status, {'error': {'message': 'roles not held'}}))
    with pytest.raises(error, match='roles not held') as e:
        identity.create_trust(_ctx(), conf)
    assert e.value.code == code
    assert 'secret-token' not in str(e.value)


def test_a_same_second_duplicate_trust_expires_a_little_later(
        conf, monkeypatch):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    sent = []

    def post(self, url, json=None, **kwargs):
        sent.append(json['trust']['expires_at'])
        if len(sent) < 3:
            return _Response(409, {'error': {'message': 'Duplicate entry'}})
        return _Response(201, {'trust': {'id': 'trust-3'}})

    monkeypatch.setattr(identity.ks_session.Session, 'post', post)
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

    def post(self, url, json=None, **kwargs):
        sent.append(json['trust']['expires_at'])
        return _Response(409, {'error': {'message': 'Duplicate entry'}})

    monkeypatch.setattr(identity.ks_session.Session, 'post', post)
    with pytest.raises(exception.TrustConflict, match='try again') as e:
        identity.create_trust(_ctx(), conf)
    assert e.value.code == 409
    assert len(sent) == identity.DUPLICATE_RETRIES + 1


def test_a_duplicate_standing_trust_gets_a_far_off_expiry(conf, monkeypatch):
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon-id')
    sent = []

    def post(self, url, json=None, **kwargs):
        sent.append(json['trust']['expires_at'])
        if len(sent) == 1:
            return _Response(409, {'error': {'message': 'Duplicate entry'}})
        return _Response(201, {'trust': {'id': 'trust-2'}})

    monkeypatch.setattr(identity.ks_session.Session, 'post', post)
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

    def delete(self, url, **kwargs):
        deleted.append(url)
        return _Response(404 if 'gone' in url else 500)

    monkeypatch.setattr(identity.ks_session.Session, 'delete', delete)
    assert identity.delete_trust(_ctx(), 'gone', conf)
    assert not identity.delete_trust(_ctx(), 'broken', conf)
    assert identity.delete_trust(_ctx(), None, conf)
    assert deleted == ['http://keystone/v3/OS-TRUST/trusts/gone',
                       'http://keystone/v3/OS-TRUST/trusts/broken']
