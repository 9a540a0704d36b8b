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

"""Barbican's WSGI application, from the region's own configuration.

Barbican finds its configuration only in fixed places: every module of it
that has options parses a ``ConfigOpts`` of its own at import time from
oslo.config's default locations (``/etc/barbican/barbican.conf``...), and
``barbican.wsgi.api`` loads ``/etc/barbican/barbican-api-paste.ini``.  Each
minicloud region runs its own Barbican from its own directory
(``OS_BARBICAN_CONFIG_DIR``), so its ``parse_args`` is pointed there
before any plugin module is imported, and the same paste pipeline is
loaded from there.
"""
import os

from barbican.common import config
from paste import deploy

CONFIG_DIR = os.environ['OS_BARBICAN_CONFIG_DIR']
_parse_args = config.parse_args


def _parse_args_here(conf, args=None, usage=None, default_config_files=None):
    return _parse_args(conf, args=args, usage=usage,
                       default_config_files=default_config_files or [
                           os.path.join(CONFIG_DIR, 'barbican.conf')])


config.parse_args = _parse_args_here
config.parse_args(config.CONF)   # parsed once already, from nowhere
application = deploy.loadapp('config:%s' % os.path.join(
    CONFIG_DIR, 'barbican-api-paste.ini'))
