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

"""The Workload Policies panel's pages: list, detail, create, edit."""

from typing import Any

from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import tables
from horizon import tabs
from horizon.utils import memoized
from horizon import workflows

from dragon.dashboard.api import policies as api
from dragon.dashboard.common import errors
from dragon.dashboard.common import modal
from dragon.dashboard.project.policies import forms as policy_forms
from dragon.dashboard.project.policies import tables as policy_tables
from dragon.dashboard.project.policies import tabs as policy_tabs
from dragon.dashboard.project.policies import workflows as policy_workflows


class IndexView(tables.DataTableView):
    table_class = policy_tables.PoliciesTable
    template_name = 'horizon/common/_data_table_view.html'
    page_title = _('Workload Policies')

    def get_data(self) -> list:
        try:
            policies = api.policy_list(self.request)
        except Exception:
            errors.handle(self.request, _('Unable to list policies.'))
            return []
        try:
            policy_tables.attach_checkpoints(self.request, policies)
        except Exception:
            errors.handle(self.request,
                              _('Unable to list the policies\' checkpoints.'))
        return policies


class DetailView(tabs.TabbedTableView):
    tab_group_class = policy_tabs.PolicyTabs
    template_name = 'horizon/common/_detail.html'
    page_title = '{{ policy.name }}'

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        policy = self.get_data()
        table = policy_tables.PoliciesTable(self.request)
        context['policy'] = policy
        context['url'] = reverse(policy_tables.INDEX_URL)
        context['actions'] = table.render_row_actions(policy)
        return context

    @memoized.memoized_method
    def get_data(self) -> api.Policy:
        try:
            return api.policy_get(self.request, self.kwargs['policy_id'])
        except Exception:
            errors.handle(
                self.request, _('Unable to show policy %s.') %
                self.kwargs['policy_id'],
                redirect=reverse(policy_tables.INDEX_URL))

    def get_tabs(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.tab_group_class(request, policy=self.get_data(),
                                    **kwargs)


class CreateView(workflows.WorkflowView):
    workflow_class = policy_workflows.CreatePolicy


class UpdateView(workflows.WorkflowView):
    workflow_class = policy_workflows.UpdatePolicy

    def get_initial(self) -> dict:
        try:
            policy = api.policy_get(self.request, self.kwargs['policy_id'])
        except Exception:
            errors.handle(
                self.request, _('Unable to show policy %s.') %
                self.kwargs['policy_id'],
                redirect=reverse(policy_tables.INDEX_URL))
        return policy_workflows.initial_of(policy)


class FailbackView(modal.ObjectModalFormView):
    """Fail back: quiesce here, final checkpoint, home, await commit."""

    form_class = policy_forms.FailbackForm
    form_id = 'failback_policy_form'
    modal_id = 'failback_policy_modal'
    object_kwarg = 'policy_id'
    page_title = _('Fail Back')
    submit_label = _('Fail Back')
    submit_url = 'horizon:project:dr_policies:failback'
    success_url = reverse_lazy(policy_tables.INDEX_URL)

    def get_success_url(self) -> str:
        # The failback's recovery, whose events follow each step.
        recovery_id = getattr(getattr(self, '_form', None), 'recovery_id',
                              None)
        if recovery_id:
            return reverse(policy_forms.RECOVERY_URL, args=(recovery_id,))
        return str(self.success_url)

    def form_valid(self, form: Any) -> Any:
        self._form = form
        return super().form_valid(form)
