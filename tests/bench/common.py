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

"""What the benchmarks share: the cloud and Dragon, test data, timing, cleanup.

Every benchmark works as the ``demo`` user of the running dev minicloud and
talks to Dragon through its python client, exactly as a user would.  The
helpers here never assert anything about time: they measure and return
figures, and ``tests.bench.report`` prints them beside the goals of issue 6.
"""
import contextlib
import dataclasses
import json
import os
import random
import re
import subprocess
import threading
import time
import traceback
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import openstack
from swiftclient import client as swift_client

from dragon.client.v1 import client as dragon_client
from tests.bench import profile
from tests.minicloud.dragon import DragonDeployment
from tests.minicloud.layout import Layout
from tests.minicloud.layout import REGIONS
from tests.minicloud.process import clean_environ
from tests.minicloud.process import Processes

MiB = 1024 * 1024
MB = 1000 * 1000
PRIMARY, BACKUP = REGIONS
USER = 'demo'
CHECKPOINT_FINAL = ('available', 'error')
RECOVERY_FINAL = ('succeeded', 'error')
# Names of everything a run creates start with this, so leftovers are
# recognisable (and a later run never mistakes them for its own).
PREFIX = 'bench-'


def unique(what: str) -> str:
    return '%s%s-%s' % (PREFIX, what, uuid.uuid4().hex[:6])


def warn(text: str) -> None:
    print('  ! %s' % text, flush=True)


def say(text: str) -> None:
    print('  . %s' % text, flush=True)


# -- the cloud and Dragon -----------------------------------------------------
class Env:
    """The running minicloud, one Dragon per site, and clients as ``demo``."""

    def __init__(self, layout: Layout = None):
        self.layout = layout or Layout.from_env()
        self.primary = DragonDeployment(self.layout)
        self.backup = DragonDeployment(self.layout, region=BACKUP)
        self.processes = Processes(self.layout)

    def up(self, engine_options: dict | None = None) -> None:
        """(Re)start both sites' Dragon from this tree, as ``make demo`` does.

        :param engine_options: ``{'group.name': value}`` set on both sites'
            engines (through oslo.config's ``OS_<GROUP>__<NAME>``).
        """
        env = {'OS_%s__%s' % tuple(k.upper().split('.', 1)): str(v)
               for k, v in (engine_options or {}).items()}
        self.primary.up(engine_env=env)
        self.backup.up(engine_env=env)

    def session(self) -> ks_session.Session:
        return ks_session.Session(auth=v3.Password(
            auth_url=self.layout.keystone_url, username=USER,
            password=self.layout.password, project_name=USER,
            user_domain_name='Default', project_domain_name='Default'))

    def conn(self, region: str = PRIMARY) -> openstack.connection.Connection:
        return openstack.connection.Connection(session=self.session(),
                                               region_name=region)

    def dragon(self, region: str = PRIMARY) -> dragon_client.Client:
        return dragon_client.Client(self.session(), region_name=region)

    def swift(self) -> swift_client.Connection:
        return swift_client.Connection(
            session=self.session(), retries=3,
            os_options={'region_name': PRIMARY,
                        'service_type': 'object-store'})

    def engine_pid(self, deployment: DragonDeployment, index: int = 1) -> int:
        return self.processes.pid(deployment.engine_name(index))

    def cli_env(self, region: str = PRIMARY) -> dict:
        """Environment of the scripted pipeline: ``openstack`` and ``swift``.

        ``openstack`` reads the minicloud's clouds.yaml (``OS_CLOUD=demo``);
        the ``swift`` command does not read clouds.yaml, so it gets the same
        credentials as ``OS_*`` variables.
        """
        # Only these OS_* variables: none of the caller's shell.
        return clean_environ({
            'OS_CLIENT_CONFIG_FILE': str(self.layout.clouds_yaml),
            'OS_CLOUD': USER, 'OS_REGION_NAME': region,
            'OS_AUTH_URL': self.layout.keystone_url,
            'OS_USERNAME': USER, 'OS_PASSWORD': self.layout.password,
            'OS_PROJECT_NAME': USER, 'OS_USER_DOMAIN_NAME': 'Default',
            'OS_PROJECT_DOMAIN_NAME': 'Default',
            'OS_IDENTITY_API_VERSION': '3', 'PYTHONWARNINGS': 'ignore'})


