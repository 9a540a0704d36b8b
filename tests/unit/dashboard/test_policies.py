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

"""The Workload Policies panel: table, detail, create/edit, delete, protect."""

from django.urls import reverse

from dragon.dashboard.project.policies import workflows
from tests.unit.dashboard import fakes
from tests.unit.dashboard import fakes_recovery as rfakes
from tests.unit.dashboard import helpers

INDEX = reverse('horizon:project:dr_policies:index')
DETAIL = reverse('horizon:project:dr_policies:detail',
                 args=(fakes.POLICY_ID,))
CREATE = reverse('horizon:project:dr_policies:create')
UPDATE = reverse('horizon:project:dr_policies:update',
                 args=(fakes.POLICY_ID,))
FAILBACK = reverse('horizon:project:dr_policies:failback',
                   args=('pol-rev',))


class IndexTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.dragon.policies.list.return_value = [fakes.policy()]
        self.dragon.checkpoints.list.return_value = [
            fakes.protecting(id='newest'), fakes.checkpoint()]

    def test_lists_the_figures_of_each_policy(self):
        response = self.client.get(INDEX)
        self.assertEqual(200, response.status_code)
        table = response.context['table']
        row = table.get_rows()[0]
        self.assertEqual('web', row.cells['name'].data)
        self.assertEqual(2, row.cells['members'].data)
        self.assertIn('0 2 * * * (UTC)', row.cells['schedule'].data)
        self.assertEqual('OK', row.cells['rpo_state'].data)
        self.assertEqual('ok: 12m 00s of 1h 00m', row.cells['rpo'].data)
        # The newest checkpoint of the policy, whatever its status.
        self.assertIn('protecting', row.cells['last_checkpoint'].data)
        self.assertEqual('/project/dr_checkpoints/newest/',
                         row.cells['last_checkpoint'].url)
        self.assertEqual('1m 06s', row.cells['last_drill_rto'].data)
        self.dragon.policies.list.assert_called_once_with(
            all_projects=False, all_pages=True)
        # One page of checkpoints serves the whole table.
        self.dragon.checkpoints.list.assert_called_once_with(
            policy_id=None, all_projects=False, all_pages=False)

    def test_delete_confirmation_names_the_kept_checkpoints(self):
        response = self.client.get(INDEX)
        self.assertContains(response, 'Its 2 checkpoints are kept')

    def test_member_sees_create_protect_edit_delete(self):
        response = self.client.get(INDEX)
        for action in ('policies__action_create', '__action_protect',
                       '__action_edit', '__action_delete'):
            self.assertContains(response, action)

    def test_reader_sees_no_action_that_changes_anything(self):
        self.as_reader()
        response = self.client.get(INDEX)
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'web')
        for action in ('policies__action_create', '__action_protect',
                       '__action_edit', '__action_delete'):
            self.assertNotContains(response, action)

    def test_policy_without_members_offers_no_protect(self):
        self.dragon.policies.list.return_value = [fakes.policy(members=[])]
        response = self.client.get(INDEX)
        self.assertNotContains(response, 'policies__protect__')

    def test_list_error_shows_the_api_message(self):
        self.dragon.policies.list.side_effect = fakes.error(
            503, 'The database is not reachable.')
        response = self.client.get(INDEX)
        self.assertEqual(200, response.status_code)
        messages = self.messages_of(response)
        self.assertEqual(1, len(messages))
        self.assertIn('Unable to list policies.', messages[0])
        self.assertIn('The database is not reachable.', messages[0])

    def test_expired_token_is_horizons_not_authorized_page(self):
        self.dragon.policies.list.side_effect = fakes.error(
            401, 'The request you have made requires authentication.')
        response = self.client.get(INDEX)
        self.assertEqual(403, response.status_code)
        self.assertTemplateUsed(response, 'not_authorized.html')


class ActionsTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.dragon.policies.list.return_value = [fakes.policy()]
        self.dragon.checkpoints.list.return_value = []

    def test_delete_calls_the_api_and_says_what_was_kept(self):
        self.dragon.policies.delete.return_value = {
            'policy_id': fakes.POLICY_ID, 'kept_checkpoints': 3}
        response = self.client.post(INDEX, {
            'action': 'policies__delete__%s' % fakes.POLICY_ID})
        self.assertRedirects(response, INDEX, fetch_redirect_response=False)
        self.dragon.policies.delete.assert_called_once_with(fakes.POLICY_ID)
        messages = self.messages_of()
        self.assertIn('Policy %s: 3 checkpoints were kept.' % fakes.POLICY_ID,
                      messages)
        self.assertIn('Deleted Policy: web', messages)

    def test_delete_refused_shows_the_api_message(self):
        self.dragon.policies.delete.side_effect = fakes.error(
            403, 'Policy does not allow dragon:policy:delete to be '
            'performed.')
        self.client.post(INDEX, {
            'action': 'policies__delete__%s' % fakes.POLICY_ID})
        messages = ' '.join(self.messages_of())
        self.assertIn('Policy does not allow dragon:policy:delete to be '
                      'performed.', messages)
        # In the line itself, not behind Horizon's collapsed "Details"
        # (which follow its separator).
        self.assertNotIn('\u2026', messages)

    def test_protect_now_starts_a_checkpoint_and_opens_it(self):
        self.dragon.checkpoints.protect.return_value = fakes.protecting()
        response = self.client.post(INDEX, {
            'action': 'policies__protect__%s' % fakes.POLICY_ID})
        self.dragon.checkpoints.protect.assert_called_once_with(
            fakes.POLICY_ID)
        self.assertRedirects(
            response, reverse('horizon:project:dr_checkpoints:detail',
                              args=(fakes.CHECKPOINT_ID,)),
            fetch_redirect_response=False)

    def test_protect_refused_shows_the_api_message(self):
        self.dragon.checkpoints.protect.side_effect = fakes.error(
            409, 'Policy web is being protected already.')
        self.client.post(INDEX, {
            'action': 'policies__protect__%s' % fakes.POLICY_ID})
        self.assertIn('Policy web is being protected already.',
                      ' '.join(self.messages_of()))


class DetailTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.dragon.policies.get.return_value = fakes.policy()
        self.dragon.checkpoints.list.return_value = [fakes.checkpoint()]

    def test_overview_shows_options(self):
        response = self.client.get(DETAIL)
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'the web tier')
        self.assertContains(response, 'last 7')
        self.assertContains(response, '1h 00m')
        self.assertContains(response, 'succeeded, RTO 1m 06s')
        self.dragon.policies.get.assert_called_once_with(fakes.POLICY_ID)

    def test_members_tab_lists_members(self):
        response = self.client.get(DETAIL + '?tab=policy_details__members')
        self.assertContains(response, 'web-1')
        self.assertContains(response, 'data-1')
        self.assertContains(response, 'snapshot_data')

    def test_checkpoints_tab_lists_the_policys_checkpoints(self):
        response = self.client.get(
            DETAIL + '?tab=policy_details__checkpoints')
        self.assertContains(response, fakes.CHECKPOINT_ID)
        self.dragon.checkpoints.list.assert_called_once_with(
            policy_id=fakes.POLICY_ID, all_projects=False, all_pages=True)

    def test_missing_policy_redirects_with_the_api_message(self):
        self.dragon.policies.get.side_effect = fakes.error(
            404, 'Policy x could not be found.')
        response = self.client.get(DETAIL)
        self.assertRedirects(response, INDEX, fetch_redirect_response=False)
        self.assertIn('Policy x could not be found.',
                      ' '.join(self.messages_of()))


def _member_fields(prefix='m__', **extra):
    return {
        'm__on__server__' + fakes.SERVER_ID: 'on',
        'm__action__server__' + fakes.SERVER_ID: 'image_snapshot',
        'm__options__server__' + fakes.SERVER_ID: 'keep_image=true',
        'm__on__volume__' + fakes.VOLUME_ID: 'on',
        'm__action__volume__' + fakes.VOLUME_ID: 'cinder_backup',
        'm__options__volume__' + fakes.VOLUME_ID: 'incremental=false',
        **extra}


class CreateTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.dragon.resource_types.list.return_value = fakes.resource_types()
        self.dragon.protectables.list.return_value = [
            fakes.protectable(),
            fakes.protectable('volume', fakes.VOLUME_ID, 'data-1'),
            fakes.protectable('swift_container', 'bucket', 'bucket')]
        self.dragon.policies.create.return_value = fakes.policy()

    def test_form_lists_servers_and_volumes_with_their_actions(self):
        response = self.client.get(CREATE)
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'web-1')
        self.assertContains(response, 'data-1')
        self.assertContains(response, 'cinder_backup')
        self.assertContains(response, 'keep_image')
        # Only servers and volumes are offered.
        self.assertNotContains(response, 'm__on__swift_container__bucket')

    def test_create_sends_members_options_and_schedule(self):
        response = self.client.post(CREATE, {
            'name': 'web', 'description': 'the web tier',
            **_member_fields(),
            'consistent': 'on', 'rpo': '1h', 'keep_last': '7',
            'max_age': '30d', 'daily': '7', 'retention_timezone': 'UTC',
            'cron': '0 2 * * *', 'timezone': 'Europe/Berlin',
            'enabled': 'on'})
        self.assertRedirects(response, INDEX, fetch_redirect_response=False)
        self.dragon.policies.create.assert_called_once_with(
            'web', description='the web tier',
            options={'consistent': True, 'strict': False, 'rpo': '1h',
                     'retention': {'keep_last': 7, 'daily': 7,
                                   'max_age': '30d', 'timezone': 'UTC'},
                     'verify_every_days': None},
            members=[
                {'resource_type': 'server', 'resource_id': fakes.SERVER_ID,
                 'action': 'image_snapshot', 'options': {'keep_image': True}},
                {'resource_type': 'volume', 'resource_id': fakes.VOLUME_ID,
                 'action': 'cinder_backup',
                 'options': {'incremental': False}}],
            schedules=[{'cron': '0 2 * * *', 'timezone': 'Europe/Berlin',
                        'enabled': True}])

    def test_create_with_nothing_but_a_name(self):
        self.client.post(CREATE, {'name': 'empty'})
        self.dragon.policies.create.assert_called_once_with(
            'empty', description=None,
            options={'consistent': False, 'strict': False, 'rpo': None,
                     'retention': None, 'verify_every_days': None},
            members=[], schedules=[])

    def test_name_is_required(self):
        response = self.client.post(CREATE, {'name': ''})
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'This field is required.')
        self.dragon.policies.create.assert_not_called()

    def test_options_that_are_not_key_value_are_refused(self):
        response = self.client.post(CREATE, {
            'name': 'web', **_member_fields(**{
                'm__options__server__' + fakes.SERVER_ID: 'keep_image'})})
        self.assertEqual(200, response.status_code)
        self.assertContains(response, '&quot;keep_image&quot; is not '
                                      'key=value.')
        self.dragon.policies.create.assert_not_called()

    def test_api_refusal_shows_the_api_message(self):
        self.dragon.policies.create.side_effect = fakes.error(
            400, "Invalid input: options of action image_snapshot: "
            "'bogus' was unexpected")
        self.client.post(CREATE, {'name': 'web', **_member_fields()})
        messages = ' '.join(self.messages_of())
        self.assertIn("The policy was not created. Invalid input: options "
                      "of action image_snapshot: 'bogus' was unexpected",
                      messages)
        self.assertNotIn('\u2026', messages)


class UpdateTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        other = 'b0b0b0b0-0000-4000-8000-000000000001'
        policy = fakes.policy(members=[
            fakes.member(),  # kept, its options change
            fakes.member('volume', other)])  # removed
        self.dragon.policies.get.return_value = policy
        self.dragon.resource_types.list.return_value = fakes.resource_types()
        self.dragon.protectables.list.return_value = [
            fakes.protectable(policy_id=fakes.POLICY_ID),
            fakes.protectable('volume', fakes.VOLUME_ID, 'data-1')]
        self.dragon.policies.update.return_value = policy
        self.other = other

    def test_form_shows_the_policy(self):
        response = self.client.get(UPDATE)
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'value="web"')
        self.assertContains(response, 'value="1h"')
        self.assertContains(response, 'value="0 2 * * *"')
        # The member whose resource is gone is still listed, checked.
        self.assertContains(response, 'm__on__volume__' + self.other)

    def _post(self, **extra):
        return self.client.post(UPDATE, {
            'policy_id': fakes.POLICY_ID, 'name': 'web2',
            'description': '', **_member_fields(), 'rpo': '2h',
            'keep_last': '7', 'cron': '0 2 * * *', 'timezone': 'UTC',
            'enabled': 'on', **extra})

    def test_edit_patches_the_policy_and_its_members(self):
        response = self._post()
        self.assertRedirects(response, INDEX, fetch_redirect_response=False)
        # The schedule is unchanged: not sent, so it keeps its trust.
        self.dragon.policies.update.assert_called_once_with(
            fakes.POLICY_ID, name='web2', description='',
            options={'consistent': False, 'strict': False, 'rpo': '2h',
                     'retention': {'keep_last': 7},
                     'verify_every_days': None})
        self.dragon.members.update.assert_called_once_with(
            fakes.POLICY_ID, fakes.SERVER_ID, action='image_snapshot',
            options={'keep_image': True})
        self.dragon.members.add.assert_called_once_with(
            fakes.POLICY_ID, 'volume', fakes.VOLUME_ID,
            action='cinder_backup', options={'incremental': False})
        self.dragon.members.remove.assert_called_once_with(
            fakes.POLICY_ID, self.other)

    def test_a_changed_schedule_is_sent(self):
        self._post(cron='30 3 * * *')
        self.assertEqual(
            [{'cron': '30 3 * * *', 'timezone': 'UTC', 'enabled': True}],
            self.dragon.policies.update.call_args.kwargs['schedules'])

    def test_an_emptied_cron_removes_the_schedule(self):
        self._post(cron='')
        self.assertEqual(
            [], self.dragon.policies.update.call_args.kwargs['schedules'])

    def test_member_refusal_shows_the_api_message(self):
        self.dragon.members.add.side_effect = fakes.error(
            409, 'Volume data-1 is protected by policy db already.')
        self._post()
        self.assertIn('Volume data-1 is protected by policy db already.',
                      ' '.join(self.messages_of()))


class HelpersTest(helpers.TestCase):

    def test_durations_round_trip(self):
        self.assertEqual('1h', workflows.duration_text(3600))
        self.assertEqual('90', workflows.duration_text(90))
        self.assertEqual('2w', workflows.duration_text(1209600))
        self.assertEqual(3600, workflows.duration_value('3600'))
        self.assertEqual('1h', workflows.duration_value(' 1h '))
        self.assertIsNone(workflows.duration_value(''))

    def test_options_typed_by_schema(self):
        schema = {'properties': {'incremental': {'type': 'boolean'},
                                 'n': {'type': 'integer'}}}
        self.assertEqual(
            {'incremental': False, 'n': 3, 'container': 'bk'},
            workflows.parse_options('incremental=no, n=3,container=bk',
                                    schema))
        with self.assertRaises(ValueError):
            workflows.parse_options('incremental', schema)
        self.assertEqual('a=true, b=x',
                         workflows.options_text({'b': 'x', 'a': True}))


