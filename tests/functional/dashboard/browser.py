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

"""A Selenium-driven Chromium on the dashboard, with the steps users take."""
import io
import os
import pathlib
import re

from PIL import Image
from selenium.common.exceptions import StaleElementReferenceException
from selenium.common.exceptions import TimeoutException
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

REPO = pathlib.Path(__file__).resolve().parents[3]
DOC_IMAGES = REPO / 'doc' / 'source' / 'user' / 'images'
WINDOW = (1280, 800)


def start_chromium(binary, chromedriver):
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', '--window-size=%d,%d' % WINDOW,
                '--lang=en-US', '--no-first-run', '--disable-extensions'):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(60)
    return driver


class Browser:
    """What a user does in the dashboard, one step per method."""

    def __init__(self, driver, base_url, password, artifacts, timeout=30):
        self.driver = driver
        self.artifacts = artifacts
        self.base_url = base_url.rstrip('/')
        self.password = password
        self.timeout = timeout

    # -- navigation
    def open(self, path):
        self.driver.get(self.base_url + path)

    def wait(self, condition, timeout=None, what=None):
        try:
            # Refreshing rows (a run's progress) replace their elements
            # while a condition reads them: read again at the next poll.
            return WebDriverWait(
                self.driver, timeout or self.timeout, poll_frequency=0.25,
                ignored_exceptions=(StaleElementReferenceException,)
            ).until(condition)
        except TimeoutException:
            raise AssertionError('%s not seen within %ss on %s' % (
                what or condition, timeout or self.timeout,
                self.driver.current_url)) from None

    def find(self, css, timeout=None):
        return self.wait(ec.visibility_of_element_located(
            (By.CSS_SELECTOR, css)), timeout, what=css)

    def click(self, css, timeout=None):
        element = self.wait(ec.element_to_be_clickable(
            (By.CSS_SELECTOR, css)), timeout, what=css)
        element.click()
        return element

    def click_text(self, text, within='body', timeout=None):
        """Click the link or button whose visible text is ``text``."""
        xpath = ('//*[self::a or self::button][normalize-space(.)=%s]' %
                 _xpath_literal(text))
        element = self.wait(ec.element_to_be_clickable(
            (By.XPATH, xpath)), timeout, what='%r to click' % text)
        element.click()
        return element

    def wait_text(self, text, css='body', timeout=None):
        self.wait(ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, css), text), timeout,
            what='%r in %s' % (text, css))

    def text(self, css='body'):
        return self.find(css).text

    def reload_until(self, predicate, timeout, what, every=3.0):
        """Reload the page until ``predicate(driver)`` holds.

        For pages that do not refresh themselves.
        """
        def check(driver):
            try:
                if predicate(driver):
                    return True
            except Exception:
                pass
            driver.refresh()
            return False
        WebDriverWait(self.driver, timeout, poll_frequency=every).until(
            check, message='%s not seen within %ss' % (what, timeout))

    # -- Horizon's tables, forms and modals
    def rows(self, table, text):
        """The rows of ``table`` that show ``text``."""
        return [r for r in self.driver.find_elements(
            By.CSS_SELECTOR, 'table#%s > tbody > tr' % table)
            if text in r.text]

    def row(self, table, text, timeout=None):
        """The one row of ``table`` that shows ``text``, once it does."""
        return self.wait(lambda d: (self.rows(table, text) or [None])[0],
                         timeout, what='a row with %r in %s' % (text, table))

    def choose(self, name, value):
        """Pick a radio button.

        Horizon's theme draws its own in place of the input, so the input
        is clicked as its label would.
        """
        radio = self.wait(ec.presence_of_element_located(
            (By.CSS_SELECTOR, 'input[name="%s"][value="%s"]' % (
                name, value))), what='the %s choice %s' % (name, value))
        self.driver.execute_script('arguments[0].click();', radio)
        self.wait(lambda d: radio.is_selected(),
                  what='%s=%s chosen' % (name, value))

    def check(self, checkbox_id):
        """Tick a checkbox (by its label, as a user does)."""
        box = self.driver.find_element(By.ID, checkbox_id)
        if not box.is_selected():
            self.click('label[for="%s"]' % checkbox_id)
        self.wait(lambda d: box.is_selected(), what='%s ticked' % checkbox_id)

    def row_action(self, table, text, action):
        """Click a row's action, opening its menu when it is folded in."""
        row = self.row(table, text)
        link = row.find_element(By.CSS_SELECTOR, '[id$="__action_%s"]' %
                                action)
        if not link.is_displayed():
            row.find_element(By.CSS_SELECTOR, '.dropdown-toggle').click()
            self.wait(lambda d: link.is_displayed(),
                      what='the %s action of %s' % (action, text))
        link.click()

    def confirm(self):
        """Press the confirming button of Horizon's confirmation modal."""
        self.click('.modal.in .modal-footer .btn-primary, '
                   '.modal.in .modal-footer .btn-danger')

    def submit_modal(self):
        """Press the submit button of a (modal or full-page) form."""
        self.click('.modal-footer input[type=submit], '
                   '.modal-footer button[type=submit]')

    def cell(self, table, row, column):
        """The text of ``row``'s cell in the column headed ``column``."""
        headers = [h.text.strip() for h in self.driver.find_elements(
            By.CSS_SELECTOR, 'table#%s thead tr.table_column_header th' %
            table)] or [h.text.strip() for h in self.driver.find_elements(
                By.CSS_SELECTOR, 'table#%s thead th' % table)]
        cells = row.find_elements(By.CSS_SELECTOR, 'td')
        return cells[headers.index(column)].text.strip()

    def message(self, kind='success'):
        return self.text('.messages .alert-%s' % kind)

    # -- session
    def login(self, user, project=None):
        """Log in with the cloud's password; lands on the user's home page."""
        self.open('/auth/login/')
        self.find('#id_username').send_keys(user)
        self.find('#id_password').send_keys(self.password)
        self.click('#loginBtn')
        self.wait(lambda d: '/auth/login' not in d.current_url,
                  what='the page after the login of %s' % user)
        self.find('.context-project')
        if project:
            assert self.text('.context-project') == project

    def logout(self):
        """Forget the session: the browser's cookies go, not Horizon's session.

        Horizon 27's logout is POST-only, its 405 an error page of the
        browser's own.  Every Horizon response refreshes the session cookie
        (its last activity), so a dashboard page's request still in flight
        when the cookies are deleted sets it again and the next login page
        redirects to the old user's home (seen in CI).  Leaving for a page
        with no script first ends every such request; the cookies are then
        cleared browser-wide, and the login form must show.
        """
        self.driver.get('about:blank')
        self.driver.execute_cdp_cmd('Network.clearBrowserCookies', {})
        self.open('/auth/login/')
        self.find('#id_username')

    # -- the header's project and region menu
    @property
    def region(self):
        return self.text('.context-region')

    def switch_region(self, region):
        self.click('.context-overview')
        self.wait(lambda d: any(
            e.is_displayed() for e in d.find_elements(
                By.CSS_SELECTOR, '.region-name')), what='the region menu')
        link = next(e for e in self.driver.find_elements(
            By.CSS_SELECTOR, '.region-name') if e.text == region)
        link.click()
        self.wait_text(region, '.context-region')

    # -- pictures
    def save_artifacts(self, directory, name):
        """Screenshot and page source of the current page, for a failure."""
        directory.mkdir(parents=True, exist_ok=True)
        stem = directory / re.sub(r'[^\w.-]+', '_', name)
        png, html = stem.with_suffix('.png'), stem.with_suffix('.html')
        self.driver.save_screenshot(str(png))
        html.write_text(self.driver.page_source)
        return png, html

    def doc_screenshot(self, name):
        """A picture of the page for the user guide.

        With ``DRAGON_DASHBOARD_SCREENSHOTS=1`` it is written as
        ``doc/source/user/images/dashboard-NAME.png`` (committed: a plain
        test run does not rewrite them); otherwise into the artifacts
        directory's ``pages/``, to look at after a run.  256 colours keep
        each picture small.
        """
        if os.environ.get('DRAGON_DASHBOARD_SCREENSHOTS') == '1':
            directory = DOC_IMAGES
        else:
            directory = self.artifacts / 'pages'
        image = Image.open(io.BytesIO(self.driver.get_screenshot_as_png()))
        image = image.convert('RGB').quantize(colors=256)
        path = directory / ('dashboard-%s.png' % name)
        directory.mkdir(parents=True, exist_ok=True)
        image.save(path, optimize=True)
        return path


def _xpath_literal(text):
    if "'" not in text:
        return "'%s'" % text
    return 'concat(%s)' % ', "\'", '.join("'%s'" % p for p in text.split("'"))
