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

"""A restore context over the fake target region and a real ChunkStore on a fake Swift."""
import hashlib
import io
import types

import pytest

from dragon.protection.data import base
from dragon.recovery import restore
from tests.unit.protection.data import fakes as data_fakes
from tests.unit.recovery.restore import fakes

CHECKPOINT = 'dragon_p1_web_20261123T101500Z'


def make_record(store, data, kind=base.VOLUME, action='snapshot_data',
                **extra):
    """A data record the way the data actions write one."""
    result = store.put_stream(io.BytesIO(data))
    fields = {
        'size': result.size, 'chunk_list_sha256': result.chunk_list_sha256,
        'chunk_size': store.chunk_size,
        'chunks': [c.to_dict() for c in result.chunks],
        'uploaded_bytes': result.uploaded_bytes,
        'reused_chunks': result.reused_chunks,
        'zero_chunks': result.zero_chunks,
        'image': {'disk_format': 'raw', 'container_format': 'bare',
                  'min_disk': 0, 'min_ram': 0,
                  'properties': {'hw_disk_bus': 'virtio'}},
        'glance_hash': {'algo': 'sha512',
                        'value': hashlib.sha512(data).hexdigest()},
        'index_hit': False}
    if kind == base.VOLUME:
        fields['volume'] = {'size_gib': 1, 'volume_type': 'file'}
    fields.update(extra)
    return base.record(action, kind, **fields)


@pytest.fixture
def env(conf):
    conf.set_override('poll_interval', 0, group='recovery')
    cloud = fakes.TargetCloud()
    store, objects, heads = data_fakes.chunk_store(chunk_size=1024,
                                                   workers=2)
    events, progress = [], []
    ctx = restore.RestoreContext(
        clients=cloud, chunks=store, progress=progress.append,
        event=lambda level, message: events.append((level, message)),
        conf=conf, recovery_id='rec-1',
        checkpoint_time='2026-11-23T10:15:00.123456Z', checkpoint=CHECKPOINT)
    return types.SimpleNamespace(
        cloud=cloud, ctx=ctx, store=store, objects=objects, events=events,
        progress=progress, record=lambda data, **kw: make_record(
            store, data, **kw))
