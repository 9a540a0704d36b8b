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

from dragon.common import urls


def test_mask_password_hides_password_keeps_rest():
    shown = urls.mask_password('mysql+pymysql://dragon:s3cr3t@db.example:3306/dragon')
    assert shown == 'mysql+pymysql://dragon:***@db.example:3306/dragon'


def test_mask_password_masks_every_broker_host():
    shown = urls.mask_password('rabbit://u:p1@h1:5672,u:p2@h2:5672/vhost')
    assert shown == 'rabbit://u:***@h1:5672,u:***@h2:5672/vhost'
    assert 'p1' not in shown and 'p2' not in shown


def test_mask_password_leaves_urls_without_password():
    assert urls.mask_password('sqlite:////var/lib/dragon/dragon.sqlite') == (
        'sqlite:////var/lib/dragon/dragon.sqlite')
    assert urls.mask_password('rabbit://guest@h/') == 'rabbit://guest@h/'


def test_password_of_returns_quoted_and_unquoted_forms():
    assert set(urls.password_of('mysql://u:p%40ss@h/db')) == {'p%40ss', 'p@ss'}
    assert urls.password_of('sqlite://') == []
    assert urls.password_of(None) == []
