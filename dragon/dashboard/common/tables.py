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

"""What the run tables share: the progress column and the self-refreshing row.

A row whose status is still moving (``queued``, ``protecting``,
``recovering``, a verification ``running``, ``deleting``) carries
Horizon's ``ajax-update`` class: Horizon's table script fetches it again
every ``ajax_poll_interval`` through ``Row.get_data`` until its status
settles, and drops it once the API answers 404 (a delete finished).
"""

import functools
from typing import Any, Callable

from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import tables
from horizon.utils import filters

from dragon.dashboard.common import errors
from dragon.dashboard.common import progress
from dragon.dashboard import policy
from dragon import statuses

# ``status_choices`` of a checkpoint's status: True ends well, False
# badly, anything else (None) keeps the row refreshing.
CHECKPOINT_STATUS_CHOICES = (
    (statuses.Checkpoint.AVAILABLE, True),
    (statuses.Checkpoint.ERROR, False),
)
RECOVERY_STATUS_CHOICES = (
    (statuses.Recovery.SUCCEEDED, True),
    (statuses.Recovery.ERROR, False),
    # In place: waiting for the user is settled (no refresh); its ends too.
    (statuses.Recovery.AWAITING_COMMIT, True),
    (statuses.Recovery.COMMITTED, True),
    (statuses.Recovery.ROLLED_BACK, True),
    (statuses.Recovery.EXPIRED, True),
)
# A checkpoint never verified ('') is settled as well.
VERIFICATION_STATUS_CHOICES = (
    ('', True),
    (statuses.Verification.OK, True),
    (statuses.Verification.DAMAGED, False),
    (statuses.Verification.ERROR, False),
)

STATUS_DISPLAY = (
    (statuses.Checkpoint.QUEUED, _('Queued')),
    (statuses.Checkpoint.PROTECTING, _('Protecting')),
    (statuses.Checkpoint.AVAILABLE, _('Available')),
    (statuses.Run.ERROR, _('Error')),
    (statuses.Run.DELETING, _('Deleting')),
    (statuses.Recovery.RECOVERING, _('Recovering')),
    (statuses.Recovery.SUCCEEDED, _('Succeeded')),
    (statuses.Recovery.AWAITING_COMMIT, _('Awaiting commit')),
    (statuses.Recovery.COMMITTING, _('Committing')),
    (statuses.Recovery.ROLLING_BACK, _('Rolling back')),
    (statuses.Recovery.COMMITTED, _('Committed')),
    (statuses.Recovery.ROLLED_BACK, _('Rolled back')),
    (statuses.Recovery.EXPIRED, _('Expired')),
)


class ProgressColumn(tables.Column):
    """A run's progress bar: percent, bytes, ETA and phase."""

    def __init__(self, verbose_name: Any = _('Progress'),
                 **kwargs: Any) -> None:
        kwargs.setdefault('classes', ('dragon-progress-cell',))
        super().__init__(progress.render, verbose_name=verbose_name,
                         **kwargs)


class RefreshingRow(tables.Row):
    """A row that reloads itself while its run moves.

    Subclasses say how to fetch one object: ``get_data(request, obj_id)``
    returning the same kind of datum the table lists.
    """

    ajax = True

    def get_data(self, request: Any, obj_id: str) -> Any:
        raise NotImplementedError


def may(request: Any, rule: str, datum: Any = None) -> bool:
    """Whether to offer an action: Dragon's policy ``rule`` on ``datum``."""
    return policy.check(request, rule, policy.target_of(datum))


def human_bytes(value: Any) -> str:
    return '' if value is None else progress.words.human_bytes(value)


def human_duration(value: Any) -> str:
    return '' if value is None else progress.words.human_duration(value)


def parse_time(value: Any) -> Any:
    """An API time (ISO 8601) as a datetime Django formats; '' when None."""
    return filters.parse_isotime(value) if value else ''


def yes_no(value: Any) -> str:
    return _('Yes') if value else _('No')


def shows_api_error(message: str) -> Callable:
    """A batch action's ``action``/``delete`` whose failure shows the API's
    message (``message % {'name': ...}`` first).

    Horizon's batch actions otherwise swallow the exception and say only
    "Unable to ...": the user would not learn why.
    """
    def decorator(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(action: Any, request: Any, obj_id: str) -> Any:
            try:
                return method(action, request, obj_id)
            except exceptions.HandledException:
                raise
            except Exception:
                datum = action.table.get_object_by_id(obj_id)
                name = (action.table.get_object_display(datum)
                        if datum is not None else obj_id) or obj_id
                # escalate: the batch action counts it as failed, and
                # shows no second, vaguer message.
                errors.handle(request, message % {'name': name},
                                  escalate=True)
        return wrapper
    return decorator
