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

"""The enforcer honours the operator's [oslo_policy] options."""

from dragon import conf as dragon_conf
from dragon import context
from dragon import policy


def test_policy_file_overrides_a_default(tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"dragon:checkpoint:delete": "role:admin"\n')
    member = context.RequestContext(user_id='u', project_id='p1',
                                    roles=['member', 'reader'])
    assert member.can('dragon:checkpoint:delete', fatal=False)
    dragon_conf.CONF.set_override('policy_file', str(policy_file),
                                  group='oslo_policy')
    policy.enforcer.cache_clear()
    try:
        assert not member.can('dragon:checkpoint:delete', fatal=False)
        assert member.can('dragon:checkpoint:get', fatal=False)
    finally:
        dragon_conf.CONF.clear_override('policy_file', group='oslo_policy')
        policy.enforcer.cache_clear()


def test_new_defaults_are_read_from_dragons_configuration():
    assert policy.enforcer().conf is dragon_conf.CONF
    assert dragon_conf.CONF.oslo_policy.enforce_new_defaults is True
