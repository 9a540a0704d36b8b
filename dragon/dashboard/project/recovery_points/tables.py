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

"""The recovery points table: complete checkpoints as Swift holds them."""

from django.template import defaultfilters as filters
from django.utils.translation import gettext_lazy as _
from horizon import tables
from horizon.utils import filters as horizon_filters

from dragon.dashboard.project.recoveries import actions


class RecoveryPointsTable(tables.DataTable):
    checkpoint_id = tables.Column('checkpoint_id',
                                  verbose_name=_('Checkpoint'))
    policy = tables.Column('policy_name', verbose_name=_('Policy'))
    finished_at = tables.Column(
        'finished_at', verbose_name=_('Age'),
        filters=(horizon_filters.parse_isotime,
                 horizon_filters.timesince_sortable),
        attrs={'data-type': 'timesince'})
    size = tables.Column('size', verbose_name=_('Size'),
                         filters=(filters.filesizeformat,))
    source_region = tables.Column('source_region',
                                  verbose_name=_('Source region'))
    container = tables.Column('container', verbose_name=_('Container'))

    def get_object_id(self, datum):
        return datum.container

    class Meta:
        name = 'recovery_points'
        verbose_name = _('Recovery Points')
        row_actions = (actions.RecoverRecoveryPoint,)
