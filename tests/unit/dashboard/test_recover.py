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

"""The Recover pages: target and mode, choices, confirmation."""

from unittest import mock
from urllib import parse

from django.urls import reverse
import pytest

from dragon.dashboard.api import recoveries as api_recoveries
from dragon.dashboard.project.recoveries import actions
from dragon.dashboard.project.recoveries import forms as recover_forms
from tests.unit.dashboard import fakes
from tests.unit.dashboard import fakes_recovery as rfakes
from tests.unit.dashboard import helpers

TARGET = 'horizon:project:dr_recoveries:recover'
CHOICES = 'horizon:project:dr_recoveries:recover_choices'
CONFIRM = 'horizon:project:dr_recoveries:recover_confirm'
POINT = {'kind': 'recovery_point', 'source': rfakes.CONTAINER,
         'region': 'RegionTwo'}
CHECKPOINT = {'kind': 'checkpoint', 'source': fakes.CHECKPOINT_ID,
              'region': 'RegionOne'}


def url(name, **params):
    return reverse(name) + '?' + parse.urlencode(params)


class RecoverTests(helpers.TestCase):

    @pytest.fixture(autouse=True)
    def _networks(self, monkeypatch):
        self.target_networks = mock.Mock(
            return_value=list(rfakes.TARGET_NETWORKS))
        monkeypatch.setattr(api_recoveries, 'target_networks',
                            self.target_networks)

    def _known_checkpoint(self):
        self.dragon.checkpoints.get.return_value = fakes.checkpoint()
        self.dragon.checkpoints.template.return_value = rfakes.template()

    def _confirm(self, response):
        """Follow the choices page's redirect to the confirmation page."""
        self.assertEqual(302, response.status_code, response.content[:3000])
        location = response['Location']
        self.assertIn(reverse(CONFIRM), location)
        return location

    # -- step 1 -----------------------------------------------------------
    def test_target_step_defaults_to_another_region_than_the_source(self):
        self.dragon.recovery_points.list.return_value = [
            rfakes.recovery_point()]
        self.dragon.checkpoints.get.side_effect = fakes.error(404, 'gone')
        response = self.client.get(url(TARGET, **POINT))
        self.assertEqual(200, response.status_code)
        # source RegionOne: RegionTwo is offered first
        self.assertContains(response,
                            '<option value="RegionTwo" selected>', html=False)
        self.assertEqual('RegionTwo', self.dragon.regions[0])

    def test_target_step_goes_on_to_the_choices_with_region_and_mode(self):
        self._known_checkpoint()
        response = self.client.post(url(TARGET, **CHECKPOINT), {
            'target_region': 'RegionTwo', 'mode': 'drill'})
        self.assertEqual(302, response.status_code, response.content[:2000])
        query = parse.parse_qs(parse.urlparse(response['Location']).query)
        self.assertEqual(['RegionTwo'], query['target_region'])
        self.assertEqual(['drill'], query['mode'])
        self.assertEqual([fakes.CHECKPOINT_ID], query['source'])

    def test_target_step_refuses_a_region_not_in_the_catalog(self):
        self._known_checkpoint()
        response = self.client.post(url(TARGET, **CHECKPOINT), {
            'target_region': 'Atlantis', 'mode': 'failover'})
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'Select a valid choice')

    def test_an_unknown_source_sends_back_with_the_apis_message(self):
        self.dragon.checkpoints.get.side_effect = fakes.error(
            404, 'Checkpoint x could not be found.')
        response = self.client.get(url(TARGET, kind='checkpoint',
                                       source='x', region='RegionOne'))
        self.assertEqual(302, response.status_code)

    # -- step 2 -----------------------------------------------------------
    def test_choices_list_the_checkpoints_values_and_target_networks(self):
        self._known_checkpoint()
        response = self.client.get(url(
            CHOICES, target_region='RegionTwo', mode='failover',
            **CHECKPOINT))
        self.assertEqual(200, response.status_code)
        self.target_networks.assert_called_once_with(mock.ANY, 'RegionTwo')
        self.assertContains(response, 'Network %s' % rfakes.SHARED_NET)
        self.assertContains(response, 'shared-two (net-two-a)')
        self.assertContains(response, 'public (ext-two)')
        self.assertContains(response, 'm1.small')
        self.assertContains(response, 'web-1 (OS::Nova::Server)')

    def test_choices_send_the_chosen_mappings_to_the_confirmation(self):
        self._known_checkpoint()
        response = self.client.post(url(
            CHOICES, target_region='RegionTwo', mode='failover',
            **CHECKPOINT), {
                'resources': [fakes.SERVER_ID],
                'networks__0': 'net-two-a',
                'external_network': 'ext-two',
                'flavors__0': 'm1.medium',
                'availability_zones__0': '',
                'key_pairs__0': 'ops-two',
                'volume_types__0': 'ceph',
                'name_prefix': ' dr- ', 'timeout': '900'})
        response = self.client.get(self._confirm(response))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'm1.small → m1.medium')
        self.assertContains(response, 'web-1 (OS::Nova::Server, %s)'
                            % fakes.SERVER_ID)
        self.assertNotContains(response, 'data-1 (OS::Cinder::Volume')
        self.assertContains(response, '%s → net-two-a' % rfakes.SHARED_NET)
        self.assertNotContains(response, 'availability_zones')
        self.dragon.recoveries.create.return_value = rfakes.recovering()
        response = self.client.post(response.request['PATH_INFO'] + '?' +
                                    response.request['QUERY_STRING'], {})
        self.assertEqual(302, response.status_code, response.content[:3000])
        self.dragon.recoveries.create.assert_called_once_with(
            checkpoint_id=fakes.CHECKPOINT_ID, recovery_point=None,
            target_region='RegionTwo', mode='failover',
            mappings={'networks': {rfakes.SHARED_NET: 'net-two-a'},
                      'external_network': 'ext-two',
                      'flavors': {'m1.small': 'm1.medium'},
                      'key_pairs': {'ops': 'ops-two'},
                      'volume_types': {'lvm': 'ceph'},
                      'name_prefix': 'dr-'},
            resources=[fakes.SERVER_ID], timeout=900)
        self.assertIn('region=RegionOne', response['Location'])

    def test_a_drill_has_no_network_mappings(self):
        self._known_checkpoint()
        response = self.client.get(url(
            CHOICES, target_region='RegionTwo', mode='drill', **CHECKPOINT))
        self.assertEqual(200, response.status_code)
        self.assertNotContains(response, 'External network')
        self.target_networks.assert_not_called()

    def test_without_the_template_mappings_are_free_lines(self):
        # The backup site's Dragon never saw the checkpoint.
        self.dragon.recovery_points.list.return_value = [
            rfakes.recovery_point()]
        self.dragon.checkpoints.get.side_effect = fakes.error(404, 'gone')
        response = self.client.post(url(
            CHOICES, target_region='RegionTwo', mode='failover', **POINT), {
                'resources': 'srv-1\nvol-1\n',
                'network_source__0': 'src-net', 'networks__0': 'recreate',
                'flavors': 'm1.small=m1.medium\n\n',
                'key_pairs': 'ops=ops2'})
        self._confirm(response)
        self.dragon.recoveries.create.return_value = rfakes.recovering()
        self.client.post(response['Location'], {})
        self.dragon.recoveries.create.assert_called_once_with(
            checkpoint_id=None, recovery_point=rfakes.CONTAINER,
            target_region='RegionTwo', mode='failover',
            mappings={'networks': {'src-net': 'recreate'},
                      'flavors': {'m1.small': 'm1.medium'},
                      'key_pairs': {'ops': 'ops2'}},
            resources=['srv-1', 'vol-1'], timeout=None)
        self.assertEqual('RegionTwo', self.dragon.regions[-1])

    def test_bad_lines_and_half_rows_are_refused_on_the_form(self):
        self.dragon.recovery_points.list.return_value = [
            rfakes.recovery_point(checkpoint_id=None)]
        response = self.client.post(url(
            CHOICES, target_region='RegionTwo', mode='failover', **POINT), {
                'networks__0': 'net-two-a',
                'flavors': 'm1.small',
                'key_pairs': 'a=b\na=c', 'timeout': '5'})
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'is not SOURCE=TARGET')
        self.assertContains(response, 'a is mapped to both b and c')
        self.assertContains(response, 'Give the source network ID')
        self.assertContains(response, 'greater than or equal to 60')
        self.dragon.recoveries.create.assert_not_called()

    def test_choices_without_a_valid_target_go_back_to_step_one(self):
        self._known_checkpoint()
        response = self.client.get(url(
            CHOICES, target_region='Atlantis', mode='failover', **CHECKPOINT))
        self.assertEqual(302, response.status_code)
        self.assertIn(reverse(TARGET), response['Location'])

    def test_a_failed_network_listing_still_offers_automatic_and_recreate(
            self):
        self._known_checkpoint()
        self.target_networks.side_effect = api_recoveries.exceptions.\
            DragonError(503, 'No network service in region RegionTwo.')
        response = self.client.get(url(
            CHOICES, target_region='RegionTwo', mode='failover',
            **CHECKPOINT))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'Recreate a network like it')
        self.assertTrue(any('No network service' in m
                            for m in self.messages_of(response)))

    # -- step 3 -----------------------------------------------------------
    def test_the_apis_refusal_is_shown_on_the_confirmation(self):
        self._known_checkpoint()
        location = self._confirm(self.client.post(url(
            CHOICES, target_region='RegionTwo', mode='drill', **CHECKPOINT),
            {}))
        self.dragon.recoveries.create.side_effect = fakes.error(
            400, 'Mappings missing: flavor m1.small: none is named m1.small '
                 'in RegionTwo; map it with flavors')
        response = self.client.post(location, {})
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'map it with flavors')

    def test_confirming_without_a_pending_request_goes_back(self):
        response = self.client.get(url(CONFIRM, token='nope'))
        self.assertEqual(302, response.status_code)
        self.dragon.recoveries.create.assert_not_called()

    # -- in place -------------------------------------------------------
    def test_in_place_goes_into_the_checkpoints_own_region(self):
        self._known_checkpoint()
        response = self.client.post(url(TARGET, **CHECKPOINT), {
            'target_region': 'RegionTwo', 'mode': 'in_place'})
        self.assertEqual(302, response.status_code, response.content[:2000])
        query = parse.parse_qs(parse.urlparse(response['Location']).query)
        self.assertEqual(['RegionOne'], query['target_region'])
        self.assertEqual(['in_place'], query['mode'])

    def test_in_place_choices_are_resources_and_its_options_only(self):
        self._known_checkpoint()
        response = self.client.get(url(
            CHOICES, target_region='RegionOne', mode='in_place',
            **CHECKPOINT))
        self.assertEqual(200, response.status_code)
        self.target_networks.assert_not_called()
        self.assertContains(response, 'web-1 (OS::Nova::Server)')
        for label in ('Plan only', 'Shrink volumes', 'Keep current flavors'):
            self.assertContains(response, label)
        for absent in ('External network', 'Name prefix', 'Timeout',
                       'm1.small'):
            self.assertNotContains(response, absent)

    def test_an_in_place_dry_run_is_confirmed_and_sent(self):
        self._known_checkpoint()
        response = self.client.post(url(
            CHOICES, target_region='RegionOne', mode='in_place',
            **CHECKPOINT), {'resources': [fakes.SERVER_ID],
                            'dry_run': 'on', 'keep_current_flavor': 'on'})
        response = self.client.get(self._confirm(response))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'In-place options')
        self.assertContains(response, 'Plan only, Keep current flavors')
        self.dragon.recoveries.create.return_value = rfakes.recovering(
            mode='in_place', target_region='RegionOne')
        response = self.client.post(response.request['PATH_INFO'] + '?' +
                                    response.request['QUERY_STRING'], {})
        self.assertEqual(302, response.status_code, response.content[:3000])
        self.dragon.recoveries.create.assert_called_once_with(
            checkpoint_id=fakes.CHECKPOINT_ID, recovery_point=None,
            target_region=None, mode='in_place', mappings={},
            resources=[fakes.SERVER_ID], timeout=None, dry_run=True,
            keep_current_flavor=True)


