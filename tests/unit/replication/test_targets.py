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

"""Which replication targets are accepted: another region's own Swift only."""
import pytest

from dragon import context as dragon_context
from dragon import exception
from dragon.replication import targets


def _ctx(*endpoints):
    catalog = [{'type': 'object-store', 'name': 'swift', 'endpoints': [
        {'region': region, 'publicURL': url} for region, url in endpoints]}]
    return dragon_context.RequestContext(
        user_id='u1', project_id='p1', roles=['member'], auth_token='tok',
        service_catalog=catalog)


def _refused(ctx, conf, region):
    with pytest.raises(exception.ReplicationTargetInvalid) as refused:
        targets.normalize(ctx, {'target_region': region}, conf)
    assert refused.value.code == 400
    return str(refused.value)


def test_another_region_with_its_own_swift_is_accepted(conf):
    ctx = _ctx(('RegionOne', 'http://r1:8080/v1/AUTH_p1'),
               ('RegionTwo', 'http://r2:8080/v1/AUTH_p1/'))
    assert targets.normalize(ctx, {'target_region': 'RegionTwo'}, conf) == {
        'target_region': 'RegionTwo'}
    assert targets.normalize(ctx, None, conf) is None


def test_a_shared_swift_is_refused_saying_so(conf):
    ctx = _ctx(('RegionOne', 'http://swift:8080/v1/AUTH_p1'),
               ('RegionTwo', 'http://swift:8080/v1/AUTH_p1'))
    message = _refused(ctx, conf, 'RegionTwo')
    assert 'same Swift' in message and 'nothing to replicate' in message


def test_a_region_without_object_store_is_refused(conf):
    ctx = _ctx(('RegionOne', 'http://r1:8080/v1/AUTH_p1'))
    assert 'no object-store endpoint' in _refused(ctx, conf, 'RegionTwo')


def test_the_protected_region_itself_is_refused(conf):
    ctx = _ctx(('RegionOne', 'http://r1:8080/v1/AUTH_p1'))
    assert 'region this Dragon protects' in _refused(ctx, conf, 'RegionOne')


def test_an_endpoint_override_makes_every_region_the_same_swift(conf):
    conf.set_override('endpoint_override', 'http://global:8080/v1/AUTH_p1',
                      group='swift')
    ctx = _ctx(('RegionOne', 'http://r1:8080/v1/AUTH_p1'),
               ('RegionTwo', 'http://r2:8080/v1/AUTH_p1'))
    assert 'same Swift' in _refused(ctx, conf, 'RegionTwo')
