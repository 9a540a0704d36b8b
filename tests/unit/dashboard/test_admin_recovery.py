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

"""The admin panels: every project's runs and the engines, admins only."""

from django.urls import reverse

from tests.unit.dashboard import fakes
from tests.unit.dashboard import fakes_recovery as rfakes
from tests.unit.dashboard import helpers

ENGINES = 'horizon:admin:dr_engines:index'
PROJECTS = 'horizon:admin:dr_projects:index'
ADMIN_ROLES = [{'id': '1', 'name': 'admin'}, {'id': '2', 'name': 'member'},
               {'id': '3', 'name': 'reader'}]


class AdminTests(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self._setup_user(roles=list(ADMIN_ROLES))

    def test_engines_show_host_heartbeat_state_and_runs_held(self):
        self.dragon.engines.list.return_value = [
            rfakes.engine(),
            rfakes.engine(host='engine-2', alive=False,
                          runs={'checkpoints': 0, 'recoveries': 2})]
        response = self.client.get(reverse(ENGINES) + '?region=RegionTwo')
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'engine-2')
        self.assertContains(response, 'Down')
        self.assertContains(response, '0 checkpoints, 2 recoveries')
        self.assertEqual(['RegionTwo'], self.dragon.regions)

    def test_engines_error_shows_the_apis_message(self):
        self.dragon.engines.list.side_effect = fakes.error(
            403, 'Policy does not allow dragon:engine:list')
        response = self.client.get(reverse(ENGINES))
        self.assertTrue(any('dragon:engine:list' in m
                            for m in self.messages_of(response)))

    def test_projects_tabs_list_every_projects_runs(self):
        self.dragon.policies.list.return_value = [
            fakes.policy(project_id='other-project')]
        self.dragon.checkpoints.list.return_value = [fakes.protecting()]
        self.dragon.recoveries.list.return_value = [rfakes.recovery()]
        response = self.client.get(reverse(PROJECTS))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'other-project')
        self.dragon.policies.list.assert_called_once_with(
            all_projects=True, all_pages=True)
        self.dragon.checkpoints.list.assert_called_once_with(
            policy_id=None, all_projects=True, all_pages=True)
        self.dragon.recoveries.list.assert_called_once_with(
            all_projects=True, all_pages=True)


class NotAdminTests(helpers.TestCase):

    def test_a_project_member_does_not_get_the_admin_panels(self):
        response = self.client.get(reverse(ENGINES))
        self.assertNotEqual(200, response.status_code)
        self.dragon.engines.list.assert_not_called()
