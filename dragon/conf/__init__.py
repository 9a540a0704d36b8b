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

"""Dragon's configuration: every option group is registered on ``CONF`` here."""

from oslo_config import cfg

from dragon.conf import api
from dragon.conf import barbican
from dragon.conf import checkpoint
from dragon.conf import cinder
from dragon.conf import database
from dragon.conf import default
from dragon.conf import dr
from dragon.conf import engine
from dragon.conf import glance
from dragon.conf import heat
from dragon.conf import neutron
from dragon.conf import nova
from dragon.conf import protection
from dragon.conf import recovery
from dragon.conf import replication
from dragon.conf import scheduler
from dragon.conf import swift
from dragon.conf import trustee

CONF = cfg.CONF

# Order is the order of the sample file; 'default' first so that
# interpolations such as $state_path resolve against a registered option.
MODULES = (default, api, engine, database, nova, cinder, glance, neutron,
           heat, swift, barbican, protection, checkpoint, recovery, scheduler,
           trustee, replication, dr)


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register every Dragon option group on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)


register_opts(CONF)
