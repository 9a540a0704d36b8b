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

"""The DR Engines page: one region's engines."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tables

from dragon.dashboard.admin.dr_engines import tables as engine_tables
from dragon.dashboard.api import engines as api
from dragon.dashboard.common import errors
from dragon.dashboard.common import regions


class IndexView(tables.DataTableView):
    table_class = engine_tables.EnginesTable
    template_name = 'dragon/admin/engines.html'
    page_title = _('Disaster Recovery Engines')

    def get_data(self) -> list[Any]:
        try:
            return api.engine_list(self.request,
                                   region=regions.selected(self.request))
        except Exception:
            errors.handle(self.request)
            return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(regions.context(self.request))
        return context
