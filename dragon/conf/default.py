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

"""Options of the ``[DEFAULT]`` group: kept to what every Dragon process shares."""

from oslo_config import cfg
import oslo_messaging

# The exchange Dragon's RPC topics and notifications live under.
CONTROL_EXCHANGE = 'dragon'

opts = [
    cfg.StrOpt(
        'state_path',
        default='/var/lib/dragon',
        help='Directory (absolute path) for Dragon\'s local state: the '
             'default SQLite database lives here when no [database] '
             'connection is set. It must exist and be writable by the user '
             'Dragon runs as, or the first database access fails. Not used '
             'once [database] connection names a database server.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(opts)


def list_opts() -> dict:
    return {'DEFAULT': opts}


def update_defaults() -> None:
    """Scope Dragon's topics under its own exchange (before config is parsed).

    ``control_exchange`` is oslo.messaging's ``[DEFAULT]`` option; its
    default lives on oslo.messaging's shared option objects, so this one
    call serves every ConfigOpts and the sample generator alike.
    """
    oslo_messaging.set_transport_defaults(control_exchange=CONTROL_EXCHANGE)
