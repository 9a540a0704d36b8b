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

"""Every ``openstack dr`` command and option the README and docs show exists.

The examples are read from README.md, devstack/README.rst and
doc/source/**/*.rst; each must name a command of the ``openstack.dr.v1``
entry points in setup.cfg, and each ``--option`` it uses must be one that
command's parser accepts.
"""
import configparser
import importlib
import pathlib
import re
from unittest import mock

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
DOCS = sorted([REPO / 'README.md', REPO / 'devstack' / 'README.rst',
               *(REPO / 'doc' / 'source').rglob('*.rst')])
# openstack [--os-<global> <value>]... dr <words> [arguments]: the words
# may wrap onto the next line (prose), the arguments end with the line, an
# inline literal or a comment.
COMMAND = re.compile(r'openstack\s+(?:--os-[a-z-]+\s+\S+\s+)*dr'
                     r'((?:\s+(?!openstack\b)[a-z][a-z-]*\b)+)([^`#\n]*)')


def entry_points():
    setup = configparser.ConfigParser()
    setup.read(REPO / 'setup.cfg')
    lines = setup['entry_points']['openstack.dr.v1'].strip().splitlines()
    return dict(tuple(part.strip() for part in line.split('=', 1))
                for line in lines)


def documented():
    """(file:line, command words and arguments) of every example."""
    found = []
    for path in DOCS:
        text = path.read_text()
        # A shell line continued with a backslash is one command (keeping
        # the line count, for the messages).
        text = re.sub(r'\\\n(\s*)', lambda m: ' ' + '\0' + m.group(1), text)
        for match in COMMAND.finditer(text):
            number = (text.count('\n', 0, match.start()) +
                      text.count('\0', 0, match.start()) + 1)
            where = '%s:%d' % (path.relative_to(REPO), number)
            words = (match.group(1) + ' ' + match.group(2)).replace(
                '\0', ' ').split()
            found.append((where, words))
    return found


def _command(words, known):
    """The longest run of leading words that names a command."""
    names = [w for w in words if re.fullmatch(r'[a-z][a-z-]*', w)]
    for length in range(len(names), 0, -1):
        if words[:length] != names[:length]:
            continue
        name = 'dr_' + '_'.join(words[:length])
        if name in known:
            return name
    return None


def _options(target):
    module, cls = target.split(':')
    command = getattr(importlib.import_module(module), cls)(mock.Mock(),
                                                            mock.Mock())
    parser = command.get_parser('openstack dr')
    return {s for action in parser._actions for s in action.option_strings}


EXAMPLES = documented()


def test_the_docs_have_examples():
    assert len(EXAMPLES) > 30


@pytest.mark.parametrize('where,words', EXAMPLES,
                         ids=[w for w, _ in EXAMPLES])
def test_documented_command_exists(where, words):
    known = entry_points()
    name = _command(words, known)
    assert name, '%s: no command "openstack dr %s"' % (where, ' '.join(words))
    accepted = _options(known[name])
    used = {re.match(r'--[a-z][a-z-]*', w).group(0) for w in words
            if re.match(r'\[?--[a-z]', w)
            for w in [w.lstrip('[')]}
    assert not used - accepted, '%s: "openstack dr %s" has no %s' % (
        where, name[3:].replace('_', ' '), ', '.join(sorted(used - accepted)))
