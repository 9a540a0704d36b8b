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

"""Names of the Swift containers that hold checkpoints and chunks, and the
prefix of what a recovery restores.

A checkpoint container is ``dragon_<project>_<policy>_<YYYYmmddTHHMMSSZ>``:
the name alone tells the backup site whose checkpoint it is, of which policy
and when, and containers of one policy sort by time.  ``_`` separates the
fields, so it never appears inside one.  Chunks shared by a project's
checkpoints live in ``dragon_chunks_<project>``: it has no time field, so it
is never taken for a checkpoint.
"""

import dataclasses
import datetime
import re

PREFIX = 'dragon'
CHUNKS = 'chunks'
# Images and volumes a recovery restores: ``dragon-restore-<key>-<time>``
# (``dragon.recovery.restore``); protection knows them by it.
RESTORE_PREFIX = 'dragon-restore'
TIME_FORMAT = '%Y%m%dT%H%M%SZ'
# Swift's limit on container names, in bytes.
MAX_CONTAINER_BYTES = 256
# Letters (any script), digits, '.' and '-'; '_' separates the fields.
_UNSAFE = re.compile(r'(?:[^\w.-]|_)+')
_NAME = re.compile(r'^dragon_(?P<project>[^\W_][\w.-]*?)_(?P<policy>[^_]*)'
                   r'_(?P<time>\d{8}T\d{6}Z)$')


def sanitize(text: str) -> str:
    """Keep letters, digits, ``.`` and ``-``; anything else becomes ``-``."""
    return _UNSAFE.sub('-', text).strip('-')


def timestamp(when: datetime.datetime) -> str:
    """``when`` (aware, or naive meaning UTC) as the container's time field."""
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC)
    return when.strftime(TIME_FORMAT)


def project_prefix(project_id: str) -> str:
    """The prefix every checkpoint container of ``project_id`` starts with."""
    return '%s_%s_' % (PREFIX, sanitize(project_id))


def checkpoint_container(project_id: str, policy_name: str,
                         when: datetime.datetime) -> str:
    """The container of a checkpoint of ``policy_name`` taken at ``when``.

    The policy part is shortened (never the project or the time) so the
    name stays within Swift's limit.
    """
    head = project_prefix(project_id)
    tail = '_' + timestamp(when)
    room = MAX_CONTAINER_BYTES - len(head.encode()) - len(tail)
    policy = sanitize(policy_name).encode()[:max(room, 0)]
    # A cut inside a multi-byte letter drops that letter.
    return head + policy.decode(errors='ignore').rstrip('-') + tail


def chunk_container(project_id: str) -> str:
    """The per-project container of content-addressed chunks."""
    return '%s_%s_%s' % (PREFIX, CHUNKS, sanitize(project_id))


@dataclasses.dataclass(frozen=True)
class ContainerName:
    """The fields of a checkpoint container name."""

    project: str
    policy: str
    time: datetime.datetime


def parse(container: str) -> ContainerName | None:
    """The fields of ``container``; ``None`` if it is no checkpoint container."""
    match = _NAME.match(container)
    if not match or match.group('project') == CHUNKS:
        return None
    try:
        when = datetime.datetime.strptime(match.group('time'), TIME_FORMAT)
    except ValueError:
        return None
    return ContainerName(match.group('project'), match.group('policy'),
                         when.replace(tzinfo=datetime.UTC))
