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

"""The devstack plugin's shell files pass shellcheck (every severity).

shellcheck is a system package (Debian ``shellcheck``, installed by ``make
system-deps``); the test fails, rather than skips, when it is missing, so
a CI run without it cannot pass unchecked.
"""
import pathlib
import shutil
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent
DEVSTACK = HERE.parents[2] / 'devstack'


def shell_files():
    """devstack/* but its documentation, and the test stubs."""
    files = sorted(p for p in DEVSTACK.iterdir()
                   if p.is_file() and p.suffix != '.rst')
    return files + [HERE / 'stubs.sh']


def test_the_plugin_has_shell_files():
    names = {p.name for p in shell_files()}
    assert {'plugin.sh', 'settings', 'stubs.sh'} <= names


@pytest.mark.parametrize('path', shell_files(), ids=lambda p: p.name)
def test_shellcheck_clean(path):
    shellcheck = shutil.which('shellcheck')
    if not shellcheck:
        pytest.fail('shellcheck is not installed: run "make system-deps" '
                    '(or apt-get install shellcheck)')
    # devstack sources these files into bash; settings has no shebang.
    result = subprocess.run([shellcheck, '--shell=bash', '--format=gcc',
                             str(path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
