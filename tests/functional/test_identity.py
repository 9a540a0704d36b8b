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

"""Keystone trusts on the minicloud: demo's roles delegated to Dragon's user.

The trust is made from demo's own token (as dragon-api does for a protect);
the session the engine would use is scoped to project demo by the trust and
reaches demo's servers.
"""
from oslo_config import cfg
import pytest

from dragon import conf as dragon_conf
from dragon import context as dragon_context
from dragon import identity
from tests.minicloud.layout import REGIONS


@pytest.fixture
def conf(cloud):
    result = cfg.ConfigOpts()
    dragon_conf.register_opts(result)
    result([], project='dragon', default_config_files=[],
           default_config_dirs=[])
    result.set_override('auth_type', 'password', group='trustee')
    try:
        identity.trustee_user_id(result)   # registers the plugin options
    except Exception:  # noqa: BLE001 - options not set yet
        pass
    for key, value in {'auth_url': cloud.layout.keystone_url,
                       'username': 'dragon',
                       'password': cloud.layout.password,
                       'user_domain_name': 'Default'}.items():
        result.set_override(key, value, group='trustee')
    result.set_override('trust_expiry_hours', 1, group='engine')
    yield result
    result.reset()


def _demo_context(cloud):
    conn = cloud.connect('demo')
    access = conn.session.auth.get_access(conn.session)
    return dragon_context.RequestContext(
        user_id=access.user_id, project_id=access.project_id,
        roles=access.role_names, auth_token=access.auth_token)


def test_trust_session_acts_in_demos_project(cloud, conf):
    ctx = _demo_context(cloud)
    trust_id = identity.create_trust(ctx, conf)
    try:
        session = identity.trust_session(conf, trust_id)
        assert session.get_project_id() == ctx.project_id
        # Impersonation: the token names demo, not Dragon's service user.
        assert session.get_user_id() == ctx.user_id
        response = session.get('/servers', endpoint_filter={
            'service_type': 'compute', 'interface': 'public',
            'region_name': REGIONS[0]})
        assert response.status_code == 200
        assert 'servers' in response.json()
    finally:
        assert identity.delete_trust(ctx, trust_id, conf)
    # A deleted trust no longer authenticates.
    with pytest.raises(Exception):
        identity.trust_session(conf, trust_id).get_project_id()


def test_the_engine_can_delete_its_trust_with_the_trust_session(cloud,
                                                                conf):
    ctx = _demo_context(cloud)
    trust_id = identity.create_trust(ctx, conf)
    session = identity.trust_session(conf, trust_id)
    assert identity.delete_trust(session, trust_id, conf)
