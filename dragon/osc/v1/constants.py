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

"""Every column the ``openstack dr`` commands print, in one place.

Each tuple pairs the heading users see with the key of the API object.
"""

POLICY_COLUMNS = (
    ('id', 'id'),
    ('name', 'name'),
    ('description', 'description'),
    ('project_id', 'project_id'),
    ('status', 'status'),
    ('consistent', 'consistent'),
    ('schedules', 'schedules'),
    ('retention', 'retention'),
    ('rpo', 'rpo'),
    ('members', 'members'),
    ('last_drill', 'last_drill'),
    ('encryption', 'encryption'),
    ('encryption_readiness', 'encryption_readiness'),
    ('dr_ready', 'dr_ready'),
    ('replication', 'replication'),
    ('created_at', 'created_at'),
    ('updated_at', 'updated_at'),
)

POLICY_LIST_COLUMNS = (
    ('ID', 'id'),
    ('Name', 'name'),
    ('Status', 'status'),
    ('Members', 'member_count'),
    ('RPO', 'rpo'),
    ('Last Drill RTO', 'last_drill_rto'),
)

POLICY_LIST_PROJECT_COLUMNS = (
    ('Project', 'project_id'),
)

POLICY_LIST_LONG_COLUMNS = (
    ('Description', 'description'),
    ('Consistent', 'consistent'),
    ('Schedules', 'schedules'),
    ('Retention', 'retention'),
    ('Last Drill', 'last_drill'),
    ('Created At', 'created_at'),
    ('Updated At', 'updated_at'),
)

SCHEDULE_COLUMNS = (
    ('id', 'id'),
    ('policy_id', 'policy_id'),
    ('cron', 'cron'),
    ('timezone', 'timezone'),
    ('enabled', 'enabled'),
    ('status', 'status'),
    ('error', 'error'),
    ('start_at', 'start_at'),
    ('end_at', 'end_at'),
    ('jitter', 'jitter'),
    ('misfire_grace', 'misfire_grace'),
    ('next_run_at', 'next_run_at'),
    ('last_run_at', 'last_run_at'),
    ('last_result', 'last_result'),
    ('last_reason', 'last_reason'),
    ('last_checkpoint_id', 'last_checkpoint_id'),
    ('run_count', 'run_count'),
    ('skipped_count', 'skipped_count'),
    ('missed_count', 'missed_count'),
    ('user_id', 'user_id'),
    ('created_at', 'created_at'),
    ('updated_at', 'updated_at'),
)

SCHEDULE_LIST_COLUMNS = (
    ('ID', 'id'),
    ('Cron', 'cron'),
    ('Time Zone', 'timezone'),
    ('Enabled', 'enabled'),
    ('Status', 'status'),
    ('Next Run', 'next_run_at'),
    ('Last Run', 'last_run_at'),
    ('Last Result', 'last_result'),
    ('Runs', 'run_count'),
    ('Skipped', 'skipped_count'),
    ('Missed', 'missed_count'),
)

MEMBER_COLUMNS = (
    ('resource_type', 'resource_type'),
    ('resource_id', 'resource_id'),
    ('resource_name', 'resource_name'),
    ('action', 'action'),
    ('options', 'options'),
    ('created_at', 'created_at'),
)

MEMBER_LIST_COLUMNS = (
    ('Resource Type', 'resource_type'),
    ('Resource ID', 'resource_id'),
    ('Resource Name', 'resource_name'),
    ('Action', 'action'),
    ('Options', 'options'),
)

RESOURCE_TYPE_LIST_COLUMNS = (
    ('Type', 'type'),
    ('Action', 'action'),
    ('Default', 'default'),
    ('Description', 'description'),
)

ENGINE_LIST_COLUMNS = (
    ('Host', 'host'),
    ('Alive', 'alive'),
    ('Heartbeat At', 'heartbeat_at'),
    ('Version', 'version'),
    ('Runs', 'runs'),
)

PROTECTABLE_LIST_COLUMNS = (
    ('Type', 'type'),
    ('ID', 'id'),
    ('Name', 'name'),
    ('Status', 'status'),
    ('Policy', 'policy'),
)

