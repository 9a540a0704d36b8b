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

"""The OpenStack services of one region, as the engine reaches them.

The engine works with a keystoneauth session it was given (trust-scoped in
production, a password session in tests), so the catalog comes from
Keystone and the same code reaches the source region while protecting and
the backup region while recovering.  Nova, Cinder, Glance, Neutron and
Keystone are called through one ``openstack.connection.Connection`` per
run and region; Swift through python-swiftclient; Heat through
python-heatclient.  All of them send their requests through one
``CountingSession``, which counts them per service (the benchmarks show
that discovery cost grows with resource types, not with the number of
servers) and applies the ``[nova]``, ``[cinder]``, ``[glance]``,
``[neutron]``, ``[heat]`` and ``[swift]`` timeouts and retries.
"""

import collections
import collections.abc
import dataclasses
import threading
from typing import Any

from heatclient import client as heat_client
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1.identity import v3
from keystoneauth1.loading import adapter as ks_load_adapter
from keystoneauth1 import session as ks_session
import openstack.connection
from oslo_config import cfg
from swiftclient import client as swift_client

from dragon import conf as dragon_conf
from dragon.conf import cinder as cinder_conf
from dragon.conf import dr as dr_conf
from dragon.conf import glance as glance_conf
from dragon.conf import heat as heat_conf
from dragon.conf import neutron as neutron_conf
from dragon.conf import nova as nova_conf
from dragon.conf import swift as swift_conf

# The microversions Dragon's code is written against.
DEFAULT_MICROVERSIONS = {'compute': '2.79', 'block-storage': '3.60'}
# The option group of each service Dragon calls; Keystone has none (the
# trustee's own ``[trustee]`` auth reaches it, through its public URL).
GROUPS = {module.SERVICE_TYPE: module.GROUP for module in (
    nova_conf, cinder_conf, glance_conf, neutron_conf, heat_conf, swift_conf,
    dr_conf)}
SERVICES = tuple(GROUPS) + ('identity',)
# Seconds per request when the group sets no ``timeout``.
TIMEOUT = 60
# Reads and deletes are retried when the connection drops (an API
# process restarting, a reset under load); others are not: a POST that
# reached the service may have done its work, and a PUT may stream a body
# that cannot be sent twice.
IDEMPOTENT = frozenset({'GET', 'HEAD', 'DELETE'})
CONNECT_RETRIES = 3
CONNECT_RETRY_DELAY = 1.0
SWIFT_RETRIES = 3


@dataclasses.dataclass(frozen=True)
class ServiceOptions:
    """How one service is reached: the operator's group over the run's region.

    ``adapter`` holds the keystoneauth ``Adapter`` arguments of the group
    (service type and name, interface, endpoint override, versions),
    ready for openstacksdk's per-service config and for heatclient.
    """

    service_type: str
    region_name: str | None
    interface: str | list[str]
    endpoint_override: str | None
    timeout: float
    connect_retries: int
    connect_retry_delay: float
    status_code_retries: int | None
    status_code_retry_delay: float | None
    retriable_status_codes: list[int] | None
    adapter: dict[str, Any]


def service_options(conf: cfg.ConfigOpts, service: str,
                    region_name: str | None) -> ServiceOptions:
    """The ``[<group>]`` options of ``service``, read now.

    The run's region wins (a recovery names its target); the group's
    ``region_name`` is the default when the run has none.
    """
    group = GROUPS.get(service)
    if group is None:
        return ServiceOptions(
            service_type=service, region_name=region_name,
            interface='public', endpoint_override=None, timeout=TIMEOUT,
            connect_retries=CONNECT_RETRIES,
            connect_retry_delay=CONNECT_RETRY_DELAY,
            status_code_retries=None, status_code_retry_delay=None,
            retriable_status_codes=None, adapter={})
    options = conf[group]
    kwargs: dict[str, Any] = {}
    ks_load_adapter.process_conf_options(options, kwargs)
    region = region_name or kwargs.get('region_name')
    kwargs['region_name'] = region
    kwargs['service_type'] = kwargs.get('service_type') or service
    interface = kwargs.get('interface') or 'public'
    return ServiceOptions(
        service_type=service, region_name=region, interface=interface,
        endpoint_override=kwargs.get('endpoint_override'),
        timeout=options.timeout or TIMEOUT,
        connect_retries=(CONNECT_RETRIES if options.connect_retries is None
                         else options.connect_retries),
        connect_retry_delay=(CONNECT_RETRY_DELAY
                             if options.connect_retry_delay is None
                             else options.connect_retry_delay),
        status_code_retries=options.status_code_retries,
        status_code_retry_delay=options.status_code_retry_delay,
        retriable_status_codes=options.retriable_status_codes,
        adapter=kwargs)


