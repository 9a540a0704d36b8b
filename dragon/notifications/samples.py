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

"""The sample of each notification kept in the tree, and a check against them.

``doc/notification_samples/<event_type>.json`` holds the message a
messagingv2 consumer sees: ``event_type``, ``priority``, ``publisher_id``
and ``payload``.  A notification matches its sample when it has exactly
the sample's keys with the sample's value types, recursively; a field of
the payload's data may be ``null``.  A ``null`` in a sample takes its type
from another sample of the same payload.  Used by the unit and functional
tests (the samples are read from a source tree, not from an installation).
"""

import json
import pathlib
from typing import Any

from dragon.notifications.payloads import EventType

SAMPLES_DIR = pathlib.Path(__file__).resolve().parents[2] / 'doc' / \
    'notification_samples'
ENVELOPE = ('event_type', 'priority', 'publisher_id', 'payload')
DATA = 'dragon_object.data'


class SampleMismatch(AssertionError):
    """A notification differs from its sample; the message lists how."""


def sample_path(event_type: EventType | str,
                samples_dir: pathlib.Path | None = None) -> pathlib.Path:
    return (samples_dir or SAMPLES_DIR) / ('%s.json' % event_type)


def load_sample(event_type: EventType | str,
                samples_dir: pathlib.Path | None = None) -> dict[str, Any]:
    """The sample message of ``event_type``."""
    with open(sample_path(event_type, samples_dir), encoding='utf-8') as f:
        return json.load(f)


def _siblings(sample: dict[str, Any],
              samples_dir: pathlib.Path | None) -> list[dict[str, Any]]:
    """Payloads of every sample of the same payload name, this one first."""
    name = sample['payload'].get('dragon_object.name')
    found = [sample['payload']]
    for event_type in EventType:
        try:
            other = load_sample(event_type, samples_dir)['payload']
        except (OSError, ValueError, KeyError):
            continue
        if other.get('dragon_object.name') == name and other != found[0]:
            found.append(other)
    return found


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, (int, float)):
        return 'number' if isinstance(value, float) else 'integer'
    return {str: 'string', list: 'array', dict: 'object'}.get(
        type(value), type(value).__name__)


def _compatible(expected: str, actual: str) -> bool:
    # JSON has one number type: a float field may carry a whole number.
    return expected == actual or (expected, actual) == ('number', 'integer')


def _compare(path: str, references: list[Any], actual: Any, nullable: bool,
             problems: list[str], inside_data: bool = False) -> None:
    """Append to ``problems`` how ``actual`` differs from ``references``.

    :param nullable: whether ``actual`` may be null.
    :param inside_data: whether ``actual`` is or is within the payload's
        data, whose fields may be null.
    """
    known = [r for r in references if r is not None]
    if actual is None:
        if not nullable and known:
            problems.append('%s: null, the sample has %s'
                            % (path, _kind(known[0])))
        return
    if not known:
        return          # no sample shows this field's type
    expected = known[0]
    if not _compatible(_kind(expected), _kind(actual)):
        problems.append('%s: %s, the sample has %s'
                        % (path, _kind(actual), _kind(expected)))
        return
    if isinstance(expected, dict):
        if set(actual) != set(expected):
            missing = sorted(set(expected) - set(actual))
            extra = sorted(set(actual) - set(expected))
            problems.append('%s: keys missing %s, not in the sample %s'
                            % (path, missing, extra))
        for key in sorted(set(actual) & set(expected)):
            _compare('%s.%s' % (path, key) if path else key,
                     [r.get(key) for r in known if isinstance(r, dict)],
                     actual[key], inside_data, problems,
                     inside_data or key == DATA)
    elif isinstance(expected, list):
        items = [i for r in known if isinstance(r, list) for i in r]
        for n, item in enumerate(actual):
            _compare('%s[%d]' % (path, n), items, item, False, problems,
                     inside_data)


def problems_against_sample(event_type: EventType | str,
                            payload: dict[str, Any],
                            priority: str | None = None,
                            publisher_id: str | None = None,
                            samples_dir: pathlib.Path | None = None
                            ) -> list[str]:
    """What differs between a notification and the sample of its type."""
    sample = load_sample(event_type, samples_dir)
    problems = []
    if sample.get('event_type') != str(event_type):
        problems.append('the sample is of %s' % sample.get('event_type'))
    if priority is not None and \
            priority.lower() != str(sample.get('priority')).lower():
        problems.append('priority %s, the sample has %s'
                        % (priority, sample.get('priority')))
    if publisher_id is not None and not isinstance(publisher_id, str):
        problems.append('publisher_id is not a string')
    for key in ('dragon_object.name', 'dragon_object.namespace',
                'dragon_object.version'):
        if isinstance(payload, dict) and \
                payload.get(key) != sample['payload'].get(key):
            problems.append('%s: %r, the sample has %r' % (
                key, payload.get(key), sample['payload'].get(key)))
    _compare('', _siblings(sample, samples_dir), payload, False, problems)
    return problems


def check_against_sample(event_type: EventType | str,
                         payload: dict[str, Any],
                         priority: str | None = None,
                         publisher_id: str | None = None,
                         samples_dir: pathlib.Path | None = None) -> None:
    """Raise ``SampleMismatch`` unless ``payload`` matches the sample.

    :param priority: when given, must be the sample's.
    :param publisher_id: when given, must be a string.
    """
    problems = problems_against_sample(event_type, payload, priority,
                                       publisher_id, samples_dir)
    if problems:
        raise SampleMismatch('%s differs from its sample: %s' % (
            event_type, '; '.join(problems)))
