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

"""The two kinds of run, checkpoints and recoveries: how their rows are kept.

A run is a row an API request creates and one engine claims and works on.
The service layer (``dragon.services.runs``), the engine
(``dragon.engine.manager``, ``service``) and a running workflow's
``dragon.protection.recorder.RunRecorder`` all do the same few things to
either kind; each takes a ``RunKind`` instead of its own table of calls.
"""

import dataclasses
from typing import Any

from dragon.db import api as db_api
from dragon import exception


@dataclasses.dataclass(frozen=True)
class RunKind:
    """The database calls, errors and columns of one kind of run.

    ``name`` is the word in logs and the prefix of the kind's ``db_api``
    functions (``checkpoint_update``, ``recovery_update``). They are looked
    up at every call, so a test that replaces a ``db_api`` function is
    obeyed here too.
    """

    name: str
    not_found: type[exception.DragonException]
    # A compare-and-swap on the status or claim was refused.
    busy: type[exception.DragonException]
    # The 503 when the message broker did not take the request.
    unavailable: type[exception.DragonException]
    # The column of per-resource progress.
    resources_field: str
    # The column of the run's warnings (None: the table has none).
    warnings_field: str | None = None

    def _db(self, verb: str) -> Any:
        return getattr(db_api, '%s_%s' % (self.name, verb))

    def get(self, context: Any, row_id: str, **kwargs: Any) -> Any:
        """:raises not_found:"""
        return self._db('get')(context, row_id, **kwargs)

    def claim(self, context: Any, row_id: str, host: str,
              status: str) -> bool:
        """Whether ``host`` now owns the row (was unclaimed, in ``status``)."""
        return self._db('claim')(context, row_id, host, status=status)

    def update(self, context: Any, row_id: str, values: dict[str, Any],
               **expected: Any) -> Any:
        """Write ``values``; ``expected_status``/``expected_claim`` guard it.

        :raises busy: the status is not one expected.
        :raises dragon.exception.RunTakenOver: the claim is not the one
            expected.
        """
        return self._db('update')(context, row_id, values, **expected)

    def event_add(self, context: Any, row_id: str, level: str, message: str,
                  resource: str | None = None) -> Any:
        """One line of the run's history."""
        return self._db('event_add')(context, row_id, level, message,
                                     resource=resource)

    def events_add(self, context: Any, row_id: str,
                   events: list[dict[str, Any]]) -> Any:
        """Many lines of the run's history in one database call."""
        return self._db('events_add')(context, row_id, events)

    def fail_orphans(self, context: Any, **kwargs: Any) -> list[str]:
        """Mark ``error`` the runs no live engine holds; their ids."""
        return self._db('fail_orphans')(context, **kwargs)


CHECKPOINT = RunKind(
    'checkpoint', not_found=exception.CheckpointNotFound,
    busy=exception.CheckpointBusy, unavailable=exception.EngineUnavailable,
    resources_field='resources', warnings_field='warnings')
RECOVERY = RunKind(
    'recovery', not_found=exception.RecoveryNotFound,
    busy=exception.RecoveryBusy,
    unavailable=exception.RecoveryEngineUnavailable,
    resources_field='resource_status')
