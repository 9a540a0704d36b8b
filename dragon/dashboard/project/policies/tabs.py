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

"""The tabs of a policy's page: overview, members, schedules, checkpoints."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tables
from horizon import tabs

from dragon.dashboard import api as dragon_api
from dragon.dashboard.api import checkpoints as checkpoints_api
from dragon.dashboard.api import policies as policies_api
from dragon.dashboard.common import errors
from dragon.dashboard.common import tables as common
from dragon.dashboard.project.checkpoints import tables as cp_tables
from dragon.osc.v1 import columns as cli_columns


def _options(member: Any) -> str:
    options = member.get('options') or {}
    return ', '.join('%s=%s' % item for item in sorted(options.items()))


class MembersTable(tables.DataTable):
    resource_type = tables.Column('resource_type', verbose_name=_('Type'))
    resource_name = tables.Column('resource_name', verbose_name=_('Name'))
    resource_id = tables.Column('resource_id', verbose_name=_('ID'))
    action = tables.Column('action', verbose_name=_('Action'))
    options = tables.Column(_options, verbose_name=_('Options'))

    def get_object_id(self, datum: Any) -> str:
        return datum['resource_id']

    class Meta:
        name = 'members'
        verbose_name = _('Members')


class SchedulesTable(tables.DataTable):
    cron = tables.Column('cron', verbose_name=_('Cron'))
    timezone = tables.Column('timezone', verbose_name=_('Time Zone'))
    enabled = tables.Column('enabled', verbose_name=_('Enabled'),
                            filters=(common.yes_no,))
    status = tables.Column('status', verbose_name=_('Status'))
    next_run_at = tables.Column('next_run_at', verbose_name=_('Next Run'),
                                filters=(common.parse_time,))
    last_run_at = tables.Column('last_run_at', verbose_name=_('Last Run'),
                                filters=(common.parse_time,))
    last_result = tables.Column('last_result', verbose_name=_('Last Result'))
    last_reason = tables.Column('last_reason', verbose_name=_('Reason'))
    run_count = tables.Column('run_count', verbose_name=_('Runs'))

    class Meta:
        name = 'schedules'
        verbose_name = _('Schedules')


class PolicyCheckpointsTable(cp_tables.CheckpointsTable):
    """The policy's checkpoints, with their live progress and actions."""

    class Meta(cp_tables.CheckpointsTable.Meta):
        name = 'policy_checkpoints'
        table_actions = ()


def _keep(datum: Any) -> str:
    return str(_('Kept')) if datum.get('keep') else str(_('Deleted next'))


def _reasons(datum: Any) -> str:
    return ', '.join(str(reason) for reason in datum.get('reasons') or ())


class RetentionTable(tables.DataTable):
    id = tables.Column('id', verbose_name=_('Checkpoint'),
                       link=cp_tables.DETAIL_URL)
    captured_at = tables.Column('captured_at', verbose_name=_('Captured'),
                                filters=(common.parse_time,))
    status = tables.Column('status', verbose_name=_('Status'))
    hold = tables.Column('hold', verbose_name=_('Held'),
                         filters=(common.yes_no,))
    keep = tables.Column(_keep, verbose_name=_('Retention'))
    reasons = tables.Column(_reasons, verbose_name=_('Kept by'))

    class Meta:
        name = 'retention'
        verbose_name = _('Retention')


def _key_regions(policy: Any) -> list[dict]:
    """One row per region of an encrypted policy: its key and readiness.

    The key references come from the policy's ``encryption``; the state
    from ``encryption_readiness``, which the API measured for this very
    request (each region's key read and, when there is a checkpoint,
    unwrapping its data key, as a recovery there would).
    """
    encryption = policy.get('encryption') or {}
    refs = dict(encryption.get('recovery_key_refs') or {})
    readiness = policy.get('encryption_readiness') or {}
    rows = []
    for region, state in sorted(readiness.items()):
        ok = state['readable'] and state.get('unwraps') is not False
        rows.append({'region': region, 'role': state['role'],
                     'key_ref': state['key_ref'], 'ok': ok,
                     'state': cli_columns.readiness_text(state)})
    for region, ref in sorted(refs.items()):
        if region not in readiness:       # not measured: say so
            rows.append({'region': region, 'role': 'recovery',
                         'key_ref': ref, 'ok': False,
                         'state': str(_('not checked'))})
    return rows


