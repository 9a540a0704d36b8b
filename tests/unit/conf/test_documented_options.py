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

"""Every ``[group] option`` of Dragon's that the README and docs name exists."""
import pathlib
import re

import pytest

from tests.unit.conf.sample_options import sample_options

REPO = pathlib.Path(__file__).resolve().parents[3]
DOCS = sorted([REPO / 'README.md', REPO / 'devstack' / 'README.rst',
               *(REPO / 'doc' / 'source').rglob('*.rst')])
# ``[engine] host`` (a literal may wrap after the group); not "``[api]`` options".
MENTION = re.compile(r'\[([a-z_]+|DEFAULT)\]\s+([a-z][a-z0-9_]*)')


def mentions():
    groups = sample_options()
    found = []
    for path in DOCS:
        text = path.read_text()
        for match in MENTION.finditer(text):
            group, option = match.groups()
            # Other services' options (Keystone's [trust], Ceilometer's
            # [notification], ...) are not Dragon's to check.
            if group in groups:
                number = text.count('\n', 0, match.start()) + 1
                found.append(('%s:%d' % (path.relative_to(REPO), number),
                              group, option))
    return found


MENTIONS = mentions()


def test_the_docs_name_options():
    assert len(MENTIONS) > 30


@pytest.mark.parametrize('where,group,option', MENTIONS,
                         ids=['%s [%s] %s' % m for m in MENTIONS])
def test_documented_option_exists(where, group, option):
    assert option in sample_options()[group], (
        '%s: Dragon has no option [%s] %s' % (where, group, option))
