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

"""Importing dragon.wsgi.api under a WSGI server: config from the environment."""

import os
import subprocess
import sys

from tests.unit import utils

_PROBE = '''
import sys
sys.argv = ["gunicorn", "--workers", "4", "--bogus-option"]
import webob
from dragon.wsgi import api
print(webob.Request.blank("/v1").get_response(api.application).status_int)
'''


def test_module_reads_config_file_from_environment_not_argv(tmp_path):
    config = utils.write_config(tmp_path / 'dragon.conf',
                                {'api': {'auth_strategy': 'noauth'}})
    env = dict(os.environ, DRAGON_CONFIG_FILE=str(config))
    result = subprocess.run([sys.executable, '-c', _PROBE], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    # noauth from the file: /v1 answers 200 (keystone would answer 401).
    assert result.stdout.strip().splitlines()[-1] == '200'
