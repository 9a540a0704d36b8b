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

"""What restoring one data record may use, and how it names what it makes."""

import dataclasses
import datetime
from typing import Any, Callable

from oslo_config import cfg

from dragon.checkpoint import naming

# Name prefix and image property of everything a recovery restores, so an
# operator (or ``DELETE /v1/recoveries/{id}``) finds it by recovery id.
RESTORE_PREFIX = naming.RESTORE_PREFIX
RESTORE_PROPERTY = 'dragon_restore'
RESTORE_KEY_PROPERTY = 'dragon_restore_key'


def _ignore(*_args: Any) -> None:
    """Default progress/event sink: a context used outside a workflow."""


def _conf() -> cfg.ConfigOpts:
    from dragon import conf as dragon_conf
    return dragon_conf.CONF


@dataclasses.dataclass
class RestoreContext:
    """The target region's side of a recovery, for one resource's data.

    :param clients: ``dragon.cloud.clients.ServiceClients`` of the
        **target** region, scoped to the checkpoint's project.
    :param chunks: the project's ``dragon.checkpoint.chunks.ChunkStore``
        (``None`` is enough for ``cleanup``).
    :param progress: called with a number of bytes each time that many more
        bytes of this resource are restored.
    :param event: ``event(level, message)`` adds a line to the recovery's
        events (``level``: ``info``, ``warning``, ``error``).
    :param conf: the configuration; the waits use ``[recovery]``
        ``poll_interval``, ``image_active_timeout``, ``backup_timeout`` and
        ``delete_timeout`` (still read from ``[protection]`` when only set
        there), read at call time.
    :param recovery_id: stored on every restored image (``dragon_restore``).
    :param checkpoint_time: the checkpoint's ``started_at``; part of the
        restored objects' names.
    :param checkpoint: the checkpoint's container, named in errors (the
        time is named when it is empty).
    :param name_prefix: the recovery's ``name_prefix`` mapping: the
        prefix the rewrite gives every ``name`` in the template, for
        restores that create objects the template names (containers).
    """

    clients: Any
    chunks: Any
    progress: Callable[[int], None] = _ignore
    event: Callable[[str, str], None] = _ignore
    conf: cfg.ConfigOpts = dataclasses.field(default_factory=_conf)
    recovery_id: str = ''
    checkpoint_time: str = ''
    checkpoint: str = ''
    name_prefix: str = ''

    @property
    def waits(self) -> Any:
        """The option group of the status waits (``[recovery]``)."""
        return self.conf.recovery

    def checkpoint_label(self) -> str:
        """How errors name the checkpoint: its container, else its time."""
        return self.checkpoint or self.checkpoint_time or '(unnamed)'

    def name(self, key: str) -> str:
        """``dragon-restore-<key>-<checkpoint time>`` of a restored object."""
        stamp = _stamp(self.checkpoint_time)
        return '-'.join(p for p in (RESTORE_PREFIX, key, stamp) if p)


def _stamp(when: str) -> str:
    """``YYYYmmddTHHMMSSZ`` of an ISO time; the text sanitized otherwise."""
    if not when:
        return ''
    try:
        parsed = datetime.datetime.fromisoformat(when)
    except ValueError:
        return naming.sanitize(when)
    return naming.timestamp(parsed)
