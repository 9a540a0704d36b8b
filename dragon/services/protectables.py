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

"""The caller's protectable resources, each with the policy that protects it."""

from typing import Any

from dragon.db import api as db_api
from dragon.protection import registry


def protectable_list(context: Any, types: list[str]) -> list[dict[str, Any]]:
    """Return the caller's resources of ``types``, as each type lists them.

    A resource held by an exclusive action names that policy; one held only
    by ``template_only`` members names the first of them.
    """
    protected: dict[str, Any] = {}
    for member in db_api.policy_member_get_all_by_project(
            context, context.project_id):
        exclusive = member.exclusive_resource_id is not None
        if member.resource_id not in protected or exclusive:
            protected[member.resource_id] = member.policy
    result = []
    for resource_type in types:
        plugin = registry.get(resource_type)
        for resource in plugin.list_resources(context):
            policy = protected.get(resource['id'])
            result.append({
                'type': resource_type,
                'id': resource['id'],
                'name': resource['name'],
                'status': resource['status'],
                'policy_id': policy.id if policy else None,
                'policy_name': policy.name if policy else None,
            })
    return result
