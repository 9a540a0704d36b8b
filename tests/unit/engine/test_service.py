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

"""The engine service end to end on the fake transport and a real database."""

import time

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon.engine import rpcapi
from dragon.engine import service


@pytest.fixture
def engines(rpc_conf, db, fake_transport):
    started = []

    def start(host):
        rpc_conf.set_override('host', host, group='engine')
        engine = service.EngineService(rpc_conf, transport=fake_transport)
        engine.start()
        started.append(engine)
        return engine

    yield start
    for engine in started:
        engine.stop()


def test_start_records_a_heartbeat_at_once(engines, rpc_conf):
    engines('e1')
    hosts = [s.host for s in db_api.engine_service_get_all(
        context.get_admin_context())]
    assert hosts == ['e1']


def test_ping_reaches_any_engine_or_a_chosen_one(engines, rpc_conf, fake_transport):
    engines('e1')
    engines('e2')
    client = rpcapi.EngineAPI(rpc_conf, transport=fake_transport)
    ctx = context.RequestContext(user_id='u', project_id='p')
    assert client.ping(ctx, timeout=10)['host'] in ('e1', 'e2')
    assert client.ping(ctx, host='e2', timeout=10)['host'] == 'e2'
    assert client.ping(ctx, host='e1', timeout=10)['host'] == 'e1'


def test_heartbeat_thread_keeps_beating(engines, rpc_conf):
    rpc_conf.set_override('heartbeat_interval', 1, group='engine')
    engines('e1')
    ctx = context.get_admin_context()
    first = db_api.engine_service_get_all(ctx)[0].updated_at
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.3)
        if db_api.engine_service_get_all(ctx)[0].updated_at > first:
            break
    assert db_api.engine_service_get_all(ctx)[0].updated_at > first


def test_stop_ends_the_heartbeat_thread(rpc_conf, db, fake_transport):
    rpc_conf.set_override('heartbeat_interval', 1, group='engine')
    engine = service.EngineService(rpc_conf, transport=fake_transport)
    engine.start()
    thread = engine._heartbeat_thread
    engine.stop()
    assert not thread.is_alive()


def test_the_gc_thread_collects_every_project_until_stopped(
        rpc_conf, db, fake_transport, monkeypatch):
    from dragon.checkpoint import gc
    from dragon.maintenance import collector
    passes = []

    def collect_projects(conf, projects=None):
        passes.append(time.monotonic())
        return [gc.GcResult('p1', skipped='no chunk container')]

    monkeypatch.setattr(collector, 'collect_projects', collect_projects)
    rpc_conf.set_override('gc_interval', 1, group='checkpoint')
    engine = service.EngineService(rpc_conf, transport=fake_transport)
    engine.start()
    deadline = time.monotonic() + 10
    while len(passes) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    thread = engine._gc_thread
    engine.stop()
    assert len(passes) >= 2 and not thread.is_alive()


def test_gc_interval_zero_runs_no_gc_thread(rpc_conf, db, fake_transport):
    rpc_conf.set_override('gc_interval', 0, group='checkpoint')
    engine = service.EngineService(rpc_conf, transport=fake_transport)
    engine.start()
    try:
        assert engine._gc_thread is None
    finally:
        engine.stop()
