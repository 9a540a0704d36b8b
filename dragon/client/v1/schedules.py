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

"""Schedules of a policy: when Dragon protects it without a person."""

from typing import Any

from dragon.client.v1 import base


def _url(policy_id: str, schedule_id: str | None = None) -> str:
    url = '/policies/%s/schedules' % base.quote(policy_id)
    if schedule_id is not None:
        url += '/' + base.quote(schedule_id)
    return url


class ScheduleManager(base.Manager):

    def create(self, policy_id: str, cron: str, **fields: Any) -> dict:
        """Add a schedule; ``fields``: timezone, enabled, start_at, end_at,
        jitter, misfire_grace.
        """
        schedule = {'cron': cron, **{k: v for k, v in fields.items()
                                     if v is not None}}
        return self._request('POST', _url(policy_id),
                             {'schedule': schedule})['schedule']

    def list(self, policy_id: str) -> list[dict]:
        return self._list(_url(policy_id), 'schedules')

    def get(self, policy_id: str, schedule_id: str) -> dict:
        return self._request('GET', _url(policy_id, schedule_id))['schedule']

    def update(self, policy_id: str, schedule_id: str,
               **changes: Any) -> dict:
        return self._request('PATCH', _url(policy_id, schedule_id),
                             {'schedule': changes})['schedule']

    def delete(self, policy_id: str, schedule_id: str) -> None:
        self._request('DELETE', _url(policy_id, schedule_id))