class DetailCheckpointsTest(helpers.TestCase):
    """The checkpoints tab of a policy refreshes and acts in place."""

    def setUp(self):
        super().setUp()
        self.dragon.policies.get.return_value = fakes.policy()
        self.dragon.checkpoints.list.return_value = [fakes.protecting()]

    def test_running_row_refreshes_through_the_policy_page(self):
        response = self.client.get(
            DETAIL + '?tab=policy_details__checkpoints')
        self.assertContains(response, 'ajax-update')
        self.assertContains(response, 'data-update-url="%s?action=row_update'
                                      '&amp;table=policy_checkpoints'
                                      % DETAIL)
        self.dragon.checkpoints.get.return_value = fakes.checkpoint()
        response = self.client.get(
            DETAIL, {'action': 'row_update', 'table': 'policy_checkpoints',
                     'obj_id': fakes.CHECKPOINT_ID},
            HTTP_X_REQUESTED_WITH='XMLHttpRequest')
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'progress-bar-success')

    def test_hold_from_the_policy_page(self):
        self.dragon.checkpoints.list.return_value = [fakes.checkpoint()]
        response = self.client.post(DETAIL, {
            'action': 'policy_checkpoints__hold__%s' % fakes.CHECKPOINT_ID})
        self.assertEqual(302, response.status_code)
        self.dragon.checkpoints.update.assert_called_once_with(
            fakes.CHECKPOINT_ID, True)


class RetentionTabTest(helpers.TestCase):

    def test_says_what_retention_keeps_and_why(self):
        self.dragon.policies.get.return_value = fakes.policy()
        self.dragon.policies.retention_preview.return_value = {
            'rules': {'keep_last': 1}, 'timezone': 'UTC',
            'checkpoints': [
                {'id': 'new', 'created_at': None,
                 'captured_at': '2026-12-04T00:48:00+00:00',
                 'status': 'available', 'hold': False, 'keep': True,
                 'reasons': ['newest available', 'keep_last 1']},
                {'id': 'old', 'created_at': None, 'captured_at': None,
                 'status': 'available', 'hold': False, 'keep': False,
                 'reasons': []}]}
        response = self.client.get(DETAIL + '?tab=policy_details__retention')
        self.assertContains(response, 'newest available, keep_last 1')
        self.assertContains(response, 'Deleted next')
        self.dragon.policies.retention_preview.assert_called_once_with(
            fakes.POLICY_ID)


KEY_ONE = 'http://kms-one/v1/secrets/0b6f6c1e-6a57-4f0e-9d0a-6f1b3c2d4e51'
KEY_TWO = 'http://kms-two/v1/secrets/7c2e9d4a-1f3b-4a8e-b5c6-2d9e0f1a3b72'


class EncryptionOverviewTest(helpers.TestCase):

    def _show(self, **fields):
        self.dragon.policies.get.return_value = fakes.policy(**fields)
        response = self.client.get(DETAIL)
        self.assertEqual(200, response.status_code)
        return response

    def test_an_unencrypted_policy_says_so(self):
        response = self._show(encryption=None, encryption_readiness=None,
                              dr_ready=None)
        self.assertContains(response, 'Encryption')
        self.assertNotContains(response, 'DR ready')

    def test_keys_scope_and_readiness_per_region_with_the_reason(self):
        response = self._show(
            encryption={'key_ref': KEY_ONE,
                        'recovery_key_refs': {'RegionTwo': KEY_TWO},
                        'data_key_scope': 'policy'},
            dr_ready=False, encryption_readiness={
                'RegionOne': {'role': 'source', 'key_ref': KEY_ONE,
                              'readable': True, 'unwraps': True,
                              'reason': None},
                'RegionTwo': {'role': 'recovery', 'key_ref': KEY_TWO,
                              'readable': True, 'unwraps': False,
                              'reason': 'key %s of RegionTwo does not '
                                        'unwrap the data key' % KEY_TWO}})
        self.assertContains(response, 'of this policy only')
        self.assertContains(response, 'RegionOne (source)')
        self.assertContains(response, 'readable, unwraps the newest '
                                      'checkpoint')
        self.assertContains(response, 'RegionTwo (recovery)')
        self.assertContains(response, 'readable, does NOT unwrap: key %s '
                                      'of RegionTwo does not unwrap the '
                                      'data key' % KEY_TWO)
        self.assertContains(response, '<dd class="text-danger">no</dd>',
                            html=True)

    def test_a_ready_policy_of_the_projects_data_key(self):
        response = self._show(
            encryption={'key_ref': KEY_ONE,
                        'recovery_key_refs': {'RegionTwo': KEY_TWO},
                        'data_key_scope': 'project'},
            dr_ready=True, encryption_readiness={
                'RegionOne': {'role': 'source', 'key_ref': KEY_ONE,
                              'readable': True, 'unwraps': None,
                              'reason': None},
                'RegionTwo': {'role': 'recovery', 'key_ref': KEY_TWO,
                              'readable': True, 'unwraps': None,
                              'reason': None}})
        self.assertContains(response, 'of the project')
        self.assertContains(response, 'readable (no encrypted checkpoint to '
                                      'unwrap yet)')
        self.assertNotContains(response, 'text-danger')


