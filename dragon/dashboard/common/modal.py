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

"""A modal form about one object of the URL: a row action's dialog.

The object's id comes from the URL (``object_kwarg``), goes back to the
form as a hidden initial value of the same name and into the submit URL.
Horizon renders the popup (ajax) request with ``ajax_template_name``,
which by default it derives by prefixing '_' to the page's template: a
template that does not exist for Horizon's own ``_modal_form.html`` (a
500 in a real Horizon), so both are the same here.
"""

from typing import Any

from django.urls import reverse
from horizon import forms


class ObjectModalFormView(forms.ModalFormView):
    """``ModalFormView`` for one object named by ``object_kwarg``."""

    object_kwarg = ''
    template_name = 'horizon/common/_modal_form.html'
    ajax_template_name = template_name

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        context['submit_url'] = reverse(
            self.submit_url, args=(self.kwargs[self.object_kwarg],))
        return context

    def get_initial(self) -> dict:
        return {self.object_kwarg: self.kwargs[self.object_kwarg]}
