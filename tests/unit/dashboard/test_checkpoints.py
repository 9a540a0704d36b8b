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

"""The Checkpoints panel: table, live rows, detail tabs, hold, verify, delete."""

from django.urls import reverse

from tests.unit.dashboard import fakes
from tests.unit.dashboard import helpers

INDEX = reverse('horizon:project:dr_checkpoints:index')
DETAIL = reverse('horizon:project:dr_checkpoints:detail',
                 args=(fakes.CHECKPOINT_ID,))
VERIFY = reverse('horizon:project:dr_checkpoints:verify',
                 args=(fakes.CHECKPOINT_ID,))
ROW = '%s__row__%s' % ('checkpoints', fakes.CHECKPOINT_ID)


class IndexTest(helpers.TestCase):

    def test_running_checkpoint_shows_progress_and_refreshes(self):
        self.dragon.checkpoints.list.return_value = [fakes.protecting()]
        response = self.client.get(INDEX)
        self.assertEqual(200, response.status_code)
        row = response.context['table'].get_rows()[0]
        self.assertIn('ajax-update', row.classes)
        self.assertIn('warning', row.classes)  # polled by horizon.tables.js
        self.assertContains(response, 'aria-valuenow="25.0"')
        self.assertContains(response, '1.0 GiB / 4.0 GiB')
        self.assertContains(response, 'ETA 3m 20s')
        self.assertContains(response, 'transferring 1/2 resources')
        self.assertContains(response, '5.0 MiB/s')
        self.dragon.checkpoints.list.assert_called_once_with(
            policy_id=None, all_projects=False, all_pages=True)

    def test_available_checkpoint_settles(self):
        self.dragon.checkpoints.list.return_value = [fakes.checkpoint()]
        response = self.client.get(INDEX)
        row = response.context['table'].get_rows()[0]
        self.assertIn('status_up', row.classes)
        self.assertNotIn('warning', row.classes)
        self.assertContains(response, 'progress-bar-success')

    def test_running_verification_keeps_refreshing(self):
        self.dragon.checkpoints.list.return_value = [fakes.checkpoint(
            verification={'status': 'running', 'read_data': False})]
        row = self.client.get(INDEX).context['table'].get_rows()[0]
        self.assertIn('warning', row.classes)

    def test_queued_checkpoint_says_its_place(self):
        self.dragon.checkpoints.list.return_value = [fakes.checkpoint(
            status='queued', progress=fakes.progress(queue_position=2))]
        self.assertContains(self.client.get(INDEX), '#2 in line')

    def test_policy_filter(self):
        self.dragon.checkpoints.list.return_value = []
        self.client.get(INDEX + '?policy_id=' + fakes.POLICY_ID)
        self.dragon.checkpoints.list.assert_called_once_with(
            policy_id=fakes.POLICY_ID, all_projects=False, all_pages=True)

    def test_row_refresh_returns_the_row(self):
        self.dragon.checkpoints.get.return_value = fakes.protecting(
            progress=fakes.progress(percent=60.0, bytes_done=6,
                                    bytes_total=10))
        response = self.client.get(
            INDEX, {'action': 'row_update', 'table': 'checkpoints',
                    'obj_id': fakes.CHECKPOINT_ID},
            HTTP_X_REQUESTED_WITH='XMLHttpRequest')
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'id="%s"' % ROW)
        self.assertContains(response, 'aria-valuenow="60.0"')
        self.dragon.checkpoints.get.assert_called_once_with(
            fakes.CHECKPOINT_ID)
        self.dragon.checkpoints.list.assert_not_called()

    def test_row_of_a_deleted_checkpoint_answers_404(self):
        # horizon.tables.js removes the row on a 404.
        self.dragon.checkpoints.get.side_effect = fakes.error(
            404, 'Checkpoint x could not be found.')
        response = self.client.get(
            INDEX, {'action': 'row_update', 'table': 'checkpoints',
                    'obj_id': fakes.CHECKPOINT_ID},
            HTTP_X_REQUESTED_WITH='XMLHttpRequest')
        self.assertEqual(404, response.status_code)

    def test_actions_follow_the_state(self):
        self.dragon.checkpoints.list.return_value = [
            fakes.checkpoint(), fakes.checkpoint(id='held', hold=True),
            fakes.protecting(id='running')]
        response = self.client.get(INDEX)
        body = response.content.decode()
        row = 'checkpoints__row_%s__action_%s'
        self.assertIn(row % (fakes.CHECKPOINT_ID, 'delete'), body)
        self.assertIn(row % (fakes.CHECKPOINT_ID, 'hold'), body)
        self.assertNotIn(row % (fakes.CHECKPOINT_ID, 'release'), body)
        # Held: released first, never deleted.
        self.assertIn(row % ('held', 'release'), body)
        self.assertNotIn(row % ('held', 'delete'), body)
        # Running: nothing to delete or verify yet.
        self.assertNotIn(row % ('running', 'delete'), body)
        self.assertNotIn('/project/dr_checkpoints/running/verify/', body)
        self.assertIn('/project/dr_checkpoints/%s/verify/'
                      % fakes.CHECKPOINT_ID, body)

    def test_reader_gets_no_actions(self):
        self.as_reader()
        self.dragon.checkpoints.list.return_value = [fakes.checkpoint()]
        body = self.client.get(INDEX).content.decode()
        self.assertIn(fakes.CHECKPOINT_ID, body)
        for action in ('delete', 'hold', 'release'):
            self.assertNotIn('__action_' + action, body)
        self.assertNotIn('/verify/', body)

    def test_list_error_shows_the_api_message(self):
        self.dragon.checkpoints.list.side_effect = fakes.error(
            503, 'Swift is not reachable.')
        response = self.client.get(INDEX)
        self.assertIn('Swift is not reachable.',
                      ' '.join(self.messages_of(response)))


class ActionsTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.dragon.checkpoints.list.return_value = [fakes.checkpoint()]

    def _post(self, action):
        return self.client.post(INDEX, {
            'action': 'checkpoints__%s__%s' % (action, fakes.CHECKPOINT_ID)})

    def test_hold_and_release(self):
        self._post('hold')
        self.dragon.checkpoints.update.assert_called_once_with(
            fakes.CHECKPOINT_ID, True)
        self.dragon.checkpoints.list.return_value = [
            fakes.checkpoint(hold=True)]
        self.dragon.checkpoints.update.reset_mock()
        self._post('release')
        self.dragon.checkpoints.update.assert_called_once_with(
            fakes.CHECKPOINT_ID, False)

    def test_delete(self):
        response = self._post('delete')
        self.assertRedirects(response, INDEX, fetch_redirect_response=False)
        self.dragon.checkpoints.delete.assert_called_once_with(
            fakes.CHECKPOINT_ID)

    def test_delete_refused_shows_the_api_message(self):
        self.dragon.checkpoints.delete.side_effect = fakes.error(
            409, 'Checkpoint x is read by recovery y; it is deleted once '
            'the recovery ends.')
        self._post('delete')
        messages = ' '.join(self.messages_of())
        self.assertIn('Unable to delete checkpoint', messages)
        self.assertIn('is read by recovery y', messages)

    def test_verify_form(self):
        response = self.client.get(VERIFY)
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'Read every byte')
        self.dragon.checkpoints.verify.return_value = fakes.checkpoint(
            verification={'status': 'running'})
        response = self.client.post(VERIFY, {
            'checkpoint_id': fakes.CHECKPOINT_ID, 'read_data': 'on'})
        self.assertRedirects(response, INDEX, fetch_redirect_response=False)
        self.dragon.checkpoints.verify.assert_called_once_with(
            fakes.CHECKPOINT_ID, read_data=True)

    def test_verify_opens_as_a_modal(self):
        response = self.client.get(VERIFY,
                                   HTTP_X_REQUESTED_WITH='XMLHttpRequest')
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'Read every byte')

    def test_verify_refused_shows_the_api_message(self):
        self.dragon.checkpoints.verify.side_effect = fakes.error(
            409, 'Checkpoint x is being verified already.')
        self.client.post(VERIFY, {'checkpoint_id': fakes.CHECKPOINT_ID})
        self.assertIn('is being verified already.',
                      ' '.join(self.messages_of()))


class DetailTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.dragon.checkpoints.get.return_value = fakes.checkpoint(
            warnings=[{'resource': 'volume:v9', 'what': 'volume_template_only',
                       'message': 'Volume v9 is recreated empty.'}],
            resources=[{**fakes.checkpoint()['resources'][0],
                        'status': 'error', 'reason': 'Nova refused: quota'}])

    def test_overview(self):
        response = self.client.get(DETAIL)
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'engine-1')
        self.assertContains(response, '900.0 MiB')
        self.assertContains(response, 'Never verified.')
        self.assertContains(response,
                            '/project/dr_policies/%s/' % fakes.POLICY_ID)

    def test_overview_shows_the_copy_at_the_replication_target(self):
        self.dragon.checkpoints.get.return_value = fakes.checkpoint(
            replication={'status': 'failed', 'target_region': 'RegionTwo',
                         'bytes': 384 << 20, 'bytes_total': 1 << 30,
                         'percent': 37, 'copied_bytes': 128 << 20,
                         'error': 'Swift of RegionTwo answered 503',
                         'attempts': 2,
                         'retry_at': '2026-12-04T01:10:00+00:00',
                         'engine': 'engine-1', 'started_at': None,
                         'finished_at': None})
        response = self.client.get(DETAIL)
        self.assertContains(response, 'Replication')
        self.assertContains(response, 'RegionTwo')
        self.assertContains(response, '37% (384.0 MiB of 1.0 GiB)')
        self.assertContains(response, 'Swift of RegionTwo answered 503')
        self.assertContains(response, 'Next attempt')

    def test_an_unreplicated_checkpoint_has_no_replication_section(self):
        response = self.client.get(DETAIL)
        self.assertNotContains(response, 'Target region')

    def test_resources_tab_shows_status_and_reason(self):
        response = self.client.get(DETAIL + '?tab=checkpoint_details__'
                                            'resources')
        self.assertContains(response, 'Nova refused: quota')
        self.assertContains(response, 'status_down')

    def test_events_tab(self):
        self.dragon.checkpoints.events.return_value = [
            {'time': '2026-12-04T00:47:02+00:00', 'level': 'info',
             'resource': None, 'message': 'Discovered 5 resources.'}]
        response = self.client.get(DETAIL + '?tab=checkpoint_details__events')
        self.assertContains(response, 'Discovered 5 resources.')
        self.dragon.checkpoints.events.assert_called_once_with(
            fakes.CHECKPOINT_ID)

    def test_template_tab_is_highlighted_and_escaped(self):
        self.dragon.checkpoints.template.return_value = {
            'template': "heat_template_version: 2021-04-16\n"
                        "resources:\n  web:\n    type: OS::Nova::Server\n"
                        "    properties:\n      name: '<b>x</b>'\n"
                        "      image: {get_param: image_web}\n",
            'parameters': {'image_web': 'cirros'}}
        response = self.client.get(DETAIL +
                                   '?tab=checkpoint_details__template')
        self.assertContains(response, '<span class="hl-key">resources</span>')
        self.assertContains(response, '&lt;b&gt;x&lt;/b&gt;')
        self.assertNotContains(response, '<b>x</b>')
        self.assertContains(response, 'cirros')

    def test_template_error_shows_the_api_message(self):
        self.dragon.checkpoints.template.side_effect = fakes.error(
            503, 'Swift is not reachable.')
        response = self.client.get(DETAIL +
                                   '?tab=checkpoint_details__template')
        self.assertEqual(200, response.status_code)
        self.assertIn('Swift is not reachable.',
                      ' '.join(self.messages_of(response)))

    def test_warnings_tab(self):
        response = self.client.get(DETAIL +
                                   '?tab=checkpoint_details__warnings')
        self.assertContains(response, 'Volume v9 is recreated empty.')
        self.assertContains(response, 'volume_template_only')

    def test_running_checkpoint_has_no_template_tab(self):
        self.dragon.checkpoints.get.return_value = fakes.protecting()
        response = self.client.get(DETAIL)
        self.assertNotContains(response, 'checkpoint_details__template')
        self.assertContains(response, 'ETA 3m 20s')


class LiveDetailTest(helpers.TestCase):
    """A running checkpoint's page refreshes its status row in place."""

    def test_status_row_refreshes_through_the_detail_page(self):
        self.dragon.checkpoints.get.return_value = fakes.protecting()
        response = self.client.get(DETAIL)
        self.assertContains(response, 'ajax-update')
        self.assertContains(response, 'data-update-url="%s?action=row_update'
                                      '&amp;table=checkpoint_status' % DETAIL)
        self.dragon.checkpoints.get.return_value = fakes.checkpoint()
        response = self.client.get(
            DETAIL, {'action': 'row_update', 'table': 'checkpoint_status',
                     'obj_id': fakes.CHECKPOINT_ID},
            HTTP_X_REQUESTED_WITH='XMLHttpRequest')
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'progress-bar-success')
        # Settled: horizon.tables.js polls only rows classed 'warning'.
        self.assertContains(response, 'class="ajax-update status_up"')
