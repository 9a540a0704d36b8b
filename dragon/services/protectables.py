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
