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

"""A command's output: API objects to the rows of a column spec."""

from typing import Any

from dragon.osc.v1 import constants
from dragon.osc.v1 import progress


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


def events_table(events: list[dict]) -> tuple:
    """Headings and rows of a run's step log (checkpoint or recovery)."""
    spec = constants.EVENT_COLUMNS
    return headings(spec), [row(event, spec) for event in events]


def progress_rows(items: list[dict], column_spec: tuple,
                  formatters: Any) -> list[tuple]:
    """Rows of runs (checkpoints, recoveries) with a ``percent`` column.

    :param formatters: called with each item, returns its formatters.
    """
    rows = []
    for found in items:
        item = dict(found)
        item['percent'] = (progress.percent(item['progress'])
                           if item.get('progress') else None)
        rows.append(row(item, column_spec, formatters(item)))
    return rows


def flatten_policy(policy: dict) -> dict:
    """The policy with its options lifted to the top for display."""
    options = policy.get('options') or {}
    flat = dict(policy)
    flat['consistent'] = options.get('consistent')
    flat['retention'] = options.get('retention')
    flat['last_drill_rto'] = (policy.get('last_drill') or {}).get(
        'rto_seconds')
    flat['member_count'] = len(policy.get('members') or ())
    return flat
