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

"""What the v1 API shows of rows: policies, members, schedules, runs."""

import datetime
from typing import Any

from dragon.checkpoint import envelope
from dragon.common import progress as run_progress
from dragon.common import timeutils
from dragon.db import models
from dragon import statuses


def isotime(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=datetime.UTC).isoformat()


def member_view(member: models.PolicyMember) -> dict[str, Any]:
    return {
        'resource_type': member.resource_type,
        'resource_id': member.resource_id,
        'resource_name': member.resource_name,
        'action': member.action,
        'options': member.options,
        'created_at': isotime(member.created_at),
    }


def schedule_view(schedule: models.Schedule) -> dict[str, Any]:
    """A schedule as the API shows it (never its trust id)."""
    return {
        'id': schedule.id,
        'policy_id': schedule.policy_id,
        'cron': schedule.cron,
        'timezone': schedule.timezone,
        'enabled': schedule.enabled,
        'start_at': isotime(schedule.start_at),
        'end_at': isotime(schedule.end_at),
        'jitter': schedule.jitter,
        'misfire_grace': schedule.misfire_grace,
        'status': schedule.status,
        'error': schedule.error,
        'user_id': schedule.user_id,
        'next_run_at': isotime(schedule.next_run_at),
        'last_run_at': isotime(schedule.last_run_at),
        'last_result': schedule.last_result,
        'last_reason': schedule.last_reason,
        'last_checkpoint_id': schedule.last_checkpoint_id,
        'run_count': schedule.run_count,
        'skipped_count': schedule.skipped_count,
        'missed_count': schedule.missed_count,
        'created_at': isotime(schedule.created_at),
        'updated_at': isotime(schedule.updated_at),
    }


def rpo_view(status: dict[str, Any] | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {**status, 'captured_at': isotime(status['captured_at'])}


def encryption_view(encryption: dict[str, Any] | None
                    ) -> dict[str, Any] | None:
    """A policy's ``encryption``, its scope shown when stored before it was.

    Policies made before ``data_key_scope`` existed use the project's key.
    """
    if not encryption:
        return None
    return {'data_key_scope': envelope.PROJECT_SCOPE, **encryption}


def policy_view(policy: models.WorkloadPolicy,
                rpo: dict[str, Any] | None = None) -> dict[str, Any]:
    """A policy; ``rpo`` is its RPO status (``dragon.scheduling.rpo``)."""
    return {
        'id': policy.id,
        'name': policy.name,
        'description': policy.description,
        'project_id': policy.project_id,
        'options': policy.options,
        'members': [member_view(m) for m in policy.members],
        'schedules': [schedule_view(s) for s in policy.schedules],
        'rpo': rpo_view(rpo),
        'status': policy.status,
        'last_drill': policy.last_drill,
        'encryption': encryption_view(policy.encryption),
        'replication': policy.replication,
        'failback': policy.failback,
        'created_at': isotime(policy.created_at),
        'updated_at': isotime(policy.updated_at),
    }


def event_view(event: Any) -> dict[str, Any]:
    return {'time': isotime(event.time), 'level': event.level,
            'resource': event.resource, 'message': event.message}


def seconds(delta: datetime.timedelta) -> float:
    return round(max(delta.total_seconds(), 0.0), 3)


def duration(row: Any) -> float | None:
    """Seconds from start to end of a run, once it has ended."""
    if row.started_at and row.finished_at:
        return seconds(row.finished_at - row.started_at)
    return None


def progress(row: Any, resources: list[dict[str, Any]], running: str,
             complete: str) -> dict[str, Any]:
    """Bytes, percent, phase, ETA and resources done of a run's row.

    A ``complete`` run is 100 %.  While the run is ``running`` its phase
    is shown (what it does now, ``phase_done`` of ``phase_total`` items
    where it counts them) and an ETA only while bytes move at a measured
    rate (``dragon.common.progress.eta``): a wait for a snapshot is no
    basis for one.
    """
    done, total = row.bytes_done or 0, row.bytes_total or 0
    if row.status == complete:
        percent = 100.0
    elif total:
        percent = round(min(100.0, 100.0 * done / total), 1)
    else:
        percent = 0.0
    stored = (row.phase or {}) if row.status == running else {}
    return {'bytes_done': done, 'bytes_total': total, 'percent': percent,
            'eta_seconds': run_progress.eta(stored, done, total,
                                            timeutils.utcnow()),
            'resources_done': sum(1 for r in resources
                                  if r['status'] ==
                                  statuses.Resource.DONE),
            'resources_total': len(resources),
            'phase': stored.get('name'),
            'phase_done': stored.get('done'),
            'phase_total': stored.get('total'),
            'bytes_per_second': (stored.get('bytes_per_second')
                                 if stored.get('name') in run_progress.MOVING
                                 else None)}
