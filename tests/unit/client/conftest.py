"""Fixtures of the client tests: the fake API and a client that talks to it."""

from keystoneauth1 import plugin
from keystoneauth1 import session as ks_session
import pytest

from dragon.client.v1 import client as dr_client
from tests.unit.client import fakes


class FakeAuth(plugin.BaseAuthPlugin):
    """A token and a catalog holding only the ``dr`` service."""

    def __init__(self):
        super().__init__()
        self.lookups = []

    def get_token(self, session, **kwargs):
        return 'fake-token'

    def get_headers(self, session, **kwargs):
        return {'X-Auth-Token': 'fake-token'}

    def get_endpoint(self, session, service_type=None, interface=None,
                     region_name=None, **kwargs):
        self.lookups.append((service_type, interface, region_name))
        return fakes.ENDPOINT if service_type == 'dr' else None


@pytest.fixture
def api(monkeypatch):
    return fakes.FakeDragonAPI().install(monkeypatch)


@pytest.fixture
def auth():
    return FakeAuth()


@pytest.fixture
def client(api, auth):
    return dr_client.Client(ks_session.Session(auth=auth),
                            region_name='RegionOne')
