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

"""A user's whole disaster-recovery rehearsal in the browser, nothing else.

demo creates a policy of a server and a volume from the Workload Policies
panel, protects it and watches the checkpoint's progress bar reach 100 %,
finds the recovery point at the backup site (RegionTwo, whose Dragon has
its own, empty database), runs a drill from the Recover workflow, sees it
succeed with its RTO, and deletes the policy.  alt_demo sees none of it.

The workload is the functional session's protected one (deployed once for
every test that needs it): the policy made here is a second one over two of
its resources, so nothing is deployed for this test.
"""
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.minicloud.bootstrap import create_test_database
from tests.minicloud.dragon import DragonDeployment
from tests.minicloud.layout import REGIONS

PRIMARY, BACKUP = REGIONS
PROTECT_TIMEOUT = 300
DRILL_TIMEOUT = 300


@pytest.fixture(scope='module')
def backup_dragon(cloud):
    """The backup site's Dragon, on an empty database of its own."""
    deployment = DragonDeployment(
        cloud.layout, region=BACKUP, database_url=create_test_database(
            cloud.layout, 'dragon_dashboard_backup'))
    deployment.up()
    yield deployment
    deployment.down()


@pytest.fixture
def cleanup(protected):
    """What the scenario made, removed through the API whatever happened."""
    made = {'policies': [], 'recoveries': [], 'volumes': []}
    yield made
    dr = protected.dr
    for name in made['policies']:
        for policy in dr.policies.list():
            if policy['name'] == name:
                try:
                    dr.policies.delete(policy['id'])
                except Exception:
                    pass
        for checkpoint in dr.checkpoints.list():
            if checkpoint.get('policy_name') == name:
                try:
                    dr.checkpoints.delete(checkpoint['id'])
                except Exception:
                    pass
    for volume_id in made['volumes']:
        protected.conn.block_storage.delete_volume(volume_id,
                                                   ignore_missing=True)


def _step(timings, name, started):
    timings.append('%s %.0fs' % (name, time.monotonic() - started))


def test_demo_rehearses_a_recovery_in_the_browser(
        browser, protected, backup_dragon, cloud, unique_name, cleanup):
    t0, timings = time.monotonic(), []
    # The shared workload's server is a member of its own policy already,
    # and a resource may be in a second policy only as template_only; the
    # volume is the scenario's own, so its data moves and the bar fills.
    server_id = protected.workload.ids['web']
    name = unique_name + '-ui'
    volume = protected.conn.block_storage.create_volume(name=name, size=1)
    cleanup['volumes'].append(volume.id)
    protected.conn.block_storage.wait_for_status(volume, 'available',
                                                 wait=120)
    volume_id = volume.id
    cleanup['policies'].append(name)

    # -- a policy of one server and one volume, made in the dashboard
    browser.login('demo', project='demo')
    browser.open('/project/dr_policies/')
    browser.click_text('Create Policy')
    browser.find('#id_name').send_keys(name)
    browser.click('a[href$="__members"]')
    for resource_type, resource_id in (('server', server_id),
                                       ('volume', volume_id)):
        key = '%s__%s' % (resource_type, resource_id)
        browser.check('id_m__on__' + key)
    Select(browser.find('#id_m__action__server__' + server_id)
           ).select_by_value('template_only')
    Select(browser.find('#id_m__action__volume__' + volume_id)
           ).select_by_value('snapshot_data')
    browser.doc_screenshot('policy-create-members')
    browser.submit_modal()
    row = browser.row('policies', name)
    assert browser.cell('policies', row, 'Members').startswith('2'), row.text
    browser.doc_screenshot('policies')
    _step(timings, 'policy created', t0)

    # -- protect it; the progress bar fills up by itself
    browser.row_action('policies', name, 'protect')
    # Protect Now asks nothing: it opens the new checkpoint's page.
    browser.wait(lambda d: '/project/dr_checkpoints/' in d.current_url,
                 what='the new checkpoint of %s' % name)
    browser.open('/project/dr_checkpoints/')
    seen = set()

    def percent(driver):
        bars = browser.row('checkpoints', name).find_elements(
            By.CSS_SELECTOR, '.dragon-progress')
        value = float(bars[0].get_attribute('data-percent')) if bars else 0
        seen.add(value)
        return value

    browser.wait(lambda d: browser.rows('checkpoints', name),
                 what='the checkpoint of %s' % name)
    browser.doc_screenshot('checkpoints-protecting')
    # The row refreshes itself: no reload from here on.
    browser.wait(lambda d: percent(d) >= 100, timeout=PROTECT_TIMEOUT,
                 what='100 %% on the checkpoint of %s' % name)
    browser.wait(lambda d: browser.cell(
        'checkpoints', browser.row('checkpoints', name),
        'Status').lower() == 'available', what='%s available' % name)
    timings.append('percents seen %s' % sorted(seen))
    browser.doc_screenshot('checkpoints')
    _step(timings, 'protected', t0)

    # -- at the backup site: the recovery point, and a drill from it
    browser.switch_region(BACKUP)
    browser.open('/project/dr_recovery_points/')
    browser.reload_until(
        lambda d: browser.rows('recovery_points', name), 60,
        what='the recovery point of %s in %s' % (name, BACKUP))
    browser.doc_screenshot('recovery-points')
    browser.row_action('recovery_points', name, 'recover')
    Select(browser.find('#id_target_region')).select_by_value(BACKUP)
    browser.choose('mode', 'drill')
    browser.doc_screenshot('recover-target')
    browser.submit_modal()
    browser.find('.modal-footer')
    browser.doc_screenshot('recover-choices')
    browser.submit_modal()
    browser.wait_text('Step 3 of 3')
    browser.doc_screenshot('recover-confirm')
    browser.submit_modal()
    _step(timings, 'drill started', t0)

    browser.open('/project/dr_recoveries/')
    browser.wait(lambda d: 'succeeded' in browser.cell(
        'recoveries', browser.row('recoveries', name), 'Status').lower(),
        timeout=DRILL_TIMEOUT, what='the drill of %s succeeded' % name)
    recovery = browser.row('recoveries', name)
    rto = browser.cell('recoveries', recovery, 'RTO')
    assert rto not in ('', '-') and any(c.isdigit() for c in rto), rto
    browser.doc_screenshot('recoveries')
    _step(timings, 'drill succeeded', t0)

    # -- the policy goes; its checkpoint is kept and says so
    browser.switch_region(PRIMARY)
    browser.open('/project/dr_policies/')
    browser.row_action('policies', name, 'delete')
    browser.confirm()
    browser.wait_text('1 checkpoint was kept', '.messages')
    assert not browser.rows('policies', name)
    assert [c for c in protected.dr.checkpoints.list()
            if c['policy_name'] == name]

    # -- another project sees none of it, in either region
    browser.logout()
    browser.login('alt_demo', project='alt_demo')
    for region in (PRIMARY, BACKUP):
        if browser.region != region:
            browser.switch_region(region)
        for path, table in (('/project/dr_policies/', 'policies'),
                            ('/project/dr_checkpoints/', 'checkpoints'),
                            ('/project/dr_recovery_points/',
                             'recovery_points'),
                            ('/project/dr_recoveries/', 'recoveries')):
            browser.open(path)
            assert name not in browser.text('table#' + table), (region, path)
    _step(timings, 'alt_demo checked', t0)
    print('\nscenario: ' + ', '.join(timings))
