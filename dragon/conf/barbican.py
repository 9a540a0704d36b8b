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

"""Options of the ``[barbican]`` group: how Dragon reaches the key manager.

Dragon reads a policy's customer key from each region's Barbican (see
``dragon.cloud.keys``); the region is the policy's, the rest (interface,
endpoint override, timeout, TLS) comes from here.
"""

from oslo_config import cfg

from dragon.conf import _ksa

GROUP = 'barbican'
SERVICE_TYPE = 'key-manager'


def register_opts(conf: cfg.ConfigOpts) -> None:
    _ksa.register_opts(conf, GROUP, SERVICE_TYPE)


def list_opts() -> dict:
    return _ksa.list_opts(GROUP, SERVICE_TYPE)
