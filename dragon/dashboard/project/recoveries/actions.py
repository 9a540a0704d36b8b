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

"""The Recover row action, shared by the checkpoint and recovery point tables.

The Checkpoints table imports ``RecoverCheckpoint``; the Recovery Points
table uses ``RecoverRecoveryPoint``. Both open the Recover pages of the
Recoveries panel with what to recover and which region's Dragon knows it.
"""

from typing import Any
from urllib import parse

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import tables

from dragon.dashboard.common import regions
from dragon.dashboard import policy
from dragon import statuses

CHECKPOINT, RECOVERY_POINT = 'checkpoint', 'recovery_point'
RULE = 'dragon:recovery:create'


def recover_url(kind: str, source: str, region: str) -> str:
    return '%s?%s' % (reverse('horizon:project:dr_recoveries:recover'),
                      parse.urlencode({'kind': kind, 'source': source,
                                       'region': region}))


class _Recover(tables.LinkAction):
    name = 'recover'
    verbose_name = _('Recover')
    icon = 'repeat'
    kind = ''

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return policy.check(request, RULE, policy.target_of(datum))

    def source_of(self, datum: Any) -> str:
        raise NotImplementedError

    def region(self, request: Any) -> str:
        """The region whose Dragon listed the row (and will recover it)."""
        return regions.selected(request)

    def get_link_url(self, datum: Any = None) -> str:
        return recover_url(self.kind, self.source_of(datum),
                           self.region(self.table.request))


class RecoverCheckpoint(_Recover):
    """On a checkpoint row: only an available checkpoint can be recovered."""

    kind = CHECKPOINT

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and getattr(datum, 'status', None) != \
                statuses.Checkpoint.AVAILABLE:
            return False
        return super().allowed(request, datum)

    def source_of(self, datum: Any) -> str:
        return datum.id

    def region(self, request: Any) -> str:
        # The Checkpoints page lists the Dragon of Horizon's region.
        return request.user.services_region


class RecoverRecoveryPoint(_Recover):
    kind = RECOVERY_POINT

    def source_of(self, datum: Any) -> str:
        return datum.container
