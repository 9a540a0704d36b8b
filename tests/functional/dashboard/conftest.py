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

"""Browser tests of the dashboard: headless Chromium driven by Selenium.

Horizon (with Dragon's panel) is started on demand from this tree and left
running, as Dragon is.  Chromium and its driver are Debian's (``make
system-deps``); Selenium is handed ``/usr/bin/chromedriver`` so it never
downloads one.

A failing test leaves a screenshot and the page source in
``tests/functional/dashboard/artifacts/`` (git-ignored; another directory
with ``DRAGON_BROWSER_ARTIFACTS``), and every test leaves the pictures it
takes for the user guide in its ``pages/``;
``DRAGON_DASHBOARD_SCREENSHOTS=1`` writes those into
``doc/source/user/images`` instead.
"""
import os
import pathlib
import shutil

import pytest

from tests.functional.dashboard import browser as browser_mod
from tests.minicloud.horizon_site import HorizonSite

HERE = pathlib.Path(__file__).resolve().parent
CHROMEDRIVER = '/usr/bin/chromedriver'
CHROMIUM = '/usr/bin/chromium'


def artifacts_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get('DRAGON_BROWSER_ARTIFACTS') or
                        HERE / 'artifacts')


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # The browser fixture's teardown reads it to save what the page showed.
    setattr(item, 'report_' + report.when, report)
    return report


@pytest.fixture(scope='session')
def horizon(cloud):
    """Horizon with Dragon's panel, serving this tree."""
    return HorizonSite(cloud.layout).ensure_up()


@pytest.fixture(scope='session')
def _driver():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            pytest.skip('%s missing: make system-deps installs Debian\'s '
                        'chromium and chromium-driver' % path)
    driver = browser_mod.start_chromium(CHROMIUM, CHROMEDRIVER)
    yield driver
    driver.quit()


@pytest.fixture
def browser(_driver, horizon, cloud, request):
    """A logged-out browser on the dashboard; saves the page if the test fails."""
    page = browser_mod.Browser(_driver, horizon.url, cloud.layout.password,
                               artifacts_dir())
    page.logout()
    yield page
    failed = [getattr(request.node, 'report_' + when, None)
              for when in ('setup', 'call')]
    if any(r is not None and r.failed for r in failed):
        saved = page.save_artifacts(artifacts_dir(), request.node.name)
        print('\nbrowser artifacts: %s' % ', '.join(map(str, saved)))
