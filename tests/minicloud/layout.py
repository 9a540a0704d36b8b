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

"""Where everything of the minicloud lives: paths, ports, names, credentials.

Every value can be changed with a ``MINICLOUD_*`` environment variable so two
clouds (or a cloud and something else) can share a machine.
"""
import dataclasses
import hashlib
import os
import pathlib
import secrets

REPO = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent

REGIONS = ('RegionOne', 'RegionTwo')
# Per-region service ports: base + 100 * region number + offset.
REGION_PORT_OFFSETS = {
    'heat': 4, 'nova': 74, 'cinder': 76, 'placement': 78, 'glance': 92,
    'neutron': 96, 'barbican': 11,
    # Only with MINICLOUD_SWIFT_TOPOLOGY=per-region: the site's own Swift.
    'swift-object': 40, 'swift-container': 41, 'swift-account': 42,
    'swift-proxy': 43, 'memcached': 44,
}
# Shared services: base + offset.
SHARED_PORT_OFFSETS = {
    'keystone': 0, 'swift-object': 10, 'swift-container': 11,
    'swift-account': 12, 'memcached': 21, 'swift-proxy': 80,
}
# How Swift is laid out: one cluster both sites reach (a global Swift), or
# one cluster per site, lost with its site (two independent datacenters).
SWIFT_TOPOLOGIES = ('shared', 'per-region')
SWIFT_KINDS = ('object', 'container', 'account', 'proxy')
REGION_DATABASES = ('nova_api', 'nova_cell0', 'nova', 'placement', 'glance',
                    'neutron', 'cinder', 'heat')
SERVICE_USERS = ('nova', 'placement', 'glance', 'neutron', 'cinder', 'heat',
                 'swift', 'barbican', 'dragon')
# Test users: (user, project, role).
TEST_USERS = (('demo', 'demo', 'member'),
              ('demo_reader', 'demo', 'reader'),
              ('alt_demo', 'alt_demo', 'member'))


def _env(name, default):
    return os.environ.get('MINICLOUD_' + name, default)


def _swift_topology(home):
    """The topology asked for (MINICLOUD_SWIFT_TOPOLOGY), default shared.

    A cloud keeps the topology it was built with (recorded in its home at
    set-up): asking for another one is refused by ``up`` until a wipe.
    """
    topology = _env('SWIFT_TOPOLOGY', '')
    recorded = home / 'swift-topology'
    if not topology and recorded.exists():
        topology = recorded.read_text().strip()
    topology = topology or 'shared'
    if topology not in SWIFT_TOPOLOGIES:
        raise ValueError('MINICLOUD_SWIFT_TOPOLOGY must be one of %s, not %r'
                         % (', '.join(SWIFT_TOPOLOGIES), topology))
    return topology


def _digest(paths):
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def requirements_digest():
    """Digest of what the cloud venv is built from; a change means a rebuild."""
    return _digest([HERE / 'requirements.txt', REPO / 'constraints.txt'])


def catalog_digest():
    """Digest of what Keystone is given; a change means registering again.

    An existing cloud then gains new services, users and endpoints (e.g.
    Barbican) without a wipe.
    """
    return _digest([HERE / 'catalog.py', HERE / 'layout.py'])


def drivers_digest():
    """Digest of the test drivers; a change means a reinstall (no rebuild)."""
    drivers = HERE / 'drivers'
    return _digest([drivers / 'pyproject.toml'] +
                   sorted(drivers.rglob('*.py')))


