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

"""Discovery of Swift containers: their metadata, and what is not kept.

A container depends on nothing else, so a member is one node.  Container
metadata (``X-Container-Meta-*``, quotas included) is carried; ACLs,
versioning, container sync and the storage policy are recorded in the
node and named in the warnings, never silently dropped.
"""

from typing import Any

from swiftclient import exceptions as swift_exc

from dragon import exception
from dragon.protection.discovery import base
from dragon.protection import graph as graph_mod

TYPE = 'OS::Swift::Container'
META = 'x-container-meta-'
# Headers of what the container does beyond holding objects: not recreated.
NOT_KEPT = {
    'x-container-read': ('container_acl_not_kept', 'its read ACL'),
    'x-container-write': ('container_acl_not_kept', 'its write ACL'),
    'x-versions-location': ('container_versioning_not_kept',
                            'object versioning (older versions)'),
    'x-history-location': ('container_versioning_not_kept',
                           'object versioning (older versions)'),
    'x-versions-enabled': ('container_versioning_not_kept',
                           'object versioning (older versions)'),
    'x-container-sync-to': ('container_sync_not_kept', 'container sync'),
}
# Recorded only: the recovered container gets the target's default
# policy (policies are the operator's, and named differently per site).
POLICY_HEADER = 'x-storage-policy'


def properties(name: str, headers: dict[str, str]) -> dict[str, Any]:
    """What the template and the data action need of a container."""
    return {
        'name': name,
        'metadata': {k[len(META):]: v for k, v in headers.items()
                     if k.lower().startswith(META)},
        'object_count': int(headers.get('x-container-object-count') or 0),
        'bytes_used': int(headers.get('x-container-bytes-used') or 0),
        'storage_policy': headers.get(POLICY_HEADER),
        'not_kept': {k: headers[k] for k in NOT_KEPT if headers.get(k)},
    }


class ContainerDiscovery(base.DiscoveryPlugin):
    """Swift containers of the project's account (the run's credentials)."""

    resource_type = 'swift_container'
    order = 50

    def discover(self, run: base.DiscoveryRun,
                 members: list[dict[str, Any]]) -> list[graph_mod.Node]:
        swift = run.clients.swift()
        nodes = []
        for member in members:
            name = member['resource_id']
            try:
                headers = swift.head_container(name)
            except swift_exc.ClientException as e:
                reason = ('not found in the project\'s Swift account'
                          if e.http_status == 404 else str(e))
                raise exception.DiscoveryFailed(
                    resource='container %s (a member of the policy)' % name,
                    reason=reason) from e
            props = properties(name, {k.lower(): v
                                      for k, v in headers.items()})
            node = run.node_for(
                TYPE, name, name, 'container', member=True,
                action=member.get('action'),
                options=dict(member.get('options') or {}),
                properties=props)
            for header in sorted(props['not_kept']):
                code, what = NOT_KEPT[header]
                run.warn(node.key, code, 'container %s: %s (%s) is not '
                         'recreated' % (name, what, header))
            nodes.append(node)
        return nodes
