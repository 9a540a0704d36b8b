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

import datetime

from dragon import context
from dragon.engine import manager
from dragon.engine import rpcapi
from dragon import version


def test_ping_says_who_answers():
    result = manager.EngineManager('engine-7').ping(
        context.get_admin_context())
    assert result['host'] == 'engine-7'
    assert result['version'] == version.version_string()
    answered = datetime.datetime.fromisoformat(result['time'])
    assert abs(datetime.datetime.now(datetime.UTC) - answered).total_seconds() < 60


def test_manager_serves_the_client_api_version():
    assert manager.EngineManager.target.version == rpcapi.RPC_API_VERSION
