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

"""Keystone trusts: how the engine acts on a project long after the caller left.

The API creates one trust per checkpoint from the caller (trustor) to
Dragon's service user (trustee, the ``[trustee]`` options) with the
caller's roles on the caller's project, impersonation on (Nova, Cinder and
Swift see the caller as the actor) and an expiry of ``[engine]
trust_expiry_hours``. The engine then authenticates as the trustee with
the trust id and gets a token scoped to that project. The trust is
deleted when the checkpoint ends. Tokens and passwords are never logged.
"""

import datetime
import secrets
import time
from typing import Any

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
import openstack.connection
from openstack import exceptions as sdk_exc
from oslo_config import cfg
from oslo_log import log as logging

from dragon.cloud import caller
from dragon import conf as dragon_conf
from dragon import exception

LOG = logging.getLogger(__name__)

GROUP = 'trustee'
TIMEOUT = 30
# Same-second duplicates of a trust Keystone refuses (see create_trust):
# how often to retry, and over how many seconds a retry's expiry spreads.
DUPLICATE_RETRIES = 5
DUPLICATE_SPREAD = 30
# Seconds between tries of a create Keystone answered with a 404.
NOT_FOUND_PAUSE = 0.5
# The expiry of a standing trust that Keystone refused without one.
_FAR_OFF = datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)
# A trust-scoped token carries the trust's project: any scope configured
# for the service user must not be sent along with the trust id.
_NO_SCOPE = dict(project_id=None, project_name=None, project_domain_id=None,
                 project_domain_name=None, domain_id=None, domain_name=None,
                 system_scope=None)


def _trustee_auth(conf: cfg.ConfigOpts, **overrides: Any) -> Any:
    """The ``[trustee]`` auth plugin, with ``overrides`` it understands."""
    try:
        if conf[GROUP].auth_type:
            known = {o.dest for o in ks_loading.get_plugin_loader(
                conf[GROUP].auth_type).get_options()}
            overrides = {k: v for k, v in overrides.items() if k in known}
        auth = ks_loading.load_auth_from_conf_options(conf, GROUP,
                                                      **overrides)
    except (ks_exc.NoMatchingPlugin, ks_exc.MissingRequiredOptions,
            cfg.Error) as e:
        raise exception.TrusteeNotConfigured(reason=e)
    if auth is None:
        raise exception.TrusteeNotConfigured(reason='auth_type is not set')
    return auth


def _session(conf: cfg.ConfigOpts, auth: Any) -> ks_session.Session:
    return ks_loading.load_session_from_conf_options(conf, GROUP, auth=auth)


def trustee_user_id(conf: cfg.ConfigOpts) -> str:
    """Return the Keystone id of Dragon's service user (authenticates once).

    :raises dragon.exception.TrusteeNotConfigured:
    :raises dragon.exception.TrustFailed: Keystone refused the service user.
    """
    auth = _trustee_auth(conf)
    try:
        return auth.get_user_id(_session(conf, auth))
    except ks_exc.ClientException as e:
        LOG.error("Dragon's service user ([trustee]) cannot authenticate: "
                  "%s", type(e).__name__)
        raise exception.TrustFailed(
            reason='Dragon\'s service user cannot authenticate (%s)' %
            type(e).__name__)


def _identity_url(context: Any, conf: cfg.ConfigOpts) -> str:
    """The caller's Identity v3 endpoint, from their catalog or ``[trustee]``.

    Public: Dragon has no adapter group for Keystone, and the caller's
    token was made through the public endpoint the trustee's
    ``auth_url`` names too.
    """
    auth = caller.CallerAuth(context.auth_token,
                              getattr(context, 'service_catalog', None) or [])
    try:
        url = auth.get_endpoint(None, service_type='identity',
                                interface='public')
    except ks_exc.EndpointNotFound:
        url = None
    if not url:
        try:
            url = conf[GROUP].auth_url
        except cfg.NoSuchOptError:  # registered by the password plugin
            url = None
    if not url:
        raise exception.TrustFailed(reason='no identity endpoint in your '
                                           'catalog')
    url = url.rstrip('/')
    return url if url.endswith('/v3') else url + '/v3'


