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

"""Members of a policy: the servers and volumes it protects."""

from typing import Any

from dragon.client.v1 import base


def _url(policy_id: str, resource_id: str | None = None) -> str:
    url = '/policies/%s/members' % base.quote(policy_id)
    if resource_id is not None:
        url += '/' + base.quote(resource_id)
    return url


class MemberManager(base.Manager):

    def add(self, policy_id: str, resource_type: str, resource_id: str,
            action: str | None = None, options: dict | None = None) -> dict:
        member: dict[str, Any] = {'resource_type': resource_type,
                                  'resource_id': resource_id}
        if action is not None:
            member['action'] = action
        if options is not None:
            member['options'] = options
        return self._request('POST', _url(policy_id),
                             {'member': member})['member']

    def list(self, policy_id: str) -> list[dict]:
        return self._list(_url(policy_id), 'members')

    def update(self, policy_id: str, resource_id: str,
               action: str | None = None,
               options: dict | None = None) -> dict:
        member: dict[str, Any] = {}
        if action is not None:
            member['action'] = action
        if options is not None:
            member['options'] = options
        return self._request('PATCH', _url(policy_id, resource_id),
                             {'member': member})['member']

    def remove(self, policy_id: str, resource_id: str) -> None:
        self._request('DELETE', _url(policy_id, resource_id))
