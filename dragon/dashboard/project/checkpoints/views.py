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

"""The Checkpoints panel's pages: list, detail, verify."""

from typing import Any

from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import tables
from horizon import tabs
from horizon.utils import memoized

from dragon.dashboard.api import checkpoints as api
from dragon.dashboard.common import errors
from dragon.dashboard.common import modal
from dragon.dashboard.project.checkpoints import forms as cp_forms
from dragon.dashboard.project.checkpoints import tables as cp_tables
from dragon.dashboard.project.checkpoints import tabs as cp_tabs


class IndexView(tables.DataTableView):
    table_class = cp_tables.CheckpointsTable
    template_name = 'horizon/common/_data_table_view.html'
    page_title = _('Checkpoints')

    def get_data(self) -> list:
        # ?policy_id=... narrows the list to one policy (its page links here).
        policy_id = self.request.GET.get('policy_id') or None
        try:
            return api.checkpoint_list(self.request, policy_id=policy_id)
        except Exception:
            return cp_tables.handle_list_error(self.request)


class DetailView(tabs.TabbedTableView):
    tab_group_class = cp_tabs.CheckpointTabs
    template_name = 'horizon/common/_detail.html'
    page_title = '{{ checkpoint.id }}'

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        checkpoint = self.get_data()
        table = cp_tables.CheckpointsTable(self.request)
        context['checkpoint'] = checkpoint
        context['url'] = reverse(cp_tables.INDEX_URL)
        context['actions'] = table.render_row_actions(checkpoint)
        return context

    @memoized.memoized_method
    def get_data(self) -> api.Checkpoint:
        try:
            return api.checkpoint_get(self.request,
                                      self.kwargs['checkpoint_id'])
        except Exception:
            errors.handle(
                self.request, _('Unable to show checkpoint %s.') %
                self.kwargs['checkpoint_id'],
                redirect=reverse(cp_tables.INDEX_URL))

    def get_tabs(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.tab_group_class(request, checkpoint=self.get_data(),
                                    **kwargs)


class VerifyView(modal.ObjectModalFormView):
    form_class = cp_forms.VerifyForm
    form_id = 'verify_checkpoint_form'
    modal_id = 'verify_checkpoint_modal'
    object_kwarg = 'checkpoint_id'
    page_title = _('Verify Checkpoint')
    submit_label = _('Verify')
    submit_url = 'horizon:project:dr_checkpoints:verify'
    success_url = reverse_lazy(cp_tables.INDEX_URL)
