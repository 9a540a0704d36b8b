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

"""The tabs of the DR Projects page: policies, checkpoints, recoveries."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tabs

from dragon.dashboard.admin.dr_projects import tables
from dragon.dashboard.api import checkpoints as api_checkpoints
from dragon.dashboard.api import policies as api_policies
from dragon.dashboard.api import recoveries as api_recoveries
from dragon.dashboard.common import errors
from dragon.dashboard.common import regions


def _listed(request: Any, call: Any) -> list[Any]:
    try:
        return call(request, all_projects=True,
                    region=regions.selected(request))
    except Exception:
        errors.handle(request)
        return []


class PoliciesTab(tabs.TableTab):
    name = _('Policies')
    slug = 'policies'
    table_classes = (tables.PoliciesTable,)
    template_name = 'horizon/common/_detail_table.html'

    def get_policies_data(self) -> list[Any]:
        return _listed(self.request, api_policies.policy_list)


class CheckpointsTab(tabs.TableTab):
    name = _('Checkpoints')
    slug = 'checkpoints'
    table_classes = (tables.CheckpointsTable,)
    template_name = 'horizon/common/_detail_table.html'

    def get_checkpoints_data(self) -> list[Any]:
        return _listed(self.request, api_checkpoints.checkpoint_list)


class RecoveriesTab(tabs.TableTab):
    name = _('Recoveries')
    slug = 'recoveries'
    table_classes = (tables.RecoveriesTable,)
    template_name = 'horizon/common/_detail_table.html'

    def get_recoveries_data(self) -> list[Any]:
        return _listed(self.request, api_recoveries.recovery_list)


class ProjectsTabs(tabs.TabGroup):
    slug = 'dr_projects'
    tabs = (PoliciesTab, CheckpointsTab, RecoveriesTab)
    sticky = True
