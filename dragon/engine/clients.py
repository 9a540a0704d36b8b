"""The OpenStack services of one region, as the engine reaches them.

The engine works with a keystoneauth session it was given (trust-scoped in
production, a password session in tests), so the catalog comes from
Keystone and the same code reaches the source region while protecting and
the backup region while recovering.  Every request is counted per service:
the benchmarks show that discovery cost grows with resource types, not with
the number of servers.
"""

import collections
import threading
from typing import Any

from heatclient import client as heat_client
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from swiftclient import client as swift_client

# The microversions Dragon's code is written against.
DEFAULT_MICROVERSIONS = {'compute': '2.79', 'block-storage': '3.60'}
SERVICES = ('compute', 'block-storage', 'image', 'network', 'orchestration',
            'object-store', 'identity')
TIMEOUT = 60
# Reads and deletes are retried when the connection drops (an API
# process restarting, a reset under load); others are not: a POST that
# reached the service may have done its work, and a PUT may stream a body
# that cannot be sent twice.
IDEMPOTENT = frozenset({'GET', 'HEAD', 'DELETE'})
CONNECT_RETRIES = 3


class _CountingAdapter(ks_adapter.Adapter):
    """An adapter that counts its requests in a shared counter."""

    def __init__(self, *args: Any, counter: collections.Counter,
                 lock: threading.Lock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counter = counter
        self._lock = lock

    def request(self, url: str, method: str, **kwargs: Any) -> Any:
        with self._lock:
            self._counter[self.service_type] += 1
        kwargs.setdefault('timeout', TIMEOUT)
        if method.upper() in IDEMPOTENT:
            kwargs.setdefault('connect_retries', CONNECT_RETRIES)
            kwargs.setdefault('connect_retry_delay', 1.0)
        return super().request(url, method, **kwargs)


class ServiceClients:
    """Adapters for the services of ``region_name`` over one session.

    :param session: a keystoneauth session carrying the project-scoped auth.
    :param region_name: the region whose endpoints are used.
    :param interface: the catalog interface (``public``, ``internal``).
    """

    def __init__(self, session: ks_session.Session, region_name: str,
                 interface: str = 'public') -> None:
        self.session = session
        self.region_name = region_name
        self.interface = interface
        self.calls: collections.Counter = collections.Counter()
        self._lock = threading.Lock()
        self._adapters: dict[str, ks_adapter.Adapter] = {}

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
        return type(self)(self.session, region_name, self.interface)

    @property
    def project_id(self) -> str:
        return self.session.get_project_id()

    def adapter(self, service: str) -> ks_adapter.Adapter:
        """The adapter of ``service`` (one of ``SERVICES``) in this region."""
        if service not in SERVICES:
            raise ValueError('unknown service %r' % service)
        with self._lock:
            found = self._adapters.get(service)
            if found is None:
                found = self._adapters[service] = _CountingAdapter(
                    self.session, service_type=service,
                    region_name=self.region_name, interface=self.interface,
                    default_microversion=DEFAULT_MICROVERSIONS.get(service),
                    counter=self.calls, lock=self._lock)
        return found

    def endpoint(self, service: str) -> str:
        return self.adapter(service).get_endpoint()

    def heat(self) -> Any:
        """A python-heatclient v1 client of this region's Heat.

        Its session is this region's ``orchestration`` adapter, so Heat's
        requests are counted in ``calls`` and get the same timeout and
        connection retries as every other service.  The token is the run's
        (trust-scoped in the engine): Heat makes its own trust from it for
        the stack, which is why recovery trusts allow one redelegation.
        """
        return heat_client.Client(
            '1', session=self.adapter('orchestration'),
            region_name=self.region_name, interface=self.interface,
            service_type='orchestration')

    def swift(self) -> swift_client.Connection:
        """A new Swift connection to the project's account (one per thread).

        It re-authenticates through the session when its token expires, so
        a long upload outlives the first token.
        """
        return swift_client.Connection(
            session=self.session, retries=3,
            os_options={'region_name': self.region_name,
                        'endpoint_type': self.interface,
                        'service_type': 'object-store'})
