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

"""An encrypted policy refuses actions whose data would stay clear."""

import types

import pytest

from dragon import exception
from dragon.protection import encrypted


def test_actions_storing_data_outside_dragon_are_refused():
    node = types.SimpleNamespace(key='volume_db', action='cinder_backup')
    fine = types.SimpleNamespace(key='server_web', action='image_snapshot')
    encrypted.refuse_clear_actions('pol', [fine])
    with pytest.raises(exception.EncryptedActionRefused,
                       match='volume_db.*cinder_backup.*snapshot_data'):
        encrypted.refuse_clear_actions('pol', [fine, node])
