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

"""A data context over the fake cloud and a real ChunkStore on a fake Swift."""
import types

import pytest

from dragon.protection.data import base
from tests.unit.protection.data import fakes


@pytest.fixture
def env(conf):
    conf.set_override('poll_interval', 0, group='protection')
    conf.set_override('download_read_size', 4096, group='protection')
    cloud = fakes.FakeCloud()
    store, objects, heads = fakes.chunk_store()
    events, progress, warnings = [], [], []
    ctx = base.DataContext(
        clients=cloud, chunks=store, progress=progress.append,
        event=lambda level, message: events.append((level, message)),
        options={}, conf=conf, run_id=fakes.RUN_ID,
        warn=lambda code, message: warnings.append((code, message)))
    return types.SimpleNamespace(cloud=cloud, ctx=ctx, store=store,
                                 objects=objects, heads=heads, events=events,
                                 progress=progress, conf=conf,
                                 warnings=warnings)
