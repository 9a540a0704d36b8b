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

"""One-time set-up of a fresh minicloud: venv, databases, vhosts, schemas, rings."""
import concurrent.futures
import os
import shutil
import subprocess
import sys

import pymysql

from tests.minicloud.layout import drivers_digest
from tests.minicloud.layout import HERE
from tests.minicloud.layout import REGION_DATABASES
from tests.minicloud.layout import region_tag
from tests.minicloud.layout import REGIONS
from tests.minicloud.layout import REPO
from tests.minicloud.process import clean_environ


class SetupError(Exception):
    """A set-up step failed; the message says which and where its log is."""


def run_logged(lo, name, argv, env=None):
    """Run a set-up command, its output in logs/setup-NAME.log."""
    lo.logs.mkdir(parents=True, exist_ok=True)
    path = lo.logs / ('setup-%s.log' % name)
    full_env = clean_environ({'PYTHONWARNINGS': 'ignore', **(env or {})})
    with open(path, 'ab') as log:
        rc = subprocess.call([str(a) for a in argv], stdout=log,
                             stderr=subprocess.STDOUT, env=full_env,
                             stdin=subprocess.DEVNULL)
    if rc:
        tail = path.read_text(errors='replace').strip().splitlines()[-5:]
        raise SetupError('%s failed (exit %d), see %s:\n  %s' % (
            name, rc, path, '\n  '.join(tail)))


def ensure_venv(lo, say):
    """Build the cloud's venv once per requirements digest; drivers on change."""
    marker = lo.venv / '.minicloud-complete'
    pip = [lo.venv_bin('pip'), 'install', '-q', '-c', REPO / 'constraints.txt']
    if not marker.exists():
        say('building the service venv %s (pip, ~2-3 min the first time)' %
            lo.venv)
        shutil.rmtree(lo.venv, ignore_errors=True)
        # The base interpreter, not the Dragon venv's: the venvs stay apart.
        python = os.path.join(sys.base_prefix, 'bin', 'python3')
        run_logged(lo, 'venv', [python, '-m', 'venv', lo.venv])
        run_logged(lo, 'venv', pip + ['-r', HERE / 'requirements.txt'])
        marker.write_text('ok\n')
    drivers_marker = lo.venv / ('.drivers-' + drivers_digest())
    if not drivers_marker.exists():
        run_logged(lo, 'venv', pip + ['--no-deps', '--force-reinstall',
                                      HERE / 'drivers'])
        drivers_marker.write_text('ok\n')


def install_nova_driver_shim(lo):
    """Make the disk-carrying fake driver loadable as a nova.virt module.

    Nova loads ``compute_driver`` only from inside the ``nova.virt`` package,
    so a one-line module there re-exports the driver shipped in
    ``minicloud_drivers``.
    """
    paths = list(lo.venv.glob('lib/python3*/site-packages/nova/virt'))
    if not paths:
        raise SetupError('nova is not installed in %s' % lo.venv)
    (paths[0] / 'minicloud_disk.py').write_text(
        '"""Written by the Dragon minicloud: see minicloud_drivers."""\n'
        'from minicloud_drivers.nova_disk import DiskFakeDriver  # noqa\n')


def _root_db(lo):
    return pymysql.connect(host=lo.db_host, port=lo.db_port, user='root',
                           password=os.environ.get('MINICLOUD_DB_ROOT_PASSWORD',
                                                   ''),
                           autocommit=True)


# Two regions of services with their connection pools, Dragon and its
# tests need more than MariaDB's default 151 connections.
MIN_DB_CONNECTIONS = 1000


def ensure_db_connections(lo):
    """Raise MariaDB's connection limit for this boot of the server."""
    conn = _root_db(lo)
    with conn.cursor() as cur:
        cur.execute('SET GLOBAL max_connections = GREATEST('
                    '@@GLOBAL.max_connections, %d)' % MIN_DB_CONNECTIONS)
    conn.close()


def all_databases(lo):
    names = [lo.database('keystone')]
    for region in REGIONS:
        names += [lo.database(d, region) for d in REGION_DATABASES]
    return names


def _ensure_account(cur, lo):
    """The services' MariaDB account, with this cloud's password."""
    for user_host in ('127.0.0.1', 'localhost'):
        cur.execute("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s",
                    (lo.db_user, user_host, lo.password))
        cur.execute("ALTER USER %s@%s IDENTIFIED BY %s",
                    (lo.db_user, user_host, lo.password))


def _recreate_database(cur, lo, database, charset):
    """Drop and create ``database`` empty, owned by the services' account."""
    cur.execute('DROP DATABASE IF EXISTS `%s`' % database)
    cur.execute('CREATE DATABASE `%s` CHARACTER SET %s' % (database, charset))
    for user_host in ('127.0.0.1', 'localhost'):
        cur.execute('GRANT ALL PRIVILEGES ON `%s`.* TO %%s@%%s' % database,
                    (lo.db_user, user_host))


