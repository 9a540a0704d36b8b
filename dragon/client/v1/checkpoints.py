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

"""Checkpoints: protecting a policy and the points in time it produced."""

from dragon.client.v1 import base


def _url(checkpoint_id: str, tail: str = '') -> str:
    return '/checkpoints/%s%s' % (base.quote(checkpoint_id), tail)


class CheckpointManager(base.Manager):
    # ``list`` comes last: defined earlier, it would shadow the builtin in
    # the annotations of the methods after it.

    def protect(self, policy_id: str) -> dict:
        """Start a checkpoint of the policy; it comes back ``protecting``."""
        return self._request(
            'POST', '/policies/%s/protect' % base.quote(policy_id),
            {})['checkpoint']

    def get(self, checkpoint_id: str) -> dict:
        return self._request('GET', _url(checkpoint_id))['checkpoint']

    def update(self, checkpoint_id: str, hold: bool) -> dict:
        """Put the checkpoint on hold (retention spares it) or release it."""
        return self._request('PATCH', _url(checkpoint_id),
                             {'checkpoint': {'hold': bool(hold)}})[
            'checkpoint']

    def delete(self, checkpoint_id: str) -> dict | None:
        """Ask for the checkpoint to be removed (202); it goes ``deleting``.

        Returns the checkpoint as the API sent it back, if it did.
        """
        return (self._request('DELETE', _url(checkpoint_id)) or
                {}).get('checkpoint')

    def events(self, checkpoint_id: str) -> list[dict]:
        """The step log of the run: ``time``, ``level``, ``resource``, ``message``."""
        return self._list(_url(checkpoint_id, '/events'), 'events')

    def template(self, checkpoint_id: str) -> dict:
        """``{"template": <HOT YAML text>, "parameters": {...}}``."""
        return self._request('GET', _url(checkpoint_id, '/template'))

    def verify(self, checkpoint_id: str, read_data: bool = False) -> dict:
        """Ask an engine to verify the checkpoint's data (202).

        Returns the checkpoint; its ``verification`` is ``running`` until
        the engine records the result there.
        """
        return self._request(
            'POST', _url(checkpoint_id, '/verify'),
            {'verify': {'read_data': bool(read_data)}})['checkpoint']

    def list(self, policy_id: str | None = None, status: str | None = None,
             limit: int | None = None, marker: str | None = None,
             all_projects: bool = False,
             all_pages: bool = False) -> list[dict]:
        """One page of checkpoints (newest first), or every page with ``all_pages``."""
        params = {'policy_id': policy_id, 'status': status, 'limit': limit,
                  'marker': marker,
                  'all_projects': 'true' if all_projects else None}
        return self._list('/checkpoints', 'checkpoints', params, all_pages)
