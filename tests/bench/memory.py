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

"""Benchmark 3: dragon-engine's peak memory protecting and recovering images.

The engine streams data through bounded chunk buffers, so its memory should
not depend on the image size.  A thread samples ``VmRSS`` of the engine
process (from its PID file) while each protection and recovery runs; the
backup site's engine does the recoveries.
"""
from tests.bench import common

NAME = 'memory'
LIMIT_MIB = 256
GROWTH = 0.10


def run(run: 'common.Run') -> None:
    sizes = sorted(set(run.memory_sizes))
    for op, measure in (('protect', run.first_protect),
                        ('recover', run.recover)):
        peaks = []
        for size in sizes:
            rss = measure(size)['rss']
            peaks.append(rss.peak_mib)
            run.row(NAME, 'engine RSS %s %d MiB' % (op, size // common.MiB),
                    'peak %.0f MiB (%.0f before, VmHWM %.0f)' % (
                        rss.peak_mib or 0, rss.start_mib or 0,
                        rss.hwm_mib or 0),
                    '< %d MiB' % LIMIT_MIB, rss.peak_mib < LIMIT_MIB)
        if len(peaks) > 1:
            growth = peaks[-1] / peaks[0] - 1
            run.row(NAME, 'engine RSS %s growth %d -> %d MiB' % (
                op, sizes[0] // common.MiB, sizes[-1] // common.MiB),
                '%+.1f%%' % (100 * growth), '< 10%', growth < GROWTH)
