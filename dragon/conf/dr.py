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

"""Options of the ``[dr]`` group: how an engine reaches another region's Dragon.

A failback run at the backup site suspends the original policy in the
home site's Dragon and, at its commit or rollback, makes it active again
(``dragon.recovery.failback_home``): the ``dr`` endpoint of the home
region in the catalog, with the run's trust.
"""

from oslo_config import cfg

from dragon.conf import _ksa

GROUP = 'dr'
SERVICE_TYPE = 'dr'


def register_opts(conf: cfg.ConfigOpts) -> None:
    _ksa.register_opts(conf, GROUP, SERVICE_TYPE)


def list_opts() -> dict:
    return _ksa.list_opts(GROUP, SERVICE_TYPE)
