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

"""The minicloud's Horizon, with Dragon's panel: static files, start, stop.

Horizon runs from the Dragon venv (the interpreter running this code), as
Dragon does, under gunicorn on a loopback port of the cloud's layout, against
the cloud's Keystone; both regions of the catalog are selectable in its
header.  It is not one of the cloud's own services: ``tests.minicloud
horizon up`` (and ``make demo`` and the browser tests, on demand) start it,
``tests.minicloud down`` stops it with everything else.

Collecting and compressing Horizon's static files takes a minute; they are
kept in the cloud's home under a digest of what they are made from (Horizon,
Django, these settings, Dragon's panel), so a restart with nothing changed
takes seconds.
"""
import hashlib
import importlib.metadata
import os
import pathlib
import secrets
import shutil
import subprocess
import sys

from tests.minicloud.bootstrap import SetupError
from tests.minicloud.layout import REPO
from tests.minicloud.process import clean_environ
from tests.minicloud.process import Processes
from tests.minicloud.services import http_answers
from tests.minicloud.services import wait_until

# Shared services: port_base + offset (see layout.SHARED_PORT_OFFSETS).
PORT_OFFSET = 30
PROCESS = 'horizon'
SETTINGS = 'tests.minicloud.horizon_site.settings'
HERE = pathlib.Path(__file__).resolve().parent
PANEL = REPO / 'dragon' / 'dashboard'


def site_of_layout(layout):
    return HorizonSite(layout)


class HorizonSite:
    """Horizon of one minicloud."""

    def __init__(self, layout):
        self.layout = layout

    @property
    def home(self):
        return self.layout.home / 'horizon'

    @property
    def port(self):
        return self.layout.port_base + PORT_OFFSET

    @property
    def url(self):
        return 'http://127.0.0.1:%d/' % self.port

    def secret_key(self) -> str:
        """Django's signing key (of the session cookies), made once, 0600."""
        path = self.home / 'secret_key'
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'w') as f:
                f.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def sessions_dir(self) -> pathlib.Path:
        """Where Django keeps the users' sessions (0700: they hold tokens)."""
        path = self.home / 'sessions'
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path

    # -- static files
    def static_digest(self) -> str:
        digest = hashlib.sha256()
        for dist in ('horizon', 'Django', 'django-compressor'):
            digest.update(('%s=%s\n' % (
                dist, importlib.metadata.version(dist))).encode())
        files = [(HERE, p) for p in sorted(HERE.glob('*.py'))]
        if PANEL.is_dir():
            files += [(PANEL, p) for p in sorted(PANEL.rglob('*'))
                      if p.is_file() and '__pycache__' not in p.parts]
        for root, path in files:
            digest.update(str(path.relative_to(root)).encode() + b'\0')
            digest.update(path.read_bytes())
        return digest.hexdigest()[:12]

    def static_root(self, digest=None) -> pathlib.Path:
        return self.home / ('static-' + (digest or self.static_digest()))

    def _manage(self, static_root, *args):
        result = subprocess.run(
            [sys.executable, '-m', 'django', *args],
            capture_output=True, text=True, cwd=str(REPO),
            env=clean_environ({'DJANGO_SETTINGS_MODULE': SETTINGS,
                               'MINICLOUD_HORIZON_STATIC': static_root}))
        if result.returncode:
            raise SetupError('horizon: django-admin %s: %s' % (
                ' '.join(args), (result.stderr.strip() or
                                 result.stdout.strip())[-2000:]))

    def ensure_static(self, say=print) -> pathlib.Path:
        """The collected and compressed static files of this tree."""
        root = self.static_root()
        if (root / 'dashboard' / 'manifest.json').exists():
            return root
        say('horizon: collecting and compressing static files (once per '
            'change of Horizon or the panel)')
        # Older trees' files (and a build that was interrupted) go.
        for old in self.home.glob('static-*'):
            shutil.rmtree(old, ignore_errors=True)
        building = root.with_name(root.name + '.building')
        self._manage(building, 'collectstatic', '--noinput', '-v0')
        self._manage(building, 'compress', '--force', '-v0')
        building.rename(root)
        return root

    # -- the process
    @property
    def _served_marker(self):
        """Which static files the running Horizon serves (its tree's)."""
        return self.layout.run / (PROCESS + '.static')

    def up(self, say=print):
        """(Re)start Horizon so it serves this tree's panel."""
        self.down()
        static = self.ensure_static(say)
        self.secret_key()
        procs = Processes(self.layout)
        procs.start(PROCESS, [
            sys.executable, '-m', 'tests.minicloud.wsgi_serve', PROCESS,
            '127.0.0.1:%d' % self.port,
            'tests.minicloud.horizon_site.wsgi:application', '8'],
            env={'MINICLOUD_HORIZON_STATIC': static}, cwd=REPO)
        wait_until(lambda: (http_answers(self.login_url) or
                            not procs.alive(PROCESS)), 90,
                   what='horizon on %s' % self.url)
        if not procs.alive(PROCESS):
            raise SetupError('horizon exited; see %s' % (
                self.layout.logs / (PROCESS + '.log')))
        self._served_marker.write_text(str(static))
        say('horizon: %s (Keystone %s)' % (self.url,
                                            self.layout.keystone_url))
        return self

    @property
    def login_url(self):
        return self.url + 'auth/login/'

    def running(self) -> bool:
        return (Processes(self.layout).alive(PROCESS) and
                http_answers(self.login_url))

    def ensure_up(self, say=print):
        """Start it unless it already serves this tree's panel."""
        try:
            served = self._served_marker.read_text()
        except FileNotFoundError:
            served = None
        if served != str(self.static_root()) or not self.running():
            self.up(say)
        return self

    def down(self):
        Processes(self.layout).stop([PROCESS])
        self._served_marker.unlink(missing_ok=True)
