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

"""The Recoveries panel: table, live rows, stack link, RTO, events, delete."""

from django.urls import reverse

from dragon.osc.v1 import progress as words
from tests.unit.dashboard import fakes
from tests.unit.dashboard import fakes_recovery as rfakes
from tests.unit.dashboard import helpers

INDEX = 'horizon:project:dr_recoveries:index'
DETAIL = 'horizon:project:dr_recoveries:detail'


class RecoveriesTests(helpers.TestCase):

    def test_table_shows_status_progress_rto_and_stack(self):
        self.dragon.recoveries.list.return_value = [
            rfakes.recovery(), rfakes.recovering(id='r2')]
        response = self.client.get(reverse(INDEX))
        self.assertEqual(200, response.status_code)
        self.dragon.recoveries.list.assert_called_once_with(
            all_projects=False, all_pages=True)
        # the RTO, as the CLI writes durations
        self.assertContains(response, words.human_duration(65.2))
        # Heat's dashboard is not installed here: the stack id is shown.
        self.assertContains(response, rfakes.STACK_ID)
        # The running one refreshes itself and shows its bar.
        self.assertContains(response, 'ajax-update')
        self.assertContains(response, '25.0')
        self.assertContains(response, 'Drill')

    def test_row_update_fetches_one_recovery_in_the_selected_region(self):
        self.dragon.recoveries.list.return_value = []
        self.client.get(reverse(INDEX) + '?region=RegionTwo')
        self.dragon.recoveries.get.return_value = rfakes.recovering()
        response = self.client.get(
            reverse(INDEX) + '?action=row_update&table=recoveries&obj_id='
            + rfakes.RECOVERY_ID, HTTP_X_REQUESTED_WITH='XMLHttpRequest')
        self.assertEqual(200, response.status_code)
        self.dragon.recoveries.get.assert_called_with(rfakes.RECOVERY_ID)
        self.assertEqual('RegionTwo', self.dragon.regions[-1])
        self.assertContains(response, 'restoring')

    def test_delete_calls_the_api_and_shows_its_refusal(self):
        self.dragon.recoveries.list.return_value = [rfakes.recovery()]
        self.dragon.recoveries.delete.side_effect = fakes.error(
            409, 'Recovery %s is deleting' % rfakes.RECOVERY_ID)
        response = self.client.post(reverse(INDEX), {
            'action': 'recoveries__delete__%s' % rfakes.RECOVERY_ID})
        self.dragon.recoveries.delete.assert_called_once_with(
            rfakes.RECOVERY_ID)
        self.assertEqual(302, response.status_code)
        response = self.client.get(reverse(INDEX))
        self.assertTrue(any('is deleting' in m
                            for m in self.messages_of(response)),
                        self.messages_of(response))

    def test_delete_is_offered_only_for_ended_recoveries_and_members(self):
        self.dragon.recoveries.list.return_value = [
            rfakes.recovering(id='r-running')]
        response = self.client.get(reverse(INDEX))
        self.assertNotContains(response, 'recoveries__delete__r-running')
        self.dragon.recoveries.list.return_value = [rfakes.recovery()]
        response = self.client.get(reverse(INDEX))
        self.assertContains(response,
                            'recoveries__delete__%s' % rfakes.RECOVERY_ID)
        self.as_reader()
        response = self.client.get(reverse(INDEX))
        self.assertNotContains(response,
                               'recoveries__delete__%s' % rfakes.RECOVERY_ID)

    def test_detail_shows_overview_resources_and_events(self):
        self.dragon.recoveries.get.return_value = rfakes.recovery(
            error=None, mappings={'networks': {'src': 'dst'},
                                  'name_prefix': 'dr-'})
        self.dragon.recoveries.events.return_value = [
            {'time': '2026-12-04T01:00:02+00:00', 'level': 'info',
             'resource': None, 'message': 'stack launched'}]
        response = self.client.get(reverse(DETAIL,
                                           args=[rfakes.RECOVERY_ID]))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'CREATE_COMPLETE')
        self.assertContains(response, 'new-server-1')      # recovered as
        self.assertContains(response, 'stack launched')
        self.assertContains(response, 'dst')
        self.dragon.recoveries.events.assert_called_once_with(
            rfakes.RECOVERY_ID)
        self.dragon.recoveries.get.assert_called_once_with(rfakes.RECOVERY_ID)

    def test_detail_of_a_missing_recovery_says_so(self):
        self.dragon.recoveries.get.side_effect = fakes.error(
            404, 'Recovery nope could not be found.')
        response = self.client.get(reverse(DETAIL, args=['nope']))
        self.assertEqual(302, response.status_code)


