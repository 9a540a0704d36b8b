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

"""The part of a recovery's stack that needs no restored data, made early.

Restoring a checkpoint's images and volumes and creating its networks,
subnets, routers, ports, security groups and key pairs do not wait for
each other, yet a recovery that creates its stack only after the last
byte is restored pays for both, one after the other.  So, before the data
is restored, the template is rewritten once with a placeholder in place
of every id the restore will give (``placeholders``); the resources in
which no placeholder appears, that are no restored resource themselves
and that depend on none of those, are a first stack (``split``), which
Heat creates while the data streams.  Once the data is restored, the real
rewrite is applied to that stack as an update: Heat keeps what it has
(the same definitions: the rewrite is deterministic) and creates the
servers, volumes and attachments.

What waits for the data is decided by the template itself, not by
resource type: a port is early unless it names a restored volume; a
server is late because its image parameter is a restored image.
"""

import copy
import json
from typing import Any, Iterable

from dragon.protection.data import base as data_base
from dragon.recovery import intrinsics

# Stands for an id the restore has not given yet; appears nowhere else.
MARK = 'dragon-pending-restore-'
# The id the restore of each built-in record kind gives the rewrite
# (``dragon.recovery.restore``).  A kind not named here restores into
# nothing the template reads, or the rewrite with placeholders fails and
# the recovery makes its stack in one piece.
GIVES = {data_base.IMAGE: 'image_id', data_base.VOLUME: 'image_id',
         data_base.CINDER_BACKUP: 'volume_id',
         data_base.REPLICATED: 'volume_id'}


def placeholders(records: dict[str, dict[str, Any]]
                 ) -> dict[str, dict[str, str]]:
    """What ``restored`` will say of each key, with placeholder ids.

    :param records: ``{key: data record}`` of what will be restored.
    """
    return {key: ({GIVES[record.get('kind')]: MARK + key}
                  if record.get('kind') in GIVES else {})
            for key, record in records.items()}


def _depends_on(resource: dict[str, Any]) -> set[str]:
    deps = resource.get('depends_on') or []
    return {d for d in ([deps] if isinstance(deps, str) else deps)
            if isinstance(d, str)}


def _holds_placeholder(value: Any) -> bool:
    return MARK in json.dumps(value, default=str)


def waiting_for_data(resources: dict[str, Any], params: dict[str, Any],
                     restored_keys: Iterable[str]) -> set[str]:
    """Resources that cannot be created before the data is restored.

    A restored resource itself, one whose definition or parameters hold a
    placeholder, and everything that depends on one of those.
    """
    pending = {name for name, value in params.items()
               if _holds_placeholder(value)}
    restored = set(restored_keys)
    waiting = {name for name, resource in resources.items()
               if name in restored
               or _holds_placeholder(resource)
               or intrinsics.refs(resource, 'get_param') & pending}
    grew = True
    while grew:
        grew = False
        for name, resource in resources.items():
            if name in waiting:
                continue
            needs = (intrinsics.refs(resource, 'get_resource') |
                     intrinsics.refs(resource, 'get_attr') |
                     _depends_on(resource))
            if needs & waiting:
                waiting.add(name)
                grew = True
    return waiting


def split(template: dict[str, Any], params: dict[str, Any],
          restored_keys: Iterable[str]
          ) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The first stack's ``(template, parameters)``, from the placeholder
    rewrite; ``None`` when there is nothing to gain (no resource is early,
    or none waits).

    The first template has the early resources, the conditions they use
    and the parameters they (or those conditions) read; no outputs (they
    may name what comes later; the update brings them).
    """
    resources = template.get('resources') or {}
    waiting = waiting_for_data(resources, params, restored_keys)
    early = {name: copy.deepcopy(resource)
             for name, resource in resources.items() if name not in waiting}
    if not early or not waiting:
        return None
    first = {key: copy.deepcopy(value) for key, value in template.items()
             if key not in ('resources', 'outputs', 'conditions',
                            'parameters')}
    first['resources'] = early
    used = intrinsics.conditions_used(early)
    conditions = {name: copy.deepcopy(value) for name, value in
                  (template.get('conditions') or {}).items() if name in used}
    if conditions:
        first['conditions'] = conditions
    read = intrinsics.refs([early, conditions], 'get_param')
    specs = {name: copy.deepcopy(spec) for name, spec in
             (template.get('parameters') or {}).items() if name in read}
    if specs:
        first['parameters'] = specs
    return first, {name: params[name] for name in specs if name in params}
