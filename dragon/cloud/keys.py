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

"""The customer's key of an encrypted policy, read from a region's Barbican.

Read through castellan with a session Dragon already holds (the caller's
token in the API, the run's trust in the engine), so Barbican's own
access rules decide: another project's key is refused as it would be to
the user.  The key is returned to the caller and never stored or logged.
Every failure is one of Dragon's exceptions naming the key reference and
the region, so an API user sees a 400, 403 or 503 saying which key.
"""

import contextlib
import logging as std_logging
from typing import Any
from typing import Iterator
import uuid

from barbicanclient import client as barbican_client
from castellan.common import exception as castellan_exc
from castellan.common.objects import symmetric_key
from castellan.key_manager import barbican_key_manager
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.loading import adapter as ks_load_adapter
from oslo_config import cfg

from dragon import conf as dragon_conf
from dragon.conf import barbican as barbican_conf
from dragon import exception

KEY_BITS = 256
# How Dragon names itself in a secret's consumers (Barbican 1.1).
CONSUMER_SERVICE = 'dragon'
CONSUMER_RESOURCE_TYPE = 'workload-policy'


class _SessionKeyManager(barbican_key_manager.BarbicanKeyManager):
    """castellan's Barbican key manager over a session we hand it.

    castellan builds its own keystoneauth plugin from a request context
    (a token, or a trust with the service user's password) and opens a
    session of its own; it has no way to take a session.  Dragon already
    holds the right one: the caller's token with its catalog, or the run's
    trust, which renews its tokens.  Overriding castellan's private
    ``_get_barbican_client`` is the one place we reach into castellan;
    everything else (fetching, typing the secret, mapping Barbican's
    errors) stays castellan's.
    """

    def __init__(self, session: Any, adapter: dict[str, Any]) -> None:
        # A private ConfigOpts: castellan registers a ``[barbican]`` group
        # of its own, which must not clash with Dragon's.
        super().__init__(cfg.ConfigOpts())
        self._session = session
        self._adapter = adapter

    def _get_barbican_client(self, context: Any) -> Any:
        adapter = dict(self._adapter)
        if 'endpoint' not in adapter:
            # Resolved here, as castellan does: barbicanclient appends its
            # API version only to an endpoint it is given, and a catalog
            # lookup of its own through the caller's token would reach the
            # service root instead of /v1.
            adapter['endpoint'] = self._session.get_endpoint(
                service_type=adapter['service_type'],
                interface=adapter['interface'],
                region_name=adapter['region_name'])
            if not adapter['endpoint']:
                raise ks_exc.EndpointNotFound()
        if isinstance(adapter['interface'], list):
            adapter['interface'] = adapter['interface'][0]
        return barbican_client.Client(session=self._session, **adapter)


def _adapter_options(conf: cfg.ConfigOpts, region: str) -> dict[str, Any]:
    """barbicanclient's endpoint filter from ``[barbican]``, in ``region``."""
    kwargs: dict[str, Any] = {}
    ks_load_adapter.process_conf_options(conf[barbican_conf.GROUP], kwargs)
    # keystoneauth tries a list of interfaces in order (the group's
    # valid_interfaces, internal then public by default).
    interface = kwargs.get('interface') or 'public'
    options = {'region_name': region, 'interface': interface,
               'service_type': kwargs.get('service_type') or
               barbican_conf.SERVICE_TYPE}
    if kwargs.get('endpoint_override'):
        options['endpoint'] = kwargs['endpoint_override']
    return options


def secret_id(key_ref: str) -> str:
    """The secret's id in its Barbican: a bare id, or an href's last part.

    The same secret stored in two regions' Barbicans has a different id in
    each; a policy names one reference per region.

    :raises dragon.exception.KeyRefInvalid: no UUID there (barbicanclient
        would raise a bare ValueError).
    """
    found = key_ref.rstrip('/').rpartition('/')[2]
    try:
        uuid.UUID(found)
    except ValueError:
        raise exception.KeyRefInvalid(key_ref=key_ref) from None
    return found


def _quiet_castellan() -> None:
    # castellan logs an ERROR with the Barbican message for every failed
    # read, a missing key included; Dragon raises its own error for each,
    # which the caller reports, so castellan's line is noise in our log.
    std_logging.getLogger(barbican_key_manager.__name__).setLevel(
        std_logging.CRITICAL)
    # barbicanclient logs the same answer at ERROR ("4xx Client error")
    # before castellan sees it: a deleted key is the caller's error, said
    # once, by Dragon, naming the key.
    std_logging.getLogger(barbican_client.__name__).setLevel(
        std_logging.CRITICAL)


def _http_status(error: BaseException) -> int | None:
    """The Barbican HTTP status behind a castellan error, if any."""
    while error is not None:
        status = getattr(error, 'status_code', None)
        if status:
            return status
        error = error.__cause__ or error.__context__
    return None


