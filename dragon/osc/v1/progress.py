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

"""Progress of long server-side work (protection, recovery) for the terminal.

The formatting functions are pure so they can be tested without a terminal
or a clock; ``Follower`` polls the object and draws them: one redrawn line
when stderr is a terminal, a plain line now and then when it is a log.
"""

import collections
import dataclasses
import math
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

_UNITS = ('B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB')

# Bounds of the bar in a live line; below the minimum the bar is left out.
MIN_BAR = 10
MAX_BAR = 30

# The rate is the average over the last RATE_WINDOW seconds of samples, so it
# follows speed changes without jumping with every poll.
RATE_WINDOW = 30.0

ACTIVE_RESOURCE_STATES = ('capturing', 'transferring')

# Statuses of a checkpoint or a recovery whose work is still under way.
RUNNING_STATES = ('queued', 'protecting', 'recovering')

# The API's phases (dragon.common.progress) as the terminal says them; a
# counted phase reads "capturing 2/3 resources".
PHASE_WORDS = {
    'preparing': 'preparing',
    'capturing': 'capturing',
    'transferring': 'transferring',
    'finishing': 'finishing',
    'restoring': 'restoring',
    'launching': 'launching stack',
    'verifying': 'verifying restored data',
    'tearing_down': 'tearing down',
}
# The phases in which bytes move: the only ones with a rate and an ETA.
MOVING_PHASES = ('transferring', 'restoring')


def human_bytes(count: int | float | None) -> str:
    """``0 B``, ``512 B``, ``1.5 KiB``, ``4.0 GiB`` (powers of 1024)."""
    if count is None:
        return '?'
    count = max(0, count)
    unit = 0
    while count >= 1024 and unit < len(_UNITS) - 1:
        count /= 1024
        unit += 1
    if unit == 0:
        return '%d B' % count
    # 1023.96 KiB would print as "1024.0 KiB"; say "1.0 MiB" instead.
    if round(count, 1) >= 1024 and unit < len(_UNITS) - 1:
        count /= 1024
        unit += 1
    return '%.1f %s' % (count, _UNITS[unit])


def human_duration(seconds: int | float | None) -> str:
    """``0s``, ``45s``, ``2m 05s``, ``1h 02m``, ``3d 04h``; ``?`` when unknown."""
    if seconds is None or (isinstance(seconds, float) and
                           not math.isfinite(seconds)):
        return '?'
    seconds = max(0, int(math.ceil(seconds)))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return '%dd %02dh' % (days, hours)
    if hours:
        return '%dh %02dm' % (hours, minutes)
    if minutes:
        return '%dm %02ds' % (minutes, secs)
    return '%ds' % secs


def bar(fraction: float | None, width: int) -> str:
    """``[#####-----]`` with ``width`` cells inside the brackets."""
    if width <= 0:
        return ''
    fraction = min(1.0, max(0.0, fraction or 0.0))
    filled = int(fraction * width)
    return '[' + '#' * filled + '-' * (width - filled) + ']'


def bar_width(columns: int, text_length: int) -> int:
    """Cells of the bar that fit beside ``text_length`` characters of text.

    0 means no bar: the terminal is too narrow for a useful one.
    """
    # Two brackets, a space after the bar, and the last column left empty
    # so the terminal does not wrap.
    room = columns - text_length - 4
    if room < MIN_BAR:
        return 0
    return min(MAX_BAR, room)


def rate(samples: Sequence[tuple[float, int]]) -> float | None:
    """Bytes per second between the oldest and newest ``(time, bytes)`` sample."""
    if len(samples) < 2:
        return None
    (t0, b0), (t1, b1) = samples[0], samples[-1]
    if t1 <= t0:
        return None
    return max(0.0, (b1 - b0) / (t1 - t0))


def phase_text(progress: dict | None) -> str:
    """``capturing 2/3 resources``, ``launching stack``; '' without a phase."""
    name = (progress or {}).get('phase')
    if not name:
        return ''
    text = PHASE_WORDS.get(name, str(name).replace('_', ' '))
    if progress.get('phase_total') is not None:
        text += ' %s/%s resources' % (progress.get('phase_done') or 0,
                                      progress['phase_total'])
    return text


def _has_phases(progress: dict) -> bool:
    """Whether the API states phases (it then judges the ETA itself)."""
    return 'phase' in progress


def moving(progress: dict) -> bool:
    """Whether bytes may move: a transfer phase, or an API without phases."""
    return not _has_phases(progress) or \
        progress.get('phase') in MOVING_PHASES


def eta(progress: dict, bytes_per_second: float | None) -> float | None:
    """Seconds left: the server's estimate, else what the rate implies.

    An API that states phases gives an ETA only while bytes move at a
    measured rate; its silence is not second-guessed with the local rate,
    which a wait for a snapshot makes meaningless.
    """
    if progress.get('eta_seconds') is not None:
        return progress['eta_seconds']
    if _has_phases(progress):
        return None
    done, total = progress.get('bytes_done'), progress.get('bytes_total')
    if not bytes_per_second or done is None or not total:
        return None
    return max(0, total - done) / bytes_per_second