def sdk_config(options: ServiceOptions) -> dict[str, Any]:
    """openstacksdk's ``<service>_<key>`` settings for one service.

    Region, interface, endpoint override, service name and versions of the
    group, and the microversion Dragon's code is written against.
    """
    service = options.service_type
    prefix = service.replace('-', '_') + '_'
    config: dict[str, Any] = {}
    for key in ('region_name', 'interface', 'endpoint_override',
                'service_name', 'version', 'min_version', 'max_version'):
        value = (options.adapter.get(key) if key not in (
            'region_name', 'interface') else getattr(options, key))
        if value:
            config[prefix + key] = value
    if service in DEFAULT_MICROVERSIONS:
        config[prefix + 'default_microversion'] = (
            DEFAULT_MICROVERSIONS[service])
    return config


class CountingSession(ks_session.Session):
    """The run's session, counting requests per service.

    Every library Dragon uses for a service that speaks keystoneauth
    (openstacksdk's proxies, heatclient, our own adapters) sends its
    requests through ``Session.request`` with an ``endpoint_filter`` naming
    the service type: the one place to count them and to apply the
    group's timeout and, for idempotent methods only, its connect and
    status-code retries.  Authentication and version discovery have no
    service type and are not counted.  The requests themselves go through
    the wrapped session (its auth, TLS settings and connection pool).
    """

    def __init__(self, inner: ks_session.Session,
                 options: 'collections.abc.Callable[[str], ServiceOptions]',
                 counter: collections.Counter, lock: threading.Lock) -> None:
        cache = getattr(inner, '_discovery_cache', None)
        super().__init__(
            auth=inner.auth, session=getattr(inner, 'session', None),
            verify=getattr(inner, 'verify', True),
            cert=getattr(inner, 'cert', None),
            discovery_cache=cache if isinstance(cache, dict) else None)
        self.inner = inner
        self._options = options
        self._counter = counter
        self._lock = lock

    def count(self, service: str) -> None:
        """Count one request to ``service`` (for clients that bypass us)."""
        with self._lock:
            self._counter[service] += 1

    def request(self, url: str, method: str, **kwargs: Any) -> Any:
        service = (kwargs.get('endpoint_filter') or {}).get('service_type')
        if service:
            self.count(service)
            options = self._options(service)
            if kwargs.get('timeout') is None:
                kwargs['timeout'] = options.timeout
            if method.upper() in IDEMPOTENT:
                if not kwargs.get('connect_retries'):
                    kwargs['connect_retries'] = options.connect_retries
                    kwargs['connect_retry_delay'] = (
                        options.connect_retry_delay)
                if (options.status_code_retries and
                        not kwargs.get('status_code_retries')):
                    kwargs['status_code_retries'] = (
                        options.status_code_retries)
                    if options.status_code_retry_delay is not None:
                        kwargs['status_code_retry_delay'] = (
                            options.status_code_retry_delay)
                    if options.retriable_status_codes:
                        kwargs['retriable_status_codes'] = (
                            options.retriable_status_codes)
            else:
                kwargs.pop('connect_retries', None)
                kwargs.pop('status_code_retries', None)
        return self.inner.request(url, method, **kwargs)


