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

"""Running the real ``openstack`` executable as the demo user, for the CLI tests."""
import json
import pathlib
import subprocess
import sys
import time

from dragon.client import exceptions
from tests.minicloud.layout import REGIONS
from tests.minicloud.process import clean_environ

OPENSTACK = str(pathlib.Path(sys.executable).parent / 'openstack')

# A template_only checkpoint of one server takes seconds; the margin is for
# a busy two-core machine.
PROTECT_TIMEOUT = 300


class CLI:
    """``cli('dr', 'policy', 'list')`` -> CompletedProcess."""

    def __init__(self, clouds_yaml, cloud_name='demo'):
        self.env = clean_environ({'OS_CLIENT_CONFIG_FILE': clouds_yaml,
                                  'OS_CLOUD': cloud_name,
                                  'OS_REGION_NAME': REGIONS[0]})

    def __call__(self, *args, check=True, timeout=120):
        result = subprocess.run([OPENSTACK, *args], env=self.env,
                                capture_output=True, text=True,
                                timeout=timeout)
        if check:
            assert result.returncode == 0, (
                'openstack %s exited %d: %s' % (' '.join(args),
                                                result.returncode,
                                                result.stderr))
        return result

    def start(self, *args):
        """The command started in the background: a ``subprocess.Popen``."""
        return subprocess.Popen([OPENSTACK, *args], env=self.env,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def json(self, *args, **kwargs):
        return json.loads(self(*args, '-f', 'json', **kwargs).stdout)


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('Error: '), result.stderr
    assert 'Traceback' not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def wait(fetch, done, timeout=PROTECT_TIMEOUT, interval=1.0):
    """``fetch()`` until ``done(value)``; the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        assert time.monotonic() < deadline, 'gave up waiting: %r' % (value,)
        time.sleep(interval)


def gone(get, item_id):
    """Whether ``get(item_id)`` answers 404."""
    try:
        get(item_id)
    except exceptions.ClientError as err:
        if err.status == 404:
            return True
        raise
    return False
