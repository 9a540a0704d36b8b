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

"""The panels are registered and render with the faked client."""

from django.urls import reverse

from tests.unit.dashboard import fakes
from tests.unit.dashboard import helpers


class PanelsTest(helpers.TestCase):

    def test_policies_index(self):
        self.dragon.policies.list.return_value = [fakes.policy()]
        self.dragon.checkpoints.list.return_value = [fakes.checkpoint()]
        response = self.client.get(reverse('horizon:project:dr_policies:index'))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'web')

    def test_checkpoints_index(self):
        self.dragon.checkpoints.list.return_value = [fakes.protecting()]
        response = self.client.get(
            reverse('horizon:project:dr_checkpoints:index'))
        self.assertEqual(200, response.status_code, response.content[:3000])
        self.assertContains(response, 'ajax-update')