def _connection(session: ks_session.Session,
                identity_url: str | None = None
                ) -> openstack.connection.Connection:
    """An openstacksdk connection for Keystone only.

    With ``identity_url`` (the caller's v3 endpoint) no version discovery
    is made; without, the session's catalog gives the public endpoint.
    """
    config: dict[str, Any] = {'identity_api_version': '3',
                              'identity_interface': 'public'}
    if identity_url:
        config['identity_endpoint_override'] = identity_url
    return openstack.connection.Connection(session=session,
                                           app_name='dragon', **config)


def _caller_identity(context: Any, conf: cfg.ConfigOpts) -> Any:
    """The identity proxy of the caller's token (a trustor makes its trust)."""
    session = ks_session.Session(
        auth=caller.CallerAuth(context.auth_token, []), timeout=TIMEOUT)
    return _connection(session, _identity_url(context, conf)).identity


def create_trust(context: Any, conf: cfg.ConfigOpts | None = None,
                 redelegate: bool = False, expires: bool = True) -> str:
    """Delegate the caller's roles on their project to Dragon's service user.

    Called by the API with the caller's token (a trust can only be made by
    its trustor). The trust impersonates the caller and expires after
    ``[engine] trust_expiry_hours``.

    :param redelegate: let the trust be delegated once more. Recoveries
        need it: Heat (``deferred_auth_method = trusts``) makes its own
        trust from the token of the request that creates a stack, and
        Keystone refuses that to a token of a trust that does not allow
        redelegation. Heat's trust lives no longer than Dragon's.

    :returns: the trust id, for ``trust_session`` in the engine.
    :raises dragon.exception.TrustRefused: Keystone refused the caller.
    :raises dragon.exception.TrustFailed: Keystone failed otherwise.
    :raises dragon.exception.TrustConflict: Keystone kept answering that
        the same trust exists (a burst of concurrent requests).
    :raises dragon.exception.TrusteeNotConfigured:
    """
    conf = conf or dragon_conf.CONF
    expires_at = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        hours=conf.engine.trust_expiry_hours))
    trust = {
        'trustor_user_id': context.user_id,
        'trustee_user_id': trustee_user_id(conf),
        'project_id': context.project_id,
        'is_impersonation': True,
        'roles': [{'name': r} for r in sorted(set(context.roles or []))],
        'expires_at': (expires_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
                       if expires else None),
    }
    if redelegate:
        trust.update(allow_redelegation=True, redelegation_count=1)
    keystone = _caller_identity(context, conf)
    for attempt in range(DUPLICATE_RETRIES + 1):
        try:
            made = keystone.create_trust(**trust)
            break
        except sdk_exc.ConflictException:
            if attempt == DUPLICATE_RETRIES:
                # Still taken after the retries: a burst of requests of
                # one user.  Theirs to retry; never a server error.
                LOG.warning("Keystone refused a trust for user %s on "
                            "project %s as a duplicate %d times",
                            context.user_id, context.project_id,
                            DUPLICATE_RETRIES + 1)
                raise exception.TrustConflict()
        except sdk_exc.NotFoundException as e:
            # A create answered "Could not find trust <id>" (an id not
            # ours): seen once in CI at the moment the engine deleted the
            # caller's previous trust, cause not found in Keystone's code.
            # A create has nothing to find, so it is tried again; what
            # persists is reported like any other refusal.
            if attempt == DUPLICATE_RETRIES:
                raise _refusal(context, e)
            LOG.warning("Keystone answered a trust create for user %s on "
                        "project %s with HTTP 404 (%s); trying again",
                        context.user_id, context.project_id,
                        _keystone_message(e))
            time.sleep(NOT_FOUND_PAUSE)
            continue
        except sdk_exc.HttpException as e:
            raise _refusal(context, e)
        except (sdk_exc.SDKException, ks_exc.ClientException) as e:
            raise exception.TrustFailed(reason='Keystone unreachable (%s)' %
                                        type(e).__name__)
        # Keystone keeps one trust per trustor, trustee, project,
        # impersonation and expiry second (deleted trusts included): a
        # concurrent request of the same caller (two deletes, protect then
        # delete) took this second. A random step later, not one second:
        # two requests retrying in lockstep would collide again.
        if not expires:
            # A standing trust differs from another by a far-off expiry.
            expires_at = max(expires_at, _FAR_OFF)
        expires_at += datetime.timedelta(
            seconds=1 + secrets.randbelow(DUPLICATE_SPREAD))
        trust['expires_at'] = expires_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    LOG.info("created trust %s from user %s on project %s", made.id,
             context.user_id, context.project_id)
    return made.id


