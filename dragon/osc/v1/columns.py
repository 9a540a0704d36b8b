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

"""How values are shown: cliff columns, text for tables, the API's for json.

One ``<Thing>Column`` per kind of value and the formatters of each
resource's columns (``POLICY_FORMATTERS``, ``checkpoint_formatters``, ...).
"""

from typing import Any

from cliff import columns
from osc_lib.cli import format_columns

from dragon.osc.v1 import progress
from dragon.retention import rules as retention_rules


class SchedulesColumn(columns.FormattableColumn):
    """One line per schedule: ``0 2 * * * (UTC), next 2026-..., last started``."""

    def human_readable(self) -> str:
        lines = []
        for schedule in self._value or ():
            text = '%s (%s)' % (schedule.get('cron'),
                                schedule.get('timezone') or 'UTC')
            if schedule.get('enabled') is False:
                text += ', disabled'
            if schedule.get('status') not in (None, 'active'):
                text += ', %s' % schedule['status']
                if schedule.get('error'):
                    text += ': %s' % schedule['error']
            if schedule.get('next_run_at'):
                text += ', next %s' % schedule['next_run_at']
            if schedule.get('last_result'):
                text += ', last %s' % schedule['last_result']
            counts = ['%s %s' % (schedule[k], word) for k, word in (
                ('skipped_count', 'skipped'), ('missed_count', 'missed'))
                if schedule.get(k)]
            if counts:
                text += ' (%s)' % ', '.join(counts)
            lines.append(text)
        return '\n'.join(lines)


class RpoColumn(columns.FormattableColumn):
    """``ok: 12m of 1h``; machine formats get the API's object."""

    def human_readable(self) -> str:
        rpo = self._value
        if not rpo:
            return ''
        target = progress.human_duration(rpo.get('target_seconds') or 0)
        if rpo.get('achieved_seconds') is None:
            return '%s: no checkpoint yet (target %s)' % (rpo.get('state'),
                                                          target)
        return '%s: %s of %s' % (
            rpo.get('state'), progress.human_duration(
                rpo['achieved_seconds']), target)


class RetentionColumn(columns.FormattableColumn):
    """``last 7, max age 30d, 7 daily, 4 weekly (Europe/Berlin)``.

    Machine formats get the API's object.
    """

    def human_readable(self) -> str:
        retention = self._value
        if not retention:
            return ''
        parts = []
        if retention.get('keep_last'):
            parts.append('last %s' % retention['keep_last'])
        max_age = retention.get('max_age')
        if max_age:
            parts.append('max age %s' % (
                retention_rules.describe_age(max_age)
                if isinstance(max_age, int) else max_age))
        for tier in ('hourly', 'daily', 'weekly', 'monthly', 'yearly'):
            if retention.get(tier):
                parts.append('%s %s' % (retention[tier], tier))
        text = ', '.join(parts)
        if retention.get('timezone'):
            text += ' (%s)' % retention['timezone']
        return text


class ReasonsColumn(columns.FormattableColumn):
    """``newest available, keep_last 3`` in the API's order (not sorted)."""

    def human_readable(self) -> str:
        return ', '.join(str(reason) for reason in self._value or ())

    def machine_readable(self) -> list:
        return list(self._value or ())


class MembersColumn(columns.FormattableColumn):
    """One ``type id (name) action`` line per member."""

    def human_readable(self) -> str:
        lines = []
        for member in self._value or ():
            line = '%s %s' % (member.get('resource_type'),
                              member.get('resource_id'))
            if member.get('resource_name'):
                line += ' (%s)' % member['resource_name']
            if member.get('action'):
                line += ' ' + member['action']
            lines.append(line)
        return '\n'.join(lines)


