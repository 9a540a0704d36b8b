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
