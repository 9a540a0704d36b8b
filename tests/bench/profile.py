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

"""Where the engine spends its CPU while a benchmark runs (py-spy).

``python -m tests.bench --profile DIR`` attaches ``py-spy record`` to the
engine process for the span of Dragon's protect and recovery of the data
server, keeps the raw samples in ``DIR`` (collapsed stacks, one line per
stack: flame-graph tools read them) and prints the functions that were on
CPU most often.  Sampling is from outside the process (no code of Dragon
changes) at 100 Hz; only threads on CPU are counted (``--idle`` is off).
"""
import collections
import contextlib
import os
import re
import signal
import subprocess
import time

RATE_HZ = 100
_LINE = re.compile(r'^(?P<stack>.*) (?P<count>\d+)$')
_FRAME_LINE = re.compile(r':\d+\)$')


def _function(frame: str) -> str:
    """``read (swiftclient/client.py:123)`` without the line number."""
    return _FRAME_LINE.sub(')', frame)


def summarize(path: str, top: int = 12) -> list:
    """[(percent of on-CPU samples, function)] by self time, highest first.

    Self time (the innermost frame of each sample) says where CPU goes;
    e.g. ``openssl_sha256 update`` under both the reading and the upload
    threads shows up as hashing, whichever thread did it.
    """
    self_samples = collections.Counter()
    total = 0
    with open(path) as f:
        for line in f:
            match = _LINE.match(line.rstrip('\n'))
            if not match:
                continue
            count = int(match['count'])
            frames = match['stack'].split(';')
            self_samples[_function(frames[-1])] += count
            total += count
    if not total:
        return []
    return [(100.0 * n / total, name)
            for name, n in self_samples.most_common(top)]


@contextlib.contextmanager
def recording(directory: str | None, name: str, pid: int):
    """py-spy samples ``pid`` while the block runs (nothing if no directory).

    Yields a dict that holds ``path`` and ``top`` once the block is done.
    """
    result = {}
    if not directory:
        yield result
        return
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name + '.txt')
    spy = subprocess.Popen(
        [_py_spy(), 'record', '--pid', str(pid), '--rate', str(RATE_HZ),
         '--format', 'raw', '--output', path, '--nonblocking'],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)   # attached before the work starts
    try:
        yield result
    finally:
        spy.send_signal(signal.SIGINT)   # py-spy writes its file on SIGINT
        try:
            _out, err = spy.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            spy.kill()
            _out, err = spy.communicate()
        if os.path.exists(path):
            result.update(path=path, top=summarize(path))
        else:
            result.update(path=None, top=[], error=(err or '').strip()[-300:])


def _py_spy() -> str:
    import sys
    return os.path.join(os.path.dirname(sys.executable), 'py-spy')


def top_text(result: dict, top: int = 8) -> str:
    """``31% sha256 (…), 12% send (…)`` for a table cell."""
    if not result.get('top'):
        return 'no samples (%s)' % result.get('error', 'py-spy not run')
    return ', '.join('%.0f%% %s' % (pct, name)
                     for pct, name in result['top'][:top])
