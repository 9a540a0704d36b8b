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