def create_databases(lo):
    """(Re)create every database and the service account, empty."""
    conn = _root_db(lo)
    with conn.cursor() as cur:
        _ensure_account(cur, lo)
        for name in all_databases(lo):
            _recreate_database(cur, lo, name, 'utf8mb3')
    conn.close()


def create_test_database(lo, name='dragon_tests',
                         own_account=False) -> str:
    """An empty MariaDB database for Dragon's DB tests; returns its URL.

    :param own_account: reach it with an account of its own, which a test
        can lock to make the database unreachable for Dragon alone
        (``lock_account``) while the cloud's services go on.
    """
    conn = _root_db(lo)
    with conn.cursor() as cur:
        _ensure_account(cur, lo)
        database = lo.database(name)
        _recreate_database(cur, lo, database, 'utf8mb4')
        url = lo.db_url(name)
        if own_account:
            user = own_account_of(lo, name)
            for user_host in ('127.0.0.1', 'localhost'):
                cur.execute("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s",
                            (user, user_host, lo.password))
                cur.execute("ALTER USER %s@%s ACCOUNT UNLOCK",
                            (user, user_host))
                cur.execute('GRANT ALL PRIVILEGES ON `%s`.* TO %%s@%%s'
                            % database, (user, user_host))
            url = url.replace('://%s:' % lo.db_user, '://%s:' % user, 1)
    conn.close()
    return url.replace('charset=utf8', 'charset=utf8mb4')


def own_account_of(lo, name) -> str:
    return (lo.db_prefix + name)[:32]


def lock_account(lo, name, locked=True) -> int:
    """Lock (or unlock) a test database's own account and, when locking,
    cut its open connections: the database is gone for its one client.

    :returns: how many connections were killed.
    """
    user = own_account_of(lo, name)
    conn = _root_db(lo)
    killed = 0
    with conn.cursor() as cur:
        for user_host in ('127.0.0.1', 'localhost'):
            cur.execute("ALTER USER %%s@%%s ACCOUNT %s" % (
                'LOCK' if locked else 'UNLOCK'), (user, user_host))
        if locked:
            cur.execute("SELECT id FROM information_schema.processlist "
                        "WHERE user = %s", (user,))
            for (connection_id,) in cur.fetchall():
                try:
                    cur.execute('KILL CONNECTION %d' % connection_id)
                    killed += 1
                except pymysql.MySQLError:
                    pass    # gone meanwhile
    conn.close()
    return killed


def databases_exist(lo) -> bool:
    try:
        conn = _root_db(lo)
    except pymysql.MySQLError:
        return False
    with conn.cursor() as cur:
        cur.execute('SHOW DATABASES')
        have = {row[0] for row in cur.fetchall()}
    conn.close()
    return set(all_databases(lo)) <= have


def _prefix_pattern(lo) -> str:
    # LIKE pattern of every name this cloud made: its prefix, literally.
    return lo.db_prefix.replace('\\', '\\\\').replace(
        '_', '\\_').replace('%', '\\%') + '%'


def drop_databases(lo):
    """Every database and account of this cloud, the tests' included.

    The tests make databases and accounts of their own beside the
    services' (``create_test_database``); a wipe removes them too, so
    clouds that come and go leave nothing behind in the machine's MariaDB.
    """
    conn = _root_db(lo)
    with conn.cursor() as cur:
        cur.execute('SHOW DATABASES LIKE %s', (_prefix_pattern(lo),))
        made = {row[0] for row in cur.fetchall()}
        for name in sorted(made | set(all_databases(lo))):
            cur.execute('DROP DATABASE IF EXISTS `%s`' % name)
        cur.execute('SELECT user, host FROM mysql.user WHERE user LIKE %s',
                    (_prefix_pattern(lo),))
        for user, host in cur.fetchall():
            cur.execute('DROP USER IF EXISTS %s@%s', (user, host))
    conn.close()


def _rabbitmqctl(*args):
    return subprocess.run(['rabbitmqctl', '-q'] + list(args),
                          capture_output=True, text=True)


def ensure_vhost(lo, vhost):
    """Create ``vhost`` if missing and let the cloud's broker user use it."""
    if vhost not in _rabbitmqctl('list_vhosts').stdout.split():
        result = _rabbitmqctl('add_vhost', vhost)
        if result.returncode:
            raise SetupError('rabbitmqctl add_vhost %s: %s' % (
                vhost, result.stderr.strip()))
    _rabbitmqctl('set_permissions', '-p', vhost, lo.rabbit_user,
                 '.*', '.*', '.*')