CHECKPOINT_COLUMNS = (
    ('id', 'id'),
    ('policy_id', 'policy_id'),
    ('policy_name', 'policy_name'),
    ('project_id', 'project_id'),
    ('status', 'status'),
    ('error', 'error'),
    ('warnings', 'warnings'),
    ('hold', 'hold'),
    ('trigger', 'trigger'),
    ('schedule_id', 'schedule_id'),
    ('progress', 'progress'),
    ('resources', 'resources'),
    ('stats', 'stats'),
    ('container', 'container'),
    ('engine', 'engine'),
    ('created_at', 'created_at'),
    ('captured_at', 'captured_at'),
    ('started_at', 'started_at'),
    ('finished_at', 'finished_at'),
    ('duration', 'duration'),
    ('verification', 'verification'),
    ('replication', 'replication'),
)

# ``checkpoint verify --wait`` and ``recovery point verify``.
VERIFICATION_COLUMNS = (
    ('status', 'status'),
    ('read_data', 'read_data'),
    ('started_at', 'started_at'),
    ('finished_at', 'finished_at'),
    ('chunks_checked', 'chunks_checked'),
    ('bytes_checked', 'bytes_checked'),
    ('legacy_chunks', 'legacy_chunks'),
    ('problem_count', 'problem_count'),
    ('problems', 'problems'),
)

CHECKPOINT_LIST_COLUMNS = (
    ('ID', 'id'),
    ('Policy', 'policy_name'),
    ('Status', 'status'),
    ('Progress', 'percent'),
    ('Created At', 'created_at'),
    ('Duration', 'duration'),
    ('Hold', 'hold'),
)

CHECKPOINT_LIST_PROJECT_COLUMNS = (
    ('Project', 'project_id'),
)

CHECKPOINT_LIST_LONG_COLUMNS = (
    ('Policy ID', 'policy_id'),
    ('Finished At', 'finished_at'),
    ('Container', 'container'),
    ('Error', 'error'),
)

RETENTION_PREVIEW_COLUMNS = (
    ('ID', 'id'),
    ('Captured', 'captured'),
    ('Status', 'status'),
    ('Hold', 'hold'),
    ('Keep', 'keep'),
    ('Why', 'reasons'),
)

EVENT_COLUMNS = (
    ('Time', 'time'),
    ('Level', 'level'),
    ('Resource', 'resource'),
    ('Message', 'message'),
)

RECOVERY_POINT_LIST_COLUMNS = (
    ('Checkpoint ID', 'checkpoint_id'),
    ('Policy', 'policy_name'),
    ('Finished At', 'finished_at'),
    ('Size', 'size'),
    ('Source Region', 'source_region'),
    ('Container', 'container'),
)

RECOVERY_POINT_LIST_LONG_COLUMNS = (
    ('Policy ID', 'policy_id'),
    ('Project', 'project_id'),
    ('Created At', 'created_at'),
    ('Format Version', 'format_version'),
    ('Encrypted', 'encrypted'),
    ('Key Ref', 'key_ref'),
)

RECOVERY_COLUMNS = (
    ('id', 'id'),
    ('status', 'status'),
    ('mode', 'mode'),
    ('error', 'error'),
    ('checkpoint_id', 'checkpoint_id'),
    ('recovery_point', 'recovery_point'),
    ('policy_id', 'policy_id'),
    ('policy_name', 'policy_name'),
    ('project_id', 'project_id'),
    ('target_region', 'target_region'),
    ('progress', 'progress'),
    ('resource_status', 'resource_status'),
    ('restored', 'restored'),
    ('stack_id', 'stack_id'),
    ('stack_name', 'stack_name'),
    ('stack_status', 'stack_status'),
    ('rto_seconds', 'rto_seconds'),
    ('torn_down', 'torn_down'),
    ('dry_run', 'dry_run'),
    ('plan', 'plan'),
    ('commit_deadline', 'commit_deadline'),
    ('window_action', 'window_action'),
    ('replaced', 'replaced'),
    ('shrink_volumes', 'shrink_volumes'),
    ('keep_current_flavor', 'keep_current_flavor'),
    ('mappings', 'mappings'),
    ('resources', 'resources'),
    ('timeout', 'timeout'),
    ('engine', 'engine'),
    ('created_at', 'created_at'),
    ('started_at', 'started_at'),
    ('finished_at', 'finished_at'),
    ('duration', 'duration'),
)

RECOVERY_LIST_COLUMNS = (
    ('ID', 'id'),
    ('Policy', 'policy_name'),
    ('Mode', 'mode'),
    ('Target Region', 'target_region'),
    ('Status', 'status'),
    ('Progress', 'percent'),
    ('RTO', 'rto_seconds'),
    ('Created At', 'created_at'),
)

RECOVERY_LIST_PROJECT_COLUMNS = (
    ('Project', 'project_id'),
)
