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

"""Workload policies, their members and schedules, and protectables."""

from typing import Any

from dragon.dashboard import api
from dragon.recovery import failback_claim


class Policy(api.Resource):
    """A workload policy with the figures its table shows."""

    @property
    def member_count(self) -> int:
        return len(self._apidict.get('members') or ())

    @property
    def rpo_state(self) -> str | None:
        return (self._apidict.get('rpo') or {}).get('state')

    @property
    def failback_run(self) -> dict:
        """The last ``failback run`` of a reverse policy (``{}``: none)."""
        return dict((self._apidict.get('failback') or {}).get('run') or {})

    @property
    def may_fail_back(self) -> bool:
        """A reverse policy with no run open and none committed.

        What the API would refuse otherwise (409 or 400), the table does
        not offer: the same rule (``failback_claim.may_start``), a claim
        whose request died before the engines had it included.
        """
        if not (self._apidict.get('failback') or {}).get('recovery_id'):
            return False
        return failback_claim.may_start(self.failback_run)


@api.translated
def policy_list(request: Any, all_projects: bool = False,
                region: str | None = None) -> list[Policy]:
    return [Policy(p) for p in api.client(request, region).policies.list(
        all_projects=all_projects, all_pages=True)]


@api.translated
def policy_get(request: Any, policy_id: str,
               region: str | None = None) -> Policy:
    return Policy(api.client(request, region).policies.get(policy_id))


@api.translated
def policy_create(request: Any, name: str, description: str | None = None,
                  options: dict | None = None,
                  members: list[dict] | None = None,
                  schedules: list[dict] | None = None) -> Policy:
    return Policy(api.client(request).policies.create(
        name, description=description, options=options, members=members,
        schedules=schedules))


@api.translated
def policy_update(request: Any, policy_id: str, **changes: Any) -> Policy:
    return Policy(api.client(request).policies.update(policy_id, **changes))


@api.translated
def failback_run(request: Any, policy_id: str, quiesce: str,
                 delete_stale: bool = False) -> api.Resource:
    """Start bringing a reverse policy's workload home; the recovery."""
    return api.Resource(api.client(request).policies.failback_run(
        policy_id, quiesce=quiesce, delete_stale=delete_stale))


@api.translated
def policy_delete(request: Any, policy_id: str) -> dict:
    """``{"policy_id": ..., "kept_checkpoints": N}``."""
    return api.client(request).policies.delete(policy_id) or {}


@api.translated
def retention_preview(request: Any, policy_id: str) -> dict:
    return api.client(request).policies.retention_preview(policy_id)


@api.translated
def member_add(request: Any, policy_id: str, resource_type: str,
               resource_id: str, action: str | None = None,
               options: dict | None = None) -> dict:
    return api.client(request).members.add(
        policy_id, resource_type, resource_id, action=action,
        options=options)


@api.translated
def member_update(request: Any, policy_id: str, resource_id: str,
                  action: str | None = None,
                  options: dict | None = None) -> dict:
    return api.client(request).members.update(
        policy_id, resource_id, action=action, options=options)


@api.translated
def member_remove(request: Any, policy_id: str, resource_id: str) -> None:
    api.client(request).members.remove(policy_id, resource_id)


@api.translated
def protectable_list(request: Any,
                     resource_type: str | None = None) -> list[api.Resource]:
    return [api.Resource(p) for p in
            api.client(request).protectables.list(resource_type)]


@api.translated
def resource_type_list(request: Any) -> list[api.Resource]:
    return [api.Resource(t) for t in
            api.client(request).resource_types.list()]
