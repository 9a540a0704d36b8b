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

"""JSON schema pieces shared by the request bodies (draft 7, no extra fields)."""

from dragon.common import progress as run_progress

# No C0/C1 control characters; a name must show something.
NAME = {
    'type': 'string', 'minLength': 1, 'maxLength': 255,
    'allOf': [{'pattern': '^[^\\x00-\\x1f\\x7f-\\x9f]*$'},
              {'pattern': '\\S'}],
}
# Descriptions may have line breaks and tabs, no other control characters.
DESCRIPTION = {
    'type': 'string', 'maxLength': 1024,
    'pattern': '^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$',
}
# Nova and Cinder ids: UUIDs, kept loose but never a path.
RESOURCE_ID = {'type': 'string', 'minLength': 1, 'maxLength': 255,
               'pattern': '^[A-Za-z0-9_.-]+$'}
UUID = {'type': 'string', 'format': 'uuid'}

# Response pieces shared by checkpoints and recoveries.
TIME = {'type': 'string', 'format': 'date-time'}
TIME_OR_NULL = {'type': ['string', 'null'], 'format': 'date-time'}
COUNT = {'type': 'integer', 'minimum': 0}
_COUNT_OR_NULL = {'type': ['integer', 'null'], 'minimum': 0}
PROGRESS = {
    'type': 'object',
    'required': ['bytes_done', 'bytes_total', 'percent', 'eta_seconds',
                 'resources_done', 'resources_total', 'phase', 'phase_done',
                 'phase_total', 'bytes_per_second'],
    'properties': {
        'bytes_done': COUNT, 'bytes_total': COUNT,
        'percent': {'type': 'number', 'minimum': 0, 'maximum': 100},
        'eta_seconds': {
            'type': ['number', 'null'], 'minimum': 0,
            'description': 'Seconds left, only while bytes move (phase '
                           'transferring or restoring) at a rate measured '
                           'over enough of them; null while the run '
                           'prepares, captures, waits for a snapshot or '
                           'launches, and once it ended.'},
        'resources_done': COUNT, 'resources_total': COUNT,
        'phase': {
            'type': ['string', 'null'],
            'enum': [*run_progress.PHASES, None],
            'description': 'What a running run does now. Protections: '
                           'preparing, capturing, transferring, finishing; '
                           'recoveries: preparing, restoring, launching and '
                           'for drills verifying, tearing_down. Null when '
                           'the run is not running (or was started by a '
                           'release without phases).'},
        'phase_done': {**_COUNT_OR_NULL,
                       'description': 'Items of the phase done (resources '
                                      'captured, transferred, restored); '
                                      'null when the phase counts none.'},
        'phase_total': {**_COUNT_OR_NULL,
                        'description': 'Items the phase counts.'},
        'bytes_per_second': {
            'type': ['number', 'null'], 'minimum': 0,
            'description': 'The transfer rate while bytes flowed (waits '
                           'left out), once enough were seen; null outside '
                           'transferring and restoring.'},
        'queue_position': {
            'type': 'integer', 'minimum': 1,
            'description': 'A queued checkpoint\'s place in the queue of '
                           'protections waiting for a free slot (1: next).'}}}