class RecoverActionTests(helpers.TestCase):

    def test_checkpoint_action_is_for_available_checkpoints_only(self):
        from dragon.dashboard.api import checkpoints as api_checkpoints
        action = actions.RecoverCheckpoint()
        self.dragon.recoveries.list.return_value = []
        request = self.client.get(
            reverse('horizon:project:dr_recoveries:index')).wsgi_request
        self.assertTrue(action.allowed(
            request, api_checkpoints.Checkpoint(fakes.checkpoint())))
        self.assertFalse(action.allowed(
            request, api_checkpoints.Checkpoint(fakes.protecting())))

    def test_checkpoints_table_offers_recover_in_horizons_region(self):
        self.dragon.checkpoints.list.return_value = [
            fakes.checkpoint(), fakes.protecting(id='cp-running')]
        response = self.client.get(
            reverse('horizon:project:dr_checkpoints:index'))
        self.assertEqual(200, response.status_code)
        link = url(TARGET, **CHECKPOINT).replace('&', '&amp;')
        self.assertContains(response, link, count=1)
        self.assertNotContains(response, 'source=cp-running')


def test_parse_lines():
    assert recover_forms.parse_lines(' a = b \n\nc=d') == {'a': 'b',
                                                           'c': 'd'}
    for bad in ('a', '=b', 'a=', 'a=b\na=c'):
        with pytest.raises(recover_forms.forms.ValidationError):
            recover_forms.parse_lines(bad)
