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

"""In-place tests without a database see no earlier in-place restore."""

import pytest

from dragon.db import api as db_api


@pytest.fixture(autouse=True)
def settled(request, monkeypatch):
    """The project's closed in-place restores (lineage's read); append to it."""
    found = []
    if 'db' not in request.fixturenames:
        monkeypatch.setattr(db_api, 'recovery_get_settled_in_place',
                            lambda context, project_id, region: found)
    return found
