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

"""What each functional ``failback run`` checks: a quick answer, a quiesce.

The request only checks and hands the run over; the engine running the
failback's recovery pauses (or stops) the servers at the backup site and
starts the final checkpoint (its step 1).
"""

import time

# Seconds the request may take: a trust, two rows and a cast (quiescing
# even one server took longer than this when the request did it).
ANSWER_SECONDS = 15


def run(dr, policy_id, **kwargs):
    """``failback run``, answered at once, nothing quiesced yet."""
    began = time.monotonic()
    recovery = dr.policies.failback_run(policy_id, **kwargs)
    took = time.monotonic() - began
    print('failback run answered in %.2f s' % took)
    assert took < ANSWER_SECONDS, took
    assert recovery['status'] == 'recovering', recovery
    assert recovery['checkpoint_id'] is None, recovery
    return recovery


def assert_quiesced(dr, there, policy_id, run_id, status, count):
    """``count`` servers at the backup site ``status`` (``PAUSED`` or
    ``SHUTOFF``), quiesced by the engine, and its final checkpoint on
    the recovery.

    :param there: an openstacksdk connection to the backup region.
    :returns: the server ids quiesced.
    """
    record = dr.policies.get(policy_id)['failback']['run']
    servers = [e['server_id'] for e in record['quiesced']]
    assert len(servers) == count, record
    for server_id in servers:
        assert there.compute.get_server(server_id).status == status, \
            server_id
    messages = [e['message'] for e in dr.recoveries.events(run_id)]
    assert any(m.startswith('step 1/6: ') for m in messages), messages
    done = 'paused' if status == 'PAUSED' else 'stopped'
    for server_id in servers:
        assert 'server %s here %s' % (server_id, done) in messages, messages
    assert record['quiesced_at'], record
    recovery = dr.recoveries.get(run_id)
    assert recovery['checkpoint_id'] == record['checkpoint_id'], (
        recovery['checkpoint_id'], record)
    return servers
