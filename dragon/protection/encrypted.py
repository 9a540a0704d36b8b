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

"""What an encrypted policy may not protect: data stored outside Dragon."""

from typing import Any, Iterable

from dragon import exception
from dragon.protection.data import base as data_base
from dragon.protection.discovery import base as discovery_base

# Actions whose data another service stores, outside Dragon's encryption
# (cinder-backup writes its own objects), and what to use instead.  The
# action is named like the record kind it writes.
CLEAR_ACTIONS = {data_base.CINDER_BACKUP: discovery_base.SNAPSHOT_DATA}


def refuse_clear_actions(policy_id: str, nodes: Iterable[Any]) -> None:
    """Refuse, before any capture, a resource whose data would stay clear.

    :raises dragon.exception.EncryptedActionRefused:
    """
    for node in nodes:
        if node.action in CLEAR_ACTIONS:
            raise exception.EncryptedActionRefused(
                resource=node.key, id=policy_id, action=node.action,
                instead=CLEAR_ACTIONS[node.action])
