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

"""The progress bar of a run (checkpoint or recovery) as HTML: one partial.

``progress_context`` turns the API's ``progress`` object into what
``dragon/common/_progress.html`` draws: percent, bytes, ETA, phase and,
for a queued checkpoint, its place in the queue. The wording is the CLI's
(``dragon.osc.v1.progress``), so both surfaces say the same thing.
"""

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from dragon.osc.v1 import progress as words
from dragon import statuses

TEMPLATE = 'dragon/common/_progress.html'

# Statuses of a run that is still moving: its row refreshes itself.
RUNNING = (statuses.Checkpoint.QUEUED, statuses.Checkpoint.PROTECTING,
           statuses.Recovery.RECOVERING, statuses.Verification.RUNNING)
# How a finished run ended, for the bar's colour.
SUCCEEDED = (statuses.Checkpoint.AVAILABLE, statuses.Recovery.SUCCEEDED)
FAILED = (statuses.Run.ERROR,)


def _get(datum: Any, key: str, default: Any = None) -> Any:
    if isinstance(datum, dict):
        return datum.get(key, default)
    return getattr(datum, key, default)


def progress_context(datum: Any) -> dict[str, Any]:
    """What the partial shows of a run ``datum`` (an API dict or Resource)."""
    status = _get(datum, 'status')
    progress = _get(datum, 'progress') or {}
    percent = float(progress.get('percent') or 0)
    done, total = progress.get('bytes_done'), progress.get('bytes_total')
    eta = progress.get('eta_seconds')
    rate = progress.get('bytes_per_second')
    running = status in RUNNING
    if status in SUCCEEDED:
        style = 'success'
    elif status in FAILED:
        style = 'danger'
    else:
        style = 'info'
    return {
        'status': status,
        'percent': round(min(100.0, max(0.0, percent)), 1),
        'width': int(min(100.0, max(0.0, percent))),
        'bytes': ('%s / %s' % (words.human_bytes(done),
                               words.human_bytes(total)) if total else ''),
        'eta': words.human_duration(eta) if eta is not None else '',
        'rate': ('%s/s' % words.human_bytes(rate)) if rate else '',
        'phase': words.phase_text(progress),
        'queue_position': progress.get('queue_position'),
        'resources': ('%s/%s' % (progress.get('resources_done') or 0,
                                 progress.get('resources_total'))
                      if progress.get('resources_total') else ''),
        'running': running,
        'style': style,
        'label': _('Progress'),
    }


def render(datum: Any) -> str:
    """The progress bar of a run, safe HTML for a table cell or a page."""
    return render_to_string(TEMPLATE, progress_context(datum))
