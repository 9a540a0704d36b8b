"""Runs Dragon itself on the minicloud: its config, catalog entry and processes.

Used by the demo and by the functional tests of Dragon's services.  Dragon
runs from the Dragon venv (the interpreter running this code), the cloud from
its own venv; Dragon's database is the embedded SQLite default.
"""
import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import urllib.request

from tests.minicloud import catalog
from tests.minicloud.bootstrap import SetupError, ensure_vhost
from tests.minicloud.configs import write_ini
from tests.minicloud.layout import REGIONS
from tests.minicloud.process import Processes
from tests.minicloud.services import http_answers, wait_until

API_PORT_OFFSET = 99   # shared services: port_base + offset


def dragon_bin(name):
    return str(pathlib.Path(sys.executable).parent / name)


@dataclasses.dataclass
class DragonDeployment:
    """Dragon's API and engine(s) on one minicloud."""

    layout: object
    # None: the embedded SQLite default (the demo); a URL: e.g. MariaDB
    # (the functional tests, which run the API the way production does).
    database_url: str = None

    @property
    def home(self):
        return self.layout.home / 'dragon'

    @property
    def config_file(self):
        return self.layout.etc / 'dragon' / 'dragon.conf'

    @property
    def api_url(self):
        return 'http://127.0.0.1:%d' % (self.layout.port_base +
                                        API_PORT_OFFSET)

    def write_config(self):
        lo = self.layout
        self.home.mkdir(parents=True, exist_ok=True)
        write_ini(self.config_file, {
            'DEFAULT': {
                'state_path': self.home,
                'transport_url': lo.rabbit_url(lo.dragon_vhost),
            },
            'api': {'bind_host': '127.0.0.1',
                    'bind_port': lo.port_base + API_PORT_OFFSET,
                    'auth_strategy': 'keystone'},
            'keystone_authtoken': {
                'www_authenticate_uri': lo.keystone_url,
                'auth_url': lo.keystone_url, 'auth_type': 'password',
                'project_domain_name': 'Default',
                'user_domain_name': 'Default', 'project_name': 'service',
                'username': 'dragon', 'password': lo.password,
                'service_token_roles_required': True},
            **({'database': {'connection': self.database_url}}
               if self.database_url else {}),
            **{group: {'region_name': REGIONS[0]}
               for group in ('nova', 'cinder', 'glance', 'neutron', 'heat',
                             'swift')},
        })

    def register_endpoint(self):
        """The ``dr`` service in the catalog of the primary region."""
        idn = catalog.admin_connection(self.layout).identity
        svc = (idn.find_service('dragon', ignore_missing=True) or
               idn.create_service(name='dragon', type='dr'))
        have = {(e.region_id, e.interface)
                for e in idn.endpoints(service_id=svc.id)}
        for interface in ('public', 'internal', 'admin'):
            if (REGIONS[0], interface) not in have:
                idn.create_endpoint(service_id=svc.id, interface=interface,
                                    url=self.api_url, region_id=REGIONS[0])

    def engine_name(self, index=1):
        return 'dragon-engine' if index == 1 else 'dragon-engine-%d' % index

    def start_engine(self, index=1):
        """Start engine number ``index``; each has its own [engine] host."""
        Processes(self.layout).start(
            self.engine_name(index),
            [dragon_bin('dragon-engine'), '--config-file', self.config_file],
            # oslo.config reads OS_<GROUP>__<OPTION> from the environment.
            env={'OS_ENGINE__HOST': 'engine-%d' % index})

    def up(self):
        """(Re)start Dragon so it runs this tree's code with this config."""
        self.down()
        self.write_config()
        ensure_vhost(self.layout, self.layout.dragon_vhost)
        self.register_endpoint()
        result = subprocess.run(
            [dragon_bin('dragon-manage'), '--config-file', self.config_file,
             'db', 'sync'], capture_output=True, text=True)
        if result.returncode:
            raise SetupError('dragon-manage db sync: %s' %
                             (result.stderr.strip() or result.stdout.strip()))
        procs = Processes(self.layout)
        procs.start('dragon-api', [dragon_bin('dragon-api'), '--config-file',
                                   self.config_file])
        self.start_engine()
        wait_until(lambda: http_answers(self.api_url + '/'), 60,
                   what='dragon-api on %s' % self.api_url)
        if not procs.alive('dragon-engine'):
            raise SetupError('dragon-engine exited; see %s' % (
                self.layout.logs / 'dragon-engine.log'))

    def down(self):
        procs = Processes(self.layout)
        procs.stop([n for n in procs.names() if n.startswith('dragon-')])

    def version_document(self):
        with urllib.request.urlopen(self.api_url + '/', timeout=5) as resp:
            return json.load(resp)
