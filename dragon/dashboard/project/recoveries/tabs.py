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

"""The tabs of a recovery's page: overview, resources, events."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tabs
from horizon.utils import filters as horizon_filters

from dragon.dashboard import api as dragon_api
from dragon.dashboard.api import policies as policies_api
from dragon.dashboard.api import recoveries as api
from dragon.dashboard.common import errors
from dragon.dashboard.common import progress
from dragon.dashboard.common import regions
from dragon.dashboard.project.recoveries import tables


def _when(value: Any) -> Any:
    """An API time as the tables show it (the user's format), or None."""
    return horizon_filters.parse_isotime(value) if value else None


class OverviewTab(tabs.Tab):
    name = _('Overview')
    slug = 'overview'
    template_name = 'dragon/recoveries/_overview.html'

    def get_context_data(self, request: Any) -> dict[str, Any]:
        recovery = self.tab_group.kwargs['recovery']
        return {'recovery': recovery,
                'started': _when(getattr(recovery, 'started_at', None) or
                                 getattr(recovery, 'created_at', None)),
                'finished': _when(getattr(recovery, 'finished_at', None)),
                'window_ends': _when(getattr(recovery, 'commit_deadline',
                                             None)),
                'progress': progress.render(recovery),
                'stack': tables.stack_link(recovery),
                'rto': tables.rto(recovery),
                'mappings': sorted(_mapping_rows(recovery.mappings or {})),
                'failback': self._failback(request, recovery)}

    @staticmethod
    def _failback(request: Any, recovery: Any) -> dict[str, Any] | None:
        """A failback's run record (its reverse policy's ``failback.run``):
        what was quiesced here, fenced at home, the original policy there.
        """
        if getattr(recovery, 'mode', None) != api.FAILBACK:
            return None
        try:
            policy = policies_api.policy_get(
                request, recovery.policy_id,
                region=regions.selected(request))
        except Exception:
            errors.handle(request, _('Unable to show the failback\'s '
                                     'policy %s.') % recovery.policy_id)
            return None
        run = policy.failback_run
        if run.get('recovery_id') not in (None, recovery.id):
            return None     # a later run of the policy: not this one's
        return {**run, 'policy': policy,
                'home_policy': run.get('home_policy') or {},
                'data_moved': run.get('data_moved') or {}}


def _mapping_rows(mappings: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(group, source, target) of every mapping asked for."""
    rows = []
    for group, value in mappings.items():
        if isinstance(value, dict):
            rows.extend((group, s, t) for s, t in value.items())
        else:
            rows.append((group, '', str(value)))
    return rows


class ResourcesTab(tabs.TableTab):
    name = _('Resources')
    slug = 'resources'
    table_classes = (tables.ResourcesTable,)
    template_name = 'horizon/common/_detail_table.html'

    def get_resources_data(self) -> list[Any]:
        recovery = self.tab_group.kwargs['recovery']
        return [dragon_api.Resource(r)
                for r in recovery.resource_status or ()]


class EventsTab(tabs.TableTab):
    name = _('Events')
    slug = 'events'
    table_classes = (tables.EventsTable,)
    template_name = 'horizon/common/_detail_table.html'

    def get_events_data(self) -> list[Any]:
        recovery = self.tab_group.kwargs['recovery']
        try:
            events = api.recovery_events(
                self.request, recovery.id,
                region=regions.selected(self.request))
        except Exception:
            errors.handle(self.request)
            return []
        return [dragon_api.Resource({**e.to_dict(), 'id': str(i)})
                for i, e in enumerate(events)]


class RecoveryTabs(tabs.DetailTabsGroup):
    slug = 'recovery_details'
    tabs = (OverviewTab, ResourcesTab, EventsTab)
    sticky = True
