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

"""dragon.dashboard.api: the client of a request, and errors Horizon knows."""

from unittest import mock

from django.test import override_settings
from keystoneauth1 import exceptions as ksa_exceptions
from keystoneauth1 import token_endpoint

from dragon.client import exceptions as client_exceptions
from dragon.dashboard import api
from dragon.dashboard.api import checkpoints as checkpoints_api
from dragon.dashboard.api import policies as policies_api
from dragon.dashboard import exceptions
from tests.unit.dashboard import fakes
from tests.unit.dashboard import helpers

# Taken before the fake_dragon fixture replaces it.
REAL_CLIENT = api.client


class ClientTest(helpers.TestCase):
    """The real ``api.client`` (the fixture's fake is put aside)."""

    def setUp(self):
        super().setUp()
        from openstack_auth import utils
        self.request.user = utils.get_user(self.request)

    def _real_client(self, region=None):
        with mock.patch.object(api, 'client', REAL_CLIENT):
            return api.client(self.request, region)

    def test_token_and_endpoint_of_horizons_region(self):
        client = self._real_client()
        auth = client.adapter.session.auth
        self.assertIsInstance(auth, token_endpoint.Token)
        self.assertEqual(self.token.id, auth.token)
        self.assertEqual('http://regionone.dr.example.com:8799',
                         client.adapter.endpoint_override)
        self.assertEqual('RegionOne', client.adapter.region_name)

    def test_explicit_region(self):
        client = self._real_client('RegionTwo')
        self.assertEqual('http://regiontwo.dr.example.com:8799',
                         client.adapter.endpoint_override)

    def test_one_client_per_request_and_region(self):
        self.assertIs(self._real_client(), self._real_client())
        self.assertIsNot(self._real_client(), self._real_client('RegionTwo'))

    def test_region_without_endpoint_says_so(self):
        with self.assertRaises(exceptions.DragonError) as caught:
            self._real_client('RegionThree')
        self.assertEqual(503, caught.exception.status)
        self.assertIn('no endpoint in region RegionThree',
                      caught.exception.message)

    @override_settings(OPENSTACK_SSL_NO_VERIFY=True)
    def test_tls_settings_are_horizons(self):
        self.assertFalse(self._real_client().adapter.session.verify)


class TranslatedTest(helpers.TestCase):

    def test_status_classes(self):
        for status, cls in ((401, exceptions.DragonUnauthorized),
                            (404, exceptions.DragonNotFound),
                            (403, exceptions.DragonError),
                            (409, exceptions.DragonError)):
            self.dragon.policies.get.side_effect = fakes.error(status, 'm')
            with self.assertRaises(cls) as caught:
                policies_api.policy_get(self.request, 'p')
            self.assertEqual('m (HTTP %d) (Request-ID: req-0001)' % status,
                             str(caught.exception))
            self.assertIsInstance(caught.exception,
                                  client_exceptions.ClientError)

    def test_unreachable_api(self):
        self.dragon.checkpoints.list.side_effect = \
            ksa_exceptions.ConnectFailure('Connection refused')
        with self.assertRaises(exceptions.DragonError) as caught:
            checkpoints_api.checkpoint_list(self.request)
        self.assertEqual(503, caught.exception.status)
        self.assertIn('cannot be reached', caught.exception.message)

    def test_horizon_classifies_them(self):
        from horizon import exceptions as horizon_exceptions
        self.assertTrue(issubclass(exceptions.DragonNotFound,
                                   horizon_exceptions.NOT_FOUND))
        self.assertTrue(issubclass(exceptions.DragonUnauthorized,
                                   horizon_exceptions.UNAUTHORIZED))
        self.assertTrue(issubclass(exceptions.DragonError,
                                   horizon_exceptions.RECOVERABLE))

    def test_wrappers_expose_fields_as_attributes(self):
        self.dragon.policies.get.return_value = fakes.policy(members=[])
        policy = policies_api.policy_get(self.request, fakes.POLICY_ID)
        self.assertEqual('web', policy.name)
        self.assertEqual('web', policy['name'])
        self.assertEqual(0, policy.member_count)
        self.assertEqual('ok', policy.rpo_state)
        self.assertEqual(fakes.policy(members=[]), policy.to_dict())


class MayFailBackTest(helpers.TestCase):
    """The table offers "Fail back" exactly when the API would accept it."""

    def _policy(self, run, recovery_id='rec-1'):
        return policies_api.Policy({'id': 'pol-1', 'failback': {
            'recovery_id': recovery_id, 'run': run}})

    def _claimed(self, seconds_ago, **run):
        import datetime

        from oslo_utils import timeutils
        at = timeutils.utcnow() - datetime.timedelta(seconds=seconds_ago)
        return dict({'status': 'running', 'claimed_at':
                     at.isoformat() + 'Z'}, **run)

    def test_no_run_or_an_ended_one_may_start(self):
        for run in (None, {'status': 'rolled_back'}, {'status': 'error'}):
            self.assertTrue(self._policy(run).may_fail_back, run)

    def test_not_a_reverse_policy_or_a_run_open_or_committed(self):
        self.assertFalse(self._policy(None, recovery_id=None).may_fail_back)
        for run in ({'status': 'awaiting_commit'}, {'status': 'committed'},
                    self._claimed(60)):
            self.assertFalse(self._policy(run).may_fail_back, run)

    def test_a_claim_whose_request_died_is_offered_again_when_stale(self):
        from dragon.recovery import failback_claim
        stale = self._claimed(failback_claim.CLAIM_STALE_AFTER + 60)
        self.assertTrue(self._policy(stale).may_fail_back)
        # Handed to the engines: running, never stale.
        self.assertFalse(self._policy(dict(
            stale, recovery_id='fb-1')).may_fail_back)
