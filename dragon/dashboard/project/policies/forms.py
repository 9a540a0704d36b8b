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

"""The Fail Back form: bring a reverse policy's workload home."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import forms
from horizon import messages

from dragon.dashboard.api import policies as api
from dragon.dashboard.common import errors

RECOVERY_URL = 'horizon:project:dr_recoveries:detail'
QUIESCE_CHOICES = (('pause', _('Pause them')), ('stop', _('Stop them')))


class FailbackForm(forms.SelfHandlingForm):
    policy_id = forms.CharField(widget=forms.HiddenInput())
    quiesce = forms.ThemableChoiceField(
        label=_('The servers here, for the final checkpoint'),
        choices=QUIESCE_CHOICES, initial='pause',
        help_text=_('They stay so: what they would write after the final '
                    'checkpoint would be lost at home. Paused servers go '
                    'on where they were after a rollback; stopped ones '
                    'boot again.'))
    delete_stale = forms.BooleanField(
        label=_('Delete the stale servers at home on commit'),
        required=False,
        help_text=_('The servers of the workload at home are stopped '
                    '(fenced) before the recovery there, never deleted '
                    'before the commit. Unchecked, the commit keeps them, '
                    'stopped.'))

    def handle(self, request: Any, data: dict) -> Any:
        try:
            recovery = api.failback_run(
                request, data['policy_id'], quiesce=data['quiesce'],
                delete_stale=data['delete_stale'])
        except Exception:
            # The API's reason follows (a run open, a server neither
            # running, paused nor stopped, the home region unknown).
            errors.handle(request, _('Unable to fail back policy %s.')
                          % data['policy_id'])
            return False
        messages.info(request, _(
            'Failback started: recovery %(id)s into %(region)s. Its engine '
            'quiesces the servers here and takes the final checkpoint '
            'first (see its events); commit or roll it back once it awaits '
            'commit.') % {
                'id': recovery.id, 'region': recovery.target_region})
        self.recovery_id = recovery.id
        return recovery