class _CountingSwift(swift_client.Connection):
    """A Swift connection that counts each call (retries included once)."""

    def __init__(self, *args: Any, counting: CountingSession,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counting = counting

    # swiftclient talks HTTP itself (the session only gives it a token and
    # the endpoint), so its calls are counted where each one starts.
    def _retry(self, reset_func: Any, func: Any, *args: Any,
               **kwargs: Any) -> Any:
        self._counting.count('object-store')
        return super()._retry(reset_func, func, *args, **kwargs)


class ServiceClients:
    """The services of ``region_name`` over one session.

    :param session: a keystoneauth session carrying the project-scoped auth.
    :param region_name: the region whose endpoints are used; ``None``
        takes each group's ``region_name``.
    :param conf: the configuration whose ``[nova]`` ... ``[swift]`` groups
        are read at each call (default: Dragon's global one).
    """

    def __init__(self, session: ks_session.Session,
                 region_name: str | None,
                 conf: cfg.ConfigOpts | None = None) -> None:
        self.base_session = session
        self.region_name = region_name
        self.conf = conf or dragon_conf.CONF
        self.calls: collections.Counter = collections.Counter()
        self._lock = threading.Lock()
        self.session = CountingSession(session, self.options, self.calls,
                                       self._lock)
        self._adapters: dict[str, ks_adapter.Adapter] = {}
        self._connection: openstack.connection.Connection | None = None

    @classmethod
    def for_user(cls, auth_url: str, username: str, password: str,
                 project_name: str, region_name: str,
                 domain: str = 'Default') -> 'ServiceClients':
        """Clients from a password: tests and command-line tools."""
        auth = v3.Password(auth_url=auth_url, username=username,
                           password=password, project_name=project_name,
                           user_domain_name=domain,
                           project_domain_name=domain)
        return cls(ks_session.Session(auth=auth), region_name)

    def in_region(self, region_name: str) -> 'ServiceClients':
        """The same credentials in another region (its own call counter)."""
        return type(self)(self.base_session, region_name, self.conf)

    @property
    def project_id(self) -> str:
        return self.session.get_project_id()

    def options(self, service: str) -> ServiceOptions:
        """How ``service`` is reached (its group, read now)."""
        if service not in SERVICES:
            raise ValueError('unknown service %r' % service)
        return service_options(self.conf, service, self.region_name)

    @property
    def connection(self) -> openstack.connection.Connection:
        """The openstacksdk connection of this region (made once)."""
        with self._lock:
            if self._connection is None:
                self._connection = self._connect()
            return self._connection

    def _connect(self) -> openstack.connection.Connection:
        config: dict[str, Any] = {}
        for service in SERVICES:
            if service == dr_conf.SERVICE_TYPE:
                continue        # Dragon itself: dragon.client, not the SDK
            config.update(sdk_config(
                service_options(self.conf, service, self.region_name)))
        # Retries and timeouts are the session's (idempotent calls only).
        return openstack.connection.Connection(
            session=self.session, region_name=self.region_name,
            app_name='dragon', **config)

    def adapter(self, service: str) -> ks_adapter.Adapter:
        """A keystoneauth adapter of ``service``, for calls the SDK lacks."""
        options = self.options(service)
        with self._lock:
            found = self._adapters.get(service)
            if found is None:
                found = self._adapters[service] = ks_adapter.Adapter(
                    self.session, service_type=service,
                    service_name=options.adapter.get('service_name'),
                    region_name=options.region_name,
                    interface=options.interface,
                    endpoint_override=options.endpoint_override,
                    default_microversion=DEFAULT_MICROVERSIONS.get(service))
        return found

    def endpoint(self, service: str) -> str:
        return self.adapter(service).get_endpoint()

    def heat(self) -> Any:
        """A python-heatclient v1 client of this region's Heat.

        Its session is this region's ``orchestration`` adapter (``[heat]``
        options), so Heat's requests are counted in ``calls`` and get the
        same timeout and connection retries as every other service.  The
        token is the run's (trust-scoped in the engine): Heat makes its own
        trust from it for the stack, which is why recovery trusts allow one
        redelegation.
        """
        adapter = self.adapter('orchestration')
        return heat_client.Client(
            '1', session=adapter, region_name=adapter.region_name,
            interface=adapter.interface, service_type='orchestration')

    def dragon(self) -> Any:
        """A ``dragon.client`` of this region's Dragon (``[dr]`` options).

        The engine reaches the home site's Dragon through it (failback),
        with the run's session: requests counted, timeouts applied.
        """
        from dragon.client.v1 import client as dragon_client
        options = self.options(dr_conf.SERVICE_TYPE)
        return dragon_client.Client(
            self.session, region_name=options.region_name,
            interface=options.interface,
            endpoint_override=options.endpoint_override)

    def swift(self) -> swift_client.Connection:
        """A new Swift connection to the project's account (one per thread).

        It re-authenticates through the session when its token expires, so
        a long upload outlives the first token.  ``[swift]`` gives the
        interface, region, endpoint override and timeout.
        """
        options = self.options('object-store')
        interface = options.interface
        if isinstance(interface, list):
            # swiftclient takes one interface; the first one listed wins.
            interface = interface[0]
        os_options = {'region_name': options.region_name,
                      'endpoint_type': interface,
                      'service_type': 'object-store'}
        if options.endpoint_override:
            os_options['object_storage_url'] = options.endpoint_override
        return _CountingSwift(
            session=self.base_session, retries=SWIFT_RETRIES,
            timeout=options.timeout, os_options=os_options,
            counting=self.session)