def venv_bin(name: str) -> str:
    import sys
    return os.path.join(os.path.dirname(sys.executable), name)


def run_cli(env: Env, argv: list, region: str = PRIMARY) -> str:
    """Run one command of the scripted pipeline; its stdout."""
    result = subprocess.run([venv_bin(argv[0])] + list(argv[1:]),
                            env=env.cli_env(region), capture_output=True,
                            text=True)
    if result.returncode:
        raise RuntimeError('%s failed: %s' % (' '.join(argv[:3]),
                                              result.stderr.strip()[-500:]))
    return result.stdout


# -- timing and memory --------------------------------------------------------
class Timer:
    """``with Timer() as t: ...``; then ``t.seconds``."""

    def __enter__(self):
        self.started = time.monotonic()
        self.seconds = None
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started
        return False


def mb_per_s(nbytes: int, seconds: float) -> float:
    return nbytes / MB / seconds if seconds else 0.0


def _status_kib(pid: int, field: str) -> int | None:
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


class RssSampler:
    """Samples a process's resident memory in a thread while work runs.

    ``peak_mib`` is the largest VmRSS seen (every ``interval`` seconds);
    ``hwm_mib`` is the kernel's VmHWM at the end (the peak since the process
    started, so it also catches a spike between two samples).
    """

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid = pid
        self.interval = interval
        self.start_mib = self.peak_mib = self.hwm_mib = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            rss = _status_kib(self.pid, 'VmRSS')
            if rss is not None:
                self.peak_mib = max(self.peak_mib or 0, rss / 1024)
            self._stop.wait(self.interval)

    def __enter__(self):
        rss = _status_kib(self.pid, 'VmRSS')
        self.start_mib = rss / 1024 if rss else None
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        hwm = _status_kib(self.pid, 'VmHWM')
        self.hwm_mib = hwm / 1024 if hwm else None
        return False


# -- test data ----------------------------------------------------------------
def random_blocks(size: int, seed: str, block: int = MiB):
    """``size`` incompressible, reproducible bytes, one block at a time."""
    rng = random.Random(seed)
    left = size
    while left > 0:
        n = min(block, left)
        yield rng.randbytes(n)
        left -= n


# Kinds of test data (``--data``): random bytes (incompressible, the worst
# case for Dragon) and bytes like a disk of text and binaries, which zstd
# shrinks about 3-4 times.
RANDOM = 'random'
COMPRESSIBLE = 'compressible'
DATA_KINDS = (RANDOM, COMPRESSIBLE)
_PAGE = 4096
_TEXT = (b'the quick brown fox jumps over the lazy dog; ' * 100)


