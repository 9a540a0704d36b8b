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

"""The OSC plugin module builds the client from OSC's ClientManager."""

import argparse
from unittest import mock

from dragon.client.v1 import client as dr_client
from dragon.osc import plugin


def test_plugin_constants():
    assert plugin.API_NAME == 'dr'
    assert plugin.API_VERSION_OPTION == 'os_dr_api_version'
    assert plugin.API_VERSIONS == {'1': 'dragon.client.v1.client.Client'}


def test_make_client_uses_the_session_region_and_interface():
    instance = mock.Mock(_api_version={'dr': '1'}, region_name='RegionTwo',
                         interface='internal')
    instance._cli_options.config = {}
    client = plugin.make_client(instance)
    assert isinstance(client, dr_client.Client)
    assert client.adapter.session is instance.session
    assert client.adapter.region_name == 'RegionTwo'
    assert client.adapter.interface == 'internal'
    assert client.adapter.service_type == 'dr'
    assert client.adapter.endpoint_override is None


def test_make_client_honours_a_configured_endpoint_override():
    instance = mock.Mock(_api_version={'dr': '1'})
    instance._cli_options.config = {'dr_endpoint_override': 'http://x:1'}
    assert plugin.make_client(instance).adapter.endpoint_override == 'http://x:1'


def test_build_option_parser(monkeypatch):
    monkeypatch.delenv('OS_DR_API_VERSION', raising=False)
    parser = plugin.build_option_parser(argparse.ArgumentParser())
    assert parser.parse_args([]).os_dr_api_version == '1'
    assert parser.parse_args(
        ['--os-dr-api-version', '1']).os_dr_api_version == '1'
    monkeypatch.setenv('OS_DR_API_VERSION', '1')
    parser = plugin.build_option_parser(argparse.ArgumentParser())
    assert parser.parse_args([]).os_dr_api_version == '1'
