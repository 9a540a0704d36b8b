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

"""Reaching another project's account: the account part of the URL swapped."""
from unittest import mock

import pytest

from dragon.maintenance import accounts


def test_account_url_keeps_the_reseller_prefix():
    assert accounts._account_url('http://s:8080/v1/AUTH_svc', 'svc', 'p1') == \
        'http://s:8080/v1/AUTH_p1'
    assert accounts._account_url('http://s/object/v1/KEY_svc/', 'svc',
                                 'p2') == 'http://s/object/v1/KEY_p2'
    with pytest.raises(ValueError):
        accounts._account_url('http://s/v1/AUTH_other', 'svc', 'p1')


def test_project_swift_uses_the_service_token(conf):
    session = mock.Mock()
    session.get_endpoint.return_value = 'http://s/v1/AUTH_svc'
    session.get_project_id.return_value = 'svc'
    session.get_token.return_value = 'tok'
    conn = accounts.project_swift(conf, 'p1', session=session)
    assert conn.url == 'http://s/v1/AUTH_p1' and conn.token == 'tok'
    assert session.get_endpoint.call_args.kwargs['region_name'] == 'RegionOne'


def test_project_swift_honours_the_swift_group(conf):
    conf.set_override('valid_interfaces', ['internal'], group='swift')
    conf.set_override('timeout', 12, group='swift')
    session = mock.Mock()
    session.get_endpoint.return_value = 'http://s/v1/AUTH_svc'
    session.get_project_id.return_value = 'svc'
    conn = accounts.project_swift(conf, 'p1', session=session)
    assert session.get_endpoint.call_args.kwargs['interface'] == ['internal']
    assert conn.timeout == 12
    conf.set_override('endpoint_override', 'http://o/v1/AUTH_svc',
                      group='swift')
    conn = accounts.project_swift(conf, 'p1', session=session)
    assert conn.url == 'http://o/v1/AUTH_p1'
