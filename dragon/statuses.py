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

"""Every status and state Dragon stores and answers with, each defined once.

Plain string constants grouped by what they describe, with no imports, so
every layer may use them, as it uses ``dragon.exception``: the database,
storage, the engine and workflows, the service layer and the API
schemas. The values are the wire format of the API, the database and the
notifications: add, never rename.
"""


class Run:
    """The statuses every kind of run has (checkpoints and recoveries)."""

    ERROR = 'error'
    DELETING = 'deleting'


class Checkpoint(Run):
    """``checkpoints.status``: a protection run and its result."""

    QUEUED = 'queued'
    PROTECTING = 'protecting'
    AVAILABLE = 'available'
    ERROR = Run.ERROR
    DELETING = Run.DELETING
    ALL = (QUEUED, PROTECTING, AVAILABLE, ERROR, DELETING)
    # A checkpoint in these holds its policy: one protection at a time.
    ACTIVE = (QUEUED, PROTECTING)


class Replication:
    """``checkpoints.replication.status``: the copy at the target's Swift."""

    REPLICATING = 'replicating'
    REPLICATED = 'replicated'
    FAILED = 'failed'
    ALL = (REPLICATING, REPLICATED, FAILED)


class Recovery(Run):
    """``recoveries.status``, and the status of a policy's last drill."""

    RECOVERING = 'recovering'
    SUCCEEDED = 'succeeded'
    ERROR = Run.ERROR
    DELETING = Run.DELETING
    # In place: the swap is done, the replaced volumes are kept until the
    # user commits or rolls back (or the window ends).
    AWAITING_COMMIT = 'awaiting_commit'
    COMMITTING = 'committing'
    ROLLING_BACK = 'rolling_back'
    COMMITTED = 'committed'
    ROLLED_BACK = 'rolled_back'
    # The window ended with neither: the restored volumes stay in place
    # and the replaced ones are kept ([recovery] in_place_window_expiry).
    EXPIRED = 'expired'
    ALL = (RECOVERING, SUCCEEDED, ERROR, DELETING, AWAITING_COMMIT,
           COMMITTING, ROLLING_BACK, COMMITTED, ROLLED_BACK, EXPIRED)
    # How a run (or a drill) ended.
    ENDED = (SUCCEEDED, ERROR)
    # An engine works on these (claimed; taken over if it dies).
    WORKING = (RECOVERING, COMMITTING, ROLLING_BACK)
    # An in-place restore whose window is open or closing: the workload's
    # volumes are swapped, and no other in-place restore may start.
    IN_WINDOW = (AWAITING_COMMIT, COMMITTING, ROLLING_BACK)
    # May be deleted (the row; what it made as each mode says).
    DELETABLE = (SUCCEEDED, ERROR, COMMITTED, ROLLED_BACK, EXPIRED)


class Resource:
    """One resource in a run's progress (``resources``, ``resource_status``).

    A protection moves it pending → capturing → transferring → done; a
    recovery marks it restored (data back) and launched (in the stack).
    """

    PENDING = 'pending'
    CAPTURING = 'capturing'
    TRANSFERRING = 'transferring'
    DONE = 'done'
    ERROR = 'error'
    RESTORED = 'restored'
    LAUNCHED = 'launched'
    PROTECTION = (PENDING, CAPTURING, TRANSFERRING, DONE, ERROR)
    RECOVERY = (PENDING, CAPTURING, TRANSFERRING, RESTORED, LAUNCHED, DONE,
                ERROR)


class Verification:
    """``checkpoints.verification['status']``: a check of stored chunks."""

    RUNNING = 'running'
    OK = 'ok'
    DAMAGED = 'damaged'
    ERROR = 'error'
    ALL = (RUNNING, OK, DAMAGED, ERROR)


class Rpo:
    """A policy's recovery point objective (``workload_policies.rpo_state``)."""

    OK = 'ok'
    AT_RISK = 'at_risk'
    MISSED = 'missed'
    ALL = (OK, AT_RISK, MISSED)


class Policy:
    """``workload_policies.status``.

    ``suspended``: its schedules' ticks are skipped (their trusts kept),
    e.g. while a failback from the backup site runs: the workload here is
    stale then and must not be protected over the good checkpoints.
    """

    ACTIVE = 'active'
    SUSPENDED = 'suspended'
    ALL = (ACTIVE, SUSPENDED)


class Schedule:
    """``schedules.status``: whether it still fires."""

    ACTIVE = 'active'
    ERROR = 'error'
    FINISHED = 'finished'
    ALL = (ACTIVE, ERROR, FINISHED)


class Tick:
    """``schedules.last_result``: what became of a schedule's tick."""

    STARTED = 'started'
    SKIPPED = 'skipped'
    MISSED = 'missed'
    ERROR = 'error'
    ALL = (STARTED, SKIPPED, MISSED, ERROR)
