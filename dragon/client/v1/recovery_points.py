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

"""Recovery points: complete checkpoints as Swift holds them, no database involved."""

from dragon.client.v1 import base


class RecoveryPointManager(base.Manager):

    def verify(self, container: str, read_data: bool = False) -> dict:
        """Check a recovery point's chunks against the Swift listing.

        Answered in the request (no database): ``status`` ``ok`` or
        ``damaged``, ``problems``, counts.
        """
        return self._request(
            'POST', '/recovery-points/%s/verify' % base.quote(container),
            {'verify': {'read_data': bool(read_data)}})['verification']

    def list(self, policy: str | None = None) -> list[dict]:
        """Every recovery point, or those of one policy (name or ID).

        The API reads Swift, so a backup site whose Dragon database knows
        nothing of the policy still filters by the name or ID given here.
        """
        return self._list('/recovery-points', 'recovery_points',
                          {'policy': policy})
