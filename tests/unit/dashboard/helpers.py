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

"""The base class of the dashboard view tests: Horizon's, with a 'dr' endpoint
in the catalog and the faked Dragon client as ``self.dragon``.
"""

import copy

from django.conf import settings
from django.contrib.messages.storage import cookie
from openstack_dashboard import context_processors

from openstack_dashboard.test import helpers
from openstack_dashboard.test.test_data import keystone_data
import pytest

DR_SERVICE = {
    'type': 'dr', 'name': 'dragon', 'endpoints_links': [],
    'endpoints': [
        {'region': region, 'interface': interface,
         'url': 'http://%s.dr.example.com:8799' % region.lower()}
        for region in ('RegionOne', 'RegionTwo')
        for interface in ('public', 'internal', 'admin')]}


class TestCase(helpers.TestCase):
    """A logged-in project member (roles member and reader)."""

    @pytest.fixture(autouse=True)
    def _dragon(self, fake_dragon):
        self.dragon = fake_dragon

    def _setup_test_data(self):
        # Keystone's test data only: Horizon's load_test_data also runs its
        # test_data.exceptions, which rewrites __init__ and __str__ of
        # swiftclient's, openstacksdk's, Nova's ... exception classes for
        # the whole process and so breaks Dragon's other unit tests.
        keystone_data.data(self)
        self.context = {
            'authorized_tenants': self.tenants.list(),
            'JS_CATALOG': context_processors.get_js_catalog(settings)}

    def _setup_user(self, **kwargs):
        kwargs.setdefault('service_catalog',
                          copy.deepcopy(self.service_catalog) + [DR_SERVICE])
        super()._setup_user(**kwargs)

    def as_reader(self):
        """Make the logged-in user a project reader only."""
        self._setup_user(roles=[{'id': '3', 'name': 'reader'}])

    def messages_of(self, response=None):
        """The texts of the messages ``response`` shows, or a redirect left.

        Without a rendered page (a redirect), the messages wait in the
        cookie the next page reads.
        """
        if response is not None and response.context and \
                'messages' in response.context:
            return [str(m) for m in response.context['messages']]
        if 'messages' not in self.client.cookies:
            return []
        storage = cookie.CookieStorage(self.factory.get('/'))
        return [str(m) for m in
                storage._decode(self.client.cookies['messages'].value) or ()]
