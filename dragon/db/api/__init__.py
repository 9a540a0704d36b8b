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

"""The database API: every query Dragon makes, on oslo.db's enginefacade.

One module per entity (``engine_services``, ``policies`` with their
members, ``checkpoints`` and ``recoveries`` with their events; ``runs``
holds what those two share) and ``connection`` for the
engine, the startup check and retries. Callers import this package only:
``from dragon.db import api as db_api; db_api.<entity>_<verb>(context, ...)``.
Functions are named ``<entity>_<verb>[_by_<key>]`` and take a request
context first; the enginefacade decorators open the transaction on it.
"""

# Re-exported names only below; the modules hold the code.
# flake8: noqa: F401
import sqlalchemy as sa

from dragon.db.api.checkpoints import CHECKPOINT_SORT_KEYS
from dragon.db.api.checkpoints import checkpoint_admit
from dragon.db.api.checkpoints import checkpoint_claim
from dragon.db.api.checkpoints import checkpoint_claim_verification
from dragon.db.api.checkpoints import checkpoint_count_by_policy
from dragon.db.api.checkpoints import checkpoint_create
from dragon.db.api.checkpoints import checkpoint_delete
from dragon.db.api.checkpoints import checkpoint_event_add
from dragon.db.api.checkpoints import checkpoint_event_get_all
from dragon.db.api.checkpoints import checkpoint_events_add
from dragon.db.api.checkpoints import checkpoint_fail_orphans
from dragon.db.api.checkpoints import checkpoint_get
from dragon.db.api.checkpoints import checkpoint_get_all
from dragon.db.api.checkpoints import checkpoint_get_orphans
from dragon.db.api.checkpoints import checkpoint_newest_available
from dragon.db.api.checkpoints import checkpoint_queue
from dragon.db.api.checkpoints import checkpoint_get_project_ids
from dragon.db.api.checkpoints import checkpoint_mark_deleting
from dragon.db.api.checkpoints import checkpoint_take_over
from dragon.db.api.checkpoints import checkpoint_update
from dragon.db.api.checkpoints import trust_lent
from dragon.db.api.connection import _is_locked
from dragon.db.api.connection import check_connection
from dragon.db.api.connection import get_engine
from dragon.db.api.connection import main_context_manager
from dragon.db.api.connection import retry_if_locked as _retry_if_locked
from dragon.db.api.clock import database_utcnow
from dragon.db.api.engine_services import engine_service_get_all
from dragon.db.api.engine_services import engine_service_heartbeat
from dragon.db.api.engine_services import engine_service_runs_held
from dragon.db.api.policies import POLICY_SORT_KEYS
from dragon.db.api.policies import policy_member_create
from dragon.db.api.policies import policy_member_delete
from dragon.db.api.policies import policy_member_get
from dragon.db.api.policies import policy_member_get_all
from dragon.db.api.policies import policy_member_get_all_by_project
from dragon.db.api.policies import policy_member_update
from dragon.db.api.policies import workload_policy_create
from dragon.db.api.policies import workload_policy_delete
from dragon.db.api.policies import workload_policy_get
from dragon.db.api.policies import workload_policy_get_all
from dragon.db.api.policies import workload_policy_set_readiness
from dragon.db.api.policies import workload_policy_set_rpo_state
from dragon.db.api.policies import workload_policy_get_project_ids
from dragon.db.api.policies import workload_policy_merge_failback_run
from dragon.db.api.policies import workload_policy_update
from dragon.db.api.recoveries import RECOVERY_SORT_KEYS
from dragon.db.api.recoveries import recovery_claim
from dragon.db.api.recoveries import recovery_create
from dragon.db.api.recoveries import recovery_delete
from dragon.db.api.recoveries import recovery_event_add
from dragon.db.api.recoveries import recovery_event_get_all
from dragon.db.api.recoveries import recovery_events_add
from dragon.db.api.recoveries import recovery_fail_orphans
from dragon.db.api.recoveries import recovery_get
from dragon.db.api.recoveries import recovery_get_all
from dragon.db.api.recoveries import recovery_get_orphans
from dragon.db.api.recoveries import recovery_take_over
from dragon.db.api.recoveries import recovery_get_running
from dragon.db.api.recoveries import recovery_get_in_window
from dragon.db.api.recoveries import recovery_get_settled_in_place
from dragon.db.api.recoveries import recovery_get_window_due
from dragon.db.api.recoveries import recovery_update
from dragon.db.api.recoveries import workload_policy_set_last_drill
from dragon.db.api.replications import checkpoint_replication_get_failed
from dragon.db.api.replications import checkpoint_replication_orphans
from dragon.db.api.replications import checkpoint_replication_swap
from dragon.db.api.replications import checkpoint_replication_unclaimed
from dragon.db.api.schedules import schedule_advance
from dragon.db.api.schedules import schedule_create
from dragon.db.api.schedules import schedule_delete
from dragon.db.api.schedules import schedule_fire
from dragon.db.api.schedules import schedule_get
from dragon.db.api.schedules import schedule_get_all
from dragon.db.api.schedules import schedule_get_due
from dragon.db.api.schedules import schedule_update
from dragon.db import models
