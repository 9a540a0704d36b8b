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

"""The dashboard the minicloud serves: users log in and switch regions."""
from tests.minicloud.layout import REGIONS


def test_demo_logs_in_and_sees_its_project(browser):
    browser.login('demo', project='demo')

    assert browser.region == REGIONS[0]


def test_wrong_password_is_refused(browser):
    browser.open('/auth/login/')
    browser.find('#id_username').send_keys('demo')
    browser.find('#id_password').send_keys('not-the-password')
    browser.click('#loginBtn')

    browser.wait_text('Invalid credentials', '.alert-danger')
    assert '/auth/login' in browser.driver.current_url


def test_regions_switch_what_the_pages_show(browser, cloud, unique_name):
    # A network that exists in RegionTwo only.
    conn = cloud.connect('demo', region=REGIONS[1])
    net = conn.network.create_network(name=unique_name)
    try:
        browser.login('demo')
        browser.open('/project/networks/')
        browser.find('#networks')
        assert unique_name not in browser.text('#networks')

        browser.switch_region(REGIONS[1])
        browser.open('/project/networks/')
        browser.wait_text(unique_name, '#networks')
        assert browser.region == REGIONS[1]

        browser.switch_region(REGIONS[0])
        browser.open('/project/networks/')
        assert unique_name not in browser.text('#networks')
    finally:
        conn.network.delete_network(net, ignore_missing=True)


def test_a_policys_overview_shows_its_keys_and_readiness(
        browser, cloud, dragon, unique_name):
    from tests.functional.key_manager import delete_secret
    from tests.functional.key_manager import store_secret
    from tests.story import Story
    one, two = REGIONS
    keys = cloud.connect('demo', region=one)
    key_id, _payload = store_secret(keys, unique_name)
    dr = Story(cloud.minicloud).dragon_client(one)
    # RegionTwo named with RegionOne's secret id: not found there.
    policy = dr.policies.create(unique_name, encryption={
        'key_ref': key_id, 'recovery_key_refs': {two: key_id},
        'data_key_scope': 'policy'})
    try:
        browser.login('demo')
        browser.open('/project/dr_policies/%s/' % policy['id'])
        browser.wait_text('DR ready')
        page = browser.text()
        assert 'of this policy only' in page
        assert '%s (recovery)' % two in page and 'NOT readable' in page
        assert '%s (source)' % one in page and key_id in page
    finally:
        dr.policies.delete(policy['id'])
        delete_secret(keys, key_id)
