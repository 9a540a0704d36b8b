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

"""Replication and failback need one Swift per region.

On the shared-Swift cloud (the first of ``make test``) every module here
is skipped; the per-region cloud runs them.
"""
import pytest


@pytest.fixture(scope='module', autouse=True)
def per_region_swift(cloud):
    if cloud.layout.swift_topology != 'per-region':
        pytest.skip('replication needs one Swift per region: the minicloud '
                    'runs the %r Swift topology (MINICLOUD_SWIFT_TOPOLOGY='
                    'per-region, on a wiped cloud)'
                    % cloud.layout.swift_topology)
