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

"""Every project's policies, checkpoints and recoveries (read-only)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tables
from horizon.utils import filters as horizon_filters

from dragon.dashboard.common import tables as common_tables
from dragon.dashboard.project.recoveries import tables as recovery_tables


def _since(name: str, label: Any) -> tables.Column:
    return tables.Column(name, verbose_name=label,
                         filters=(horizon_filters.parse_isotime,
                                  horizon_filters.timesince_sortable),
                         attrs={'data-type': 'timesince'})


def member_count(datum: Any) -> int:
    return len(getattr(datum, 'members', None) or ())


def rpo_state(datum: Any) -> str:
    return (getattr(datum, 'rpo', None) or {}).get('state') or '-'


class PoliciesTable(tables.DataTable):
    name = tables.Column('name', verbose_name=_('Name'))
    project = tables.Column('project_id', verbose_name=_('Project'))
    members = tables.Column(member_count, verbose_name=_('Members'))
    status = tables.Column('status', verbose_name=_('Status'))
    rpo = tables.Column(rpo_state, verbose_name=_('RPO state'))
    created_at = _since('created_at', _('Created'))

    class Meta:
        name = 'policies'
        verbose_name = _('Policies')


class CheckpointsTable(tables.DataTable):
    id = tables.WrappingColumn('id', verbose_name=_('ID'))
    project = tables.Column('project_id', verbose_name=_('Project'))
    policy = tables.Column('policy_name', verbose_name=_('Policy'))
    status = tables.Column(
        'status', verbose_name=_('Status'),
        display_choices=common_tables.STATUS_DISPLAY)
    progress = common_tables.ProgressColumn()
    engine = tables.Column('engine', verbose_name=_('Engine'))
    created_at = _since('created_at', _('Created'))

    class Meta:
        name = 'checkpoints'
        verbose_name = _('Checkpoints')


class RecoveriesTable(tables.DataTable):
    id = tables.WrappingColumn('id', verbose_name=_('ID'))
    project = tables.Column('project_id', verbose_name=_('Project'))
    policy = tables.Column('policy_name', verbose_name=_('Policy'))
    mode = tables.Column('mode', verbose_name=_('Mode'),
                         display_choices=recovery_tables.MODE_DISPLAY)
    target_region = tables.Column('target_region',
                                  verbose_name=_('Target region'))
    status = tables.Column(
        'status', verbose_name=_('Status'),
        display_choices=common_tables.STATUS_DISPLAY)
    progress = common_tables.ProgressColumn()
    rto = tables.Column(recovery_tables.rto, verbose_name=_('RTO'))
    engine = tables.Column('engine', verbose_name=_('Engine'))
    created_at = _since('created_at', _('Started'))

    class Meta:
        name = 'recoveries'
        verbose_name = _('Recoveries')
