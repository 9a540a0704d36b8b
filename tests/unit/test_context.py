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

from oslo_policy import policy as oslo_policy
import pytest

from dragon import context
from dragon import exception


def _ctx(*roles, project='p1'):
    return context.RequestContext(user_id='u1', project_id=project,
                                  roles=list(roles))


def test_reader_may_read_own_project():
    assert _ctx('reader').can('project_reader_or_admin')


def test_reader_may_not_write():
    assert _ctx('reader').can('project_member_or_admin', fatal=False) is False


def test_denial_raises_forbidden_naming_the_rule():
    with pytest.raises(exception.Forbidden, match='project_member_or_admin'):
        _ctx('reader').can('project_member_or_admin')


def test_member_may_not_touch_another_project():
    target = {'project_id': 'someone-else'}
    assert _ctx('member', 'reader').can('project_member_or_admin', target,
                                        fatal=False) is False


def test_admin_may_act_on_any_project():
    target = {'project_id': 'someone-else'}
    assert _ctx('admin').can('project_member_or_admin', target)
    assert _ctx('admin').can('admin_api')
    assert not _ctx('member').can('admin_api', fatal=False)


def test_unknown_rule_is_an_error_not_a_denial():
    with pytest.raises(oslo_policy.PolicyNotRegistered):
        _ctx('admin').can('no_such_rule')


def test_context_survives_dict_round_trip():
    original = _ctx('member', 'reader')
    copy = context.RequestContext.from_dict(original.to_dict())
    assert isinstance(copy, context.RequestContext)
    assert (copy.user_id, copy.project_id, copy.roles) == (
        'u1', 'p1', ['member', 'reader'])
    assert copy.request_id == original.request_id


def test_admin_context_is_admin():
    assert context.get_admin_context().is_admin
