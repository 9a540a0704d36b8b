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

"""What the panels share: progress bar, template highlighting, policy checks."""

from unittest import mock

from django.test import override_settings

from dragon.dashboard.common import highlight
from dragon.dashboard.common import progress
from dragon.dashboard import policy
from tests.unit.dashboard import fakes
from tests.unit.dashboard import helpers


class ProgressTest(helpers.TestCase):

    def test_running(self):
        context = progress.progress_context(fakes.protecting())
        self.assertEqual(25.0, context['percent'])
        self.assertEqual(25, context['width'])
        self.assertEqual('1.0 GiB / 4.0 GiB', context['bytes'])
        self.assertEqual('3m 20s', context['eta'])
        self.assertEqual('transferring 1/2 resources', context['phase'])
        self.assertTrue(context['running'])
        self.assertEqual('info', context['style'])

    def test_ended(self):
        context = progress.progress_context(fakes.checkpoint())
        self.assertFalse(context['running'])
        self.assertEqual('success', context['style'])
        self.assertEqual('', context['eta'])
        error = progress.progress_context(fakes.checkpoint(status='error'))
        self.assertEqual('danger', error['style'])

    def test_recovery(self):
        # The recovery panels use the same partial.
        context = progress.progress_context({
            'status': 'recovering',
            'progress': fakes.progress(percent=150, phase='launching')})
        self.assertEqual(100.0, context['percent'])
        self.assertEqual('launching stack', context['phase'])
        self.assertTrue(context['running'])

    def test_partial_escapes(self):
        html = progress.render({'status': '<script>', 'progress': {}})
        self.assertNotIn('<script>', html)


class HighlightTest(helpers.TestCase):

    def test_spans(self):
        html = highlight.yaml_html(
            "# a comment\nresources:\n  - get_resource: net\n"
            "  size: 10\n  name: \"a&b\"\n  flag: true\n")
        lines = html.split('\n')
        self.assertEqual('<span class="hl-comment"># a comment</span>',
                         lines[0])
        self.assertEqual('<span class="hl-key">resources</span>:', lines[1])
        self.assertEqual('  - <span class="hl-function">get_resource</span>:'
                         ' net', lines[2])
        self.assertIn('<span class="hl-literal">10</span>', lines[3])
        self.assertIn('<span class="hl-string">&quot;a&amp;b&quot;</span>',
                      lines[4])
        self.assertIn('<span class="hl-literal">true</span>', lines[5])

    def test_everything_is_escaped(self):
        html = highlight.yaml_html('<x>: <y> # <z>\n')
        self.assertNotIn('<x>', html)
        self.assertNotIn('<y>', html)
        self.assertNotIn('<z>', html)


class PolicyTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        from openstack_auth import utils
        self.request.user = utils.get_user(self.request)

    def test_defaults_in_code(self):
        self.assertTrue(policy.check(self.request, 'dragon:policy:create'))
        self.assertTrue(policy.check(self.request, 'dragon:checkpoint:delete',
                                     {'project_id': self.tenant.id}))
        # Another project's object: only an admin acts on it.
        self.assertFalse(policy.check(self.request,
                                      'dragon:checkpoint:delete',
                                      {'project_id': 'other'}))
        self.assertFalse(policy.check(self.request,
                                      'dragon:checkpoint:list:all_projects'))

    def test_unknown_rule_is_left_to_the_api(self):
        self.assertTrue(policy.check(self.request, 'dragon:nothing:here'))

    def test_a_deployment_policy_file_goes_through_horizon(self):
        with override_settings(POLICY_FILES={'dragon': 'dragon.yaml'}), \
                mock.patch('openstack_auth.policy.check',
                           return_value=False) as check:
            self.assertFalse(policy.check(self.request,
                                          'dragon:policy:create'))
        check.assert_called_once_with(
            (('dragon', 'dragon:policy:create'),), self.request,
            {'project_id': self.tenant.id})


class IsolationTest(helpers.TestCase):

    def test_other_libraries_exceptions_are_left_alone(self):
        # Dragon's other unit tests run in the same process.
        from openstack import exceptions as sdk_exceptions
        from swiftclient import client as swift_client
        for cls in (swift_client.ClientException,
                    sdk_exceptions.SDKException):
            self.assertNotEqual('fake_init_exception',
                                cls.__init__.__name__)