def percent(progress: dict) -> int:
    """The server's percent, else bytes done of total, else resources done."""
    if progress.get('percent') is not None:
        return int(progress['percent'])
    for done_key, total_key in (('bytes_done', 'bytes_total'),
                                ('resources_done', 'resources_total')):
        total = progress.get(total_key)
        if total:
            return int(100 * (progress.get(done_key) or 0) / total)
    return 0


def resource_rows(item: dict) -> list[dict]:
    """Per-resource progress: a checkpoint's ``resources``, a recovery's ``resource_status``.

    A recovery's ``resources`` is the list of selected IDs, not progress.
    """
    rows = item.get('resource_status')
    if rows is None:
        rows = item.get('resources')
    return [r for r in rows or () if isinstance(r, dict)]


def current_resource(item: dict) -> dict | None:
    """The first resource being captured or transferred, if any."""
    return next((r for r in resource_rows(item)
                 if r.get('status') in ACTIVE_RESOURCE_STATES), None)


def _amount(progress: dict, sep: str) -> str:
    if progress.get('bytes_total'):
        return '%s%s%s' % (human_bytes(progress.get('bytes_done') or 0), sep,
                           human_bytes(progress['bytes_total']))
    return '%s%s%s resources' % (progress.get('resources_done') or 0, sep,
                                 progress.get('resources_total') or 0)


def live_line(item: dict, bytes_per_second: float | None, columns: int,
              running: bool = True) -> str:
    """One terminal line: bar, percent, bytes, rate, ETA, current resource.

    Never longer than ``columns - 1``, so redrawing it with a carriage
    return never wraps.  ``running=False`` (the last line) leaves out the
    ETA and the current resource.
    """
    progress = item.get('progress') or {}
    pieces = ['%3d%%' % percent(progress), _amount(progress, '/')]
    if running and phase_text(progress):
        pieces.append(phase_text(progress))
    if bytes_per_second is not None and moving(progress):
        pieces.append(human_bytes(bytes_per_second) + '/s')
    left = eta(progress, bytes_per_second) if running else None
    if left is not None:
        pieces.append('ETA ' + human_duration(left))
    resource = current_resource(item) if running else None
    if resource:
        pieces.append('%s (%s)' % (resource.get('key'), resource.get('status')))
    text = '  '.join(pieces)
    width = bar_width(columns, len(text))
    if width:
        text = bar(percent(progress) / 100, width) + ' ' + text
    limit = max(1, columns - 1)
    if len(text) > limit:
        text = text[:limit - 3] + '...' if limit > 3 else text[:limit]
    return text


def plain_line(item: dict, bytes_per_second: float | None, elapsed: float,
               running: bool = True) -> str:
    """A log line: elapsed time, status, percent, bytes, rate, ETA, resources."""
    progress = item.get('progress') or {}
    parts = []
    if running and phase_text(progress):
        parts.append(phase_text(progress))
    if progress.get('bytes_total'):
        parts.append(_amount(progress, ' of '))
    if bytes_per_second is not None and moving(progress):
        parts.append('%s/s' % human_bytes(bytes_per_second))
    left = eta(progress, bytes_per_second) if running else None
    if left is not None:
        parts.append('ETA ' + human_duration(left))
    if progress.get('resources_total') is not None:
        parts.append('%s of %s resources done' % (
            progress.get('resources_done') or 0, progress['resources_total']))
    text = '[%s] %s %d%%' % (human_duration(elapsed), item.get('status'),
                             percent(progress))
    if parts:
        text += ': ' + ', '.join(parts)
    resource = current_resource(item) if running else None
    if resource:
        text += '; %s %s' % (resource.get('status'), resource.get('key'))
    return text


def _ordinal(n: int) -> str:
    suffix = 'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd',
                                                 3: 'rd'}.get(n % 10, 'th')
    return '%d%s' % (n, suffix)


def progress_text(progress: dict | None, status: str | None = None) -> str:
    """``37% (1.5 GiB of 4.0 GiB), 2 of 5 resources done, ETA 3m 20s``."""
    if not progress:
        return ''
    if progress.get('queue_position'):
        return 'queued, %s in line for a free engine slot' % _ordinal(
            progress['queue_position'])
    text = '%d%%' % percent(progress)
    running = status in (None, *RUNNING_STATES)
    if running and phase_text(progress):
        text += ' %s' % phase_text(progress)
    if progress.get('bytes_total'):
        text += ' (%s)' % _amount(progress, ' of ')
    if progress.get('resources_total') is not None:
        text += ', %s of %s resources done' % (
            progress.get('resources_done') or 0, progress['resources_total'])
    if running and progress.get('eta_seconds') is not None:
        text += ', ETA ' + human_duration(progress['eta_seconds'])
    return text


