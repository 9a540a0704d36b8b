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

"""``kill -9`` of the engine running a recovery: a peer removes what it made.

A failover of the session's checkpoint into RegionTwo is started with two
engines running; the engine that took it is killed while data is being
restored. The other engine takes the recovery over and rolls it back: the
recovery ends ``error`` naming the dead engine, and nothing it created is
left in the target region (no stack, no restored image or volume).
"""
import time

from tests.functional.recovery.test_recover import _leftovers
from tests.story import BACKUP
from tests.story import FINAL_RECOVERY
from tests.story import wait


def test_kill_9_mid_recovery_leaves_nothing_behind(protected, two_engines,
                                                   cloud):
    dr = protected.dr
    target = cloud.connect('demo', region=BACKUP)
    checkpoint = protected.latest()
    recovery = dr.recoveries.create(checkpoint_id=checkpoint['id'],
                                    target_region=BACKUP)
    deadline = time.monotonic() + 300
    while True:
        row = dr.recoveries.get(recovery['id'])
        if row['status'] == 'recovering' and row['engine'] and \
                row['progress']['bytes_done'] > 0:
            break
        assert row['status'] == 'recovering', row
        assert time.monotonic() < deadline, 'never saw a restore'
        time.sleep(0.2)
    victim = row['engine']
    index = two_engines.engine_index(victim)
    two_engines.kill_engine(index)

    ended = wait(lambda: dr.recoveries.get(recovery['id']), FINAL_RECOVERY,
                 600)
    assert ended['status'] == 'error', ended
    assert ('the engine running it (host %s) stopped mid-recovery' % victim
            in ended['error']), ended['error']
    assert 'everything it had created was removed' in ended['error']
    assert ended['torn_down'] is True
    assert _leftovers(target, recovery['id']) == []
    if ended['stack_name']:
        assert ended['stack_name'] not in [
            s.name for s in target.orchestration.stacks()]
    volumes = [v.name for v in target.block_storage.volumes()
               if (v.name or '').startswith('dragon-restore-')]
    assert volumes == []
    two_engines.start_engine(index)
    dr.recoveries.delete(recovery['id'])
