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

"""The verify form of a checkpoint."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms
from horizon import messages

from dragon.dashboard.api import checkpoints as api
from dragon.dashboard.common import errors


class VerifyForm(forms.SelfHandlingForm):
    checkpoint_id = forms.CharField(widget=forms.HiddenInput())
    read_data = forms.BooleanField(
        label=_('Read every byte'), required=False,
        help_text=_('Download and check every chunk of the checkpoint '
                    '(slow, and billed as traffic on some clouds). '
                    'Unchecked, Dragon checks that every chunk is stored '
                    'with its recorded size and checksum.'))

    def handle(self, request: Any, data: dict) -> Any:
        try:
            checkpoint = api.checkpoint_verify(
                request, data['checkpoint_id'], read_data=data['read_data'])
        except Exception:
            errors.handle(
                request, _('Unable to verify checkpoint %s.') %
                data['checkpoint_id'],
                redirect=reverse('horizon:project:dr_checkpoints:index'))
            return False
        messages.info(request, _('Verification of checkpoint %s started.')
                      % data['checkpoint_id'])
        return checkpoint