class InPlaceWindowTests(helpers.TestCase):
    """An in-place restore awaiting commit: its window, commit, roll back."""

    def test_detail_shows_volumes_swapped_recreated_and_servers_rebuilt(self):
        self.dragon.recoveries.get.return_value = rfakes.awaiting_commit(
            replaced=[
                {'key': 'volume_data', 'name': 'db-data', 'kind': 'volume',
                 'old_volume_id': 'old-vol-1', 'recreates': None,
                 'new_volume_id': 'new-vol-1', 'server_id': 'srv-1',
                 'device': '/dev/vdb', 'state': 'swapped'},
                {'key': 'volume_logs', 'name': 'logs', 'kind': 'volume',
                 'old_volume_id': None, 'recreates': 'gone-vol-2',
                 'new_volume_id': 'new-vol-2', 'server_id': 'srv-1',
                 'device': '/dev/vdc', 'state': 'swapped'},
                {'key': 'server_web', 'name': 'web-1', 'kind': 'server',
                 'server_id': 'srv-2', 'previous_image_id': 'img-base',
                 'saved_image_id': 'img-saved', 'restored_image_id':
                 'img-restored', 'state': 'swapped'},
                {'key': 'server_db', 'name': 'db-1', 'kind': 'new_server',
                 'recreates': 'gone-srv-3', 'server_id': 'new-srv-3',
                 'restored_image_id': 'img-db', 'state': 'swapped'},
                {'key': 'volume_boot', 'name': 'app-boot',
                 'kind': 'boot_volume', 'volume_id': 'boot-vol-4',
                 'server_id': 'srv-4', 'device': '/dev/vda',
                 'saved_volume_id': 'copy-vol-4',
                 'restored_image_id': 'img-4', 'state': 'swapped'}])
        self.dragon.recoveries.events.return_value = []
        response = self.client.get(reverse(DETAIL,
                                           args=[rfakes.RECOVERY_ID]))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'Restored in place')
        self.assertContains(response, 'old-vol-1')
        self.assertContains(response, 'gone-vol-2 (deleted, recreated)')
        self.assertContains(response, 'web-1 (server, rebuilt)')
        self.assertContains(response, 'disk image img-saved')
        self.assertContains(response, 'image img-restored')
        self.assertContains(response, 'db-1 (server, recreated)')
        self.assertContains(response, 'gone-srv-3 (deleted, recreated)')
        self.assertContains(response, 'new-srv-3')
        self.assertContains(response, 'app-boot (boot volume, re-imaged)')
        self.assertContains(response, 'copy copy-vol-4')

    def test_row_shows_the_window_and_offers_commit_and_rollback(self):
        self.dragon.recoveries.list.return_value = [
            rfakes.awaiting_commit(), rfakes.recovery(id='r-drill')]
        response = self.client.get(reverse(INDEX))
        self.assertContains(response, 'In place')
        self.assertContains(response, 'Window ends')
        for action in ('commit', 'rollback'):
            self.assertContains(response, 'recoveries__%s__%s' % (
                action, rfakes.RECOVERY_ID))
            self.assertNotContains(response,
                                   'recoveries__%s__r-drill' % action)
        # Not deletable while its window is open; the ended drill is.
        self.assertNotContains(response,
                               'recoveries__delete__%s' % rfakes.RECOVERY_ID)
        self.assertContains(response, 'recoveries__delete__r-drill')

    def test_a_reader_is_offered_neither(self):
        self.dragon.recoveries.list.return_value = [rfakes.awaiting_commit()]
        self.as_reader()
        response = self.client.get(reverse(INDEX))
        for action in ('commit', 'rollback'):
            self.assertNotContains(response, 'recoveries__%s__%s' % (
                action, rfakes.RECOVERY_ID))

    def test_commit_and_rollback_call_the_api_in_the_selected_region(self):
        self.dragon.recoveries.list.return_value = [rfakes.awaiting_commit()]
        self.client.get(reverse(INDEX) + '?region=RegionTwo')
        for action in ('commit', 'rollback'):
            response = self.client.post(reverse(INDEX), {
                'action': 'recoveries__%s__%s' % (action,
                                                  rfakes.RECOVERY_ID)})
            self.assertEqual(302, response.status_code)
            getattr(self.dragon.recoveries, action).assert_called_once_with(
                rfakes.RECOVERY_ID)
            self.assertEqual('RegionTwo', self.dragon.regions[-1])

    def test_a_refused_commit_shows_the_api_reason(self):
        self.dragon.recoveries.list.return_value = [rfakes.awaiting_commit()]
        self.dragon.recoveries.commit.side_effect = fakes.error(
            409, 'Recovery %s is committing' % rfakes.RECOVERY_ID)
        self.client.post(reverse(INDEX), {
            'action': 'recoveries__commit__%s' % rfakes.RECOVERY_ID})
        response = self.client.get(reverse(INDEX))
        self.assertTrue(any('is committing' in m
                            for m in self.messages_of(response)),
                        self.messages_of(response))

    def test_detail_shows_the_window_and_the_swapped_volumes(self):
        self.dragon.recoveries.get.return_value = rfakes.awaiting_commit()
        self.dragon.recoveries.events.return_value = []
        response = self.client.get(reverse(DETAIL,
                                           args=[rfakes.RECOVERY_ID]))
        self.assertEqual(200, response.status_code)
        # In the user's date format, as in the table.
        self.assertContains(response, 'Dec. 4, 2026, 2:02 a.m.')
        self.assertContains(response, 'commit or roll back before then')
        for value in ('old-vol-1', 'new-vol-1', '/dev/vdb', 'swapped',
                      'db-data (volume, replaced)'):
            self.assertContains(response, value)
        # No stack: its rows would only say "-".
        self.assertNotContains(response, 'Stack status')


