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

"""The dashboard's recovery API module: sources, target networks, regions."""

from unittest import mock

import openstack
import pytest

from dragon.dashboard.api import recoveries as api
from dragon.dashboard import exceptions
from tests.unit.dashboard import fakes
from tests.unit.dashboard import fakes_recovery as rfakes


def _request(catalog=None):
    request = mock.Mock()
    request.user.service_catalog = catalog or [
        {'type': 'dr', 'endpoints': [{'region': 'RegionTwo'},
                                     {'region_id': 'RegionOne'}]},
        {'type': 'compute', 'endpoints': [{'region': 'RegionThree'}]}]
    request.user.token.id = 'token'
    request.user.services_region = 'RegionOne'
    return request


def test_regions_of_the_catalog_and_of_one_service():
    request = _request()
    assert api.regions(request) == ['RegionOne', 'RegionThree', 'RegionTwo']
    assert api.regions(request, 'dr') == ['RegionOne', 'RegionTwo']


def test_source_of_a_checkpoint_lists_resources_and_template_values(
        fake_dragon):
    fake_dragon.checkpoints.get.return_value = fakes.checkpoint()
    fake_dragon.checkpoints.template.return_value = rfakes.template(
        other_flavor={'kind': 'flavor', 'node': 'x', 'default': 'm1.small'},
        unknown={'kind': 'name_prefix', 'node': None, 'default': ''})
    source = api.recover_source(_request(), 'checkpoint',
                                fakes.CHECKPOINT_ID, 'RegionOne')
    assert [r['id'] for r in source['resources']] == [fakes.SERVER_ID,
                                                      fakes.VOLUME_ID]
    assert source['sources'] == {
        'flavors': ['m1.small'], 'availability_zones': ['nova'],
        'key_pairs': ['ops'], 'networks': [rfakes.SHARED_NET],
        'external_network': ['ext-id'], 'volume_types': ['lvm']}
    assert source['source_region'] == 'RegionOne'
    assert fake_dragon.regions == ['RegionOne']


def test_source_of_a_recovery_point_the_database_never_saw(fake_dragon):
    fake_dragon.recovery_points.list.return_value = [
        rfakes.recovery_point()]
    fake_dragon.checkpoints.get.side_effect = fakes.error(404, 'not found')
    source = api.recover_source(_request(), 'recovery_point',
                                rfakes.CONTAINER, 'RegionTwo')
    assert source['resources'] == []
    assert source['sources'] is None          # free-form mappings then
    assert source['source_region'] == 'RegionOne'


def test_source_errors_keep_the_apis_message(fake_dragon):
    fake_dragon.recovery_points.list.return_value = []
    with pytest.raises(exceptions.DragonNotFound, match='could not be found'):
        api.recover_source(_request(), 'recovery_point', 'nope', 'RegionTwo')
    fake_dragon.checkpoints.get.side_effect = fakes.error(
        503, 'Swift is unavailable')
    fake_dragon.recovery_points.list.return_value = [
        rfakes.recovery_point()]
    with pytest.raises(exceptions.DragonError, match='Swift is unavailable'):
        api.recover_source(_request(), 'recovery_point', rfakes.CONTAINER,
                           'RegionTwo')
    with pytest.raises(exceptions.DragonError, match='neither'):
        api.recover_source(_request(), 'volume', 'x', 'RegionTwo')


def test_target_networks_are_listed_in_the_target_region(monkeypatch):
    urls = mock.Mock(return_value='http://two.example.com:9696')
    monkeypatch.setattr(api.base, 'url_for', urls)
    conn = mock.Mock()
    conn.network.networks.return_value = [
        mock.Mock(id='n2', is_router_external=True, is_shared=False),
        mock.Mock(id='n1', is_router_external=False, is_shared=True)]
    conn.network.networks.return_value[0].name = 'public'
    conn.network.networks.return_value[1].name = 'shared'
    connection = mock.Mock(return_value=conn)
    monkeypatch.setattr(openstack.connection, 'Connection', connection)
    networks = api.target_networks(_request(), 'RegionTwo')
    assert networks == [
        {'id': 'n2', 'name': 'public', 'external': True, 'shared': False},
        {'id': 'n1', 'name': 'shared', 'external': False, 'shared': True}]
    urls.assert_called_once_with(mock.ANY, 'network', region='RegionTwo')
    assert connection.call_args.kwargs['region_name'] == 'RegionTwo'


def test_target_networks_failures_say_which_region(monkeypatch):
    monkeypatch.setattr(api.base, 'url_for',
                        mock.Mock(side_effect=Exception('no network')))
    with pytest.raises(exceptions.DragonError,
                       match='No network service in region RegionTwo'):
        api.target_networks(_request(), 'RegionTwo')
    monkeypatch.setattr(api.base, 'url_for', mock.Mock(return_value='u'))
    conn = mock.Mock()
    conn.network.networks.side_effect = openstack.exceptions.HttpException(
        'Forbidden', http_status=403)
    monkeypatch.setattr(openstack.connection, 'Connection',
                        mock.Mock(return_value=conn))
    with pytest.raises(exceptions.DragonError,
                       match='networks of RegionTwo failed'):
        api.target_networks(_request(), 'RegionTwo')
