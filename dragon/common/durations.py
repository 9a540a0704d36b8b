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

"""Durations as operators write them (``90``, ``15m``, ``1h``, ``30d``, ``2w``) in seconds."""

import re

from dragon import exception

UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
# What the API schemas accept: whole seconds, or a count and a unit.
PATTERN = r'^[0-9]{1,9}[smhdw]$'
_DURATION = re.compile(PATTERN)


def parse(value: int | str, what: str = 'duration') -> int:
    """Return ``value`` in seconds.

    :raises dragon.exception.Invalid: neither whole seconds nor
        ``<count><s|m|h|d|w>``.
    """
    if isinstance(value, bool):
        raise exception.Invalid(reason='%s must be seconds or like 1h' % what)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    if not _DURATION.match(text):
        raise exception.Invalid(
            reason='%s must be whole seconds or a count with one of the units '
                   's, m, h, d, w (e.g. 1h), not %r' % (what, text[:40]))
    return int(text[:-1]) * UNITS[text[-1]]


def describe(seconds: int | None) -> str:
    """``5400`` → ``1h30m``: the shortest exact way to say it."""
    if seconds is None:
        return ''
    if seconds == 0:
        return '0s'
    parts = []
    rest = seconds
    for unit, size in (('w', 604800), ('d', 86400), ('h', 3600),
                       ('m', 60), ('s', 1)):
        if rest >= size:
            parts.append('%d%s' % (rest // size, unit))
            rest %= size
    return ''.join(parts)