def _data_key(encryption: dict) -> str:
    if encryption.get('data_key_scope') == 'policy':
        return str(_('of this policy only (no chunk shared with another '
                     'policy)'))
    return str(_('of the project (chunks shared with its policies under '
                 'the same key)'))


class OverviewTab(tabs.Tab):
    name = _('Overview')
    slug = 'overview'
    template_name = 'dragon/policies/_detail_overview.html'

    def get_context_data(self, request: Any) -> dict:
        policy = self.tab_group.kwargs['policy']
        options = policy.get('options') or {}
        return {
            'policy': policy,
            'options': options,
            'retention': cli_columns.RetentionColumn(
                options.get('retention')).human_readable(),
            'rpo': cli_columns.RpoColumn(policy.get('rpo')).human_readable(),
            'rpo_target': common.human_duration(options.get('rpo')),
            'last_drill': cli_columns.LastDrillColumn(
                policy.get('last_drill')).human_readable(),
            'encryption': policy.get('encryption'),
            'data_key': _data_key(policy.get('encryption') or {}),
            'dr_ready': policy.get('dr_ready'),
            'key_regions': _key_regions(policy),
        }


class MembersTab(tabs.TableTab):
    name = _('Members')
    slug = 'members'
    table_classes = (MembersTable,)
    template_name = 'horizon/common/_detail_table.html'
    preload = False

    def get_members_data(self) -> list[dict]:
        return list(self.tab_group.kwargs['policy'].get('members') or ())


class SchedulesTab(tabs.TableTab):
    name = _('Schedules')
    slug = 'schedules'
    table_classes = (SchedulesTable,)
    template_name = 'horizon/common/_detail_table.html'
    preload = False

    def get_schedules_data(self) -> list[dict]:
        return [dragon_api.Resource(s) for s in
                self.tab_group.kwargs['policy'].get('schedules') or ()]


class CheckpointsTab(tabs.TableTab):
    name = _('Checkpoints')
    slug = 'checkpoints'
    table_classes = (PolicyCheckpointsTable,)
    template_name = 'horizon/common/_detail_table.html'
    preload = False

    def get_policy_checkpoints_data(self) -> list:
        policy = self.tab_group.kwargs['policy']
        try:
            return checkpoints_api.checkpoint_list(self.request,
                                                   policy_id=policy.id)
        except Exception:
            errors.handle(self.request,
                              _('Unable to list the policy\'s checkpoints.'))
            return []


class RetentionTab(tabs.TableTab):
    """What retention would delete now, and the rules that keep the rest."""

    name = _('Retention')
    slug = 'retention'
    table_classes = (RetentionTable,)
    template_name = 'horizon/common/_detail_table.html'
    preload = False

    def allowed(self, request: Any) -> bool:
        return common.may(request, 'dragon:policy:retention',
                          self.tab_group.kwargs['policy'])

    def get_retention_data(self) -> list:
        policy = self.tab_group.kwargs['policy']
        try:
            preview = policies_api.retention_preview(self.request, policy.id)
        except Exception:
            errors.handle(self.request, _('Unable to preview the '
                                              'policy\'s retention.'))
            return []
        return [dragon_api.Resource(c) for c in preview.get('checkpoints')
                or ()]


class PolicyTabs(tabs.DetailTabsGroup):
    slug = 'policy_details'
    tabs = (OverviewTab, MembersTab, SchedulesTab, CheckpointsTab,
            RetentionTab)
    sticky = True
