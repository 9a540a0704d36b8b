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

"""Versioned notification payloads, built from database rows by pure functions.

Each payload is wrapped the way Nova and Cinder wrap their versioned
notifications: ``dragon_object.name``, ``.namespace``, ``.version`` and
``.data``.  A minor version bump only adds fields; a major one changes or
removes one.  Rows may be SQLAlchemy objects, plain objects with attributes
or mappings; a missing attribute reads as ``None``.
"""

import datetime
import enum
from typing import Any, Iterable

NAMESPACE = 'dragon'


class EventType(enum.StrEnum):
    """Every event type Dragon sends."""

    CHECKPOINT_CREATE_START = 'dragon.checkpoint.create.start'
    CHECKPOINT_CREATE_END = 'dragon.checkpoint.create.end'
    CHECKPOINT_CREATE_ERROR = 'dragon.checkpoint.create.error'
    CHECKPOINT_DELETE_END = 'dragon.checkpoint.delete.end'
    RECOVERY_CREATE_START = 'dragon.recovery.create.start'
    RECOVERY_CREATE_END = 'dragon.recovery.create.end'
    RECOVERY_CREATE_ERROR = 'dragon.recovery.create.error'
    SCHEDULE_SKIPPED = 'dragon.schedule.skipped'
    SCHEDULE_ERROR = 'dragon.schedule.error'
    POLICY_RPO_MISSED = 'dragon.policy.rpo.missed'
    RETENTION_PRUNE_END = 'dragon.retention.prune.end'


class Priority(enum.StrEnum):
    """oslo.messaging notification priorities Dragon uses."""

    INFO = 'info'
    WARN = 'warn'
    ERROR = 'error'


class PayloadName(enum.StrEnum):
    """``dragon_object.name`` of each payload."""

    CHECKPOINT = 'CheckpointPayload'
    RECOVERY = 'RecoveryPayload'
    SCHEDULE = 'SchedulePayload'
    POLICY_RPO = 'PolicyRpoPayload'
    RETENTION_PRUNE = 'RetentionPrunePayload'


# History: 1.0 - first version of every payload.
VERSIONS = {name: '1.0' for name in PayloadName}

# Event type -> (its payload, its priority).
EVENTS: dict[EventType, tuple[PayloadName, Priority]] = {
    EventType.CHECKPOINT_CREATE_START: (PayloadName.CHECKPOINT, Priority.INFO),
    EventType.CHECKPOINT_CREATE_END: (PayloadName.CHECKPOINT, Priority.INFO),
    EventType.CHECKPOINT_CREATE_ERROR: (PayloadName.CHECKPOINT,
                                        Priority.ERROR),
    EventType.CHECKPOINT_DELETE_END: (PayloadName.CHECKPOINT, Priority.INFO),
    EventType.RECOVERY_CREATE_START: (PayloadName.RECOVERY, Priority.INFO),
    EventType.RECOVERY_CREATE_END: (PayloadName.RECOVERY, Priority.INFO),
    EventType.RECOVERY_CREATE_ERROR: (PayloadName.RECOVERY, Priority.ERROR),
    EventType.SCHEDULE_SKIPPED: (PayloadName.SCHEDULE, Priority.WARN),
    EventType.SCHEDULE_ERROR: (PayloadName.SCHEDULE, Priority.ERROR),
    EventType.POLICY_RPO_MISSED: (PayloadName.POLICY_RPO, Priority.WARN),
    EventType.RETENTION_PRUNE_END: (PayloadName.RETENTION_PRUNE,
                                    Priority.INFO),
}


def _get(row: Any, name: str, default: Any = None) -> Any:
    if row is None:
        return default
    if isinstance(row, dict):
        value = row.get(name, default)
    else:
        value = getattr(row, name, default)
    return default if value is None else value


def timestamp(value: Any) -> str | None:
    """ISO 8601 in UTC ending in ``Z``, to the second (Nova's format).

    Naive datetimes mean UTC, as the database stores them; strings are
    parsed and rewritten so every payload has the same shape.
    """
    if value is None or value == '':
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.isoformat(timespec='seconds') + 'Z'


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def versioned(name: PayloadName, data: dict[str, Any]) -> dict[str, Any]:
    """Wrap ``data`` as payload ``name`` of its current version."""
    return {'dragon_object.name': str(name),
            'dragon_object.namespace': NAMESPACE,
            'dragon_object.version': VERSIONS[name],
            'dragon_object.data': data}


