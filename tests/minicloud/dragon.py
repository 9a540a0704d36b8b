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

"""Runs Dragon itself on the minicloud: its config, catalog entry and processes.

One Dragon per site, as an operator would deploy it: the primary site's
Dragon (``RegionOne``) protects; the backup site's (``RegionTwo``) has its
own database, broker vhost, API port and catalog entry, and recovers from
Swift alone when the primary is gone.  Dragon runs from the Dragon venv
(the interpreter running this code), the cloud from its own venv; the
database is the embedded SQLite default unless a URL is given.
"""
import dataclasses
import json
import os
import pathlib
import signal
import subprocess
import sys
import urllib.request

from tests.minicloud.bootstrap import ensure_vhost
from tests.minicloud.bootstrap import SetupError
from tests.minicloud import catalog
from tests.minicloud.configs import write_ini
from tests.minicloud.layout import REGIONS
from tests.minicloud.process import clean_environ
from tests.minicloud.process import Processes
from tests.minicloud.services import http_answers
from tests.minicloud.services import wait_until

# Shared services: port_base + offset, one API port per site.
API_PORT_OFFSETS = {REGIONS[0]: 99, REGIONS[1]: 98}


def dragon_bin(name):
    return str(pathlib.Path(sys.executable).parent / name)


def dragon_homes(layout):
    """Where each site's Dragon keeps its state (removed by a wipe)."""
    return [DragonDeployment(layout, region=r).home for r in REGIONS]


