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

"""Workload policies: what to protect, how often and for how long."""

from typing import Any

from dragon.client import exceptions
from dragon.client.v1 import base


class PolicyManager(base.Manager):

    def create(self, name: str, description: str | None = None,
               options: dict | None = None,
               members: list[dict] | None = None,
               schedules: list[dict] | None = None,
               encryption: dict | None = None,
               replication: dict | None = None) -> dict:
        """A new policy; ``replication={'target_region': R}`` copies each
        checkpoint to region R's own Swift.
        """
        policy: dict[str, Any] = {'name': name}
        if encryption is not None:
            policy['encryption'] = encryption
        if replication is not None:
            policy['replication'] = replication
        if description is not None:
            policy['description'] = description
        if options is not None:
            policy['options'] = options
        if members is not None:
            policy['members'] = members
        if schedules is not None:
            policy['schedules'] = schedules
        return self._request('POST', '/policies', {'policy': policy})['policy']

    def list(self, name: str | None = None, limit: int | None = None,
             marker: str | None = None, sort_key: str | None = None,
             sort_dir: str | None = None, all_projects: bool = False,
             all_pages: bool = False) -> list[dict]:
        """One page of policies, or every page with ``all_pages``."""
        params = {'name': name, 'limit': limit, 'marker': marker,
                  'sort_key': sort_key, 'sort_dir': sort_dir,
                  'all_projects': 'true' if all_projects else None}
        return self._list('/policies', 'policies', params, all_pages)

    def get(self, policy_id: str) -> dict:
        return self._request(
            'GET', '/policies/%s' % base.quote(policy_id))['policy']

    def find(self, name_or_id: str) -> dict:
        """The policy with this ID, else the only one with this name."""
        try:
            return self.get(name_or_id)
        except exceptions.ClientError as err:
            if err.status != 404:
                raise
        matches = [p for p in self.list(name=name_or_id, all_pages=True)
                   if p.get('name') == name_or_id]
        if not matches:
            raise exceptions.ClientError(
                404, "No policy with a name or ID of '%s' exists." % name_or_id)
        if len(matches) > 1:
            raise exceptions.ClientError(
                409, "More than one policy exists with the name '%s'; "
                "use the ID instead." % name_or_id)
        return matches[0]

    def update(self, policy_id: str, **changes: Any) -> dict:
        """Change ``name``, ``description``, ``options``, ``schedules``
        (a list that replaces them all), ``encryption`` and/or
        ``replication`` (``None`` removes either).
        """
        return self._request('PATCH', '/policies/%s' % base.quote(policy_id),
                             {'policy': changes})['policy']

    def retention_preview(self, policy_id: str) -> dict:
        """What retention would delete now and why each checkpoint is kept.

        ``{"rules": {...}, "timezone": ..., "checkpoints": [{"id",
        "created_at", "captured_at", "status", "hold", "keep",
        "reasons"}, ...]}``, newest first.
        """
        return self._request(
            'GET', '/policies/%s/retention' % base.quote(policy_id))[
            'retention']

    def failback_run(self, policy_id: str, quiesce: str | None = None,
                     delete_stale: bool = False) -> dict:
        """Bring a reverse policy's workload home (failback run, 202).

        Returns the failback recovery (mode ``failback``, into the home
        region); it ends ``awaiting_commit``: commit or roll it back with
        ``recoveries.commit`` / ``recoveries.rollback``.
        """
        failback: dict[str, Any] = {}
        if quiesce:
            failback['quiesce'] = quiesce
        if delete_stale:
            failback['delete_stale'] = True
        return self._request(
            'POST', '/policies/%s/failback' % base.quote(policy_id),
            {'failback': failback})['recovery']

    def delete(self, policy_id: str) -> dict:
        """Returns ``{"policy_id": ..., "kept_checkpoints": N}``."""
        return self._request('DELETE', '/policies/%s' % base.quote(policy_id))