class FailbackTest(helpers.TestCase):
    """Fail Back on a reverse policy: the form, the API call, the offer."""

    def _offered(self, *policies):
        self.dragon.policies.list.return_value = list(policies)
        self.dragon.checkpoints.list.return_value = []
        return self.client.get(INDEX).content.decode()

    def test_offered_only_on_a_reverse_policy_with_no_run_open(self):
        body = self._offered(
            fakes.policy(), rfakes.reverse_policy(),
            rfakes.reverse_policy(id='rev-open', run={'status': 'running'}),
            rfakes.reverse_policy(id='rev-done',
                                  run={'status': 'committed'}),
            rfakes.reverse_policy(id='rev-again',
                                  run={'status': 'rolled_back'}))
        self.assertIn(FAILBACK, body)
        self.assertIn('/project/dr_policies/rev-again/failback/', body)
        for policy_id in (fakes.POLICY_ID, 'rev-open', 'rev-done'):
            self.assertNotIn('/project/dr_policies/%s/failback/' % policy_id,
                             body)

    def test_a_reader_is_not_offered_it(self):
        self.as_reader()
        self.assertNotIn('/failback/',
                         self._offered(rfakes.reverse_policy()))

    def test_the_form_starts_the_run_and_shows_its_recovery(self):
        response = self.client.get(FAILBACK)
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'Pause them')
        self.assertContains(response, 'Stop them')
        self.assertContains(response, 'Delete the stale servers at home')
        self.dragon.policies.failback_run.return_value = \
            rfakes.recovery(mode='failback', status='recovering',
                            target_region='RegionOne')
        response = self.client.post(FAILBACK, {
            'policy_id': 'pol-rev', 'quiesce': 'stop',
            'delete_stale': 'on'})
        self.dragon.policies.failback_run.assert_called_once_with(
            'pol-rev', quiesce='stop', delete_stale=True)
        self.assertRedirects(
            response, reverse('horizon:project:dr_recoveries:detail',
                              args=(rfakes.RECOVERY_ID,)),
            fetch_redirect_response=False)
        self.assertIn('Failback started', ' '.join(self.messages_of()))

    def test_the_form_opens_as_a_modal(self):
        # What the table's ajax-modal link asks for.
        response = self.client.get(FAILBACK,
                                   HTTP_X_REQUESTED_WITH='XMLHttpRequest')
        self.assertEqual(200, response.status_code)
        self.assertContains(response, 'failback_policy_modal')

    def test_a_refused_run_shows_the_api_reason(self):
        self.dragon.policies.failback_run.side_effect = fakes.error(
            400, 'server b-srv-1 is ERROR: it can be neither paused nor '
            'stopped')
        self.client.post(FAILBACK, {'policy_id': 'pol-rev',
                                    'quiesce': 'pause'})
        self.dragon.policies.failback_run.assert_called_once_with(
            'pol-rev', quiesce='pause', delete_stale=False)
        self.assertIn('neither paused nor stopped',
                      ' '.join(self.messages_of()))