@dataclasses.dataclass
class DragonDeployment:
    """Dragon's API and engine(s) of one site of the minicloud."""

    layout: object
    # None: the embedded SQLite default (the demo); a URL: e.g. MariaDB
    # (the functional tests, which run the API the way production does).
    database_url: str = None
    region: str = REGIONS[0]

    @property
    def primary(self):
        return self.region == REGIONS[0]

    @property
    def name(self):
        """Prefix of this site's process names, files and vhost."""
        return 'dragon' if self.primary else 'dragon-' + self.region.lower()

    @property
    def home(self):
        return self.layout.home / self.name

    @property
    def config_file(self):
        return self.layout.etc / self.name / 'dragon.conf'

    @property
    def port(self):
        return self.layout.port_base + API_PORT_OFFSETS[self.region]

    @property
    def api_url(self):
        return 'http://127.0.0.1:%d' % self.port

    @property
    def vhost(self):
        vhost = self.layout.dragon_vhost
        return vhost if self.primary else '%s_%s' % (vhost,
                                                     self.region.lower())

    @property
    def api_process(self):
        return self.name + '-api'

    def write_config(self):
        lo = self.layout
        self.home.mkdir(parents=True, exist_ok=True)
        write_ini(self.config_file, {
            'DEFAULT': {
                'state_path': self.home,
                'transport_url': lo.rabbit_url(self.vhost),
            },
            'api': {'bind_host': '127.0.0.1', 'bind_port': self.port,
                    'auth_strategy': 'keystone'},
            # A dead engine is noticed in ~10 s, its runs taken over
            # within 3 s more: the kill -9 tests wait for that, not minutes.
            'engine': {'region_name': self.region, 'heartbeat_interval': 2,
                       'service_down_time': 10, 'orphan_check_interval': 3},
            # Ticks start within 2 s of their time: the schedule tests
            # wait for real minutes, not for the poll.
            'scheduler': {'poll_interval': 2},
            # Versioned notifications on this site's vhost, exchange
            # 'dragon' (tests/functional/test_notifications.py listens).
            'oslo_messaging_notifications': {'driver': 'messagingv2',
                                             'topics': 'notifications'},
            'keystone_authtoken': {
                'www_authenticate_uri': lo.keystone_url,
                'auth_url': lo.keystone_url, 'auth_type': 'password',
                'project_domain_name': 'Default',
                'user_domain_name': 'Default', 'project_name': 'service',
                'username': 'dragon', 'password': lo.password,
                'service_token_roles_required': True},
            # The same service user is the trustee of the checkpoint trusts.
            'trustee': {
                'auth_url': lo.keystone_url, 'auth_type': 'password',
                'user_domain_name': 'Default', 'username': 'dragon',
                'password': lo.password,
                # Its own scope, for cross-project work (chunk gc); trusts
                # replace it with the trust's project.
                'project_name': 'service', 'project_domain_name': 'Default'},
            **({'database': {'connection': self.database_url}}
               if self.database_url else {}),
            **{group: {'region_name': self.region}
               for group in ('nova', 'cinder', 'glance', 'neutron', 'heat',
                             'swift')},
        })

    def register_endpoint(self):
        """The ``dr`` service in the catalog of this site's region."""
        idn = catalog.admin_connection(self.layout).identity
        svc = (idn.find_service('dragon', ignore_missing=True) or
               idn.create_service(name='dragon', type='dr'))
        have = {(e.region_id, e.interface)
                for e in idn.endpoints(service_id=svc.id)}
        for interface in ('public', 'internal', 'admin'):
            if (self.region, interface) not in have:
                idn.create_endpoint(service_id=svc.id, interface=interface,
                                    url=self.api_url, region_id=self.region)

    def engine_name(self, index=1):
        engine = self.name + '-engine'
        return engine if index == 1 else '%s-%d' % (engine, index)

    def engine_host(self, index=1):
        """The ``[engine] host`` of engine number ``index``."""
        return 'engine-%d' % index if self.primary else '%s-engine-%d' % (
            self.region.lower(), index)

    def start_engine(self, index=1, env=None):
        """Start engine number ``index``; each has its own [engine] host.

        :param env: more environment (a test's fault injection).
        """
        Processes(self.layout).start(
            self.engine_name(index),
            [dragon_bin('dragon-engine'), '--config-file', self.config_file],
            # oslo.config reads OS_<GROUP>__<OPTION> from the environment.
            env={**(env or {}), 'OS_ENGINE__HOST': self.engine_host(index)})

    def engine_names(self):
        procs = Processes(self.layout)
        return [n for n in procs.names()
                if n.startswith(self.name + '-engine')]

    def stop_engines(self):
        """Stop every engine of this site (SIGTERM: a clean stop)."""
        Processes(self.layout).stop(self.engine_names())

    def engine_alive(self, index=1):
        return Processes(self.layout).alive(self.engine_name(index))

    def engine_index(self, host):
        """The number of the engine whose ``[engine] host`` is ``host``."""
        for index in range(1, 10):
            if self.engine_host(index) == host:
                return index
        raise ValueError('no engine %s' % host)

    def kill_engine(self, index):
        """``kill -9`` engine number ``index``: no goodbye, no cleanup."""
        procs = Processes(self.layout)
        pid = procs.pid(self.engine_name(index))
        os.killpg(pid, signal.SIGKILL)
        wait_until(lambda: not procs.alive(self.engine_name(index)), 20,
                   what='%s to die' % self.engine_name(index))

    def up(self, engine_env=None):
        """(Re)start Dragon so it runs this tree's code with this config.

        :param engine_env: more environment for the engine (a benchmark's
            ``OS_<GROUP>__<OPTION>`` settings).
        """
        self.down()
        self.write_config()
        ensure_vhost(self.layout, self.vhost)
        self.register_endpoint()
        result = subprocess.run(
            [dragon_bin('dragon-manage'), '--config-file', self.config_file,
             'db', 'sync'], capture_output=True, text=True,
            env=clean_environ())
        if result.returncode:
            raise SetupError('dragon-manage db sync: %s' %
                             (result.stderr.strip() or result.stdout.strip()))
        procs = Processes(self.layout)
        procs.start(self.api_process, [dragon_bin('dragon-api'),
                                       '--config-file', self.config_file])
        self.start_engine(env=engine_env)
        wait_until(lambda: http_answers(self.api_url + '/'), 60,
                   what='dragon-api on %s' % self.api_url)
        if not procs.alive(self.engine_name()):
            raise SetupError('%s exited; see %s' % (
                self.engine_name(),
                self.layout.logs / (self.engine_name() + '.log')))

    def ensure_up(self):
        """Start again if down (a site-loss test stops its site's Dragon)."""
        if not http_answers(self.api_url + '/'):
            self.up()
        return self

    def down(self):
        procs = Processes(self.layout)
        procs.stop([n for n in procs.names()
                    if n == self.api_process or
                    n.startswith(self.engine_name())])

    def version_document(self):
        with urllib.request.urlopen(self.api_url + '/', timeout=5) as resp:
            return json.load(resp)
