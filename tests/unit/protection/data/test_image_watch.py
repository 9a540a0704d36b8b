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

"""The image watch: many waits, one Glance list call per round."""
import concurrent.futures

from keystoneauth1 import exceptions as ks_exc
import pytest

from dragon import exception
from dragon.protection.data import image_watch
from tests.unit.protection.data import fakes


def _data():
    yield b'x' * 10


@pytest.fixture
def cloud():
    return fakes.FakeCloud()


def _wait_all(watch, image_ids, timeout=5):
    with concurrent.futures.ThreadPoolExecutor(len(image_ids)) as pool:
        futures = [pool.submit(watch.wait_active, i, timeout=timeout,
                               resource='server s%d' % n)
                   for n, i in enumerate(image_ids)]
        return [f.result() for f in futures]


def test_many_waits_are_served_by_list_calls_not_one_read_each(cloud):
    ids = [cloud.add_image(_data) for _ in range(20)]
    watch = image_watch.ImageWatch(cloud, interval=0.01)

    images = _wait_all(watch, ids)

    assert [i['id'] for i in images] == ids
    assert all(i['status'] == 'active' for i in images)
    # One read of each at once; then each image needs STEPS more reads to
    # become active: a few rounds of one list call, not 20 reads a round.
    assert cloud.calls.count('GET image') == 20
    rounds = cloud.calls.count('GET images')
    assert 1 <= rounds <= fakes.STEPS + 2
    assert watch.calls == 20 + rounds


def test_a_long_list_is_read_in_batches(cloud, monkeypatch):
    monkeypatch.setattr(image_watch, 'BATCH', 3)
    ids = [cloud.add_image(_data) for _ in range(7)]
    watch = image_watch.ImageWatch(cloud, interval=0.01)

    news = watch._read(ids)

    # 7 ids, 3 per call.
    assert cloud.calls.count('GET images') == 3
    assert sorted(news) == sorted(ids)
    assert all(image['id'] == i and not gone and error is None
               for i, (image, gone, error) in news.items())


def test_an_image_already_active_is_read_at_once_while_others_wait(cloud):
    slow = cloud.add_image(_data, _steps=10 ** 6)
    ready = cloud.add_image(_data, status='active', _steps=0, _next=None)
    watch = image_watch.ImageWatch(cloud, interval=30)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting_slow = pool.submit(watch.wait_active, slow, timeout=1,
                                   resource='server a')
        # Not after the poller's 30 s pause: a new wait wakes it.
        image = watch.wait_active(ready, timeout=5, resource='server b')
        assert image['id'] == ready
        with pytest.raises(exception.ResourceTimeout) as timed_out:
            waiting_slow.result()
    assert slow in str(timed_out.value)
    assert 'queued' in str(timed_out.value)


def test_an_image_deleted_under_the_wait_fails_it(cloud):
    image_id = cloud.add_image(_data, _steps=0, _next='gone')
    watch = image_watch.ImageWatch(cloud, interval=0.01)

    with pytest.raises(exception.ResourceFailed) as failed:
        watch.wait_active(image_id, timeout=5, resource='server s')

    assert 'deleted' in str(failed.value) and image_id in str(failed.value)


def test_a_killed_image_fails_its_wait_only(cloud):
    killed = cloud.add_image(_data, _steps=0, _next='killed')
    good = cloud.add_image(_data)
    watch = image_watch.ImageWatch(cloud, interval=0.01)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        bad = pool.submit(watch.wait_active, killed, timeout=5,
                          resource='server a')
        fine = pool.submit(watch.wait_active, good, timeout=5,
                           resource='server b')
        with pytest.raises(exception.ResourceFailed) as failed:
            bad.result()
        assert fine.result()['status'] == 'active'
    assert 'killed' in str(failed.value)


def test_a_failed_list_call_fails_the_waits_it_served(cloud):
    image_id = cloud.add_image(_data)
    cloud.fail_call['GET images'] = ks_exc.ServiceUnavailable('glance down')
    watch = image_watch.ImageWatch(cloud, interval=0.01)

    with pytest.raises(ks_exc.ServiceUnavailable):
        watch.wait_active(image_id, timeout=5, resource='server s')


def test_the_poller_stops_when_nothing_waits_and_starts_again(cloud):
    watch = image_watch.ImageWatch(cloud, interval=0.01)
    first = cloud.add_image(_data)
    watch.wait_active(first, timeout=5, resource='server s')
    calls = watch.calls
    # Nothing waits: no call is made while idle.
    concurrent.futures.wait([concurrent.futures.Future()], timeout=0.1)
    assert watch.calls == calls
    second = cloud.add_image(_data)
    assert watch.wait_active(second, timeout=5,
                             resource='server s')['id'] == second
