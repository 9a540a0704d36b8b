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

"""Helpers for unit tests that run Dragon's commands as an operator would."""

import contextlib
import os
import pathlib
import socket
import subprocess
import sys
from typing import Iterator

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def free_port() -> int:
    """A loopback TCP port free a moment ago (bound, then released), for a
    server under test to listen on.
    """
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback TCP port that refuses connections while the block runs.

    Held bound but not listening: Linux answers a connect with a reset at
    once, and nothing else (a minicloud service starting beside the unit
    tests) can take the port meanwhile and leave a client waiting for a
    handshake that never comes.
    """
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        yield sock.getsockname()[1]


def write_config(path: pathlib.Path, sections: dict[str, dict[str, object]]
                 ) -> pathlib.Path:
    lines = []
    for section, values in sections.items():
        lines.append('[%s]' % section)
        lines.extend('%s = %s' % (k, v) for k, v in values.items())
    path.write_text('\n'.join(lines) + '\n')
    return path


def run_command(name: str, *args: str, timeout: float = 60,
                cwd: pathlib.Path | None = None
                ) -> subprocess.CompletedProcess:
    """Run an installed console script as an operator would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('DRAGON_')}
    return subprocess.run([str(BIN / name), *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=cwd)


def assert_one_line_error(result: subprocess.CompletedProcess, prog: str,
                          *fragments: str) -> str:
    """The bad-input contract: non-zero exit, one stderr line, no traceback."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('%s: error: ' % prog), lines[0]
    assert 'Traceback' not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]
