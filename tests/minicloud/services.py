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

"""The process table of the minicloud and how to tell each process is ready."""
import dataclasses
import time
import urllib.error
import urllib.request

from tests.minicloud.layout import HERE
from tests.minicloud.layout import region_tag
from tests.minicloud.layout import REGIONS


@dataclasses.dataclass(frozen=True)
class Service:
    name: str
    argv: tuple
    env: tuple = ()
    region: str = None
    ready_url: str = None   # answers with any HTTP status once serving


class ServiceTable:
    """Which processes make up the cloud, in start order."""

    def __init__(self, layout):
        self.lo = layout

    def _wsgi(self, name, port, target, threads=4, extra=(), env=(),
              region=None, ready_path='/'):
        argv = (self.lo.venv_bin('python'), HERE / 'wsgi_serve.py', name,
                '127.0.0.1:%d' % port, target, str(threads))
        if extra:
            argv += ('--',) + tuple(extra)
        return Service(name, argv, tuple(env), region,
                       'http://127.0.0.1:%d%s' % (port, ready_path))

    def swift(self, cluster):
        """One Swift cluster's processes (None: the shared cluster).

        Each cluster has its own memcached: two clusters caching account
        info under the same keys is what broke account auto-creation in an
        earlier set-up (one cluster believed the other's accounts existed).
        """
        lo = self.lo
        sw = lo.swift_etc(cluster)
        services = [Service(
            'memcached' if cluster is None else
            region_tag(cluster) + '-memcached',
            ('memcached', '-u', 'root', '-l', '127.0.0.1',
             '-p', str(lo.port('memcached', cluster)), '-U', '0', '-m', '64'),
            region=cluster)]
        for kind in ('object', 'container', 'account', 'proxy'):
            port = lo.port('swift-' + kind, cluster)
            services.append(Service(
                lo.swift_service(kind, cluster),
                (lo.venv_bin('swift-%s-server' % kind),
                 sw / ('%s-server.conf' % kind)),
                region=cluster,
                ready_url='http://127.0.0.1:%d/healthcheck' % port))
        return services

    def shared(self):
        lo = self.lo
        services = [
            self._wsgi('keystone', lo.port('keystone'),
                       'keystone.wsgi.api:application', threads=8,
                       env=(('OS_KEYSTONE_CONFIG_DIR', lo.etc / 'keystone'),),
                       ready_path='/v3'),
            Service('swift-logsink', (lo.venv_bin('python'),
                                      HERE / 'swift_logsink.py',
                                      lo.run / 'swift-log.sock',
                                      lo.logs / 'swift.log')),
        ]
        if None in lo.swift_clusters:
            services += self.swift(None)
        return services

    def region(self, region):
        lo, tag = self.lo, region_tag(region)
        d = lo.etc / tag
        # A site's own Swift, when it has one, is lost with the site.
        own_swift = (self.swift(region) if region in lo.swift_clusters
                     else [])
        nova_conf = d / 'nova' / 'nova.conf'
        cinder_conf = d / 'cinder' / 'cinder.conf'
        heat_conf = d / 'heat' / 'heat.conf'
        services = own_swift + [
            self._wsgi(tag + '-placement', lo.port('placement', region),
                       'placement.wsgi.api:application', region=region,
                       env=(('OS_PLACEMENT_CONFIG_DIR', d / 'placement'),)),
            self._wsgi(tag + '-glance', lo.port('glance', region),
                       'glance.wsgi.api:application', threads=8, region=region,
                       env=(('OS_GLANCE_CONFIG_DIR', d / 'glance'),),
                       ready_path='/healthcheck'),
            self._wsgi(tag + '-neutron-api', lo.port('neutron', region),
                       'neutron.wsgi.api:application', region=region,
                       env=(('OS_NEUTRON_CONFIG_DIR', d / 'neutron'),)),
            self._wsgi(tag + '-nova-api', lo.port('nova', region),
                       'nova.wsgi.osapi_compute:application', region=region,
                       env=(('OS_NOVA_CONFIG_DIR', d / 'nova'),)),
            # One Barbican per site: losing the site loses its key manager.
            # Two threads: its database is SQLite.
            self._wsgi(tag + '-barbican', lo.port('barbican', region),
                       'minicloud_drivers.barbican_api:application',
                       threads=2, region=region,
                       env=(('OS_BARBICAN_CONFIG_DIR', d / 'barbican'),)),
        ]
        for binary in ('conductor', 'scheduler', 'compute'):
            services.append(Service(
                '%s-nova-%s' % (tag, binary),
                (lo.venv_bin('nova-' + binary), '--config-file', nova_conf),
                region=region))
        services.append(Service(
            tag + '-cinder-api',
            (lo.venv_bin('cinder-api'), '--config-file', cinder_conf),
            region=region,
            ready_url='http://127.0.0.1:%d/' % lo.port('cinder', region)))
        for binary in ('scheduler', 'volume', 'backup'):
            services.append(Service(
                '%s-cinder-%s' % (tag, binary),
                (lo.venv_bin('cinder-' + binary), '--config-file',
                 cinder_conf), region=region))
        services.append(Service(
            tag + '-heat-engine',
            (lo.venv_bin('heat-engine'), '--config-file', heat_conf),
            region=region))
        services.append(self._wsgi(
            tag + '-heat-api', lo.port('heat', region),
            'heat.wsgi.api:application', region=region,
            extra=('--config-file', heat_conf)))
        return services

    def all(self):
        services = self.shared()
        for region in REGIONS:
            services += self.region(region)
        return services


def http_answers(url, timeout=2.0) -> bool:
    try:
        urllib.request.urlopen(url, timeout=timeout).close()
        return True
    except urllib.error.HTTPError:
        return True   # any HTTP answer means the server is serving
    except (urllib.error.URLError, OSError):
        return False


def wait_until(predicate, timeout, interval=0.25, what='condition'):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError('%s not reached within %.0f s' % (what, timeout))