def checkpoint(row: Any) -> dict[str, Any]:
    """A checkpoint row as ``CheckpointPayload``."""
    stats = _get(row, 'stats', {}) or {}
    return versioned(PayloadName.CHECKPOINT, {
        'id': _get(row, 'id'),
        'project_id': _get(row, 'project_id'),
        'user_id': _get(row, 'user_id'),
        'policy_id': _get(row, 'policy_id'),
        'policy_name': _get(row, 'policy_name'),
        'status': _get(row, 'status'),
        'trigger': _get(row, 'trigger', 'manual'),
        'schedule_id': _get(row, 'schedule_id'),
        'container': _get(row, 'container'),
        'error': _get(row, 'error'),
        'bytes_total': _int(_get(row, 'bytes_total', 0)),
        'stored_bytes': _int(stats.get('stored_bytes', 0)),
        'uploaded_bytes': _int(stats.get('uploaded_bytes', 0)),
        'started_at': timestamp(_get(row, 'started_at')),
        'captured_at': timestamp(_get(row, 'captured_at')),
        'finished_at': timestamp(_get(row, 'finished_at')),
        'warnings': [str(w) for w in _get(row, 'warnings', []) or []],
    })


def recovery(row: Any) -> dict[str, Any]:
    """A recovery row as ``RecoveryPayload`` (mode, RTO)."""
    return versioned(PayloadName.RECOVERY, {
        'id': _get(row, 'id'),
        'project_id': _get(row, 'project_id'),
        'user_id': _get(row, 'user_id'),
        'policy_id': _get(row, 'policy_id'),
        'policy_name': _get(row, 'policy_name'),
        'checkpoint_id': _get(row, 'checkpoint_id'),
        'recovery_point': _get(row, 'recovery_point'),
        'mode': _get(row, 'mode'),
        'target_region': _get(row, 'target_region'),
        'status': _get(row, 'status'),
        'error': _get(row, 'error'),
        'rto_seconds': _float(_get(row, 'rto_seconds')),
        'stack_id': _get(row, 'stack_id'),
        'started_at': timestamp(_get(row, 'started_at')),
        'finished_at': timestamp(_get(row, 'finished_at')),
    })


def schedule(row: Any, reason: str | None = None) -> dict[str, Any]:
    """A schedule row as ``SchedulePayload``; ``reason``: why this event."""
    return versioned(PayloadName.SCHEDULE, {
        'id': _get(row, 'id'),
        'policy_id': _get(row, 'policy_id'),
        'project_id': _get(row, 'project_id'),
        'cron': _get(row, 'cron'),
        'timezone': _get(row, 'timezone', 'UTC'),
        'status': _get(row, 'status'),
        'error': _get(row, 'error'),
        'reason': reason,
        'last_result': _get(row, 'last_result'),
        'last_reason': _get(row, 'last_reason'),
        'next_run_at': timestamp(_get(row, 'next_run_at')),
        'skipped_count': _int(_get(row, 'skipped_count', 0)),
        'missed_count': _int(_get(row, 'missed_count', 0)),
    })


def policy_rpo(policy: Any, status: dict[str, Any]) -> dict[str, Any]:
    """A policy's RPO state as ``PolicyRpoPayload``.

    :param status: ``rpo_seconds`` (else the policy's ``options.rpo``),
        ``achieved_seconds`` (age of the newest available checkpoint, None
        without one), ``state`` (else the policy's ``rpo_state``) and
        ``newest_checkpoint_id``.
    """
    options = _get(policy, 'options', {}) or {}
    return versioned(PayloadName.POLICY_RPO, {
        'policy_id': _get(policy, 'id'),
        'name': _get(policy, 'name'),
        'project_id': _get(policy, 'project_id'),
        'rpo_seconds': _int(_get(status, 'rpo_seconds',
                                 options.get('rpo'))),
        'achieved_seconds': _float(_get(status, 'achieved_seconds')),
        'state': _get(status, 'state', _get(policy, 'rpo_state')),
        'newest_checkpoint_id': _get(status, 'newest_checkpoint_id'),
    })


def _count(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    return len(list(value))


def _deleted(items: Iterable[Any]) -> list[dict[str, Any]]:
    return [{'id': _get(item, 'id'), 'container': _get(item, 'container')}
            for item in items or ()]


def retention_prune(policy: Any, result: Any) -> dict[str, Any]:
    """One retention pass over a policy as ``RetentionPrunePayload``.

    :param result: ``deleted`` (checkpoints with ``id`` and
        ``container``), ``kept`` (a count or the kept checkpoints) and
        ``errors`` (one line each); attributes or keys.
    """
    return versioned(PayloadName.RETENTION_PRUNE, {
        'policy_id': _get(policy, 'id'),
        'name': _get(policy, 'name'),
        'project_id': _get(policy, 'project_id'),
        'deleted': _deleted(_get(result, 'deleted', [])),
        'kept_count': _count(_get(result, 'kept', 0)),
        'errors': [str(e) for e in _get(result, 'errors', []) or []],
    })
