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

"""``python -m tests.headers`` writes the notice hacking checks for (H102/H103)."""

from hacking.checks import comments

from tests import headers


def _exact(text):
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines)
                 if headers.MARKER in line)
    return comments._check_for_exact_apache(start, lines)[0]


def test_header_goes_first_and_matches_hackings_text():
    text = headers.add_header('"""A module."""\n\nimport os\n')
    assert text.startswith('# Licensed under the Apache License')
    assert text.endswith('# under the License.\n\n"""A module."""\n\n'
                         'import os\n')
    assert _exact(text)
    assert headers.has_header(text)


def test_header_goes_after_the_shebang():
    text = headers.add_header('#!/bin/bash\nset -e\n')
    assert text.startswith('#!/bin/bash\n# Licensed under the Apache')
    assert text.endswith('under the License.\n\nset -e\n')


def test_a_file_that_only_quotes_the_notice_has_no_header():
    assert not headers.has_header('X = """\nLicensed under the Apache '
                                  'License"""\n')