def resource_line(resource: dict) -> str:
    """One line per resource, e.g.

    ``transferring server_web_1a2b 1.0 GiB of 2.0 GiB (OS::Nova::Server web, image_snapshot)``
    """
    text = '%s %s' % (resource.get('status'), resource.get('key'))
    if resource.get('bytes_total'):
        text += ' %s of %s' % (human_bytes(resource.get('bytes_done') or 0),
                               human_bytes(resource['bytes_total']))
    about = ' '.join(str(part) for part in (resource.get('type'),
                                            resource.get('name')) if part)
    if resource.get('action'):
        about = '%s, %s' % (about, resource['action']) if about \
            else resource['action']
    if about:
        text += ' (%s)' % about
    if resource.get('target_id'):
        # Recoveries: what the resource became in the target region.
        text += ' -> %s' % resource['target_id']
    if resource.get('reason'):
        text += ': ' + ' '.join(str(resource['reason']).split())
    return text


def failure_reasons(item: dict) -> str:
    """``key (name): reason; ...`` of the failed resources, else the error."""
    failed = []
    for resource in resource_rows(item):
        if resource.get('status') != 'error':
            continue
        who = resource.get('key') or resource.get('id')
        if resource.get('name'):
            who += ' (%s)' % resource['name']
        reason = ' '.join(str(resource.get('reason') or
                              'no reason given').split())
        failed.append('%s: %s' % (who, reason))
    if failed:
        return '; '.join(failed)
    return ' '.join(str(item.get('error') or 'no reason given').split())


@dataclasses.dataclass
class Clock:
    """Time source of the wait loop; tests pass one that never sleeps."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class Follower:
    """Polls an object until it leaves its busy states, drawing progress.

    :param get: returns the object's current state (a dict with ``status``,
        ``progress`` and ``resources``).
    :param stream: where progress goes (stderr); a terminal gets one live
        line, anything else a plain line every ``log_interval`` seconds and
        whenever another resource is done or the phase moves on.
    :param transient: tells which errors of ``get`` are worth another try
        (an API restarting under a long wait); up to ``max_failures`` in a
        row are retried, the next one propagates.
    """

    def __init__(self, get: Callable[[], dict], stream: TextIO,
                 busy: Iterable[str] = ('protecting',),
                 clock: Clock | None = None, interval: float = 2.0,
                 log_interval: float = 15.0,
                 columns: int | None = None,
                 transient: Callable[[Exception], bool] | None = None,
                 max_failures: int = 5) -> None:
        self.get = get
        self.transient = transient or (lambda error: False)
        self.max_failures = max_failures
        self.stream = stream
        self.busy = tuple(busy)
        self.clock = clock or Clock()
        self.interval = interval
        self.log_interval = log_interval
        self.columns = columns
        self.live = _is_tty(stream)
        self._samples: collections.deque = collections.deque()
        self._drawn = False

    def follow(self, item: dict) -> dict:
        """Wait until ``item`` is no longer busy; returns its last state.

        A KeyboardInterrupt ends the live line before it propagates, so the
        caller's message starts on a line of its own.
        """
        start = self.clock.now()
        last_logged: tuple[float, Any] | None = None
        try:
            while True:
                now = self.clock.now()
                progress = item.get('progress') or {}
                self._sample(now, progress.get('bytes_done') or 0)
                speed = rate(self._samples)
                if item.get('status') not in self.busy:
                    break
                if self.live:
                    self._draw(item, speed, running=True)
                else:
                    # A line whenever a resource is done or the phase
                    # moves on, and every log_interval in between.
                    done = (progress.get('resources_done'),
                            progress.get('phase'),
                            progress.get('phase_done'))
                    if (last_logged is None or
                            now - last_logged[0] >= self.log_interval or
                            done != last_logged[1]):
                        self.stream.write(
                            plain_line(item, speed, now - start) + '\n')
                        self.stream.flush()
                        last_logged = (now, done)
                self.clock.sleep(self.interval)
                item = self._get()
            if self.live:
                self._draw(item, speed, running=False)
            else:
                self.stream.write(plain_line(item, speed,
                                             self.clock.now() - start,
                                             running=False) + '\n')
                self.stream.flush()
            return item
        finally:
            self.end_line()

    def _get(self) -> dict:
        failures = 0
        while True:
            try:
                return self.get()
            except Exception as error:
                failures += 1
                if failures > self.max_failures or not self.transient(error):
                    raise
                self.clock.sleep(self.interval)

    def end_line(self) -> None:
        """Finish the live line so the next output starts on its own line."""
        if self._drawn:
            self.stream.write('\n')
            self.stream.flush()
            self._drawn = False

    def _width(self) -> int:
        return self.columns or shutil.get_terminal_size((80, 24)).columns

    def _draw(self, item: dict, speed: float | None, running: bool) -> None:
        # Padded to the width so a shorter line hides the longer one before.
        width = self._width()
        line = live_line(item, speed, width, running=running)
        self.stream.write('\r' + line.ljust(width - 1))
        self.stream.flush()
        self._drawn = True

    def _sample(self, now: float, done: int) -> None:
        self._samples.append((now, done))
        while len(self._samples) > 2 and \
                now - self._samples[0][0] > RATE_WINDOW:
            self._samples.popleft()


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
