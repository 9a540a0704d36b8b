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

"""The minicloud's Horizon settings: Horizon's, Dragon's panel, nothing leaked."""
import json
import os
import pathlib
import subprocess
import sys

from tests.minicloud.horizon_site import HorizonSite
from tests.minicloud.layout import Layout

REPO = pathlib.Path(__file__).resolve().parents[3]

PROBE = '''
import json, os
import openstack_dashboard
os.environ['DJANGO_SETTINGS_MODULE'] = 'tests.minicloud.horizon_site.settings'
from django.conf import settings
panels = [c.get('PANEL') for c in settings.HORIZON_CONFIG['panel_customization']]
print(json.dumps({
    'debug': settings.DEBUG,
    'keystone': settings.OPENSTACK_KEYSTONE_URL,
    'session': settings.SESSION_ENGINE,
    'cache': settings.CACHES['default']['BACKEND'],
    'static_root': settings.STATIC_ROOT,
    'keystoneauth': settings.LOGGING['loggers']['keystoneauth']['level'],
    'apps': list(settings.INSTALLED_APPS),
    'panels': panels,
    'regions': settings.DEFAULT_SERVICE_REGIONS,
    'urlconf': settings.ROOT_URLCONF,
    'secret_is_ours': settings.SECRET_KEY == open(os.path.join(
        os.environ['MINICLOUD_HOME'], 'horizon', 'secret_key')).read(),
    'local_store': os.path.exists(os.path.join(os.path.dirname(
        openstack_dashboard.__file__), 'local', '.secret_key_store')),
}))
'''


def probe(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('MINICLOUD_', 'OS_', 'DJANGO_'))}
    env.update(MINICLOUD_HOME=str(tmp_path / 'home'),
               MINICLOUD_PORT_BASE='27000',
               MINICLOUD_HORIZON_STATIC=str(tmp_path / 'static'))
    result = subprocess.run([sys.executable, '-c', PROBE], cwd=str(REPO),
                            env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_are_horizons_with_dragons_panels(tmp_path):
    found = probe(tmp_path)

    assert found['debug'] is False
    assert found['keystone'] == 'http://127.0.0.1:27000/v3/'
    assert found['session'] == 'django.contrib.sessions.backends.file'
    assert found['cache'].endswith('LocMemCache')
    assert found['static_root'] == str(tmp_path / 'static')
    # No token or password in the log: keystoneauth never logs at DEBUG.
    assert found['keystoneauth'] == 'INFO'
    assert found['regions'] == {'*': 'RegionOne'}
    assert found['urlconf'] == 'tests.minicloud.horizon_site.urls'
    assert 'openstack_dashboard' in found['apps']
    if (REPO / 'dragon' / 'dashboard' / 'enabled').is_dir():
        assert 'dr_policies' in found['panels']
        assert any(app.startswith('dragon.dashboard')
                   for app in found['apps'])
    # The secret key is the cloud's own; Horizon's tree is left unwritten.
    assert found['secret_is_ours']
    assert not found['local_store']


def test_static_digest_follows_the_panel(tmp_path, monkeypatch):
    from tests.minicloud import horizon_site
    panel = tmp_path / 'dashboard'
    (panel / 'static').mkdir(parents=True)
    (panel / 'static' / 'dr.css').write_text('a {}')
    monkeypatch.setattr(horizon_site, 'PANEL', panel)
    monkeypatch.setenv('MINICLOUD_HOME', str(tmp_path / 'home'))
    monkeypatch.delenv('MINICLOUD_PORT_BASE', raising=False)
    site = HorizonSite(Layout.from_env())

    before = site.static_digest()
    assert site.static_digest() == before
    (panel / 'static' / 'dr.css').write_text('a { color: red }')

    assert site.static_digest() != before
    assert site.static_root().name == 'static-' + site.static_digest()
    assert site.url == 'http://127.0.0.1:17030/'
