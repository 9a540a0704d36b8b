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

"""The minicloud's Swift layouts: one cluster for both sites, or one each.

With one Swift per site, losing a site must lose its Swift (its processes
are the site's), each region's catalog must lead to its own proxy, and the
two clusters must share no port, ring or disk.
"""
import pytest

from tests.minicloud import bootstrap
from tests.minicloud.cloud import MiniCloud
from tests.minicloud.configs import ConfigWriter
from tests.minicloud.layout import Layout
from tests.minicloud.layout import REGIONS
from tests.minicloud.services import ServiceTable


def _layout(tmp_path, monkeypatch, topology=None):
    monkeypatch.setenv('MINICLOUD_HOME', str(tmp_path / 'cloud'))
    monkeypatch.setenv('MINICLOUD_SWIFT_DEVICES', str(tmp_path / 'disks'))
    if topology is None:
        monkeypatch.delenv('MINICLOUD_SWIFT_TOPOLOGY', raising=False)
    else:
        monkeypatch.setenv('MINICLOUD_SWIFT_TOPOLOGY', topology)
    return Layout.from_env()


def _swift_processes(services):
    return sorted(s.name for s in services if (
        'swift-' in s.name or 'memcached' in s.name) and
        not s.name.endswith('logsink'))


def test_shared_is_the_default_and_survives_either_site(tmp_path,
                                                        monkeypatch):
    lo = _layout(tmp_path, monkeypatch)
    table = ServiceTable(lo)
    assert lo.swift_topology == 'shared'
    assert _swift_processes(table.shared()) == [
        'memcached', 'swift-account', 'swift-container', 'swift-object', 'swift-proxy']
    for region in REGIONS:
        assert _swift_processes(table.region(region)) == []
    assert lo.swift_url(REGIONS[0]) == lo.swift_url(REGIONS[1])


def test_per_region_swift_belongs_to_its_site(tmp_path, monkeypatch):
    lo = _layout(tmp_path, monkeypatch, 'per-region')
    table = ServiceTable(lo)
    assert _swift_processes(table.shared()) == []
    one, two = (_swift_processes(table.region(r)) for r in REGIONS)
    assert one == ['r1-memcached', 'r1-swift-account', 'r1-swift-container',
                   'r1-swift-object', 'r1-swift-proxy']
    assert two == [name.replace('r1-', 'r2-') for name in one]
    assert lo.swift_url(REGIONS[0]) != lo.swift_url(REGIONS[1])
    every_port = [s.ready_url for s in table.all() if s.ready_url]
    assert len(every_port) == len(set(every_port)), 'two services, one port'


def test_per_region_configs_keep_rings_and_disks_apart(tmp_path,
                                                       monkeypatch):
    lo = _layout(tmp_path, monkeypatch, 'per-region')
    writer = ConfigWriter(lo)
    writer.swift()
    seen = set()
    for region in REGIONS:
        proxy = (lo.swift_etc(region) / 'proxy-server.conf').read_text()
        assert 'bind_port = %d' % lo.port('swift-proxy', region) in proxy
        obj = (lo.swift_etc(region) / 'object-server.conf').read_text()
        assert 'devices = %s' % lo.swift_devices_of(region) in obj
        assert 'swift_dir = %s' % lo.swift_etc(region) in obj
        # Each cluster its own cache (see ServiceTable.swift).
        assert '127.0.0.1:%d' % lo.port('memcached', region) in proxy
        seen.add(lo.swift_devices_of(region))
    assert len(seen) == 2
    assert not (lo.etc / 'swift').exists()


def test_a_built_cloud_refuses_another_topology(tmp_path, monkeypatch):
    lo = _layout(tmp_path, monkeypatch)
    lo.home.mkdir(parents=True)
    (lo.home / 'swift-topology').write_text('shared\n')
    # Asked for nothing: it keeps what it was built with.
    monkeypatch.setenv('MINICLOUD_SWIFT_TOPOLOGY', '')
    assert Layout.from_env().swift_topology == 'shared'
    per_region = _layout(tmp_path, monkeypatch, 'per-region')
    with pytest.raises(bootstrap.SetupError, match='wipe it first'):
        MiniCloud(per_region, say=lambda *a: None)._refuse_other_topology()
    MiniCloud(lo, say=lambda *a: None)._refuse_other_topology()


def test_an_unknown_topology_is_named(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match='per-region'):
        _layout(tmp_path, monkeypatch, 'everywhere')
