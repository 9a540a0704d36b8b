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

"""Django settings of the dashboard unit tests: Horizon's test settings plus
Dragon's enabled files.
"""

import openstack_dashboard.enabled
from openstack_dashboard import exceptions as os_exceptions
from openstack_dashboard.test import settings as base
from openstack_dashboard.test.settings import *  # noqa: F401,F403
from openstack_dashboard.utils import settings as settings_utils

import dragon.dashboard.enabled

ROOT_URLCONF = 'tests.unit.dashboard.urls'

# Horizon's test settings applied its own enabled files already; apply
# them again, with Dragon's, to fresh copies.
INSTALLED_APPS = [app for app in base.INSTALLED_APPS
                  if not app.startswith('openstack_dashboard.dashboards')]
HORIZON_CONFIG = {
    **{key: value for key, value in base.HORIZON_CONFIG.items()
       if key not in ('dashboards', 'panel_customization', 'exceptions',
                      'angular_modules', 'js_files', 'js_spec_files',
                      'scss_files', 'xstatic_modules', 'header_sections')},
    'exceptions': {'recoverable': os_exceptions.RECOVERABLE,
                   'not_found': os_exceptions.NOT_FOUND,
                   'unauthorized': os_exceptions.UNAUTHORIZED},
    'angular_modules': [], 'js_files': [],
}
settings_utils.update_dashboards(
    [openstack_dashboard.enabled, dragon.dashboard.enabled],
    HORIZON_CONFIG, INSTALLED_APPS)
# No policy file for 'dragon': the panels use Dragon's defaults in code.
POLICY_FILES = {key: value for key, value in base.POLICY_FILES.items()
                if key != 'dragon'}
# Keep keystoneauth at INFO: its DEBUG lines carry request headers.
LOGGING['loggers']['keystoneauth'] = {  # noqa: F405
    'handlers': ['test'], 'level': 'INFO', 'propagate': False}
# Django's TestCase wraps each test in a transaction: an empty in-memory
# database (Horizon stores nothing in it).
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',
                         'NAME': ':memory:'}}