class FailbackTests(helpers.TestCase):
    """A failback awaiting commit: its own commit and rollback, its page."""

    def test_its_row_offers_the_failback_commit_and_rollback(self):
        self.dragon.recoveries.list.return_value = [
            rfakes.failback_awaiting(), rfakes.awaiting_commit(id='r-ip')]
        response = self.client.get(reverse(INDEX))
        self.assertContains(response, 'Failback')
        for action in ('commit_failback', 'rollback_failback'):
            self.assertContains(response, 'recoveries__%s__%s' % (
                action, rfakes.RECOVERY_ID))
            self.assertNotContains(response, 'recoveries__%s__r-ip' % action)
        for action in ('commit', 'rollback'):
            self.assertNotContains(response, 'recoveries__%s__%s"' % (
                action, rfakes.RECOVERY_ID))
            self.assertContains(response, 'recoveries__%s__r-ip' % action)
        self.assertContains(response, 'Commit Failback')
        self.assertContains(response, 'the original policy at home')

    def test_a_reader_is_offered_neither(self):
        self.dragon.recoveries.list.return_value = [
            rfakes.failback_awaiting()]
        self.as_reader()
        response = self.client.get(reverse(INDEX))
        self.assertNotContains(response, '_failback__')

    def test_commit_and_rollback_call_the_api_in_the_selected_region(self):
        self.dragon.recoveries.list.return_value = [
            rfakes.failback_awaiting()]
        self.client.get(reverse(INDEX) + '?region=RegionTwo')
        for action in ('commit', 'rollback'):
            response = self.client.post(reverse(INDEX), {
                'action': 'recoveries__%s_failback__%s' % (
                    action, rfakes.RECOVERY_ID)})
            self.assertEqual(302, response.status_code)
            getattr(self.dragon.recoveries, action).assert_called_once_with(
                rfakes.RECOVERY_ID)
            self.assertEqual('RegionTwo', self.dragon.regions[-1])

    def test_its_page_shows_the_run(self):
        self.dragon.recoveries.get.return_value = rfakes.failback_awaiting()
        self.dragon.recoveries.events.return_value = []
        self.dragon.policies.get.return_value = rfakes.reverse_policy(
            run=rfakes.FAILBACK_RUN)
        response = self.client.get(reverse(DETAIL,
                                           args=[rfakes.RECOVERY_ID]))
        self.assertEqual(200, response.status_code)
        self.dragon.policies.get.assert_called_once_with('pol-rev')
        for text in ('web-failback', 'cp-final-1',
                     'b-srv-1 (pause, was ACTIVE)',
                     'a-srv-1 (SHUTOFF, was ACTIVE)', 'kept, stopped',
                     'suspended while the failback runs', '34.0 s',
                     '1.0\xa0MB uploaded here'):
            self.assertContains(response, text)

    def test_its_page_shows_a_run_its_engine_just_took(self):
        """Right after the request: nothing quiesced, no checkpoint."""
        self.dragon.recoveries.get.return_value = rfakes.failback_awaiting(
            status='recovering')
        self.dragon.recoveries.events.return_value = []
        self.dragon.policies.get.return_value = rfakes.reverse_policy(
            run={'status': 'running', 'recovery_id': rfakes.RECOVERY_ID,
                 'checkpoint_id': None, 'quiesce': 'pause', 'quiesced': [],
                 'quiesced_at': None, 'fenced': [], 'step': None})
        response = self.client.get(reverse(DETAIL,
                                           args=[rfakes.RECOVERY_ID]))
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'not started yet')

    def test_its_page_shows_a_home_policy_it_could_not_reach(self):
        self.dragon.recoveries.get.return_value = rfakes.failback_awaiting(
            status='committed')
        self.dragon.recoveries.events.return_value = []
        self.dragon.policies.get.return_value = rfakes.reverse_policy(
            run=dict(rfakes.FAILBACK_RUN, status='committed', home_policy={
                'policy_id': 'pol-a', 'suspended': True,
                'error': 'not made active again: connection refused'}))
        response = self.client.get(reverse(DETAIL,
                                           args=[rfakes.RECOVERY_ID]))
        self.assertContains(response, 'connection refused')