def _manager(session: Any, region: str,
             conf: cfg.ConfigOpts | None) -> _SessionKeyManager:
    conf = conf or dragon_conf.CONF
    _quiet_castellan()
    return _SessionKeyManager(session, _adapter_options(conf, region))


@contextlib.contextmanager
def _mapped_errors(names: dict[str, str]) -> Iterator[None]:
    """castellan's, Barbican's and keystoneauth's errors as Dragon's."""
    try:
        yield
    except castellan_exc.ManagedObjectNotFoundError:
        raise exception.KeyNotFound(**names) from None
    except castellan_exc.Forbidden:
        raise exception.KeyForbidden(**names) from None
    except castellan_exc.KeyManagerError as e:
        status = _http_status(e)
        if status == 403:
            raise exception.KeyForbidden(**names) from None
        if status == 404:
            raise exception.KeyNotFound(**names) from None
        if status in (400, 406):
            # Barbican answers these for a secret with no payload to read.
            raise exception.KeyInvalid(reason='no key material',
                                       **names) from None
        raise exception.KeyManagerUnavailable(
            reason='HTTP %s' % status if status else type(e).__name__,
            **names) from None
    except NotImplementedError:
        # barbicanclient's answer to a Barbican without consumers (< 1.1).
        raise exception.KeyManagerUnavailable(
            reason='no secret consumers API (microversion 1.1)',
            **names) from None
    except ks_exc.EndpointNotFound:
        raise exception.KeyManagerUnavailable(
            reason='no key-manager endpoint in the catalog', **names) from None
    except (ks_exc.ConnectionError, ks_exc.ClientException) as e:
        raise exception.KeyManagerUnavailable(reason=type(e).__name__,
                                              **names) from None


def read_customer_key(session: Any, region: str, key_ref: str,
                      conf: cfg.ConfigOpts | None = None) -> bytes:
    """The 32 bytes of the AES-256 key ``key_ref`` in ``region``'s Barbican.

    :param session: a keystoneauth session of the project (caller or trust).
    :raises dragon.exception.KeyRefInvalid: not an href or id (400).
    :raises dragon.exception.KeyNotFound: no such secret there (400).
    :raises dragon.exception.KeyForbidden: Barbican refuses this project
        (another project's key, or an ACL) (403).
    :raises dragon.exception.KeyInvalid: not an AES-256 symmetric key (400).
    :raises dragon.exception.KeyManagerUnavailable: no Barbican in the
        catalog of that region, or it does not answer (503).
    """
    object_id = secret_id(key_ref)
    manager = _manager(session, region, conf)
    names = {'key_ref': key_ref, 'region': region}
    with _mapped_errors(names):
        key = manager.get(session, object_id)
    return _aes_256(key, names)


def consumer(policy_id: str) -> dict[str, str]:
    """How Dragon names itself as a consumer of a policy's secret."""
    return {'service': CONSUMER_SERVICE,
            'resource_type': CONSUMER_RESOURCE_TYPE,
            'resource_id': policy_id}


def register_consumer(session: Any, region: str, key_ref: str,
                      policy_id: str,
                      conf: cfg.ConfigOpts | None = None) -> None:
    """Register policy ``policy_id`` as a consumer of ``key_ref``.

    The secret's owner then sees in Barbican that Dragon depends on it,
    and a microversion 1.2 ``DELETE`` of the secret is refused until
    forced.  Registering again is harmless (Barbican keeps one).

    :raises: as :func:`read_customer_key`, but for ``KeyInvalid``.
    """
    object_id = secret_id(key_ref)
    manager = _manager(session, region, conf)
    with _mapped_errors({'key_ref': key_ref, 'region': region}):
        manager.add_consumer(session, object_id, consumer(policy_id))


def remove_consumer(session: Any, region: str, key_ref: str,
                    policy_id: str,
                    conf: cfg.ConfigOpts | None = None) -> None:
    """Remove policy ``policy_id``'s consumer registration on ``key_ref``.

    A secret already gone counts as removed.

    :raises: as :func:`register_consumer`, but for ``KeyNotFound``.
    """
    object_id = secret_id(key_ref)
    manager = _manager(session, region, conf)
    try:
        with _mapped_errors({'key_ref': key_ref, 'region': region}):
            manager.remove_consumer(session, object_id, consumer(policy_id))
    except exception.KeyNotFound:
        pass


def _aes_256(key: Any, names: dict[str, str]) -> bytes:
    if not isinstance(key, symmetric_key.SymmetricKey):
        raise exception.KeyInvalid(
            reason='a %s secret' % type(key).__name__, **names)
    algorithm = (key.algorithm or '').upper()
    material = key.get_encoded() or b''
    if algorithm != 'AES' or key.bit_length != KEY_BITS or len(
            material) != KEY_BITS // 8:
        raise exception.KeyInvalid(
            reason='%s, %s bits' % (key.algorithm, key.bit_length), **names)
    return material
