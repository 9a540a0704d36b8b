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

"""Recovery of the rich golden graph, compared with outcomes captured earlier.

Mapping resolution (by name, explicit, missing), the rewrite in failover
and drill, with a selection, restored images and volumes, an existing key
pair: ``golden/rich_recovery.json`` is what they gave before the Nova,
Cinder and Neutron pieces moved into their plugins.
"""

import json
import pathlib

import pytest

from tests.unit.recovery import golden_cases

GOLDEN = json.loads((pathlib.Path(__file__).parent / 'golden' /
                     'rich_recovery.json').read_text())


@pytest.fixture(scope='module')
def outcomes():
    return golden_cases.run_all()


@pytest.mark.parametrize('case', sorted(GOLDEN))
def test_outcome_is_the_golden_one(outcomes, case):
    assert outcomes[case] == GOLDEN[case]


def test_the_cases_cover_replacements_and_failures():
    assert 'error' in GOLDEN['volume_restored_onto_server']
    assert 'missing' in GOLDEN['resolve_missing']
    # The restored volume and the existing key pair replace resources.
    assert 'volume_data_70000000:' not in GOLDEN['failover_good']['template']
    assert 'vol-data' in GOLDEN['failover_good']['template']
    assert 'keypair_ops_a92c36e6:' not in \
        GOLDEN['failover_key_pair']['template']
