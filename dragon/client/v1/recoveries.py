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

"""Recoveries: a checkpoint relaunched as a Heat stack in another region."""

from typing import Any

from dragon.client.v1 import base

FAILOVER, DRILL, IN_PLACE = 'failover', 'drill', 'in_place'
# A recovery made by policies.failback_run (not created with create()).
FAILBACK = 'failback'


def _url(recovery_id: str, tail: str = '') -> str:
    return '/recoveries/%s%s' % (base.quote(recovery_id), tail)


class RecoveryManager(base.Manager):
    # ``list`` comes last: defined earlier, it would shadow the builtin in
    # the annotations of the methods after it.

    def create(self, checkpoint_id: str | None = None,
               recovery_point: str | None = None, *,
               target_region: str | None = None,
               mode: str = FAILOVER, mappings: dict | None = None,
               resources: Any = None,
               timeout: int | None = None, dry_run: bool = False,
               shrink_volumes: bool = False,
               keep_current_flavor: bool = False) -> dict:
        """Start recovering a checkpoint; it comes back ``recovering``.

        Exactly one of ``checkpoint_id`` (a checkpoint this Dragon knows)
        and ``recovery_point`` (a checkpoint container in Swift, which works
        with an empty database at the backup site) names what to recover.
        ``resources`` limits the recovery to those server/volume IDs and
        what they depend on.  ``target_region`` is required for failover
        and drill; ``IN_PLACE`` goes into the checkpoint's own region, and
        with ``dry_run`` only plans (the recovery's ``plan``); without, it
        swaps the volumes (rebuilds the servers, recreates deleted
        volumes) and waits ``awaiting_commit`` (``commit`` or
        ``rollback``).  ``shrink_volumes`` lets it restore a volume that
        grew since the checkpoint (back to its checkpoint size);
        ``keep_current_flavor`` lets it rebuild a server whose flavor
        changed (on the flavor it has now).
        """
        if (checkpoint_id is None) == (recovery_point is None):
            raise ValueError('Give either checkpoint_id or recovery_point.')
        recovery: dict[str, Any] = {'mode': mode}
        if dry_run:
            recovery['dry_run'] = True
        if shrink_volumes:
            recovery['shrink_volumes'] = True
        if keep_current_flavor:
            recovery['keep_current_flavor'] = True
        optional = {'target_region': target_region,
                    'checkpoint_id': checkpoint_id,
                    'recovery_point': recovery_point,
                    'mappings': mappings or None,
                    'resources': list(resources) if resources else None,
                    'timeout': timeout}
        recovery.update({k: v for k, v in optional.items() if v is not None})
        return self._request('POST', '/recoveries',
                             {'recovery': recovery})['recovery']

    def get(self, recovery_id: str) -> dict:
        return self._request('GET', _url(recovery_id))['recovery']

    def delete(self, recovery_id: str) -> dict | None:
        """Tear down the stack and what the recovery restored (202).

        Returns the recovery as the API sent it back, if it did.
        """
        return (self._request('DELETE', _url(recovery_id)) or
                {}).get('recovery')

    def failback_prepare(self, recovery_id: str, name: str | None = None,
                         description: str | None = None,
                         enable_schedules: bool = False) -> dict:
        """Make a failover's workload a reverse policy here; protect it once.

        Returns the ``failback``: the reverse ``policy`` (replicating to the
        region the checkpoint came from), its first ``checkpoint``
        (queued), the ``members`` (``source_id`` → ``resource_id``), those
        ``left_out`` and why, ``schedules_copied`` and ``notes``.
        """
        failback: dict[str, Any] = {}
        if name:
            failback['name'] = name
        if description is not None:
            failback['description'] = description
        if enable_schedules:
            failback['enable_schedules'] = True
        return self._request('POST', _url(recovery_id, '/failback'),
                             {'failback': failback})['failback']

    def commit(self, recovery_id: str) -> dict:
        """Keep an in-place restore: the replaced volumes are deleted (202)."""
        return self._request('POST', _url(recovery_id, '/commit'))[
            'recovery']

    def rollback(self, recovery_id: str) -> dict:
        """Undo an in-place restore: the replaced volumes go back (202)."""
        return self._request('POST', _url(recovery_id, '/rollback'))[
            'recovery']

    def events(self, recovery_id: str) -> list[dict]:
        """The step log of the run: ``time``, ``level``, ``resource``, ``message``."""
        return self._list(_url(recovery_id, '/events'), 'events')

    def list(self, status: str | None = None, all_projects: bool = False,
             limit: int | None = None, marker: str | None = None,
             all_pages: bool = False) -> list[dict]:
        """One page of recoveries (newest first), or every page with ``all_pages``."""
        params = {'status': status, 'limit': limit, 'marker': marker,
                  'all_projects': 'true' if all_projects else None}
        return self._list('/recoveries', 'recoveries', params, all_pages)
