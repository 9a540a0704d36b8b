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

"""Barbican, one per region: secrets stored there read back, per site.

The two Barbicans share nothing (own database, own master key), like two
real sites: a secret of one region is unknown to the other.  That losing
RegionOne loses its Barbican while RegionTwo's keeps serving is checked
by the site-loss recovery test, which stops RegionOne anyway.
"""
from tests.functional.key_manager import delete_secret
from tests.functional.key_manager import read_payload
from tests.functional.key_manager import store_secret
from tests.minicloud.layout import REGIONS


def test_each_region_has_its_own_key_manager(cloud, unique_name):
    conns = {r: cloud.connect('demo', region=r) for r in REGIONS}
    stored = {r: store_secret(conns[r], unique_name) for r in REGIONS}
    try:
        for region, (secret_id, payload) in stored.items():
            assert read_payload(conns[region], secret_id) == payload
        # Not replicated: RegionOne's secret id means nothing in RegionTwo.
        one_id = stored[REGIONS[0]][0]
        response = conns[REGIONS[1]].key_manager.get(
            '/secrets/%s' % one_id, raise_exc=False)
        assert response.status_code == 404
        # Another project cannot read the demo project's key.
        alt = cloud.connect('alt_demo', region=REGIONS[0])
        response = alt.key_manager.get('/secrets/%s/payload' % one_id,
                                       raise_exc=False)
        assert response.status_code == 403
    finally:
        for region, (secret_id, _payload) in stored.items():
            delete_secret(conns[region], secret_id)
