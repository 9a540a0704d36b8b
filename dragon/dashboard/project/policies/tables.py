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

"""The workload policies table: figures at a glance and the row actions."""

from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.utils.translation import ngettext_lazy
from horizon import messages
from horizon import tables

from dragon.dashboard.api import checkpoints as checkpoints_api
from dragon.dashboard.api import policies as api
from dragon.dashboard.common import tables as common
from dragon.osc.v1 import columns as cli_columns
from dragon import statuses

INDEX_URL = 'horizon:project:dr_policies:index'
DETAIL_URL = 'horizon:project:dr_policies:detail'
CHECKPOINT_URL = 'horizon:project:dr_checkpoints:detail'

RPO_STATUS_CHOICES = (
    ('', True),  # no RPO target: nothing to warn about
    (statuses.Rpo.OK, True),
    (statuses.Rpo.AT_RISK, None),
    (statuses.Rpo.MISSED, False),
)

RPO_DISPLAY = (
    (statuses.Rpo.OK, _('OK')),
    (statuses.Rpo.AT_RISK, _('At risk')),
    (statuses.Rpo.MISSED, _('Missed')),
)


class CreatePolicy(tables.LinkAction):
    name = 'create'
    verbose_name = _('Create Policy')
    url = 'horizon:project:dr_policies:create'
    classes = ('ajax-modal',)
    icon = 'plus'

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return common.may(request, 'dragon:policy:create')


class EditPolicy(tables.LinkAction):
    name = 'edit'
    verbose_name = _('Edit Policy')
    url = 'horizon:project:dr_policies:update'
    classes = ('ajax-modal',)
    icon = 'pencil'

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return common.may(request, 'dragon:policy:update', datum)


class FailBack(tables.LinkAction):
    """On a reverse policy (failback prepare): bring the workload home."""

    name = 'failback'
    verbose_name = _('Fail Back')
    url = 'horizon:project:dr_policies:failback'
    classes = ('ajax-modal',)
    icon = 'home'

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and not datum.may_fail_back:
            return False
        return common.may(request, 'dragon:policy:failback', datum)


class ProtectNow(tables.BatchAction):
    name = 'protect'
    icon = 'shield'
    help_text = _('A checkpoint of the policy\'s members starts now; its '
                  'progress shows in Checkpoints.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Protect Now', 'Protect Now', count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Protection started for policy',
                             'Protection started for policies', count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and not datum.member_count:
            return False
        return common.may(request, 'dragon:policy:protect', datum)

    @common.shows_api_error(_('Unable to protect policy %(name)s.'))
    def action(self, request: Any, obj_id: str) -> None:
        api_checkpoint = checkpoints_api.protect(request, obj_id)
        self.success_url = reverse(CHECKPOINT_URL,
                                   args=(api_checkpoint.id,))


class DeletePolicy(tables.DeleteAction):
    help_text = _('The checkpoints of the deleted policies are kept: they '
                  'are still listed in Checkpoints and can still be '
                  'recovered or deleted there.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Delete Policy', 'Delete Policies', count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Deleted Policy', 'Deleted Policies', count)

    def update(self, request: Any, datum: Any) -> None:
        super().update(request, datum)
        kept = getattr(datum, 'checkpoint_count', None) if datum else None
        if kept is not None:
            self.help_text = ngettext(
                'Its %(count)d checkpoint is kept: it is still listed in '
                'Checkpoints and can still be recovered or deleted there.',
                'Its %(count)d checkpoints are kept: they are still listed '
                'in Checkpoints and can still be recovered or deleted there.',
                kept) % {'count': kept}

    def allowed(self, request: Any, datum: Any = None) -> bool:
        return common.may(request, 'dragon:policy:delete', datum)

    @common.shows_api_error(_('Unable to delete policy %(name)s.'))
    def delete(self, request: Any, obj_id: str) -> None:
        result = api.policy_delete(request, obj_id)
        kept = result.get('kept_checkpoints')
        if kept:
            messages.info(request, ngettext(
                'Policy %(id)s: %(count)d checkpoint was kept.',
                'Policy %(id)s: %(count)d checkpoints were kept.', kept) %
                {'id': obj_id, 'count': kept})


def schedule_text(policy: Any) -> str:
    return linebreaksbr(cli_columns.SchedulesColumn(
        policy.get('schedules') or []).human_readable())


def rpo_text(policy: Any) -> str:
    return cli_columns.RpoColumn(policy.get('rpo')).human_readable()


def last_drill_rto(policy: Any) -> str:
    drill = policy.get('last_drill') or {}
    if not isinstance(drill, dict) or drill.get('rto_seconds') is None:
        return drill.get('status', '') if isinstance(drill, dict) else ''
    return common.human_duration(drill['rto_seconds'])


def last_checkpoint_text(policy: Any) -> str:
    checkpoint = getattr(policy, 'last_checkpoint', None)
    if not checkpoint:
        return ''
    when = checkpoint.get('captured_at') or checkpoint.get('created_at') or ''
    return '%s %s' % (checkpoint.get('status'), when[:19].replace('T', ' '))


def _last_checkpoint_link(policy: Any) -> str | None:
    checkpoint = getattr(policy, 'last_checkpoint', None)
    if not checkpoint:
        return None
    return reverse(CHECKPOINT_URL, args=(checkpoint['id'],))


def _rpo_state(policy: Any) -> str:
    return policy.rpo_state or ''


class PoliciesTable(tables.DataTable):
    name = tables.WrappingColumn('name', verbose_name=_('Name'),
                                 link=DETAIL_URL)
    members = tables.Column('member_count', verbose_name=_('Members'))
    schedule = tables.Column(schedule_text, verbose_name=_('Schedule'))
    rpo_state = tables.Column(_rpo_state, verbose_name=_('RPO State'),
                              status=True, status_choices=RPO_STATUS_CHOICES,
                              display_choices=RPO_DISPLAY)
    rpo = tables.Column(rpo_text, verbose_name=_('RPO'))
    last_checkpoint = tables.Column(last_checkpoint_text,
                                    verbose_name=_('Last Checkpoint'),
                                    link=_last_checkpoint_link)
    last_drill_rto = tables.Column(last_drill_rto,
                                   verbose_name=_('Last Drill RTO'))

    class Meta:
        name = 'policies'
        verbose_name = _('Workload Policies')
        table_actions = (tables.NameFilterAction, CreatePolicy,
                         DeletePolicy)
        row_actions = (ProtectNow, FailBack, EditPolicy, DeletePolicy)


def attach_checkpoints(request: Any, policies: list[api.Policy]) -> None:
    """Set each policy's ``last_checkpoint`` and ``checkpoint_count``.

    One listing (the API's newest first, up to its page size) serves the
    whole table; a policy beyond it shows no last checkpoint.
    """
    listed = checkpoints_api.checkpoint_list(request, all_pages=False)
    newest: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for checkpoint in listed:
        policy_id = checkpoint.get('policy_id')
        newest.setdefault(policy_id, checkpoint)
        counts[policy_id] = counts.get(policy_id, 0) + 1
    for policy in policies:
        policy.last_checkpoint = newest.get(policy.id)
        policy.checkpoint_count = counts.get(policy.id, 0)