class LastDrillColumn(columns.FormattableColumn):
    """``succeeded, RTO 1m 05s, at 2026-11-23T10:00:00 (recovery <id>)``."""

    def human_readable(self) -> str:
        drill = self._value
        if not drill:
            return ''
        if not isinstance(drill, dict):
            return str(drill)
        parts = [str(drill.get('status') or 'unknown')]
        if drill.get('rto_seconds') is not None:
            parts.append('RTO %s' % progress.human_duration(
                drill['rto_seconds']))
        if drill.get('at'):
            parts.append('at %s' % drill['at'])
        text = ', '.join(parts)
        if drill.get('recovery_id'):
            text += ' (recovery %s)' % drill['recovery_id']
        return text


MEMBER_FORMATTERS = {'options': format_columns.DictColumn}


class BytesColumn(columns.FormattableColumn):
    """``1.5 GiB``; machine formats get the number of bytes."""

    def human_readable(self) -> str:
        return '' if self._value is None else progress.human_bytes(self._value)


class DurationColumn(columns.FormattableColumn):
    """``2m 05s``; machine formats get the seconds."""

    def human_readable(self) -> str:
        return ('' if self._value is None
                else progress.human_duration(self._value))


class EncryptionColumn(columns.FormattableColumn):
    """``key <ref>; RegionTwo: <ref>; data key of the project``.

    Machine formats get the object.
    """

    def human_readable(self) -> str:
        if not self._value:
            return 'none'
        parts = ['key %s' % self._value['key_ref']]
        parts += ['%s: %s' % item for item in sorted(
            (self._value.get('recovery_key_refs') or {}).items())]
        parts.append('data key of the %s' % (
            self._value.get('data_key_scope') or 'project'))
        if self._value.get('data_key_not_before'):
            parts.append('data key rotated at %s' % (
                self._value['data_key_not_before']))
        return '; '.join(parts)


class ReadinessColumn(columns.FormattableColumn):
    """One line per region: ``RegionTwo (recovery): readable, unwraps``."""

    def human_readable(self) -> str:
        if not self._value:
            return ''
        return '\n'.join(
            '%s (%s): %s' % (region, state['role'], readiness_text(state))
            for region, state in sorted(self._value.items()))


def readiness_text(state: dict) -> str:
    """One region's readiness: ``readable, unwraps the newest checkpoint``."""
    if not state['readable']:
        return 'NOT readable: %s' % state['reason']
    unwraps = state.get('unwraps')
    if unwraps is False:
        return 'readable, does NOT unwrap: %s' % state['reason']
    return 'readable, unwraps the newest checkpoint' if unwraps else \
        'readable (no encrypted checkpoint to unwrap yet)'


class ReplicationTargetColumn(columns.FormattableColumn):
    """``to RegionTwo``, or ``none``; machine formats get the object."""

    def human_readable(self) -> str:
        if not self._value:
            return 'none'
        return 'to %s' % self._value['target_region']


class ReplicationColumn(columns.FormattableColumn):
    """``replicated to RegionTwo (1.0 GiB)``, ``replicating to RegionTwo:
    45% (...)`` or ``failed to RegionTwo: <why>``; machine formats get the
    object.
    """

    def human_readable(self) -> str:
        state = self._value
        if not state:
            return ''
        line = '%s to %s' % (state.get('status'), state.get('target_region'))
        done = progress.human_bytes(state.get('bytes') or 0)
        total = progress.human_bytes(state.get('bytes_total') or 0)
        if state.get('status') == 'replicating':
            line += ': %s%% (%s of %s)' % (state.get('percent') or 0, done,
                                           total)
        elif state.get('status') == 'replicated':
            line += ' (%s)' % total
        if state.get('error'):
            line += ': %s' % state['error']
        return line


POLICY_FORMATTERS = {
    'replication': ReplicationTargetColumn,
    'encryption': EncryptionColumn,
    'encryption_readiness': ReadinessColumn,
    'schedules': SchedulesColumn,
    'rpo': RpoColumn,
    'last_drill_rto': DurationColumn,
    'retention': RetentionColumn,
    'members': MembersColumn,
    'last_drill': LastDrillColumn,
}


class PercentColumn(columns.FormattableColumn):
    """``37%``; machine formats get the number."""

    def human_readable(self) -> str:
        return '' if self._value is None else '%d%%' % self._value


