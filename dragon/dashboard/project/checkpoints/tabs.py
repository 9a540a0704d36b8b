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

"""The tabs of a checkpoint's page: overview, resources, events, template,
warnings.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tables
from horizon import tabs

from dragon.dashboard.api import checkpoints as api
from dragon.dashboard.common import errors
from dragon.dashboard.common import highlight
from dragon.dashboard.common import tables as common
from dragon.dashboard.project.checkpoints import tables as cp_tables
from dragon import statuses

RESOURCE_STATUS_CHOICES = (
    (statuses.Resource.DONE, True),
    (statuses.Resource.RESTORED, True),
    (statuses.Resource.LAUNCHED, True),
    (statuses.Resource.ERROR, False),
)


def _bytes(datum: Any) -> str:
    total = datum.get('bytes_total')
    if not total:
        return ''
    return '%s / %s' % (common.human_bytes(datum.get('bytes_done') or 0),
                        common.human_bytes(total))


class ResourcesTable(tables.DataTable):
    key = tables.Column('key', verbose_name=_('Resource'))
    type = tables.Column('type', verbose_name=_('Type'))
    name = tables.Column('name', verbose_name=_('Name'))
    action = tables.Column('action', verbose_name=_('Action'))
    status = tables.Column('status', verbose_name=_('Status'), status=True,
                           status_choices=RESOURCE_STATUS_CHOICES)
    bytes = tables.Column(_bytes, verbose_name=_('Bytes'))
    reason = tables.Column('reason', verbose_name=_('Reason'))

    def get_object_id(self, datum: Any) -> str:
        return datum.get('key') or datum.get('id') or ''

    class Meta:
        name = 'resources'
        verbose_name = _('Resources')


class EventsTable(tables.DataTable):
    time = tables.Column('time', verbose_name=_('Time'),
                         filters=(common.parse_time,))
    level = tables.Column('level', verbose_name=_('Level'))
    resource = tables.Column('resource', verbose_name=_('Resource'))
    message = tables.Column('message', verbose_name=_('Message'))

    def get_object_id(self, datum: Any) -> str:
        return '%s-%s' % (datum.get('time'), id(datum))

    class Meta:
        name = 'events'
        verbose_name = _('Events')


class WarningsTable(tables.DataTable):
    resource = tables.Column('resource', verbose_name=_('Resource'))
    what = tables.Column('what', verbose_name=_('Code'))
    message = tables.Column('message', verbose_name=_('What it does not '
                                                      'carry'))

    def get_object_id(self, datum: Any) -> str:
        return '%s-%s-%s' % (datum.get('resource'), datum.get('what'),
                             id(datum))

    class Meta:
        name = 'warnings'
        verbose_name = _('Warnings')


def _dicts(items: Any) -> list[dict]:
    return [dict(item) for item in items or ()]


class StatusTable(cp_tables.CheckpointsTable):
    """The checkpoint's status and progress bar, refreshing while it runs."""

    class Meta(cp_tables.CheckpointsTable.Meta):
        name = 'checkpoint_status'
        columns = ('status', 'progress', 'verification', 'verified')
        table_actions = ()
        row_actions = ()


class OverviewTab(tabs.TableTab):
    name = _('Overview')
    slug = 'overview'
    table_classes = (StatusTable,)
    template_name = 'dragon/checkpoints/_detail_overview.html'

    def get_checkpoint_status_data(self) -> list:
        return [self.tab_group.kwargs['checkpoint']]

    def get_context_data(self, request: Any, **kwargs: Any) -> dict:
        context = super().get_context_data(request, **kwargs)
        checkpoint = self.tab_group.kwargs['checkpoint']
        stats = checkpoint.get('stats') or {}
        return {**context, 'checkpoint': checkpoint,
                'duration': common.human_duration(checkpoint.get('duration')),
                'uploaded': common.human_bytes(stats.get('uploaded_bytes')),
                'stored': common.human_bytes(stats.get('stored_bytes')),
                'stats': stats,
                'verification': checkpoint.get('verification') or {},
                'replication': checkpoint.get('replication'),
                'replication_progress': _replication_progress(
                    checkpoint.get('replication'))}


def _replication_progress(replication: dict | None) -> str:
    """``37% (1.2 GiB of 3.0 GiB)``: the copy at the target so far."""
    if not replication:
        return ''
    return '%s%% (%s of %s)' % (
        replication.get('percent') or 0,
        common.human_bytes(replication.get('bytes')) or '0 B',
        common.human_bytes(replication.get('bytes_total')) or '-')


class ResourcesTab(tabs.TableTab):
    name = _('Resources')
    slug = 'resources'
    table_classes = (ResourcesTable,)
    template_name = 'horizon/common/_detail_table.html'
    preload = False

    def get_resources_data(self) -> list[dict]:
        return _dicts(self.tab_group.kwargs['checkpoint'].get('resources'))


class EventsTab(tabs.TableTab):
    name = _('Events')
    slug = 'events'
    table_classes = (EventsTable,)
    template_name = 'horizon/common/_detail_table.html'
    preload = False

    def get_events_data(self) -> list[dict]:
        checkpoint = self.tab_group.kwargs['checkpoint']
        try:
            return [e.to_dict() for e in
                    api.checkpoint_events(self.request, checkpoint.id)]
        except Exception:
            errors.handle(self.request,
                              _('Unable to list the checkpoint\'s events.'))
            return []


class TemplateTab(tabs.Tab):
    name = _('Heat Template')
    slug = 'template'
    template_name = 'dragon/checkpoints/_detail_template.html'
    preload = False

    def allowed(self, request: Any) -> bool:
        # The template is written when the protection ends.
        return (self.tab_group.kwargs['checkpoint'].status ==
                statuses.Checkpoint.AVAILABLE)

    def get_context_data(self, request: Any) -> dict:
        checkpoint = self.tab_group.kwargs['checkpoint']
        try:
            body = api.checkpoint_template(request, checkpoint.id)
        except Exception:
            errors.handle(request,
                              _('Unable to read the checkpoint\'s template.'))
            body = {}
        return {'template': highlight.yaml_html(body.get('template') or ''),
                'parameters': sorted((body.get('parameters') or {}).items())}


class WarningsTab(tabs.TableTab):
    name = _('Warnings')
    slug = 'warnings'
    table_classes = (WarningsTable,)
    template_name = 'horizon/common/_detail_table.html'
    preload = False

    def get_warnings_data(self) -> list[dict]:
        return _dicts(self.tab_group.kwargs['checkpoint'].get('warnings'))


class CheckpointTabs(tabs.DetailTabsGroup):
    slug = 'checkpoint_details'
    tabs = (OverviewTab, ResourcesTab, EventsTab, TemplateTab, WarningsTab)
    sticky = True
