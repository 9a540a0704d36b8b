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

"""Starts and stops the minicloud's processes, tracked by PID files only."""
import os
import signal
import subprocess
import time


def clean_environ(extra=None) -> dict:
    """This process's environment without the caller's ``OS_*`` variables.

    A shell that followed the README (``OS_CLOUD``, ``OS_PASSWORD``, ...)
    must not reach the services and commands the minicloud starts: the
    ``openstack`` and ``swift`` clients read those variables, and oslo.config
    reads ``OS_<GROUP>__<OPTION>`` as option values.  ``extra`` (which may
    set ``OS_*`` itself) is applied last.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


class Processes:
    """Each process runs in its own session; its PID file names it."""

    def __init__(self, layout):
        self.lo = layout

    def _pidfile(self, name):
        return self.lo.run / (name + '.pid')

    def pid(self, name):
        try:
            return int(self._pidfile(name).read_text())
        except (FileNotFoundError, ValueError):
            return None

    def alive(self, name) -> bool:
        pid = self.pid(name)
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        # A zombie or a recycled PID is not our process.
        try:
            with open('/proc/%d/stat' % pid) as f:
                return f.read().split()[2] != 'Z'
        except FileNotFoundError:
            return False

    def names(self):
        return sorted(p.stem for p in self.lo.run.glob('*.pid'))

    def start(self, name, argv, env=None, cwd=None):
        """Start ``argv`` detached unless it already runs; log to logs/NAME.log."""
        if self.alive(name):
            return self.pid(name)
        self.lo.logs.mkdir(parents=True, exist_ok=True)
        self.lo.run.mkdir(parents=True, exist_ok=True)
        full_env = clean_environ({
            # Cinder calls "sudo cinder-rootwrap"; the shim runs it directly.
            'PATH': '%s:%s:%s' % (self.lo.bin, self.lo.venv / 'bin',
                                  os.environ.get('PATH', '/usr/bin:/bin')),
            'PYTHONWARNINGS': 'ignore',
            'VIRTUAL_ENV': str(self.lo.venv),
            **(env or {}),
        })
        with open(self.lo.logs / (name + '.log'), 'ab') as log:
            proc = subprocess.Popen(
                [str(a) for a in argv], stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, env=full_env,
                cwd=str(cwd or self.lo.home), start_new_session=True)
        self._pidfile(name).write_text(str(proc.pid))
        return proc.pid

    @staticmethod
    def group_members(pgid):
        """Live (non-zombie) processes of process group ``pgid``."""
        # fields: state ppid pgrp ...
        return [pid for pid, fields in stats()
                if fields[0] != 'Z' and int(fields[2]) == pgid]

    def stop(self, names, timeout=20.0):
        """TERM each process group, then KILL what is left after timeout."""
        groups = {}
        for name in names:
            pgid = self.pid(name)
            if pgid is not None and self.group_members(pgid):
                try:
                    os.killpg(pgid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
                groups[name] = pgid
        deadline = time.monotonic() + timeout
        while groups and time.monotonic() < deadline:
            for name in [n for n, g in groups.items()
                         if not self.group_members(g)]:
                del groups[name]
            time.sleep(0.1)
        for pgid in groups.values():
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for name in names:
            self._pidfile(name).unlink(missing_ok=True)
        return list(names)


def stat_fields(pid):
    """``/proc/<pid>/stat`` after the command name (state, ppid, pgrp,
    ...: stat(5) from field 3 on); ``None`` once the process is gone.
    """
    try:
        with open('/proc/%s/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None


def stats():
    """(pid, stat_fields) of every process alive now."""
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            fields = stat_fields(entry)
            if fields is not None:
                yield int(entry), fields
