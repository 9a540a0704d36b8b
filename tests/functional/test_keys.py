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

"""dragon.cloud.keys against the minicloud's Barbicans, one per region."""
from oslo_config import cfg
import pytest

from dragon.cloud import keys
from dragon import conf as dragon_conf
from dragon import exception
from tests.functional.key_manager import delete_secret
from tests.functional.key_manager import store_secret
from tests.minicloud.layout import REGIONS


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    dragon_conf.register_opts(conf)
    conf([])
    return conf


@pytest.fixture
def demo_key(cloud, unique_name):
    """An AES-256 key of project demo in each region: {region: (id, bytes)}."""
    conns = {r: cloud.connect('demo', region=r) for r in REGIONS}
    stored = {r: store_secret(conns[r], unique_name) for r in REGIONS}
    yield stored
    for region, (secret_id, _payload) in stored.items():
        delete_secret(conns[region], secret_id)


def _session(cloud, user='demo'):
    return cloud.connect(user).session


def test_reads_the_key_in_each_region(cloud, conf, demo_key):
    for region, (secret_id, payload) in demo_key.items():
        assert keys.read_customer_key(_session(cloud), region, secret_id,
                                      conf) == payload
    # A full href works too (what `openstack secret store` prints).
    secret_id, payload = demo_key[REGIONS[1]]
    href = cloud.layout.url('barbican', REGIONS[1]) + '/v1/secrets/' + \
        secret_id
    assert keys.read_customer_key(_session(cloud), REGIONS[1], href,
                                  conf) == payload


def test_a_key_of_the_other_region_is_not_found(cloud, conf, demo_key):
    one_id = demo_key[REGIONS[0]][0]
    with pytest.raises(exception.KeyNotFound) as raised:
        keys.read_customer_key(_session(cloud), REGIONS[1], one_id, conf)
    assert raised.value.code == 400
    assert one_id in raised.value.message and REGIONS[1] in str(raised.value)


def test_another_projects_key_is_forbidden(cloud, conf, demo_key):
    secret_id = demo_key[REGIONS[0]][0]
    with pytest.raises(exception.KeyForbidden) as raised:
        keys.read_customer_key(_session(cloud, 'alt_demo'), REGIONS[0],
                               secret_id, conf)
    assert raised.value.code == 403
    assert secret_id in raised.value.message


def test_an_unreachable_key_manager_is_503(cloud, conf, demo_key):
    # Nothing listens on Barbican's port + 1 (an unused region offset).
    dead = 'http://127.0.0.1:%d' % (cloud.layout.port('barbican',
                                                      REGIONS[0]) + 1)
    conf.set_override('endpoint_override', dead, group='barbican')
    conf.set_override('timeout', 5, group='barbican')
    with pytest.raises(exception.KeyManagerUnavailable) as raised:
        keys.read_customer_key(_session(cloud), REGIONS[0],
                               demo_key[REGIONS[0]][0], conf)
    assert raised.value.code == 503


@pytest.mark.parametrize('kind', ['aes-128', 'passphrase'])
def test_anything_but_aes_256_is_refused(cloud, conf, unique_name, kind):
    conn = cloud.connect('demo')
    if kind == 'aes-128':
        secret_id, _ = store_secret(conn, unique_name, bit_length=128)
    else:
        secret_id, _ = store_secret(conn, unique_name, payload=b'hunter2',
                                    algorithm=None,
                                    secret_type='passphrase')
    try:
        with pytest.raises(exception.KeyInvalid) as raised:
            keys.read_customer_key(conn.session, REGIONS[0], secret_id,
                                   conf)
        assert raised.value.code == 400
        assert secret_id in raised.value.message
    finally:
        delete_secret(conn, secret_id)