def create_vhosts(lo):
    """One RabbitMQ vhost per region, so the two regions never share topics."""
    for region in REGIONS:
        ensure_vhost(lo, lo.vhost(region))


def delete_vhosts(lo):
    """The regions' vhosts and each site's Dragon's (see dragon.py)."""
    from tests.minicloud.dragon import DragonDeployment
    dragons = [DragonDeployment(lo, region=r).vhost for r in REGIONS]
    for vhost in [lo.vhost(r) for r in REGIONS] + dragons:
        _rabbitmqctl('delete_vhost', vhost)


def _sync_steps(lo):
    """Every schema migration, as (name, [argv, ...]) run in order per name."""
    etc, vb = lo.etc, lo.venv_bin
    km = [vb('keystone-manage'), '--config-file',
          etc / 'keystone' / 'keystone.conf']
    steps = [('keystone', [
        km + ['db_sync'],
        km + ['fernet_setup', '--keystone-user', 'root',
              '--keystone-group', 'root'],
        km + ['credential_setup', '--keystone-user', 'root',
              '--keystone-group', 'root'],
        km + ['bootstrap', '--bootstrap-password', lo.password,
              '--bootstrap-region-id', REGIONS[0],
              '--bootstrap-admin-url', lo.keystone_url,
              '--bootstrap-public-url', lo.keystone_url,
              '--bootstrap-internal-url', lo.keystone_url],
    ])]
    for region in REGIONS:
        tag = region_tag(region)
        d = etc / tag
        nm = [vb('nova-manage'), '--config-file', d / 'nova' / 'nova.conf']
        steps += [
            (tag + '-nova', [
                nm + ['api_db', 'sync'],
                nm + ['cell_v2', 'map_cell0', '--database_connection',
                      lo.db_url('nova_cell0', region)],
                nm + ['db', 'sync'],
                nm + ['cell_v2', 'create_cell', '--name', 'cell1']]),
            (tag + '-neutron', [[
                vb('neutron-db-manage'),
                '--config-file', d / 'neutron' / 'neutron.conf',
                '--config-file', d / 'neutron' / 'plugins' / 'ml2' /
                'ml2_conf.ini', 'upgrade', 'heads']]),
            (tag + '-cinder', [[vb('cinder-manage'), '--config-file',
                                d / 'cinder' / 'cinder.conf', 'db', 'sync']]),
            (tag + '-heat', [[vb('heat-manage'), '--config-file',
                              d / 'heat' / 'heat.conf', 'db_sync']]),
            (tag + '-glance', [[vb('glance-manage'), '--config-dir',
                                d / 'glance', 'db_sync']]),
            (tag + '-placement', [[vb('placement-manage'), '--config-file',
                                   d / 'placement' / 'placement.conf',
                                   'db', 'sync']]),
        ]
    return steps


def sync_schemas(lo, workers=3):
    """Run every service's migrations, a few services at a time."""
    def run(step):
        name, commands = step
        for argv in commands:
            run_logged(lo, 'sync-' + name, argv)
        return name

    # Longest first, so the pool never ends waiting on one slow straggler.
    order = ['nova', 'neutron', 'keystone', 'cinder', 'heat', 'glance',
             'placement']
    steps = sorted(_sync_steps(lo), key=lambda s: next(
        i for i, key in enumerate(order) if s[0].endswith(key)))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for future in concurrent.futures.as_completed(
                [pool.submit(run, s) for s in steps]):
            future.result()


def build_rings(lo):
    """One device per ring, one replica: each Swift cluster on one disk."""
    script = '''
from swift.common.ring import RingBuilder
import sys
etc, ports = sys.argv[1], sys.argv[2:]
for kind, port in zip(("object", "container", "account"), ports):
    b = RingBuilder(8, 1, 1)
    b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
               "port": int(port), "device": "d1", "weight": 1.0})
    b.rebalance()
    b.save("%s/%s.builder" % (etc, kind))
    b.get_ring().save("%s/%s.ring.gz" % (etc, kind))
'''
    for cluster in lo.swift_clusters:
        run_logged(lo, 'swift-rings', [
            lo.venv_bin('python'), '-c', script, lo.swift_etc(cluster)] +
            [lo.port('swift-' + k, cluster)
             for k in ('object', 'container', 'account')])
        (lo.swift_devices_of(cluster) / 'd1').mkdir(parents=True,
                                                    exist_ok=True)


def write_sudo_shim(lo):
    """Cinder runs ``sudo cinder-rootwrap ...``; we are root already."""
    lo.bin.mkdir(parents=True, exist_ok=True)
    shim = lo.bin / 'sudo'
    shim.write_text('#!/bin/sh\n# minicloud: already root, run directly\n'
                    'while [ "${1#-}" != "$1" ]; do shift; done\n'
                    'exec "$@"\n')
    shim.chmod(0o755)
