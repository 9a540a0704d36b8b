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

"""Django settings of the minicloud's Horizon: Horizon's own, plus Dragon's panel.

Built on ``openstack_dashboard.settings`` without touching Horizon's
installed tree: what an operator writes into ``local/local_settings.py`` is
handed to Horizon as that module (``LOCAL_SETTINGS`` below), and Dragon's
``dragon/dashboard/enabled/`` files join Horizon's own enabled files when
that package exists.  Everything this cloud knows (Keystone, paths, the
secret key) comes from its Layout; the static files are collected and
compressed offline by ``tests.minicloud.horizon_site.HorizonSite`` into the
directory named by ``MINICLOUD_HORIZON_STATIC``.
"""
import os
import sys
import types

from openstack_dashboard.utils import settings as _settings_utils

from tests.minicloud.horizon_site import site_of_layout
from tests.minicloud.layout import Layout
from tests.minicloud.layout import REGIONS

try:
    from dragon.dashboard import enabled as _dragon_enabled
except ImportError:   # no panel in this tree (yet): Horizon alone
    _dragon_enabled = None

_site = site_of_layout(Layout.from_env())

# What openstack_dashboard.settings imports as local.local_settings.
LOCAL_SETTINGS = {
    'DEBUG': False,
    'ALLOWED_HOSTS': ['127.0.0.1', 'localhost'],
    'SECRET_KEY': _site.secret_key(),
    # With a slash: Keystone is in both regions' catalog at one URL, and
    # Horizon gives a login the region of the first identity endpoint
    # equal to this URL (catalog order, RegionTwo as often as not).
    # Matching none, the login starts in DEFAULT_SERVICE_REGIONS's region.
    'OPENSTACK_KEYSTONE_URL': _site.layout.keystone_url + '/',
    'OPENSTACK_KEYSTONE_DEFAULT_ROLE': 'member',
    'OPENSTACK_ENDPOINT_TYPE': 'publicURL',
    # Both regions of the catalog are in the header's menu; a login starts
    # at the primary site, whichever the catalog lists first.
    'DEFAULT_SERVICE_REGIONS': {'*': REGIONS[0]},
    'TIME_ZONE': 'UTC',
    # Sessions in files of the cloud's home: a restarted Horizon keeps its
    # users logged in, and no client library is needed.  Not signed
    # cookies: a token of a two-region catalog plus the Recover pages'
    # pending request outgrow a browser's 4 KB cookie, which it then drops
    # without a word.  (Django's memcached backends need pymemcache or
    # pylibmc, which Horizon does not bring.)
    'SESSION_ENGINE': 'django.contrib.sessions.backends.file',
    'SESSION_FILE_PATH': str(_site.sessions_dir()),
    'CACHES': {'default': {
        'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}},
    'STATIC_ROOT': os.environ.get('MINICLOUD_HORIZON_STATIC',
                                  str(_site.static_root())),
    'COMPRESS_OFFLINE': True,
    # keystoneauth logs request and response bodies (tokens, passwords)
    # at DEBUG: it stays at INFO whatever the root level.
    'LOGGING': {
        'version': 1,
        'disable_existing_loggers': False,
        'formatters': {'plain': {
            'format': '%(asctime)s %(process)d %(levelname)s %(name)s '
                      '%(message)s'}},
        'handlers': {'console': {'class': 'logging.StreamHandler',
                                 'formatter': 'plain'}},
        'root': {'handlers': ['console'], 'level': 'WARNING'},
        'loggers': {name: {'level': 'INFO'} for name in (
            'keystoneauth', 'keystoneclient', 'openstack_auth', 'horizon',
            'openstack_dashboard', 'dragon')},
    },
}


def _with_dragon(update_dashboards):
    def update(modules, horizon_config, installed_apps):
        if _dragon_enabled is not None:
            modules = list(modules) + [_dragon_enabled]
        return update_dashboards(modules, horizon_config, installed_apps)
    return update


def _load_horizon_settings():
    local = types.ModuleType('local')
    local.__path__ = []
    local_settings = types.ModuleType('local.local_settings')
    local_settings.__dict__.update(LOCAL_SETTINGS)
    saved = {name: sys.modules.get(name)
             for name in ('local', 'local.local_settings')}
    sys.modules.update({'local': local,
                        'local.local_settings': local_settings})
    original = _settings_utils.update_dashboards
    # Horizon applies its enabled files once, from a fixed list of
    # packages (its own and its local/enabled); Dragon's join that list.
    _settings_utils.update_dashboards = _with_dragon(original)
    try:
        from openstack_dashboard import settings
        return {k: v for k, v in vars(settings).items() if k.isupper()}
    finally:
        _settings_utils.update_dashboards = original
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


globals().update(_load_horizon_settings())
# Static files are served by Django itself (no web server in front).
ROOT_URLCONF = 'tests.minicloud.horizon_site.urls'
