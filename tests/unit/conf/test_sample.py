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

"""The committed samples must equal what the generators produce now."""

import subprocess

import pytest

from tests.unit import utils


@pytest.mark.parametrize('tool, generator_conf, sample', [
    ('oslo-config-generator', 'dragon-config-generator.conf',
     'dragon.conf.sample'),
    ('oslopolicy-sample-generator', 'dragon-policy-generator.conf',
     'policy.yaml.sample'),
])
def test_sample_is_up_to_date(tmp_path, tool, generator_conf, sample):
    output = tmp_path / sample
    subprocess.run(
        [str(utils.BIN / tool), '--config-file',
         str(utils.REPO / 'etc' / 'dragon' / generator_conf),
         '--output-file', str(output)],
        check=True, capture_output=True, cwd=utils.REPO, timeout=120)
    committed = (utils.REPO / 'etc' / 'dragon' / sample).read_text()
    assert output.read_text() == committed, (
        '%s is stale: regenerate it with %s --config-file '
        'etc/dragon/%s' % (sample, tool, generator_conf))


def test_config_sample_has_dragon_defaults_and_no_host_details():
    text = (utils.REPO / 'etc' / 'dragon' / 'dragon.conf.sample').read_text()
    assert '#connection = sqlite:///$state_path/dragon.sqlite' in text
    assert '#control_exchange = dragon' in text
    assert '#host = <current_hostname>' in text
    assert str(utils.REPO) not in text