class ProgressColumn(columns.FormattableColumn):
    """``37% (1.5 GiB of 4.0 GiB), 2 of 5 resources done, ETA 3m 20s``."""

    def __init__(self, value: Any, status: str | None = None) -> None:
        super().__init__(value)
        self._status = status

    def human_readable(self) -> str:
        return progress.progress_text(self._value, self._status)


class ResourcesColumn(columns.FormattableColumn):
    """One ``status key bytes (type name, action): reason`` line per resource."""

    def human_readable(self) -> str:
        return '\n'.join(progress.resource_line(r) for r in self._value or ())


class StatsColumn(columns.FormattableColumn):
    """``uploaded 1.2 GiB, stored 1.5 GiB, 3 chunks reused, 10 zero chunks,
    API calls: compute=3 network=8``.
    """

    def human_readable(self) -> str:
        stats = self._value
        if not stats:
            return ''
        parts = []
        for key, label in (('uploaded_bytes', 'uploaded'),
                           ('stored_bytes', 'stored')):
            if stats.get(key) is not None:
                parts.append('%s %s' % (label,
                                        progress.human_bytes(stats[key])))
        for key, label in (('reused_chunks', 'chunks reused'),
                           ('zero_chunks', 'zero chunks')):
            if stats.get(key) is not None:
                parts.append('%s %s' % (stats[key], label))
        if stats.get('reused_records'):
            parts.append('%d records of the previous checkpoint reused'
                         % stats['reused_records'])
        calls = stats.get('api_calls') or {}
        if calls:
            parts.append('API calls: %s' % ' '.join(
                '%s=%d' % kv for kv in sorted(calls.items())))
        return ', '.join(parts)


class StatusColumn(columns.FormattableColumn):
    """``available (2 warnings)``; machine formats get the plain status."""

    def __init__(self, value: Any, warnings: int = 0) -> None:
        super().__init__(value)
        self._warnings = warnings

    def human_readable(self) -> str:
        if not self._warnings:
            return '' if self._value is None else str(self._value)
        return '%s (%d warning%s)' % (self._value, self._warnings,
                                      '' if self._warnings == 1 else 's')

    def machine_readable(self) -> Any:
        return self._value


class WarningsColumn(columns.FormattableColumn):
    """One ``resource: message (code)`` line per warning; machine formats
    get the API's list.
    """

    def human_readable(self) -> str:
        return '\n'.join(
            '%s%s (%s)' % ('%s: ' % w['resource'] if w.get('resource')
                           else '', w.get('message'), w.get('what'))
            for w in self._value or ())

    def machine_readable(self) -> list:
        return list(self._value or ())


def checkpoint_formatters(checkpoint: dict) -> dict:
    """Formatters of a checkpoint's columns; ETA shows only while it runs.

    The status names the number of warnings (human formats only).
    """
    status = checkpoint.get('status')
    warnings = len(checkpoint.get('warnings') or ())
    return {
        'status': lambda value: StatusColumn(value, warnings),
        'warnings': WarningsColumn,
        'progress': lambda value: ProgressColumn(value, status),
        'resources': ResourcesColumn,
        'stats': StatsColumn,
        'duration': DurationColumn,
        'percent': PercentColumn,
        'verification': VerificationColumn,
        'replication': ReplicationColumn,
    }


def problem_line(problem: dict) -> str:
    """One readable line of a verification problem."""
    where = ', '.join(problem.get('resources') or ()) or '-'
    chunk = problem.get('chunk')
    return '%s%s: %s' % ('chunk %s of ' % chunk if chunk else '', where,
                         problem.get('problem'))


