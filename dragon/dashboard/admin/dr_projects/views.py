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

"""The DR Projects page: every project's policies, checkpoints, recoveries."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tabs

from dragon.dashboard.admin.dr_projects import tabs as project_tabs
from dragon.dashboard.common import regions


class IndexView(tabs.TabbedTableView):
    tab_group_class = project_tabs.ProjectsTabs
    template_name = 'dragon/admin/projects.html'
    page_title = _('Disaster Recovery: all projects')

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(regions.context(self.request))
        return context
