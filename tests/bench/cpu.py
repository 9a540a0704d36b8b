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

"""CPU seconds each minicloud service spent while a benchmark step ran.

On the development machine every service shares the same few cores, so a
data path's speed is bounded by the CPU all its services need per byte,
not by Dragon's alone.  Dragon's protect makes Glance serve the image and
Swift store it; the raw ingest pays only Swift.  Counting each service's
CPU (its process and all its workers, from ``/proc``) says which part of
a gap is Dragon's own and which is a service the other method does not
call, and the machine's busy fraction says whether the step was CPU-bound
at all.
"""
import os

from tests.minicloud import process

# Service groups, by the minicloud's process names (``run/<name>.pid``).
GROUPS = {
    'dragon': ('dragon-engine',),
    'glance': ('r1-glance',),
    'swift': ('swift-proxy', 'swift-object', 'swift-container',
              'swift-account'),
    'nova': ('r1-nova-compute', 'r1-nova-api', 'r1-nova-conductor'),
}
TICKS = os.sysconf('SC_CLK_TCK')


def _children() -> dict:
    """ppid -> [pid] of every live process."""
    tree: dict = {}
    for pid, fields in process.stats():
        tree.setdefault(int(fields[1]), []).append(pid)
    return tree


def _process_seconds(pid: int) -> float:
    fields = process.stat_fields(pid)
    if fields is None:
        return 0.0
    # utime and stime (fields 14 and 15 of stat(5); 12 and 13 after ')').
    return (int(fields[11]) + int(fields[12])) / TICKS


def _tree_seconds(pid: int, tree: dict) -> float:
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += _process_seconds(current)
        todo.extend(tree.get(current, ()))
    return total


def _machine() -> tuple:
    """(busy seconds, all seconds) of every CPU since boot."""
    with open('/proc/stat') as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]            # idle + iowait
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


class CpuMeter:
    """``with CpuMeter(pid_of) as meter:``; then ``meter.seconds`` per group.

    ``pid_of(name)`` gives a service's main PID (``None`` when it is not
    running).  Workers forked during the step and gone before its end are
    missed: the minicloud's services keep theirs.
    """

    def __init__(self, pid_of):
        self._pid_of = pid_of
        self.seconds: dict = {}
        self.busy = 0.0

    def _sample(self) -> dict:
        tree = _children()
        sample = {}
        for group, names in GROUPS.items():
            pids = [self._pid_of(n) for n in names]
            sample[group] = sum(_tree_seconds(p, tree) for p in pids if p)
        return sample

    def __enter__(self) -> 'CpuMeter':
        self._start = self._sample()
        self._machine_start = _machine()
        return self

    def __exit__(self, *exc) -> None:
        end = self._sample()
        self.seconds = {g: end[g] - self._start[g] for g in GROUPS}
        busy, total = (e - s for e, s in zip(_machine(),
                                             self._machine_start))
        self.busy = busy / total if total else 0.0
        self.seconds['all'] = busy


def per_gib(meters: list, size: int) -> str:
    """Median CPU seconds per GiB by group, and the machine's busy share."""
    if not meters:
        return ''
    scale = float(1 << 30) / size

    def median(values):
        values = sorted(values)
        return values[len(values) // 2]

    parts = ['%s %.1f' % (g, median([m.seconds[g] for m in meters]) * scale)
             for g in list(GROUPS) + ['all']]
    return '%s; machine busy %.0f%%' % (', '.join(parts), 100 * median(
        [m.busy for m in meters]))
