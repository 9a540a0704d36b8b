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

"""The disaster-recovery story on the minicloud, step by step.

Deploy a three-tier workload in the primary region, protect it with the
primary site's Dragon, lose the primary site (its services and its Dragon),
then recover the workload into the backup region with the backup site's
Dragon, whose database has never seen the checkpoint: everything it needs
comes from Swift.  ``make demo`` tells this story and prints the figures;
the site-loss functional test runs the same steps and asserts on them.
"""
import dataclasses
import hashlib
import time
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import openstack

from dragon.client.v1 import client as dragon_client
from tests.minicloud.layout import region_tag
from tests.minicloud.layout import REGIONS
from tests.minicloud.workload import Workload

PRIMARY, BACKUP = REGIONS
FINAL_CHECKPOINT = ('available', 'error')
FINAL_RECOVERY = ('succeeded', 'error')


def session(layout, user='demo'):
    return ks_session.Session(auth=v3.Password(
        auth_url=layout.keystone_url, username=user, password=layout.password,
        project_name=user, user_domain_name='Default',
        project_domain_name='Default'))


def volume_file_sha256(layout, region, volume_id):
    """sha256 of a volume's bytes, read from the file-backed driver's file.

    The minicloud's Cinder keeps each volume in a plain file; reading it is
    the most direct proof of what a recovered volume holds.
    """
    path = (layout.data / region_tag(region) / 'cinder' / 'volumes' /
            ('volume-%s' % volume_id))
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def wait(fetch, final, timeout, on_poll=None):
    deadline = time.monotonic() + timeout
    while True:
        obj = fetch()
        if on_poll:
            on_poll(obj)
        if obj['status'] in final:
            return obj
        if time.monotonic() > deadline:
            raise TimeoutError('still %s after %d s' % (obj['status'],
                                                        timeout))
        time.sleep(1)


@dataclasses.dataclass
class Story:
    """The state the steps share; each step returns what it measured."""

    cloud: object                     # tests.minicloud.cloud.MiniCloud
    name: str = dataclasses.field(
        default_factory=lambda: 'shop-' + uuid.uuid4().hex[:6])
    workload: Workload = None
    policy: dict = None
    checkpoint: dict = None
    recovery: dict = None
    figures: dict = dataclasses.field(default_factory=dict)

    @property
    def layout(self):
        return self.cloud.lo

    def connect(self, region):
        """openstacksdk as the demo user in ``region``."""
        return openstack.connection.Connection(
            session=session(self.layout), region_name=region)

    def dragon_client(self, region):
        """The Dragon of ``region``'s site, found through the catalog."""
        return dragon_client.Client(session(self.layout), region_name=region)

    def deploy(self, conn, cidr='10.83.0.0/24'):
        started = time.monotonic()
        self.workload = Workload(self.name, conn).deploy(cidr=cidr)
        self.figures['deploy_seconds'] = time.monotonic() - started
        return self.workload

    def protect(self, on_poll=None, timeout=1200):
        dr = self.dragon_client(PRIMARY)
        ids = self.workload.ids
        self.policy = dr.policies.create(
            self.name, description='web, app and database tiers',
            options={'consistent': True}, members=[
                {'resource_type': 'server', 'resource_id': ids[role]}
                for role in ('web', 'app', 'db')] + [
                {'resource_type': 'volume', 'resource_id': ids['data'],
                 'action': 'snapshot_data'}])
        started = time.monotonic()
        checkpoint = dr.checkpoints.protect(self.policy['id'])
        self.checkpoint = wait(lambda: dr.checkpoints.get(checkpoint['id']),
                               FINAL_CHECKPOINT, timeout, on_poll)
        stats = self.checkpoint.get('stats') or {}
        self.figures.update(
            protect_seconds=time.monotonic() - started,
            checkpoint_bytes=stats.get('stored_bytes', 0),
            uploaded_bytes=stats.get('uploaded_bytes', 0))
        return self.checkpoint

    def lose_primary_site(self):
        self.cloud.stop_site(PRIMARY)

    def recovery_points(self):
        return self.dragon_client(BACKUP).recovery_points.list(
            policy=self.name)

    def recover(self, recovery_point, mode='failover', resources=None,
                mappings=None, on_poll=None, timeout=1800):
        dr = self.dragon_client(BACKUP)
        recovery = dr.recoveries.create(
            recovery_point=recovery_point, target_region=BACKUP, mode=mode,
            mappings=mappings, resources=resources)
        self.recovery = wait(lambda: dr.recoveries.get(recovery['id']),
                             FINAL_RECOVERY, timeout, on_poll)
        self.figures['rto_seconds'] = self.recovery.get('rto_seconds')
        return self.recovery

    def recovered_stack(self, conn):
        return conn.orchestration.get_stack(self.recovery['stack_id'])

    def recovered_resources(self, conn):
        """Stack resources of the recovery, by their graph key."""
        stack = self.recovered_stack(conn)
        return {r.name: r for r in conn.orchestration.resources(stack)}
