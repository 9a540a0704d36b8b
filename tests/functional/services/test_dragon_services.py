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

"""dragon-api behind real Keystone and dragon-engines over real RabbitMQ."""
import json
import subprocess
import urllib.error
import urllib.request
import uuid

from oslo_config import cfg
import pytest

from dragon import conf as dragon_conf
from dragon.conf import default as default_conf
from dragon import context as dragon_context
from dragon.engine import rpcapi
from tests.minicloud.dragon import dragon_bin
from tests.minicloud.process import clean_environ
from tests.minicloud.services import wait_until


def _get(url, token=None):
    request = urllib.request.Request(url)
    if token:
        request.add_header('X-Auth-Token', token)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, dict(resp.headers), json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.load(err)


def test_version_document_needs_no_token(dragon):
    status, headers, body = _get(dragon.api_url + '/')
    assert status in (200, 300)
    assert [v['id'] for v in body['versions']] == ['v1.0']
    assert headers['x-openstack-request-id'].startswith('req-')


def test_v1_rejects_a_missing_and_a_forged_token_with_json(dragon):
    for token in (None, 'gAAAAA' + uuid.uuid4().hex):
        status, headers, body = _get(dragon.api_url + '/v1', token)
        assert status == 401
        assert headers['Content-Type'].startswith('application/json')
        assert body['error']['code'] == 401
        assert body['error']['message']


def test_v1_accepts_a_keystone_token(cloud, dragon):
    token = cloud.connect('demo').auth_token
    status, _headers, body = _get(dragon.api_url + '/v1', token)
    assert status == 200
    assert body


def test_unknown_route_is_a_json_404(cloud, dragon):
    token = cloud.connect('demo').auth_token
    status, _headers, body = _get(dragon.api_url + '/v1/no-such-thing', token)
    assert status == 404
    assert body['error']['code'] == 404


def test_healthcheck(dragon):
    request = urllib.request.Request(dragon.api_url + '/healthcheck')
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status == 200


@pytest.fixture
def engine_api(dragon):
    conf = cfg.ConfigOpts()
    dragon_conf.register_opts(conf)
    default_conf.update_defaults()   # Dragon's own exchange, as in every Dragon process
    conf(['--config-file', str(dragon.config_file)], project='dragon')
    return rpcapi.EngineAPI(conf)


def test_two_engines_answer_ping_and_share_the_queue(dragon, engine_api):
    dragon.start_engine(2)
    try:
        ctxt = dragon_context.RequestContext(is_admin=True)
        seen = set()

        def both_answered():
            for host in (dragon.engine_host(1), dragon.engine_host(2)):
                try:
                    seen.add(engine_api.ping(ctxt, host=host,
                                             timeout=5)['host'])
                except Exception:   # not yet listening
                    pass
            return seen == {dragon.engine_host(1), dragon.engine_host(2)}

        wait_until(both_answered, 60, interval=1, what='both engines answer')
        # A ping without a host goes to whichever engine takes it.
        anyone = engine_api.ping(ctxt, timeout=10)
        assert anyone['host'] in seen
        status = subprocess.run(
            [dragon_bin('dragon-status'), '--config-file',
             str(dragon.config_file), 'upgrade', 'check'],
            capture_output=True, text=True, env=clean_environ())
        assert status.returncode == 0, status.stdout + status.stderr
    finally:
        from tests.minicloud.process import Processes
        Processes(dragon.layout).stop([dragon.engine_name(2)])
