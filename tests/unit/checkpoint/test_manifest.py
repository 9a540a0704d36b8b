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

"""The manifest refuses what this Dragon cannot recover correctly."""
import pytest

from dragon.checkpoint import manifest
from dragon import exception


def _manifest(**overrides):
    fields = {key: None for key in manifest.REQUIRED_KEYS}
    fields['data'] = {
        'server_a': {'chunks': [{'offset': 0, 'length': 4, 'sha256': 'ab'},
                                {'offset': 4, 'length': 4, 'sha256': 'zero'}]},
        'volume_b': {'chunks': [{'offset': 0, 'length': 4, 'sha256': 'ab'},
                                {'offset': 4, 'length': 4, 'sha256': 'cd'}]},
        'net_c': {'kind': 'none'}}
    built = manifest.build(**fields)
    built.update(overrides)
    return built


def test_round_trip_and_chunk_names():
    raw = manifest.dumps(_manifest())
    loaded = manifest.loads(raw)
    assert loaded['format_version'] == manifest.FORMAT_VERSION
    assert manifest.chunk_names(loaded) == {'ab', 'cd'}


@pytest.mark.parametrize('raw, reason', [
    (b'{not json', 'not JSON'),
    (b'[]', 'not a Dragon'),
    (manifest.dumps({'format': 'other'}), 'not a Dragon'),
    (manifest.dumps(_manifest(format_version=2)), 'newer'),
    (manifest.dumps(_manifest(format_version='1')), 'newer'),
    (manifest.dumps(_manifest(features=['chunks-sha256', 'aes-gcm'])),
     'aes-gcm'),
])
def test_unreadable_manifests_are_refused_with_a_reason(raw, reason):
    with pytest.raises(exception.UnsupportedCheckpoint) as error:
        manifest.loads(raw, container='dragon_p_x_20261123T000000Z')
    assert reason in str(error.value)
    assert 'dragon_p_x_20261123T000000Z' in str(error.value)


def test_new_manifests_declare_the_chunk_list_digest_and_old_ones_load():
    built = _manifest()
    assert 'chunk-list-sha256' in built['features']
    # A manifest written before the feature (records with a sha256 of the
    # whole stream) is still read.
    old = _manifest(features=['chunks-sha256', 'zero-chunks', 'zstd',
                              'hot-parameters', 'chunk-md5'])
    old['data']['volume_b']['sha256'] = 'f' * 64
    loaded = manifest.loads(manifest.dumps(old))
    assert loaded['data']['volume_b']['sha256'] == 'f' * 64


def test_missing_fields_are_refused():
    broken = _manifest()
    del broken['graph']
    with pytest.raises(exception.UnsupportedCheckpoint, match='graph'):
        manifest.loads(manifest.dumps(broken))
    with pytest.raises(ValueError):
        manifest.build(checkpoint_id='x')
