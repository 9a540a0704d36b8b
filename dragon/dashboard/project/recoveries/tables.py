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

"""The recoveries table: status, live progress, RTO, the Heat stack."""

from typing import Any

from django import urls
from django.utils import html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables
from horizon.utils import filters as horizon_filters

from dragon.dashboard.api import recoveries as api
from dragon.dashboard.common import errors
from dragon.dashboard.common import regions
from dragon.dashboard.common import tables as common_tables
from dragon.dashboard import exceptions as dragon_exceptions
from dragon.dashboard import policy
from dragon.osc.v1 import progress as words
from dragon import statuses

# Heat's dashboard (heat-dashboard) names its stack page so; without it
# the stack is shown by id.
STACK_URL = 'horizon:project:stacks:detail'
MODE_DISPLAY = ((api.FAILOVER, _('Failover')), (api.DRILL, _('Drill')),
                (api.IN_PLACE, _('In place')), (api.FAILBACK, _('Failback')))


def stack_link(datum: Any) -> str:
    """A link to Horizon's stack page, or the stack id if Heat's is absent."""
    stack_id = getattr(datum, 'stack_id', None)
    if not stack_id:
        return '-'
    label = getattr(datum, 'stack_name', None) or stack_id
    try:
        url = urls.reverse(STACK_URL, args=(stack_id,))
    except urls.NoReverseMatch:
        return stack_id
    return html.format_html('<a href="{}">{}</a>', url, label)


def rto(datum: Any) -> str:
    seconds = getattr(datum, 'rto_seconds', None)
    return words.human_duration(seconds) if seconds is not None else '-'


class RecoveryRow(common_tables.RefreshingRow):

    def get_data(self, request: Any, recovery_id: str) -> Any:
        return api.recovery_get(request, recovery_id,
                                region=regions.selected(request))


class DeleteRecovery(tables.DeleteAction):
    help_text = _('The recovered stack and the images and volumes the '
                  'recovery restored are deleted.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Delete Recovery', 'Delete Recoveries', count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Scheduled deletion of Recovery',
                             'Scheduled deletion of Recoveries', count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and \
                datum.status not in statuses.Recovery.DELETABLE:
            return False
        return policy.check(request, 'dragon:recovery:delete',
                            policy.target_of(datum))

    def delete(self, request: Any, obj_id: str) -> None:
        try:
            api.recovery_delete(request, obj_id,
                                region=regions.selected(request))
        except dragon_exceptions.DragonError as err:
            # The API's reason, not only Horizon's "Unable to delete".
            errors.handle(request, err.message, escalate=True)


class _CloseWindow(tables.BatchAction):
    """Commit or roll back an in-place restore while its window is open."""

    # Each mode has its own words: what a commit keeps differs.
    failback = False
    rule = ''

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and (
                datum.status != statuses.Recovery.AWAITING_COMMIT or
                (getattr(datum, 'mode', None) == api.FAILBACK) !=
                self.failback):
            return False
        return common_tables.may(
            request, self.rule or 'dragon:recovery:%s' % self.name, datum)


class CommitRecovery(_CloseWindow):
    name = 'commit'
    help_text = _('The restored volumes stay; the volumes they replaced '
                  'are deleted.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Commit Restore', 'Commit Restores', count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Committing restore', 'Committing restores',
                             count)

    @common_tables.shows_api_error(_('Unable to commit recovery %(name)s.'))
    def action(self, request: Any, obj_id: str) -> None:
        api.recovery_commit(request, obj_id,
                            region=regions.selected(request))


class RollbackRecovery(_CloseWindow):
    name = 'rollback'
    action_type = 'danger'
    help_text = _('The replaced volumes go back where they were; the '
                  'restored ones are deleted.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Roll Back Restore', 'Roll Back Restores', count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Rolling back restore', 'Rolling back restores',
                             count)

    @common_tables.shows_api_error(
        _('Unable to roll back recovery %(name)s.'))
    def action(self, request: Any, obj_id: str) -> None:
        api.recovery_rollback(request, obj_id,
                              region=regions.selected(request))


class CommitFailback(CommitRecovery):
    """A failback awaiting commit: the workload stays home."""

    name = 'commit_failback'
    rule = 'dragon:recovery:commit'
    failback = True
    help_text = _('The workload stays home; the failover\'s copy at the '
                  'backup site is deleted, the stale servers at home are '
                  'kept stopped (deleted if the run was asked to), and the '
                  'original policy at home protects the workload again.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Commit Failback', 'Commit Failbacks', count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Committing failback', 'Committing failbacks',
                             count)


class RollbackFailback(RollbackRecovery):
    """A failback awaiting commit: back to the backup site."""

    name = 'rollback_failback'
    rule = 'dragon:recovery:rollback'
    failback = True
    help_text = _('The stack at home is deleted, the fenced servers there '
                  'start again, the workload here runs again and the '
                  'original policy at home is active again.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Roll Back Failback', 'Roll Back Failbacks',
                             count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Rolling back failback', 'Rolling back '
                             'failbacks', count)


class RecoveriesTable(tables.DataTable):
    id = tables.WrappingColumn('id', verbose_name=_('ID'),
                               link='horizon:project:dr_recoveries:detail')
    policy = tables.Column('policy_name', verbose_name=_('Policy'))
    mode = tables.Column('mode', verbose_name=_('Mode'),
                         display_choices=MODE_DISPLAY)
    target_region = tables.Column('target_region',
                                  verbose_name=_('Target region'))
    status = tables.Column(
        'status', verbose_name=_('Status'), status=True,
        status_choices=common_tables.RECOVERY_STATUS_CHOICES,
        display_choices=common_tables.STATUS_DISPLAY)
    progress = common_tables.ProgressColumn()
    rto = tables.Column(rto, verbose_name=_('RTO'))
    stack = tables.Column(stack_link, verbose_name=_('Heat stack'))
    # An in-place restore awaiting commit: when its window ends.
    commit_deadline = tables.Column(
        'commit_deadline', verbose_name=_('Window ends'), empty_value='-',
        filters=(horizon_filters.parse_isotime,))
    created_at = tables.Column(
        'created_at', verbose_name=_('Started'),
        filters=(horizon_filters.parse_isotime,
                 horizon_filters.timesince_sortable),
        attrs={'data-type': 'timesince'})

    class Meta:
        name = 'recoveries'
        verbose_name = _('Recoveries')
        status_columns = ['status']
        row_class = RecoveryRow
        table_actions = (DeleteRecovery,)
        row_actions = (CommitRecovery, RollbackRecovery, CommitFailback,
                       RollbackFailback, DeleteRecovery)


class ResourcesTable(tables.DataTable):
    """Each resource of one recovery: its status and what it became."""

    key = tables.Column('key', verbose_name=_('Resource'))
    type = tables.Column('type', verbose_name=_('Type'))
    name = tables.Column('name', verbose_name=_('Name'))
    status = tables.Column('status', verbose_name=_('Status'))
    target_id = tables.Column('target_id', verbose_name=_('Recovered as'))
    reason = tables.WrappingColumn('reason', verbose_name=_('Reason'))

    def get_object_id(self, datum: Any) -> str:
        return datum.key

    class Meta:
        name = 'resources'
        verbose_name = _('Resources')


class EventsTable(tables.DataTable):
    time = tables.Column('time', verbose_name=_('Time'))
    level = tables.Column('level', verbose_name=_('Level'))
    resource = tables.Column('resource', verbose_name=_('Resource'))
    message = tables.WrappingColumn('message', verbose_name=_('Message'))

    class Meta:
        name = 'events'
        verbose_name = _('Events')
