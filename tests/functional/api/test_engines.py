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

"""``GET /v1/engines`` against dragon-api and a real engine on the minicloud."""

from tests.functional.api.test_policies import assert_error
from tests.functional.api.test_policies import Http


def test_admin_sees_the_running_engine_alive(cloud, dragon):
    admin = Http(dragon.api_url, cloud.connect('admin').auth_token)
    status, body = admin('GET', '/v1/engines')
    assert status == 200, body
    engines = {e['host']: e for e in body['engines']}
    engine = engines[dragon.engine_host(1)]
    assert engine['alive'] is True
    assert engine['heartbeat_at']
    assert set(engine['runs']) == {'checkpoints', 'recoveries'}


def test_project_users_may_not_list_engines(cloud, dragon):
    demo = Http(dragon.api_url, cloud.connect('demo').auth_token)
    message = assert_error(demo('GET', '/v1/engines'), 403)
    assert 'dragon:engine:list' in message
