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

"""Django for the dashboard tests only, and the faked Dragon client.

Horizon is an optional extra (``dashboard``): without it these tests are
not collected. Django is configured when pytest collects this directory,
with ``tests.unit.dashboard.settings`` (set here, so the rest of the
unit tests never see a Django setting).
"""

import importlib.util
import os

import pytest

if importlib.util.find_spec('horizon') is None:
    collect_ignore_glob = ['test_*.py', 'helpers.py', 'settings.py']
else:
    os.environ.setdefault('DJANGO_SETTINGS_MODULE',
                          'tests.unit.dashboard.settings')
    # Horizon's handle() logs what it handles when this is set: visible in
    # a failing test's captured log.
    os.environ.setdefault('HORIZON_TEST_RUN', 'True')
    import django
    from django.test import utils as django_test_utils
    django.setup()
    # What Django's test runner does first: 'testserver' an allowed host,
    # templates instrumented for response.context, mail kept in memory.
    django_test_utils.setup_test_environment()

    # Horizon's test data stubs the client libraries' exception classes in
    # place (swiftclient's ClientException loses its message attribute),
    # for the rest of the process: the Dragon tests collected after these
    # would see the stubs. Stub a subclass instead; Horizon's handlers
    # still match it.
    from openstack_dashboard.test.test_data import exceptions as _stubs
    _stub_in_place = _stubs.create_stubbed_exception

    def _stub_a_subclass(cls, status_code=500):
        return _stub_in_place(type(cls.__name__, (cls,), {}), status_code)

    _stubs.create_stubbed_exception = _stub_a_subclass


@pytest.fixture
def fake_dragon(monkeypatch):
    """Every ``dragon.dashboard.api`` call goes to a ``fakes.FakeDragon``."""
    from dragon.dashboard import api
    from tests.unit.dashboard import fakes

    fake = fakes.FakeDragon()

    def client(request, region=None):
        fake.regions.append(region)
        return fake

    monkeypatch.setattr(api, 'client', client)
    return fake
