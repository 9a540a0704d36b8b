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

"""The options of the generated ``etc/dragon/dragon.conf.sample``, by group.

The sample is what oslo-config-generator makes of every option Dragon
registers or loads (``test_sample`` keeps it current), so it is the list
docs and the devstack plugin may name.
"""
import collections
import pathlib
import re

SAMPLE = (pathlib.Path(__file__).resolve().parents[3] / 'etc' / 'dragon' /
          'dragon.conf.sample')


def sample_options() -> dict[str, set[str]]:
    """{group: {option}} of dragon.conf.sample."""
    options = collections.defaultdict(set)
    group = None
    for line in SAMPLE.read_text().splitlines():
        if line.startswith('[') and line.endswith(']'):
            group = line[1:-1]
        elif group and re.match(r'#[a-z][a-z0-9_]* =', line):
            options[group].add(line[1:].split(' =')[0])
    return dict(options)
