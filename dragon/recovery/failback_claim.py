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

"""When a failback run may start: the one rule the API and the panel share.

A run is claimed on its reverse policy's row before it is handed to the
engines (``failback.claim_run``), so of two requests at once one is
refused and no server is quiesced twice.  The
rule lives here, with no database or client import, so that the Horizon
panel offers "Fail back" exactly when the API would accept it.
"""

import datetime
from typing import Any

from oslo_utils import timeutils

from dragon import statuses

# The run's record on the reverse policy (failback.run.status).
RUNNING = 'running'
ROLLED_BACK, ERROR = statuses.Recovery.ROLLED_BACK, statuses.Recovery.ERROR
# A run claimed but never handed to the engines after this long (the
# request only checks and casts: seconds) is stale.
CLAIM_STALE_AFTER = 3600


def seconds_since(iso: str | None) -> float | None:
    """Seconds from an ISO time the records keep (``...Z``) until now."""
    if not iso:
        return None
    start = datetime.datetime.fromisoformat(iso.rstrip('Z'))
    return (timeutils.utcnow() - start).total_seconds()


def may_start(run: dict[str, Any]) -> bool:
    """Whether a new run may replace the run recorded now.

    After a rollback or an error, yes; and over a claim whose request
    never handed the run to the engines (its API process died between the
    claim and the hand-over) for ``CLAIM_STALE_AFTER``.  A committed run
    is refused before this (``dragon.services.failback_run``).
    """
    if run.get('status') in (None, ROLLED_BACK, ERROR):
        return True
    age = seconds_since(run.get('claimed_at'))
    return (run.get('status') == RUNNING and not run.get('recovery_id')
            and age is not None and age > CLAIM_STALE_AFTER)
