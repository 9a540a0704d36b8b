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

"""What a checkpoint does not carry: the warning codes and their collector.

Discovery, template generation and the data actions call a ``warn``
function (``warn(resource, code, message)``) whenever they leave a
resource or an attribute out, or record something the backup site may not
be able to use.  The run's collector turns each warning into a
``warning`` event at once and stores the list on the checkpoint row and in
its manifest; the policy option ``strict`` turns any of them into a failed
protection.  ``doc/source/admin/checkpoints.rst`` says what an operator
does about each code.
"""

import threading
from typing import Any, Callable, Iterator

# A volume attached to a protected server is recreated empty (its server
# member says attached_volumes: template_only, or the server itself is
# template_only and boots from it).
VOLUME_NOT_PROTECTED = 'volume_not_protected'
# Nova shows user data to administrators only: the server comes back
# without any.
USER_DATA_NOT_READABLE = 'user_data_not_readable'
# User data that is not UTF-8 text cannot go into a HOT template.
USER_DATA_NOT_TEXT = 'user_data_not_text'
# A router's extra routes are recorded in the manifest, not recreated.
ROUTER_ROUTES_NOT_RECREATED = 'router_routes_not_recreated'
# SNAT disabled on a router's gateway: setting it is admin-only in Neutron.
ROUTER_SNAT_NOT_KEPT = 'router_snat_not_kept'
# A QoS policy on a port or network is not recreated.
QOS_POLICY_NOT_RECREATED = 'qos_policy_not_recreated'
# A port on a network that recovery maps rather than recreates gets a new
# MAC address and new fixed IPs.
PORT_ADDRESSES_NOT_KEPT = 'port_addresses_not_kept'
# Security group rules that refer to address groups (Heat cannot make them).
ADDRESS_GROUP_RULES_NOT_RECREATED = 'address_group_rules_not_recreated'
# A cinder_backup record whose export Cinder refused: usable only where the
# backup itself is visible.
BACKUP_NOT_EXPORTABLE = 'backup_not_exportable'
# A cinder_backup record another site can restore only through Cinder's
# backup import, admin-only in Cinder's default policy.
BACKUP_IMPORT_ADMIN_ONLY = 'backup_import_admin_only'

# A template_only server boots from an image an in-place restore made in
# this region (``dragon-restore-...``): no other region has it.
IMAGE_ONLY_IN_THIS_REGION = 'image_only_in_this_region'

CODES = (VOLUME_NOT_PROTECTED, USER_DATA_NOT_READABLE, USER_DATA_NOT_TEXT,
         ROUTER_ROUTES_NOT_RECREATED, ROUTER_SNAT_NOT_KEPT,
         QOS_POLICY_NOT_RECREATED, PORT_ADDRESSES_NOT_KEPT,
         ADDRESS_GROUP_RULES_NOT_RECREATED, BACKUP_NOT_EXPORTABLE,
         BACKUP_IMPORT_ADMIN_ONLY, IMAGE_ONLY_IN_THIS_REGION)

# ``warn(resource, code, message)``: resource is a graph key (or an id, or
# None for the checkpoint as a whole).
Warn = Callable[[str | None, str, str], None]


def ignore(resource: str | None, code: str, message: str) -> None:
    """The ``warn`` of a caller that does not collect (e.g. a test)."""


def warning(resource: str | None, code: str, message: str) -> dict[str, Any]:
    """One warning as stored: ``{"resource", "what", "message"}``."""
    return {'resource': resource, 'what': code, 'message': message}


def summary(items: list[dict[str, Any]]) -> str:
    """One line naming every warning: the reason of a strict failure."""
    return '; '.join('%s%s (%s)' % (
        '%s: ' % w['resource'] if w.get('resource') else '', w['message'],
        w['what']) for w in items)


class Collector:
    """A run's warnings, in the order given, each (resource, code) once.

    Thread-safe: transfers run in parallel.

    :param on_add: called with each new warning (outside the lock).
    """

    def __init__(self, on_add: Callable[[dict[str, Any]], None] | None = None
                 ) -> None:
        self._lock = threading.Lock()
        self._items: list[dict[str, Any]] = []
        self._on_add = on_add

    def warn(self, resource: str | None, code: str, message: str) -> None:
        """Add a warning (a ``Warn`` function)."""
        entry = warning(resource, code, message)
        with self._lock:
            if any(w['resource'] == resource and w['what'] == code
                   for w in self._items):
                return
            self._items.append(entry)
        if self._on_add is not None:
            self._on_add(dict(entry))

    def items(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(w) for w in self._items]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.items())