def _refusal(context: Any, error: sdk_exc.HttpException
             ) -> exception.DragonException:
    """What to raise for Keystone's refusal of a trust: 401/403 or other."""
    reason = _keystone_message(error)
    LOG.warning("Keystone refused a trust for user %s on project %s: "
                "HTTP %s %s", context.user_id, context.project_id,
                error.status_code, reason)
    if error.status_code in (401, 403):
        return exception.TrustRefused(reason=reason)
    return exception.TrustFailed(reason='HTTP %s: %s' % (
        error.status_code, reason))


def _keystone_message(error: sdk_exc.HttpException) -> str:
    """Keystone's own words (``{"error": {"message": ...}}``), shortened."""
    return str(error.details or error.message or '')[:300]


def delete_trust(context_or_session: Any, trust_id: str | None,
                 conf: cfg.ConfigOpts | None = None) -> bool:
    """Delete a trust, best effort (a leftover one expires by itself).

    :param context_or_session: the trustor's request context (the API,
        e.g. after a failed cast), or the engine's trust session (a
        trust-scoped token of the trust itself may delete it).
    :returns: whether Keystone confirmed (or the trust was already gone).
    """
    if not trust_id:
        return True
    conf = conf or dragon_conf.CONF
    try:
        if isinstance(context_or_session, ks_session.Session):
            keystone = _connection(context_or_session).identity
        else:
            keystone = _caller_identity(context_or_session, conf)
        keystone.delete_trust(trust_id, ignore_missing=False)
    except sdk_exc.NotFoundException:
        pass
    except sdk_exc.HttpException as e:
        LOG.warning("could not delete trust %s: HTTP %s", trust_id,
                    e.status_code)
        return False
    except (sdk_exc.SDKException, ks_exc.ClientException,
            exception.DragonException) as e:
        LOG.warning("could not delete trust %s: %s", trust_id,
                    type(e).__name__)
        return False
    LOG.info("deleted trust %s", trust_id)
    return True


def trust_session(conf: cfg.ConfigOpts, trust_id: str
                  ) -> ks_session.Session:
    """A keystoneauth session of the trustee, scoped by trust ``trust_id``.

    Tokens are fetched lazily and renewed by keystoneauth; the project is
    the trust's (``session.get_project_id()``).

    :raises dragon.exception.TrusteeNotConfigured:
    """
    auth = _trustee_auth(conf, trust_id=trust_id, **_NO_SCOPE)
    return _session(conf, auth)


def service_session(conf: cfg.ConfigOpts) -> ks_session.Session:
    """Dragon's service user in its own project (``[trustee]`` as configured).

    For Dragon's own work across projects (chunk gc), never for a
    project's resources: those are reached through the project's trust.

    :raises dragon.exception.TrusteeNotConfigured:
    """
    return _session(conf, _trustee_auth(conf))
