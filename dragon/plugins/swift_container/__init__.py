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

"""The ``swift_container`` resource type: a project's container and objects.

Written as a plugin only (no core file knows it): the class below is the
entry point ``dragon.resource_types: swift_container``; ``discovery``,
``data`` and ``restore`` are its steps.  The container is the member's id
(its name in the project's account).  Protection copies every object's
bytes into the chunk store with its name, content type and metadata; the
template gets an ``OS::Swift::Container``; recovery recreates the
container (with the recovery's name prefix) and its objects in the target
region's Swift before the stack is created, and the stack then adopts it.
What is not carried is said in the checkpoint's warnings (see
``discovery`` and ``data``).
"""

import hashlib
from typing import Any

from swiftclient import exceptions as swift_exc

from dragon.checkpoint import naming
from dragon.cloud import caller
from dragon import exception
from dragon.plugins.swift_container import data
from dragon.plugins.swift_container import discovery
from dragon.plugins.swift_container import restore
from dragon.protection.data import base as data_base
from dragon.resource_types import base

NAME = 'swift_container'
HEAT_TYPE = discovery.TYPE


def is_dragons(container: str) -> bool:
    """Whether ``container`` holds Dragon's own checkpoints or chunks."""
    chunks_prefix = '%s_%s_' % (naming.PREFIX, naming.CHUNKS)
    return (naming.parse(container) is not None or
            container.startswith(chunks_prefix))


def _swift(context: Any) -> Any:
    return caller.swift_connection(context)


def _unavailable(error: Exception) -> exception.RemoteServiceUnavailable:
    return exception.RemoteServiceUnavailable(service='Swift', reason=error)


def _template(builder: Any, node: Any) -> dict[str, Any]:
    # The container is restored (with its objects) before the stack is
    # created; Heat's PUT of the same name adopts it.  Purging on delete
    # lets a drill's teardown (or a recovery's delete) remove it whole.
    props = {'name': node.properties.get('name') or node.resource.id,
             'PurgeOnDelete': True}
    if node.properties.get('metadata'):
        props['X-Container-Meta'] = dict(node.properties['metadata'])
    return props


class SwiftContainer(base.ResourceType):
    """A Swift container of the project, copied object by object."""

    name = NAME
    description = ('A Swift container of the project (its objects, their '
                   'content types and metadata).')
    heat_type = HEAT_TYPE
    actions = (
        base.Action(
            name=data.COPY_OBJECTS, default=True,
            description='Copy every object (name, content type, metadata, '
                        'bytes) into the checkpoint\'s chunk store, '
                        'deduplicated.',
            options_schema=base.options_schema({
                'prefix': {
                    'type': 'string', 'minLength': 1, 'maxLength': 1024,
                    'description': 'Only the objects whose names start '
                                   'with this prefix.'},
            })),
        base.Action(
            name=data.TEMPLATE_ONLY, exclusive=False,
            description='Record the container in the recovery template; '
                        'it is recreated empty.',
            options_schema=base.options_schema()),
    )
    data_actions = {data.COPY_OBJECTS: data.CopyObjects,
                    data.TEMPLATE_ONLY: data.ContainerTemplateOnly}
    discovery = discovery.ContainerDiscovery
    record_kinds = (data.KIND,)
    # A container's id is its name: the target keeps it (with the prefix).
    ids_are_names = frozenset({HEAT_TYPE})

    def list_resources(self, context: Any) -> list[dict[str, Any]]:
        try:
            _headers, containers = _swift(context).get_account(
                full_listing=True)
        except swift_exc.ClientException as e:
            if e.http_status == 403:
                # Swift lets only its operator roles list an account (a
                # project reader is not one): containers the caller cannot
                # see are none the caller could protect, and must not hide
                # the servers and volumes they can.
                return []
            raise _unavailable(e) from e
        return [{'id': c['name'], 'name': c['name'], 'status': 'available'}
                for c in containers if not is_dragons(c['name'])]

    def get_resource(self, context: Any,
                     resource_id: str) -> dict[str, Any] | None:
        if is_dragons(resource_id):
            return None
        try:
            _swift(context).head_container(resource_id)
        except swift_exc.ClientException as e:
            if e.http_status in (403, 404):
                # Unseen, like any resource the caller cannot see.
                return None
            raise _unavailable(e) from e
        # The caller's own account: the container is the project's.
        return {'id': resource_id, 'name': resource_id,
                'status': 'available', 'project_id': None}

    def exclusive_key(self, project_id: str, resource_id: str) -> str:
        # Names repeat across accounts; UUIDs of other types do not.
        digest = hashlib.sha256(('%s/%s' % (project_id, resource_id)
                                 ).encode()).hexdigest()
        return '%s:%s' % (NAME, digest)

    def template_handlers(self) -> dict[str, base.TemplateHandler]:
        return {HEAT_TYPE: _template}

    def restorers(self) -> dict[str, base.RestoreFunction]:
        return {data.KIND: restore.restore_container}

    def cleanup_restored(self, ctx: Any, key: str, made: dict) -> None:
        if made.get(restore.MADE):
            with data_base.failing_as(key, 'removing container %s' % made[
                    restore.MADE], exception.RecoveryFailed):
                restore.remove(ctx.clients.swift(), made[restore.MADE])
