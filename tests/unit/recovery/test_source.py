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

"""Which object store a recovery reads: the target's, else this site's."""
import types

import pytest
from swiftclient import exceptions as swift_exc

from dragon import exception
from dragon.recovery import source

CONTAINER = 'dragon_p1_web_20261205T010000Z'
COMPLETE = {'x-container-meta-dragon-complete': 'true'}
STARTED = {'x-container-meta-dragon-started-at': '2026-12-05T01:00:00'}


class FakeSwift:
    def __init__(self, headers):
        self.headers = headers
        self.heads = 0

    def head_container(self, container):
        self.heads += 1
        assert container == CONTAINER
        if self.headers is None:
            raise swift_exc.ClientException('not found', http_status=404)
        return self.headers


class FakeClients:
    """One region's clients; ``in_region`` gives another's."""

    def __init__(self, stores, region):
        self.stores = stores
        self.region_name = region

    def swift(self):
        return self.stores[self.region_name]

    def in_region(self, region):
        return FakeClients(self.stores, region)


def _conf(home):
    return types.SimpleNamespace(engine=types.SimpleNamespace(
        region_name=home))


def _choose(stores, target='RegionTwo', home='RegionOne'):
    events = []
    factory = source.checkpoint_swift(
        _conf(home), FakeClients(stores, target), CONTAINER,
        lambda level, message: events.append((level, message)))
    return factory(), events


def test_the_target_regions_copy_is_read_and_nothing_else_asked():
    two, one = FakeSwift(COMPLETE), FakeSwift(COMPLETE)
    chosen, events = _choose({'RegionTwo': two, 'RegionOne': one})
    assert chosen is two and events == []
    assert one.heads == 0


@pytest.mark.parametrize('at_target', [None, STARTED],
                         ids=['absent', 'incomplete'])
def test_this_sites_store_is_read_when_the_target_lacks_it(at_target):
    two, one = FakeSwift(at_target), FakeSwift(COMPLETE)
    chosen, events = _choose({'RegionTwo': two, 'RegionOne': one})
    assert chosen is one
    [(level, message)] = events
    assert level == 'info'
    assert 'object store of RegionOne' in message
    assert 'RegionTwo does not hold it' in message
    assert 'replicates' in message


def test_in_neither_store_the_error_names_both_and_why():
    stores = {'RegionTwo': FakeSwift(None), 'RegionOne': FakeSwift(STARTED)}
    with pytest.raises(exception.RecoveryPointNotStored) as failed:
        _choose(stores)
    message = str(failed.value)
    assert CONTAINER in message
    assert 'RegionTwo or RegionOne' in message
    assert 'only when its policy replicates to that region' in message
    assert 'checkpoint.json' not in message


def test_a_recovery_into_this_sites_own_region_asks_one_store():
    own = FakeSwift(None)
    with pytest.raises(exception.RecoveryPointNotStored) as failed:
        _choose({'RegionOne': own}, target='RegionOne')
    assert own.heads == 1
    assert 'object store of RegionOne;' in str(failed.value)
