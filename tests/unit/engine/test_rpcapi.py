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

from unittest import mock

from dragon import context
from dragon.engine import rpcapi


def test_ping_pins_the_version_and_targets_the_host(rpc_conf, fake_transport):
    client = rpcapi.EngineAPI(rpc_conf, transport=fake_transport)
    with mock.patch.object(client, '_client') as rpc_client:
        rpc_client.prepare.return_value.call.return_value = {'host': 'e9'}
        ctx = context.get_admin_context()
        assert client.ping(ctx, host='e9') == {'host': 'e9'}
    rpc_client.prepare.assert_called_once_with(version='1.0', server='e9')
    rpc_client.prepare.return_value.call.assert_called_once_with(ctx, 'ping')


def test_client_uses_the_configured_topic(rpc_conf, fake_transport):
    rpc_conf.set_override('topic', 'dragon-test', group='engine')
    client = rpcapi.EngineAPI(rpc_conf, transport=fake_transport)
    assert client._client.target.topic == 'dragon-test'
    assert client._client.target.version == rpcapi.RPC_API_VERSION
