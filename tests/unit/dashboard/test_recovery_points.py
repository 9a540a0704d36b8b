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

"""The Recovery Points panel: one region's Dragon, its listing, Recover."""

from unittest import mock

from django.urls import reverse

from dragon.dashboard.common import regions

from tests.unit.dashboard import fakes
from tests.unit.dashboard import fakes_recovery as rfakes
from tests.unit.dashboard import helpers

INDEX = 'horizon:project:dr_recovery_points:index'


class RecoveryPointsTests(helpers.TestCase):

    def test_lists_what_swift_holds_in_the_selected_region(self):
        self.dragon.recovery_points.list.return_value = [
            rfakes.recovery_point()]
        response = self.client.get(reverse(INDEX) + '?region=RegionTwo')
        self.assertEqual(200, response.status_code)
        self.assertContains(response, rfakes.CONTAINER)
        self.assertContains(response, 'RegionOne')     # the source region
        self.assertEqual(['RegionTwo'], self.dragon.regions)
        self.dragon.recovery_points.list.assert_called_once_with(policy=None)
        # The region selector offers both regions of the dr service.
        self.assertContains(response, '<option value="RegionTwo" selected>',
                            html=False)
        # Recover opens the Recover pages for this container and region.
        self.assertContains(response, 'kind=recovery_point')
        self.assertContains(response, 'source=%s' % rfakes.CONTAINER)
        self.assertContains(response, 'region=RegionTwo')

    def test_the_chosen_region_is_kept_for_the_next_request(self):
        self.dragon.recovery_points.list.return_value = []
        self.client.get(reverse(INDEX) + '?region=RegionTwo')
        self.client.get(reverse(INDEX))
        self.assertEqual(['RegionTwo', 'RegionTwo'], self.dragon.regions)

    def test_an_unknown_region_falls_back_to_horizons(self):
        self.dragon.recovery_points.list.return_value = []
        self.client.get(reverse(INDEX) + '?region=Atlantis')
        self.assertNotIn('Atlantis', self.dragon.regions)

    def test_an_api_error_shows_the_apis_message(self):
        self.dragon.recovery_points.list.side_effect = fakes.error(
            503, 'Swift is unavailable: no endpoint in the catalog')
        response = self.client.get(reverse(INDEX))
        self.assertEqual(200, response.status_code)
        self.assertTrue(any('Swift is unavailable' in m
                            for m in self.messages_of(response)),
                        self.messages_of(response))

    def test_recover_is_hidden_from_readers(self):
        self.as_reader()
        self.dragon.recovery_points.list.return_value = [
            rfakes.recovery_point()]
        response = self.client.get(reverse(INDEX))
        self.assertContains(response, rfakes.CONTAINER)
        self.assertNotContains(response, 'kind=recovery_point')


def test_a_kept_region_holds_until_horizons_region_changes():
    request = mock.Mock(GET={'region': 'RegionTwo'}, session={})
    request.user.services_region = 'RegionOne'
    request.user.service_catalog = [helpers.DR_SERVICE]
    assert regions.selected(request) == 'RegionTwo'
    request.GET = {}
    assert regions.selected(request) == 'RegionTwo'       # kept
    request.user.services_region = 'RegionTwo'
    assert regions.selected(request) == 'RegionTwo'
    request.GET = {'region': 'RegionOne'}
    assert regions.selected(request) == 'RegionOne'
    request.GET = {}
    request.user.services_region = 'RegionOne'            # Horizon's menu
    assert regions.selected(request) == 'RegionOne'