@dataclasses.dataclass(frozen=True)
class Layout:
    """Resolved locations of one minicloud."""

    home: pathlib.Path
    venv: pathlib.Path
    swift_devices: pathlib.Path
    port_base: int
    db_host: str
    db_port: int
    db_prefix: str
    rabbit_host: str
    rabbit_port: int
    rabbit_user: str
    rabbit_password: str
    swift_topology: str = 'shared'

    @classmethod
    def from_env(cls) -> 'Layout':
        home = pathlib.Path(_env('HOME', '/var/tmp/dragon-minicloud'))
        tag = hashlib.sha256(str(home).encode()).hexdigest()[:8]
        return cls(
            home=home,
            venv=pathlib.Path(_env('VENV', str(home.parent / (
                home.name + '-venv-' + requirements_digest())))),
            swift_devices=pathlib.Path(_env(
                'SWIFT_DEVICES', '/dev/shm/dragon-minicloud-swift-' + tag)),
            port_base=int(_env('PORT_BASE', '17000')),
            db_host=_env('DB_HOST', '127.0.0.1'),
            db_port=int(_env('DB_PORT', '3306')),
            db_prefix=_env('DB_PREFIX', 'minicloud_'),
            rabbit_host=_env('RABBIT_HOST', '127.0.0.1'),
            rabbit_port=int(_env('RABBIT_PORT', '5672')),
            rabbit_user=_env('RABBIT_USER', 'guest'),
            rabbit_password=_env('RABBIT_PASSWORD', 'guest'),
            swift_topology=_swift_topology(home),
        )

    # -- paths
    @property
    def etc(self):
        return self.home / 'etc'

    @property
    def data(self):
        return self.home / 'data'

    @property
    def logs(self):
        return self.home / 'logs'

    @property
    def run(self):
        return self.home / 'run'

    @property
    def bin(self):
        return self.home / 'bin'

    @property
    def clouds_yaml(self):
        return self.home / 'clouds.yaml'

    def venv_bin(self, name):
        return str(self.venv / 'bin' / name)

    # -- Swift: one cluster, or one per site
    @property
    def swift_clusters(self):
        """The region owning each Swift cluster; None: the shared one."""
        if self.swift_topology == 'per-region':
            return list(REGIONS)
        return [None]

    def swift_cluster_of(self, region):
        """Which cluster a region's ``object-store`` endpoint leads to."""
        return region if self.swift_topology == 'per-region' else None

    def swift_etc(self, cluster):
        """Configuration and rings of one cluster (see swift_clusters)."""
        if cluster is None:
            return self.etc / 'swift'
        return self.etc / region_tag(cluster) / 'swift'

    def swift_devices_of(self, cluster):
        if cluster is None:
            return self.swift_devices
        return self.swift_devices / region_tag(cluster)

    def swift_service(self, kind, cluster):
        """Process name of one Swift server, e.g. ``r1-swift-proxy``."""
        if cluster is None:
            return 'swift-' + kind
        return '%s-swift-%s' % (region_tag(cluster), kind)

    def swift_url(self, region) -> str:
        """The Swift proxy a region's catalog names."""
        return self.url('swift-proxy', self.swift_cluster_of(region))

    # -- credentials (generated once per cloud, kept 0600 in its home)
    @property
    def password(self) -> str:
        path = self.home / 'password'
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'w') as f:
                f.write(secrets.token_hex(12))
        return path.read_text().strip()

    # -- network
    def port(self, service, region=None) -> int:
        if region is None:
            return self.port_base + SHARED_PORT_OFFSETS[service]
        return (self.port_base + 100 * region_number(region) +
                REGION_PORT_OFFSETS[service])

    def url(self, service, region=None) -> str:
        return 'http://127.0.0.1:%d' % self.port(service, region)

    @property
    def keystone_url(self):
        return self.url('keystone') + '/v3'

    # -- infrastructure names
    def database(self, name, region=None) -> str:
        if region is None:
            return self.db_prefix + name
        return '%sr%d_%s' % (self.db_prefix, region_number(region), name)

    def db_url(self, name, region=None) -> str:
        return 'mysql+pymysql://%s:%s@%s:%d/%s?charset=utf8' % (
            self.db_user, self.password, self.db_host, self.db_port,
            self.database(name, region))

    @property
    def db_user(self):
        return self.db_prefix + 'os'

    def vhost(self, region) -> str:
        return '%sr%d' % (self.db_prefix, region_number(region))

    @property
    def dragon_vhost(self) -> str:
        """Dragon's own vhost on this cloud's broker."""
        return self.db_prefix + 'dragon'

    def rabbit_url(self, vhost) -> str:
        return 'rabbit://%s:%s@%s:%d/%s' % (
            self.rabbit_user, self.rabbit_password, self.rabbit_host,
            self.rabbit_port, vhost)

    def transport_url(self, region) -> str:
        return self.rabbit_url(self.vhost(region))


def region_number(region) -> int:
    return REGIONS.index(region) + 1


def region_tag(region) -> str:
    return 'r%d' % region_number(region)
