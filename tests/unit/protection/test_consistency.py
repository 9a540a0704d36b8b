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

"""Servers paused for a consistent point in time are always unpaused."""
from openstack.compute.v2 import server as server_mod
from openstack import exceptions as sdk_exc
import pytest

from dragon import exception
from dragon.protection import consistency
from dragon.protection import graph as graph_mod


class Compute:
    """The openstacksdk compute proxy calls ``paused`` makes."""

    def __init__(self, statuses, busy=0):
        self.statuses = dict(statuses)
        self.busy = busy
        self.posts = []

    def get_server(self, server_id):
        return server_mod.Server.existing(id=server_id,
                                          status=self.statuses[server_id])

    def pause_server(self, server_id):
        self.post(server_id, 'pause')

    def unpause_server(self, server_id):
        self.post(server_id, 'unpause')

    def post(self, server_id, action):
        if action == 'unpause' and self.busy:
            self.busy -= 1
            raise sdk_exc.ConflictException()
        self.posts.append((action, server_id))
        if action == 'pause' and server_id == 'stuck':
            return
        self.statuses[server_id] = 'PAUSED' if action == 'pause' else 'ACTIVE'


def _node(server_id):
    return graph_mod.Node('server_' + server_id, graph_mod.Resource(
        'OS::Nova::Server', server_id, server_id))


def test_active_servers_are_paused_and_unpaused_even_when_busy():
    compute = Compute({'a': 'ACTIVE', 'b': 'SHUTOFF'}, busy=2)
    events = []
    with consistency.paused(compute, [_node('a'), _node('b')],
                            lambda *e: events.append(e), poll=0,
                            timeout=120):
        assert compute.statuses['a'] == 'PAUSED'
    assert compute.posts == [('pause', 'a'), ('unpause', 'a')]
    assert compute.statuses['a'] == 'ACTIVE'
    assert any('not paused' in e[1] for e in events)


def test_every_pause_is_asked_before_the_first_wait():
    compute = Compute({'a': 'ACTIVE', 'b': 'ACTIVE', 'c': 'ACTIVE'})
    reads = []
    get_server = compute.get_server

    def read(server_id):
        reads.append((len(compute.posts), server_id))
        return get_server(server_id)

    compute.get_server = read
    with consistency.paused(compute, [_node('a'), _node('b'), _node('c')],
                            lambda *e: None, poll=0, timeout=120):
        assert set(compute.statuses.values()) == {'PAUSED'}
    # Each server's status is read once before its pause; the waits for
    # PAUSED read with all three pauses sent.
    assert [r for r in reads if r[0] < 3] == [(0, 'a'), (1, 'b'), (2, 'c')]
    assert compute.posts[:3] == [('pause', 'a'), ('pause', 'b'),
                                 ('pause', 'c')]


def test_a_failure_inside_still_unpauses():
    compute = Compute({'a': 'ACTIVE'})
    with pytest.raises(ValueError):
        with consistency.paused(compute, [_node('a')], lambda *e: None,
                                poll=0, timeout=120):
            raise ValueError('capture failed')
    assert compute.posts[-1] == ('unpause', 'a')


def test_a_server_that_does_not_pause_fails_and_the_others_are_unpaused():
    compute = Compute({'a': 'ACTIVE', 'stuck': 'ACTIVE'})
    with pytest.raises(exception.DataActionFailed,
                       match='did not pause within 0 s'):
        with consistency.paused(compute, [_node('a'), _node('stuck')],
                                lambda *e: None, poll=0.01, timeout=0.05):
            pass
    assert ('unpause', 'a') in compute.posts
    assert ('unpause', 'stuck') in compute.posts


def test_a_server_that_stays_paused_fails_the_block_named():
    compute = Compute({'a': 'ACTIVE', 'b': 'ACTIVE'}, busy=1000)
    events = []
    with pytest.raises(exception.ServersLeftPaused) as caught:
        with consistency.paused(compute, [_node('a'), _node('b')],
                                lambda *e: events.append(e), poll=0.01,
                                timeout=0.05):
            pass
    assert 'a (a), b (b)' in str(caught.value)
    assert 'openstack server unpause' in str(caught.value)
    # No "unpaused" line for a server still paused.
    assert not [e for e in events if e[1] == 'unpaused']
    # Unpaused in parallel: each is named once, in whatever order.
    assert sorted(e[2] for e in events if e[0] == 'error') == [
        'server_a', 'server_b']


def test_a_server_not_active_after_unpause_is_left_paused():
    compute = Compute({'a': 'ACTIVE'})
    original = compute.post

    def post(server_id, action):
        original(server_id, action)
        if action == 'unpause':
            compute.statuses['a'] = 'PAUSED'    # Nova accepted, did nothing
    compute.post = post
    with pytest.raises(exception.ServersLeftPaused, match='a \\(a\\)'):
        with consistency.paused(compute, [_node('a')], lambda *e: None,
                                poll=0.01, timeout=0.05):
            pass


def test_a_failed_block_and_a_paused_server_name_both():
    compute = Compute({'a': 'ACTIVE'})

    def post(server_id, action):
        if action == 'unpause':
            raise sdk_exc.BadRequestException('no')
        compute.statuses['a'] = 'PAUSED'
    compute.post = post
    with pytest.raises(exception.ServersLeftPaused) as caught:
        with consistency.paused(compute, [_node('a')], lambda *e: None,
                                poll=0, timeout=120):
            raise exception.DataActionFailed(resource='v', reason='boom')
    assert 'a (a)' in str(caught.value)
    assert 'the run had failed too: v: boom' in str(caught.value)


def test_an_unpause_refused_while_nova_uploads_is_retried_past_timeout():
    compute = Compute({'a': 'ACTIVE'}, busy=1000)
    get_server = compute.get_server

    def uploading(server_id):
        if compute.busy and compute.busy < 990:
            compute.busy = 0      # the upload is done
        server = get_server(server_id)
        server.task_state = 'image_uploading' if compute.busy else None
        return server
    compute.get_server = uploading
    pause = consistency.Pause(compute, [_node('a')], lambda *e: None,
                              poll=0.01, timeout=0.05, busy_timeout=5)
    pause.pause()
    pause.release()
    pause.wait()
    assert compute.posts == [('pause', 'a'), ('unpause', 'a')]
    assert compute.statuses['a'] == 'ACTIVE'


def test_left_paused_reads_the_runs_own_pause_and_release():
    events = [('server_a', consistency.PAUSED_EVENT),
              ('server_b', consistency.PAUSED_EVENT),
              ('server_b', consistency.UNPAUSED_EVENT),
              ('server_c', 'not running: not paused'),
              (None, consistency.PAUSED_EVENT)]
    assert consistency.left_paused(events) == ['server_a']


@pytest.mark.parametrize('status, unpaused', [('PAUSED', True),
                                              ('ACTIVE', False),
                                              ('SHUTOFF', False)])
def test_unpause_if_paused_leaves_a_server_the_user_changed(status,
                                                          unpaused):
    compute = Compute({'a': status}, busy=1)
    assert consistency.unpause_if_paused(compute, 'a', 0, 5, 5) is unpaused
    assert compute.posts == ([('unpause', 'a')] if unpaused else [])