class VerificationColumn(columns.FormattableColumn):
    """``ok (listing) at <time>: 256 chunks, 0 problems`` and the first few."""

    SHOWN = 5

    def human_readable(self) -> str:
        value = self._value
        if not value:
            return 'never verified'
        depth = 'read' if value.get('read_data') else 'listing'
        when = value.get('finished_at') or value.get('started_at') or '?'
        if value.get('status') == 'error':
            return 'error (%s) at %s: %s' % (depth, when, value.get('error'))
        if value.get('status') == 'running':
            return 'running (%s) since %s' % (depth, value.get('started_at'))
        lines = ['%s (%s) at %s: %d chunks, %d problems' % (
            value.get('status'), depth, when,
            value.get('chunks_checked') or 0,
            value.get('problem_count') or 0)]
        problems = value.get('problems') or []
        lines += [problem_line(p) for p in problems[:self.SHOWN]]
        if (value.get('problem_count') or 0) > self.SHOWN:
            lines.append('... (openstack dr checkpoint verify shows them '
                         'all, -f json)')
        return '\n'.join(lines)


class ProblemsColumn(columns.FormattableColumn):
    """One line per problem."""

    def human_readable(self) -> str:
        return '\n'.join(problem_line(p) for p in self._value or ())


VERIFICATION_FORMATTERS = {'problems': ProblemsColumn,
                           'bytes_checked': BytesColumn}


class NestedDictColumn(columns.FormattableColumn):
    """One ``key: k=v, k=v`` (or ``key: value``) line per top-level key."""

    def human_readable(self) -> str:
        lines = []
        for key, value in sorted((self._value or {}).items()):
            if isinstance(value, dict):
                value = ', '.join('%s=%s' % item
                                  for item in sorted(value.items()))
            elif isinstance(value, list):
                value = ', '.join(str(v) for v in value)
            lines.append('%s: %s' % (key, value))
        return '\n'.join(lines)


class PlanColumn(columns.FormattableColumn):
    """One ``action type name (id): detail[; change]`` line per member."""

    def human_readable(self) -> str:
        lines = []
        for entry in self._value or ():
            what = entry.get('type', '').rsplit('::', 1)[-1].lower()
            line = '%s %s %s (%s): %s' % (
                entry.get('action'), what, entry.get('name') or '-',
                entry.get('id'), entry.get('detail'))
            lines.append('; '.join([line, *(entry.get('changes') or ())]))
        return '\n'.join(lines)


class ReplacedColumn(columns.FormattableColumn):
    """One ``state: old -> new on server at device`` line per volume or server."""

    def human_readable(self) -> str:
        lines = []
        for entry in self._value or ():
            if entry.get('kind') == 'server':
                lines.append('%s: server %s rebuilt from image %s (its disk '
                             'before: image %s)' % (
                                 entry.get('state'), entry.get('server_id'),
                                 entry.get('restored_image_id') or '-',
                                 entry.get('saved_image_id') or '-'))
                continue
            if entry.get('kind') == 'boot_volume':
                lines.append('%s: boot volume %s of server %s at %s '
                             're-imaged in place (its data before: volume '
                             '%s)' % (entry.get('state'),
                                      entry.get('volume_id'),
                                      entry.get('server_id'),
                                      entry.get('device'),
                                      entry.get('saved_volume_id') or '-'))
                continue
            where = ('on server %s at %s' % (entry.get('server_id'),
                                             entry.get('device'))
                     if entry.get('server_id') else 'unattached')
            lines.append('%s: volume %s -> %s %s' % (
                entry.get('state'), entry.get('old_volume_id'),
                entry.get('new_volume_id') or '-', where))
        return '\n'.join(lines)


def recovery_formatters(recovery: dict) -> dict:
    """Formatters of a recovery's columns; ETA shows only while it runs.

    A recovery's ``resources`` are the selected IDs; its per-resource
    progress is ``resource_status``.
    """
    formatters = checkpoint_formatters(recovery)
    formatters.update({
        'resources': format_columns.ListColumn,
        'resource_status': ResourcesColumn,
        'restored': NestedDictColumn,
        'plan': PlanColumn,
        'replaced': ReplacedColumn,
        'mappings': NestedDictColumn,
        'rto_seconds': DurationColumn,
        'timeout': DurationColumn,
    })
    return formatters


RECOVERY_POINT_FORMATTERS = {'size': BytesColumn}