def compressible_blocks(size: int, seed: str, block: int = MiB):
    """``size`` reproducible bytes that compress but never repeat.

    Each 4 KiB page is 1 KiB of random bytes then 3 KiB of text: no two
    chunks are equal (so deduplication cannot skip any) and none is zero.
    """
    rng = random.Random(seed)
    left = size
    text = _TEXT[:_PAGE - 1024]
    while left > 0:
        n = min(block, left)
        pages = b''.join(rng.randbytes(1024) + text
                         for _ in range(-(-n // _PAGE)))
        yield pages[:n]
        left -= n


def data_blocks(size: int, seed: str, data: str = RANDOM,
                block: int = MiB):
    """``size`` bytes of the ``data`` kind, one block at a time."""
    make = compressible_blocks if data == COMPRESSIBLE else random_blocks
    return make(size, seed, block)


def upload_image(conn, name: str, size: int, seed: str,
                 data: str = RANDOM) -> dict:
    """A raw Glance image of ``size`` test bytes, streamed (never whole)."""
    image = conn.image.post('/images', json={
        'name': name, 'disk_format': 'raw', 'container_format': 'bare'}).json()
    conn.image.put('/images/%s/file' % image['id'],
                   data=data_blocks(size, seed, data),
                   headers={'Content-Type': 'application/octet-stream'})
    return wait_image(conn, image['id'])


def wait_image(conn, image_id: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        image = conn.image.get('/images/%s' % image_id).json()
        if image['status'] == 'active':
            return image
        if image['status'] in ('killed', 'deleted') or \
                time.monotonic() > deadline:
            raise RuntimeError('image %s is %s' % (image_id, image['status']))
        time.sleep(0.5)


def boot(conn, name: str, image_id: str, flavor: str = 'm1.tiny',
         count: int = 1, network_id: str = None, timeout: float = None,
         attempts: int = 6) -> list:
    """Boot ``count`` servers (the fake driver); their ids.

    Many at once go in one multi-create request, as an operator scripting
    it would; names get Nova's ``-N`` suffixes.  Without ``network_id`` the
    servers have no port.  Servers that go to ERROR or still build after
    ``timeout`` (the shared database refusing connections under the CI's
    load: NoValidHost, lost requests) are deleted and replaced, up to
    ``attempts`` rounds; on failure nothing booted here is left.
    """
    timeout = timeout or 120 + 3 * count
    flavor_id = conn.compute.find_flavor(flavor).id
    networks = [{'uuid': network_id}] if network_id else 'none'
    active = []
    for attempt in range(1, attempts + 1):
        want = count - len(active)
        batch = name if attempt == 1 else '%s-r%d' % (name, attempt)
        try:
            conn.compute.create_server(
                name=batch, image_id=image_id, flavor_id=flavor_id,
                networks=networks, min_count=want, max_count=want)
            ok, bad = _settle(conn, batch, want, timeout)
        except BaseException:
            delete_servers(conn, active + [
                s.id for s in _named(conn, batch)])
            raise
        active += ok
        if bad:
            warn('%s: %d of %d servers in ERROR or hung; replacing them'
                 % (batch, len(bad), want))
            delete_servers(conn, bad)
        if len(active) == count:
            return active
    delete_servers(conn, active)
    raise RuntimeError('%s: %d/%d servers ACTIVE after %d rounds' % (
        name, len(active), count, attempts))


def _named(conn, name: str) -> list:
    """Servers of one (multi-)create, retrying a list the API failed.

    While a multi-create is being scheduled Nova lists build requests and
    instances together, and a page marker can come back twice (the SDK
    then stops with "Endless pagination loop"): listed again.
    """
    for attempt in range(5):
        try:
            return list(conn.compute.servers(
                name='^%s(-[0-9]+)?$' % name, limit=50))
        except openstack.exceptions.SDKException:
            if attempt == 4:
                raise
            time.sleep(2)


def _settle(conn, name: str, count: int, timeout: float) -> tuple:
    """Wait until no server of the batch builds; (active ids, other ids)."""
    deadline = time.monotonic() + timeout
    while True:
        servers = _named(conn, name)
        building = [s for s in servers if s.status == 'BUILD']
        if (len(servers) >= count and not building) or \
                time.monotonic() > deadline:
            ok = [s.id for s in servers if s.status == 'ACTIVE']
            return ok, [s.id for s in servers if s.id not in ok]
        time.sleep(1)


def delete_servers(conn, ids: list, timeout: float = 900) -> None:
    """Delete servers and wait; a refused delete (409/500 while the shared
    database is overloaded) is asked again on the next round.
    """
    deadline = time.monotonic() + timeout
    left, asked = set(ids), {}
    while left and time.monotonic() < deadline:
        for server_id in left:
            if time.monotonic() - asked.get(server_id, -1e9) < 30:
                continue
            try:
                conn.compute.delete_server(server_id, ignore_missing=True)
                asked[server_id] = time.monotonic()
            except openstack.exceptions.SDKException as exc:
                warn('delete of server %s refused (%s); asking again'
                     % (server_id, str(exc).splitlines()[0][:120]))
        time.sleep(1)
        try:
            # Paged: one unpaged list of ~80+ servers makes nova-api ask
            # Neutron for a URL longer than the minicloud accepts (500).
            left = {s.id for s in conn.compute.servers(limit=50)} & left
        except openstack.exceptions.SDKException:
            pass
    if left:
        warn('%d servers still not deleted' % len(left))


def delete_image(conn, image_id: str) -> None:
    conn.image.delete_image(image_id, ignore_missing=True)


# -- Dragon -------------------------------------------------------------------
def wait_for(fetch, final, timeout: float, interval: float = 0.25) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        obj = fetch()
        if obj['status'] in final:
            return obj
        if time.monotonic() > deadline:
            raise TimeoutError('still %s after %d s' % (obj['status'],
                                                        timeout))
        time.sleep(interval)


def create_policy(dr, name: str, members: list) -> dict:
    return dr.policies.create(name, description='benchmark', members=members)


def protect(dr, policy_id: str, timeout: float = 3600,
            on_created=None) -> tuple:
    """Protect and wait; (checkpoint, wall seconds from request to final).

    ``on_created(checkpoint)`` hears of the checkpoint as soon as it
    exists, so its removal is registered even when it ends in error.
    """
    with Timer() as t:
        checkpoint = dr.checkpoints.protect(policy_id)
        if on_created:
            on_created(checkpoint)
        checkpoint = wait_for(lambda: dr.checkpoints.get(checkpoint['id']),
                              CHECKPOINT_FINAL, timeout)
    if checkpoint['status'] != 'available':
        raise RuntimeError('checkpoint %s: %s' % (checkpoint['id'],
                                                  checkpoint['error']))
    return checkpoint, t.seconds


def _status_code(exc: Exception):
    # openstacksdk says status_code, swiftclient http_status, Dragon's
    # client status.
    for attr in ('status_code', 'http_status', 'status'):
        code = getattr(exc, attr, None)
        if isinstance(code, int):
            return code
    return None


def _gone(exc: Exception) -> bool:
    """Whether a cleanup's error only says the thing is not there (404)."""
    return _status_code(exc) == 404


def delete_checkpoint(dr, checkpoint_id: str, timeout: float = 300) -> None:
    """Delete a checkpoint and wait until it is gone (or was already)."""
    try:
        dr.checkpoints.delete(checkpoint_id)
    except Exception as exc:   # noqa: BLE001 - 404 means gone
        if _gone(exc):
            return
        raise
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if dr.checkpoints.get(checkpoint_id)['status'] == 'error':
                warn('checkpoint %s: delete ended in error' % checkpoint_id)
                return
        except Exception as exc:   # noqa: BLE001 - 404 means gone
            if _status_code(exc) == 404 or '404' in str(exc):
                return
            raise
        time.sleep(0.5)
    warn('checkpoint %s still there after %d s' % (checkpoint_id, timeout))


def delete_recovery(dr, recovery_id: str, timeout: float = 600) -> None:
    """Tear a recovery down (stack and restored data) and wait.

    One already gone (deleted earlier by the benchmark) is fine.
    """
    try:
        dr.recoveries.delete(recovery_id)
    except Exception as exc:   # noqa: BLE001 - 404 means gone
        if _status_code(exc) == 404:
            return
        raise
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = dr.recoveries.get(recovery_id)['status']
        except Exception as exc:   # noqa: BLE001 - 404 means gone
            if _status_code(exc) == 404 or '404' in str(exc):
                return
            raise
        if status not in ('deleting', 'recovering'):
            if status != 'deleted':
                warn('recovery %s is %s after delete' % (recovery_id, status))
            return
        time.sleep(0.5)
    warn('recovery %s still deleting after %d s' % (recovery_id, timeout))


def manifest(env: Env, checkpoint: dict) -> dict:
    _h, body = env.swift().get_object(checkpoint['container'],
                                      'checkpoint.json')
    return json.loads(body)


def owned_chunks(env: Env, checkpoint: dict) -> tuple:
    """(chunk container, chunk object names, index object names) of the data
    a checkpoint of benchmark-only random bytes stored.

    Only for checkpoints whose data nobody else can share (random images):
    their chunks are removed with them, so a run leaves no bytes behind.
    """
    from dragon.checkpoint.chunks import ChunkStore
    from dragon.checkpoint.chunks import ZERO
    from dragon.protection.data import index
    doc = manifest(env, checkpoint)
    container = doc.get('chunk_container')
    objects, entries = set(), set()
    if 'sealed' in doc:
        # An encrypted checkpoint's clear envelope lists its keyed chunks;
        # its index entries are sealed (gc sweeps them with the chunks).
        return container, {ChunkStore.object_name(c['sha256'])
                           for c in doc.get('chunks') or ()
                           if c['sha256'] != ZERO}, entries
    for record in (doc.get('data') or {}).values():
        for ref in (record or {}).get('chunks') or []:
            if ref['sha256'] != ZERO:
                objects.add(ChunkStore.object_name(ref['sha256']))
        glance_hash = (record or {}).get('glance_hash') or {}
        if glance_hash.get('algo') and glance_hash.get('value'):
            entries.add(index.object_name(glance_hash['algo'],
                                          glance_hash['value']))
    return container, objects, entries


def delete_objects(env: Env, container: str, names) -> None:
    swift = env.swift()
    for name in names:
        try:
            swift.delete_object(container, name)
        except swift_client.ClientException as exc:
            if exc.http_status != 404:
                raise


# -- cleanup ------------------------------------------------------------------
class Cleanup(contextlib.ExitStack):
    """LIFO cleanups that each run even when one fails (reported, not raised).

    A benchmark registers the removal of each thing right after making it,
    so whatever happens, what it made is gone when it returns.
    """

    def add(self, what: str, fn, *args, **kwargs) -> None:
        def quiet():
            try:
                fn(*args, **kwargs)
            except Exception as exc:   # noqa: BLE001 - keep cleaning the rest
                if _gone(exc):
                    return      # removed already (by Dragon, or earlier)
                warn('cleanup of %s failed:\n%s' % (what,
                                                    traceback.format_exc()))
        self.callback(quiet)


@dataclasses.dataclass
class Row:
    """One printed figure, with its goal and whether it was met."""

    bench: str
    figure: str
    value: str
    goal: str = ''
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: 'met', False: 'MISSED', None: ''}[self.met]


# -- what several benchmarks measure once -------------------------------------
class Run:
    """One run of the benchmarks: its figures and the work they share.

    Protecting a server of N MiB, its scripted backup and its recovery are
    each done once per run and per size, whichever benchmark asks first
    (throughput, re-protect, memory and recovery all read them).  What they
    make is removed by ``cleanup`` at the end of the run.
    """

    def __init__(self, env: Env, size: int, cleanup: Cleanup):
        self.env = env
        self.size = size
        self.cleanup = cleanup
        self.rows: list = []
        self._cache: dict = {}
        # Chunks only this run's random data made; removed last, when no
        # checkpoint of the run references them any more (a volume made
        # from the data image shares the image's chunks).
        self.garbage: dict = {}
        self.profile_dir: str | None = None   # --profile: py-spy samples
        self.repeat = 3                        # --repeat: runs per figure
        self.data_kinds = [RANDOM]             # --data
        cleanup.add('chunks of the run', self._delete_garbage)

    def _delete_garbage(self) -> None:
        for container, names in self.garbage.items():
            delete_objects(self.env, container, sorted(names))

    def row(self, bench: str, figure: str, value: str, goal: str = '',
            met: bool | None = None) -> None:
        self.rows.append(Row(bench, figure, value, goal, met))
        print('  = %-14s %-44s %s' % (bench, figure, value), flush=True)

    def _once(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # -- a server whose disk holds ``size`` random bytes
    def data_server(self, size: int, data: str = RANDOM) -> dict:
        return self._once(('server', size, data),
                          lambda: self._data_server(size, data))

    def _data_server(self, size: int, data: str) -> dict:
        conn = self.env.conn()
        name = unique('data%d' % (size // MiB)) + (
            '' if data == RANDOM else '-' + data[0])
        say('uploading a %d MiB image of %s bytes' % (size // MiB, data))
        with Timer() as t:
            image = upload_image(conn, name, size, seed=name, data=data)
        self.cleanup.add('image ' + name, delete_image, conn, image['id'])
        say('image %s uploaded in %.1f s; booting a server from it' % (
            image['id'], t.seconds))
        # m1.small: a 2 GiB root disk holds images up to 2 GiB.
        flavor = 'm1.tiny' if size < 1024 * MiB else 'm1.small'
        ids = boot(conn, name, image['id'], flavor=flavor,
                   network_id=self.network())
        self.cleanup.add('server ' + name, delete_servers, conn, ids)
        return {'name': name, 'image': image, 'server_id': ids[0],
                'flavor': flavor, 'data': data}

    def network(self) -> str:
        """A private network for the data servers (Heat needs their nics)."""
        return self._once('network', self._network)

    def _network(self) -> str:
        conn = self.env.conn()
        name = unique('net')
        net = conn.network.create_network(name=name)
        self.cleanup.add('network ' + name, _delete_network, conn, net.id)
        conn.network.create_subnet(network_id=net.id, name=name,
                                   ip_version=4, cidr='10.86.0.0/24')
        return net.id

    # -- Dragon protecting it
    def policy(self, size: int, data: str = RANDOM) -> dict:
        return self._once(('policy', size, data),
                          lambda: self._policy(size, data))

    def _policy(self, size: int, data: str) -> dict:
        server = self.data_server(size, data)
        dr = self.env.dragon()
        policy = create_policy(dr, server['name'], [
            {'resource_type': 'server', 'resource_id': server['server_id'],
             'action': 'image_snapshot'}])
        self.cleanup.add('policy ' + policy['name'], dr.policies.delete,
                         policy['id'])
        return policy

    def protect(self, size: int, data: str = RANDOM) -> dict:
        """Protect the server of ``size`` bytes (again); what it cost.

        Its checkpoint (and the chunks only it can have made) is removed at
        the end of the run.
        """
        policy = self.policy(size, data)
        dr = self.env.dragon()
        say('protecting %s with Dragon' % policy['name'])
        pid = self.env.engine_pid(self.env.primary)
        with RssSampler(pid) as rss, profile.recording(
                self.profile_dir, 'protect-%dMiB-%d' % (
                    size // MiB, len(self._cache)), pid) as spy:
            checkpoint, seconds = protect(
                dr, policy['id'], on_created=lambda c: self.cleanup.add(
                    'checkpoint ' + c['id'], self._delete_data_checkpoint,
                    c))
        stats = checkpoint.get('stats') or {}
        say('checkpoint %s available in %.1f s, %d bytes uploaded' % (
            checkpoint['id'], seconds, stats.get('uploaded_bytes') or 0))
        return {'checkpoint': checkpoint, 'seconds': seconds, 'rss': rss,
                'stats': stats, 'profile': spy}

    def forget(self, result: dict) -> None:
        """Remove a protect's checkpoint and its chunks now, not at the end.

        A repeated first protect must find none of the data stored.
        """
        self._delete_data_checkpoint(result['checkpoint'])
        self._delete_garbage()
        self.garbage.clear()

    def _delete_data_checkpoint(self, checkpoint: dict) -> None:
        # The checkpoint as it was created has no container yet: read it
        # as it is now.
        try:
            checkpoint = self.env.dragon().checkpoints.get(checkpoint['id'])
        except Exception as exc:   # noqa: BLE001 - 404 means gone
            if _status_code(exc) == 404:
                return
            raise
        try:
            container, objects, entries = owned_chunks(self.env, checkpoint)
        except swift_client.ClientException:
            container, objects, entries = None, (), ()
        delete_checkpoint(self.env.dragon(), checkpoint['id'])
        if container:
            # Index entries first: an entry must not outlive its chunks.
            delete_objects(self.env, container, sorted(entries))
            self.garbage.setdefault(container, set()).update(objects)

    def first_protect(self, size: int) -> dict:
        return self._once(('protect', size), lambda: self.protect(size))

    # -- Dragon recovering it at the backup site
    def recover(self, size: int) -> dict:
        return self._once(('recover', size), lambda: self._recover(size))

    def _recover(self, size: int) -> dict:
        checkpoint = self.first_protect(size)['checkpoint']
        dr = self.env.dragon(BACKUP)
        say('recovering %s into %s with the backup site\'s Dragon' % (
            checkpoint['container'], BACKUP))
        pid = self.env.engine_pid(self.env.backup)
        with RssSampler(pid) as rss, profile.recording(
                self.profile_dir, 'recover-%dMiB' % (size // MiB),
                pid) as spy, Timer() as t:
            recovery = dr.recoveries.create(
                recovery_point=checkpoint['container'],
                target_region=BACKUP, mode='failover')
            self.cleanup.add('recovery ' + recovery['id'], delete_recovery,
                             dr, recovery['id'])
            recovery = wait_for(lambda: dr.recoveries.get(recovery['id']),
                                RECOVERY_FINAL, 3600)
        if recovery['status'] != 'succeeded':
            raise RuntimeError('recovery %s: %s' % (recovery['id'],
                                                    recovery.get('error')))
        say('recovered in %.1f s (RTO %.1f s)' % (
            t.seconds, recovery.get('rto_seconds') or 0))
        return {'recovery': recovery, 'seconds': t.seconds, 'rss': rss,
                'profile': spy}

    # -- the scripted alternative: a cron job of CLI commands
    def scripted_backup(self, size: int) -> dict:
        return self._once(('scripted', size),
                          lambda: self._scripted_backup(size))

    def _scripted_backup(self, size: int, data: str = RANDOM) -> dict:
        server = self.data_server(size, data)
        conn = self.env.conn()
        snap_name = unique('scripted-snap')
        container = unique('scripted')
        path = os.path.join(str(self.env.layout.home), snap_name + '.raw')
        steps = {}
        say('scripted backup: server image create, image save, swift upload')
        self.cleanup.add('scripted container', self._delete_container,
                         container)
        self.cleanup.add('file ' + path, unlink, path)
        self.cleanup.add('snapshot ' + snap_name, self._delete_image_named,
                         conn, snap_name)
        with Timer() as total:
            with Timer() as t:
                run_cli(self.env, ['openstack', 'server', 'image', 'create',
                                   '--name', snap_name, '--wait',
                                   server['server_id']])
            steps['server image create --wait'] = t.seconds
            with Timer() as t:
                run_cli(self.env, ['openstack', 'image', 'save', '--file',
                                   path, snap_name])
            steps['image save'] = t.seconds
            with Timer() as t:
                run_cli(self.env, ['swift', 'upload', '--object-name',
                                   'disk.raw', container, path])
            steps['swift upload'] = t.seconds
        os.unlink(path)
        say('scripted backup in %.1f s (%s)' % (total.seconds, ', '.join(
            '%s %.1f s' % kv for kv in steps.items())))
        return {'seconds': total.seconds, 'steps': steps,
                'container': container, 'object': 'disk.raw',
                'flavor': server['flavor'], 'snapshot': snap_name}

    def _delete_container(self, container: str) -> None:
        swift = self.env.swift()
        try:
            _h, objects = swift.get_container(container, full_listing=True)
        except swift_client.ClientException as exc:
            if exc.http_status == 404:
                return
            raise
        delete_objects(self.env, container, [o['name'] for o in objects])
        swift.delete_container(container)

    @staticmethod
    def _delete_image_named(conn, name: str) -> None:
        for image in conn.image.images(name=name):
            conn.image.delete_image(image.id, ignore_missing=True)


def _delete_network(conn, net_id: str) -> None:
    for port in conn.network.ports(network_id=net_id):
        if port.device_owner in ('', 'compute:nova', 'compute:None'):
            conn.network.delete_port(port, ignore_missing=True)
    conn.network.delete_network(net_id, ignore_missing=True)


def unlink(path: str) -> None:
    """Remove a scripted pipeline's file if it is there."""
    if os.path.exists(path):
        os.unlink(path)


def delete_stack_named(conn, name: str) -> None:
    """Delete a scripted recovery's Heat stack, if any, and wait."""
    stack = conn.orchestration.find_stack(name, ignore_missing=True)
    if stack is not None:
        conn.orchestration.delete_stack(stack)
        conn.orchestration.wait_for_delete(stack, wait=600)


def scripted_image_restore(env: Env, container: str, obj: str,
                           image_name: str, steps: dict) -> str:
    """``swift download`` of a scripted backup's object, then ``openstack
    image create`` of it in the backup region; the new image's id.

    The seconds of each command are added to ``steps`` (the scripted
    recoveries report them); the downloaded file is removed after.
    """
    path = os.path.join(str(env.layout.home), image_name + '.raw')
    try:
        with Timer() as t:
            run_cli(env, ['swift', 'download', '--output', path, container,
                          obj])
        steps['swift download'] = steps.get('swift download', 0.0) + t.seconds
        with Timer() as t:
            image_id = run_cli(env, [
                'openstack', 'image', 'create', '--disk-format', 'raw',
                '--container-format', 'bare', '--file', path,
                '-f', 'value', '-c', 'id', image_name],
                region=BACKUP).strip()
        steps['image create'] = steps.get('image create', 0.0) + t.seconds
    finally:
        unlink(path)
    return image_id


# Milestones of a protection in its events: (phase, text of the event that
# ends it); the phase's time runs from the previous milestone.
MILESTONES = (('queue', 'started on engine'), ('discover', 'discovered '),
              ('template', 'validated by Heat'),
              ('capture', 'point in time captured'),
              ('transfer', ' uploaded, '), ('finish', 'checkpoint complete'))


def phases(events: list) -> list:
    """[(phase, seconds)] of a protection, read from its events' times."""
    import datetime

    def when(event):
        return datetime.datetime.fromisoformat(event['time'])

    if not events:
        return []
    out, previous = [], when(events[0])
    for phase, text in MILESTONES:
        hits = [e for e in events if text in e['message']]
        if not hits:
            continue
        # The transfer ends with the last resource stored.
        at = when(hits[-1] if phase == 'transfer' else hits[0])
        out.append((phase, (at - previous).total_seconds()))
        previous = at
    return out


_READ = re.compile(r'image \S+: (\d+) bytes read in ([\d.]+) s')


def data_path_reads(events: list) -> list:
    """[(bytes, seconds)] of each image the engine streamed into chunks.

    From Glance's first byte to the last chunk stored: Dragon's own data
    path, without the wait for the hypervisor's snapshot upload.
    """
    found = []
    for event in events:
        match = _READ.search(event['message'])
        if match:
            found.append((int(match.group(1)), float(match.group(2))))
    return found


def phases_text(dr, checkpoint_id: str) -> str:
    try:
        found = phases(dr.checkpoints.events(checkpoint_id))
    except Exception as exc:   # noqa: BLE001 - a figure, not a failure
        return 'events unreadable: %s' % exc
    return ', '.join('%s %.1f' % kv for kv in found)
