"""What the ``openstack dr`` commands share: error handling, rows, formatters."""

import logging
from typing import Any

from cliff import columns
from keystoneauth1 import exceptions as ksa_exceptions
from osc_lib.cli import format_columns
from osc_lib import exceptions as osc_exceptions

from dragon.client import exceptions

LOG = logging.getLogger(__name__)


def error_line(err: Exception) -> str:
    """One line for the terminal; the API's message comes first."""
    if isinstance(err, exceptions.ClientError):
        text = err.message
        if err.request_id:
            text += ' (HTTP %s, request %s)' % (err.status, err.request_id)
    else:
        text = str(err)
    return 'Error: ' + ' '.join(text.split())


class DragonCommand:
    """Mixin that turns a failed API call into OSC's one-line CommandError."""

    def run(self, parsed_args: Any) -> int:
        try:
            return super().run(parsed_args)
        except (exceptions.ClientError,
                # No 'dr' endpoint in the catalog, or nothing listening.
                ksa_exceptions.EndpointNotFound,
                ksa_exceptions.ConnectionError) as err:
            raise osc_exceptions.CommandError(error_line(err)) from None


def headings(column_spec: tuple) -> tuple:
    return tuple(heading for heading, _key in column_spec)


def row(item: dict, column_spec: tuple, formatters: dict | None = None) -> tuple:
    """The values of ``item`` for the columns, wrapped in their formatters."""
    formatters = formatters or {}
    values = []
    for _heading, key in column_spec:
        value = item.get(key)
        if key in formatters:
            value = formatters[key](value)
        values.append(value)
    return tuple(values)


class ScheduleColumn(columns.FormattableColumn):
    """``0 2 * * * (UTC)``; machine formats get the API's object."""

    def human_readable(self) -> str:
        schedule = self._value
        if not schedule:
            return ''
        text = '%s (%s)' % (schedule.get('cron'),
                            schedule.get('timezone') or 'UTC')
        if schedule.get('enabled') is False:
            text += ', disabled'
        return text


class RetentionColumn(columns.FormattableColumn):
    """``10 checkpoints, 30 days``; machine formats get the API's object."""

    def human_readable(self) -> str:
        retention = self._value
        if not retention:
            return ''
        parts = []
        if retention.get('max_checkpoints') is not None:
            parts.append('%s checkpoints' % retention['max_checkpoints'])
        if retention.get('max_age_days') is not None:
            parts.append('%s days' % retention['max_age_days'])
        return ', '.join(parts)


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


POLICY_FORMATTERS = {
    'schedule': ScheduleColumn,
    'retention': RetentionColumn,
    'members': MembersColumn,
    'last_drill': format_columns.DictColumn,
}

MEMBER_FORMATTERS = {'options': format_columns.DictColumn}


def flatten_policy(policy: dict) -> dict:
    """The policy with its options lifted to the top for display."""
    options = policy.get('options') or {}
    flat = dict(policy)
    flat['consistent'] = options.get('consistent')
    flat['schedule'] = options.get('schedule')
    flat['retention'] = options.get('retention')
    flat['member_count'] = len(policy.get('members') or ())
    if not isinstance(flat.get('last_drill'), (dict, type(None))):
        # Shown as it came when the API sends a plain value.
        flat['last_drill'] = {'value': flat['last_drill']}
    return flat


def _coerce(value: str, schema: dict) -> Any:
    kind = schema.get('type')
    kinds = kind if isinstance(kind, list) else [kind]
    if 'boolean' in kinds and value.lower() in ('true', 'false', 'yes', 'no',
                                                '1', '0', 'on', 'off'):
        return value.lower() in ('true', 'yes', '1', 'on')
    if 'integer' in kinds:
        try:
            return int(value)
        except ValueError:
            pass
    if 'number' in kinds:
        try:
            return float(value)
        except ValueError:
            pass
    return value


def member_options(client: Any, resource_type: str, action: str | None,
                   properties: dict[str, str]) -> dict:
    """``--property k=v`` values typed by the action's options schema.

    The command line only has strings; the API validates options against
    the schema each resource type publishes, so integers and booleans are
    converted where that schema says so.  Anything the schema does not
    describe is sent as typed, for the API to accept or refuse.
    """
    if not properties:
        return {}
    try:
        types = client.resource_types.list()
    except exceptions.ClientError as err:
        LOG.debug('No resource types to type --property values: %s', err)
        return dict(properties)
    actions = next((t.get('actions') or [] for t in types
                    if t.get('name') == resource_type), [])
    chosen = next((a for a in actions if a.get('name') == action), None)
    if chosen is None:
        chosen = next((a for a in actions if a.get('default')), {})
    props = (chosen.get('options_schema') or {}).get('properties') or {}
    return {key: _coerce(value, props.get(key) or {})
            for key, value in properties.items()}
