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

"""Brings the whole minicloud up, down, or loses one site, idempotently."""
import concurrent.futures
import os
import shutil
import socket
import subprocess
import time

import keystoneauth1.exceptions
import openstack.exceptions
import yaml

from tests.minicloud import bootstrap
from tests.minicloud import catalog
from tests.minicloud.configs import ConfigWriter
from tests.minicloud.layout import catalog_digest
from tests.minicloud.layout import REGIONS
from tests.minicloud.layout import TEST_USERS
from tests.minicloud.process import Processes
from tests.minicloud import resources
from tests.minicloud.services import http_answers
from tests.minicloud.services import ServiceTable
from tests.minicloud.services import wait_until


def _port_open(host, port) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


class MiniCloud:
    """One two-region cloud described by a Layout."""

    def __init__(self, layout, say=print):
        self.lo = layout
        self.procs = Processes(layout)
        self.table = ServiceTable(layout)
        self._t0 = time.monotonic()
        self._say = say

    def say(self, message):
        self._say('[minicloud %6.1fs] %s' % (time.monotonic() - self._t0,
                                             message))

    # -- infrastructure that belongs to the machine, not to us
    def ensure_infra(self):
        """MariaDB and RabbitMQ run on this machine kind; start them if not."""
        lo = self.lo
        missing = [tool for tool in ('memcached', 'qemu-img', 'rabbitmqctl')
                   if not shutil.which(tool)]
        if missing:
            raise bootstrap.SetupError(
                'missing %s; install with: apt-get install memcached '
                'qemu-utils rabbitmq-server' % ', '.join(missing))
        if not _port_open(lo.db_host, lo.db_port):
            self.say('MariaDB not answering on %s:%d; starting it' % (
                lo.db_host, lo.db_port))
            subprocess.call(['start-stop-daemon', '--start', '--oknodo',
                             '--background', '--exec', '/usr/sbin/mariadbd'])
            wait_until(lambda: _port_open(lo.db_host, lo.db_port), 60,
                       what='MariaDB on %s:%d' % (lo.db_host, lo.db_port))
        if not _port_open(lo.rabbit_host, lo.rabbit_port):
            self.say('RabbitMQ not answering on %s:%d; starting it' % (
                lo.rabbit_host, lo.rabbit_port))
            subprocess.call(['rabbitmq-server', '-detached'],
                            env=dict(os.environ, RABBITMQ_ALLOW_INPUT=''))
            wait_until(lambda: _port_open(lo.rabbit_host, lo.rabbit_port),
                       120, what='RabbitMQ on %s:%d' % (
                           lo.rabbit_host, lo.rabbit_port))

    # -- lifecycle
    @property
    def _initialized_marker(self):
        return self.lo.home / '.initialized'

    def initialized(self) -> bool:
        return (self._initialized_marker.exists() and
                bootstrap.databases_exist(self.lo))

    def initialize(self):
        """From nothing to configured, migrated and bootstrapped databases."""
        lo = self.lo
        if any(self.procs.alive(n) for n in self.procs.names()):
            self.down()
        for path in (lo.etc, lo.data, lo.run, lo.bin):
            shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(lo.swift_devices, ignore_errors=True)
        self._initialized_marker.unlink(missing_ok=True)
        lo.home.mkdir(parents=True, exist_ok=True)
        self._topology_record.write_text(lo.swift_topology + '\n')
        ConfigWriter(lo).write_all()
        bootstrap.create_databases(lo)
        bootstrap.create_vhosts(lo)
        self.say('databases and vhosts created; migrating schemas')
        bootstrap.build_rings(lo)
        bootstrap.sync_schemas(lo)
        self.say('schemas migrated')

    def up(self):
        lo = self.lo
        self.ensure_infra()
        bootstrap.ensure_db_connections(lo)
        bootstrap.ensure_venv(lo, self.say)
        fresh = not self.initialized()
        if not fresh:
            self._refuse_other_topology()
        if fresh:
            self.initialize()
        else:
            ConfigWriter(lo).write_all()   # configs follow the code
            bootstrap.create_vhosts(lo)   # a restarted broker may lose them
        bootstrap.write_sudo_shim(lo)
        bootstrap.install_nova_driver_shim(lo)
        self.start(self.table.shared())
        self._wait_http(self.table.shared(), timeout=120)
        self._warm_up_keystone()
        catalog_marker = lo.home / ('.catalog-' + catalog_digest())
        if fresh or not catalog_marker.exists():
            # Idempotent: an existing cloud gains what was added since.
            catalog.register(lo)
            self._initialized_marker.write_text('ok\n')
            for old in lo.home.glob('.catalog-*'):
                old.unlink()
            catalog_marker.write_text('ok\n')
            self.say('keystone catalog registered')
        for region in REGIONS:
            self.start(self.table.region(region))
        for region in REGIONS:
            self._wait_http(self.table.region(region), timeout=240)
        self.say('every API answers')
        with concurrent.futures.ThreadPoolExecutor(len(REGIONS)) as pool:
            list(pool.map(self._settle_region, REGIONS))
        self.write_clouds_yaml()
        self.say('UP: keystone %s, clouds.yaml %s' % (lo.keystone_url,
                                                      lo.clouds_yaml))

    @property
    def _topology_record(self):
        return self.lo.home / 'swift-topology'

    def _refuse_other_topology(self):
        """A built cloud keeps its Swift layout: switching needs a wipe."""
        record = self._topology_record
        built = (record.read_text().strip() if record.exists()
                 else 'shared')   # built before the choice existed
        if built != self.lo.swift_topology:
            raise bootstrap.SetupError(
                'this minicloud was built with the %s Swift topology, not %s;'
                ' wipe it first (python -m tests.minicloud down --wipe)' % (
                    built, self.lo.swift_topology))

    def _settle_region(self, region):
        wait_until(lambda: resources.compute_and_volume_ready(self.lo, region),
                   240, interval=1, what='%s compute and volume services' %
                   region)
        self._create_base_resources(region)
        dead = [svc.name for svc in self.table.region(region)
                if not self.procs.alive(svc.name)]
        if dead:
            raise bootstrap.SetupError('%s exited; see their logs in %s' % (
                ', '.join(dead), self.lo.logs))
        self.say('%s ready (hypervisor, cinder services, base resources)' %
                 region)

    def _create_base_resources(self, region, attempts=3):
        """resources.create, again after a dropped connection.

        Right after start the services are busy with their first requests
        and a connection can drop; resources.create is idempotent, so a
        second go finishes what the first began instead of failing the whole
        cloud start.
        """
        for attempt in range(1, attempts + 1):
            try:
                return resources.create(self.lo, region)
            except (openstack.exceptions.SDKException,
                    keystoneauth1.exceptions.ConnectionError) as exc:
                if attempt == attempts:
                    raise
                self.say('%s base resources: %s; again' % (
                    region, str(exc).splitlines()[0][:200]))
                time.sleep(2)

    def start(self, services):
        for svc in services:
            self.procs.start(svc.name, svc.argv, env=dict(svc.env))

    def _wait_http(self, services, timeout):
        for svc in services:
            if svc.ready_url is None:
                continue
            deadline = time.monotonic() + timeout
            while not http_answers(svc.ready_url):
                if not self.procs.alive(svc.name):
                    raise bootstrap.SetupError(
                        '%s exited during start; see %s' % (
                            svc.name, self.lo.logs / (svc.name + '.log')))
                if time.monotonic() > deadline:
                    raise bootstrap.SetupError(
                        '%s does not answer %s after %d s; see %s' % (
                            svc.name, svc.ready_url, timeout,
                            self.lo.logs / (svc.name + '.log')))
                time.sleep(0.25)

    def _warm_up_keystone(self):
        # Keystone's policy enforcer initialises lazily and not thread-safely:
        # concurrent first requests get spurious 403/500.  One token and one
        # policy-checked call, in sequence, before anyone else.
        conn = catalog.admin_connection(self.lo)
        list(conn.identity.projects())

    def down(self):
        names = self.procs.names()
        self.procs.stop(names)
        self.say('stopped %d processes' % len(names))

    def stop_site(self, region):
        from tests.minicloud.dragon import DragonDeployment
        names = [s.name for s in self.table.region(region)]
        self.procs.stop(names)
        # The site's own Dragon is lost with it.
        DragonDeployment(self.lo, region=region).down()
        kept = ('keystone and the other region (its Swift included)'
                 if region in self.lo.swift_clusters else
                 'keystone, swift and the other region')
        self.say('site %s lost: stopped %d processes and its Dragon; '
                 '%s keep serving' % (region, len(names), kept))

    def wipe(self):
        from tests.minicloud.dragon import dragon_homes
        from tests.minicloud.horizon_site import HorizonSite
        self.down()
        bootstrap.drop_databases(self.lo)
        bootstrap.delete_vhosts(self.lo)
        shutil.rmtree(self.lo.swift_devices, ignore_errors=True)
        # Dragon's own state on this cloud goes too (see dragon.py).
        for path in (self.lo.etc, self.lo.data, self.lo.run, self.lo.logs,
                     self.lo.bin, HorizonSite(self.lo).home,
                     *dragon_homes(self.lo)):
            shutil.rmtree(path, ignore_errors=True)
        self._initialized_marker.unlink(missing_ok=True)
        self._topology_record.unlink(missing_ok=True)
        self.say('wiped %s' % self.lo.home)

    def status(self):
        """{service name: (process alive, HTTP answers or None)}"""
        report = {}
        for svc in self.table.all():
            alive = self.procs.alive(svc.name)
            answers = (http_answers(svc.ready_url, timeout=1)
                       if svc.ready_url and alive else None)
            report[svc.name] = (alive, answers)
        return report

    def is_up(self) -> bool:
        return self._initialized_marker.exists() and all(
            alive and answers is not False
            for alive, answers in self.status().values())

    # -- client configuration
    def write_clouds_yaml(self):
        def entry(user, project):
            return {'auth': {'auth_url': self.lo.keystone_url,
                             'username': user, 'password': self.lo.password,
                             'project_name': project,
                             'user_domain_name': 'Default',
                             'project_domain_name': 'Default'},
                    'region_name': REGIONS[0],
                    'regions': list(REGIONS),
                    'identity_api_version': 3}
        clouds = {'admin': entry('admin', 'admin')}
        for user, project, _role in TEST_USERS:
            clouds[user] = entry(user, project)
        fd = os.open(self.lo.clouds_yaml,
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as f:
            yaml.safe_dump({'clouds': clouds}, f, default_flow_style=False)
