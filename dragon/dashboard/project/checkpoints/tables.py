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

"""The checkpoints table: status, live progress, and the row actions."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables

from dragon.dashboard.api import checkpoints as api
from dragon.dashboard.common import errors
from dragon.dashboard.common import tables as common
from dragon.dashboard.project.recoveries import actions as recover
from dragon import statuses

INDEX_URL = 'horizon:project:dr_checkpoints:index'
DETAIL_URL = 'horizon:project:dr_checkpoints:detail'
POLICY_DETAIL_URL = 'horizon:project:dr_policies:detail'

_SETTLED = (statuses.Checkpoint.AVAILABLE, statuses.Checkpoint.ERROR)


class DeleteCheckpoint(tables.DeleteAction):
    help_text = _('The checkpoint and its data are removed from the '
                  'backup site; a recovery can no longer use it.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Delete Checkpoint', 'Delete Checkpoints',
                             count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Deletion of checkpoint requested',
                             'Deletion of checkpoints requested', count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and (datum.status not in _SETTLED or
                                  datum.hold):
            return False
        return common.may(request, 'dragon:checkpoint:delete', datum)

    @common.shows_api_error(_('Unable to delete checkpoint %(name)s.'))
    def delete(self, request: Any, obj_id: str) -> None:
        api.checkpoint_delete(request, obj_id)


class HoldCheckpoint(tables.BatchAction):
    name = 'hold'
    help_text = _('Retention keeps a checkpoint on hold until it is '
                  'released.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Hold Checkpoint', 'Hold Checkpoints', count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Held checkpoint', 'Held checkpoints', count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and (datum.hold or datum.status ==
                                  statuses.Checkpoint.DELETING):
            return False
        return common.may(request, 'dragon:checkpoint:update', datum)

    @common.shows_api_error(_('Unable to hold checkpoint %(name)s.'))
    def action(self, request: Any, obj_id: str) -> None:
        api.checkpoint_hold(request, obj_id, True)


class ReleaseCheckpoint(tables.BatchAction):
    name = 'release'
    help_text = _('A released checkpoint is deleted by retention when no '
                  'rule keeps it.')

    @staticmethod
    def action_present(count: int) -> str:
        return ngettext_lazy('Release Checkpoint', 'Release Checkpoints',
                             count)

    @staticmethod
    def action_past(count: int) -> str:
        return ngettext_lazy('Released checkpoint', 'Released checkpoints',
                             count)

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and not datum.hold:
            return False
        return common.may(request, 'dragon:checkpoint:update', datum)

    @common.shows_api_error(_('Unable to release checkpoint %(name)s.'))
    def action(self, request: Any, obj_id: str) -> None:
        api.checkpoint_hold(request, obj_id, False)


class VerifyCheckpoint(tables.LinkAction):
    name = 'verify'
    verbose_name = _('Verify')
    url = 'horizon:project:dr_checkpoints:verify'
    classes = ('ajax-modal',)
    icon = 'check'

    def allowed(self, request: Any, datum: Any = None) -> bool:
        if datum is not None and (
                datum.status != statuses.Checkpoint.AVAILABLE or
                verification_status(datum) ==
                statuses.Verification.RUNNING):
            return False
        return common.may(request, 'dragon:checkpoint:verify', datum)


class CheckpointRow(common.RefreshingRow):

    def get_data(self, request: Any, obj_id: str) -> api.Checkpoint:
        return api.checkpoint_get(request, obj_id)


def verification_status(datum: Any) -> str:
    """The last verification's status, '' when never verified."""
    return (getattr(datum, 'verification', None) or {}).get('status') or ''


def _verification_text(datum: Any) -> str:
    verification = getattr(datum, 'verification', None) or {}
    status = verification.get('status')
    if not status:
        return ''
    text = str(status)
    if verification.get('read_data'):
        text += ' (%s)' % _('data read')
    return text


def _policy_link(datum: Any) -> str | None:
    if not datum.policy_id:
        return None
    return reverse(POLICY_DETAIL_URL, args=(datum.policy_id,))


def _warning_count(datum: Any) -> int | str:
    return len(getattr(datum, 'warnings', None) or ()) or ''


def _duration(datum: Any) -> str:
    return common.human_duration(getattr(datum, 'duration', None))


def _stored(datum: Any) -> str:
    stats = getattr(datum, 'stats', None) or {}
    return common.human_bytes(stats.get('stored_bytes')) if stats else ''


class CheckpointsTable(tables.DataTable):
    id = tables.Column('id', verbose_name=_('ID'), link=DETAIL_URL,
                       truncate=12)
    policy = tables.Column('policy_name', verbose_name=_('Policy'),
                           link=_policy_link)
    status = tables.Column('status', verbose_name=_('Status'), status=True,
                           status_choices=common.CHECKPOINT_STATUS_CHOICES,
                           display_choices=common.STATUS_DISPLAY)
    progress = common.ProgressColumn()
    created_at = tables.Column('created_at', verbose_name=_('Created'),
                               filters=(common.parse_time,))
    duration = tables.Column(_duration, verbose_name=_('Duration'))
    stored = tables.Column(_stored, verbose_name=_('Stored'))
    trigger = tables.Column('trigger', verbose_name=_('Trigger'))
    hold = tables.Column('hold', verbose_name=_('Held'),
                         filters=(common.yes_no,))
    verification = tables.Column(
        verification_status, verbose_name=_('Verification'), hidden=True,
        status=True, status_choices=common.VERIFICATION_STATUS_CHOICES)
    verified = tables.Column(_verification_text,
                             verbose_name=_('Verification'))
    warnings = tables.Column(_warning_count, verbose_name=_('Warnings'))

    class Meta:
        name = 'checkpoints'
        verbose_name = _('Checkpoints')
        status_columns = ('status', 'verification')
        row_class = CheckpointRow
        table_actions = (DeleteCheckpoint,)
        row_actions = (recover.RecoverCheckpoint, VerifyCheckpoint,
                       HoldCheckpoint, ReleaseCheckpoint, DeleteCheckpoint)


def handle_list_error(request: Any) -> list:
    errors.handle(request, _('Unable to list checkpoints.'))
    return []
