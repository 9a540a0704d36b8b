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

"""Dragon's defaults for the ``[database]`` group (the options belong to oslo.db)."""

from oslo_config import cfg
from oslo_db import options as db_options

# Interpolated by oslo.config when read, so it follows [DEFAULT] state_path.
DEFAULT_CONNECTION = 'sqlite:///$state_path/dragon.sqlite'


def register_opts(conf: cfg.ConfigOpts) -> None:
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)


def list_opts() -> dict:
    # The options themselves are documented by the oslo.db namespace; the
    # sample generator picks up Dragon's default through update_defaults().
    return {}


def update_defaults() -> None:
    """Apply Dragon's default to oslo.db's option objects for the sample generator.

    ``set_defaults(conf, ...)`` above only changes one ConfigOpts; the
    generator lists oslo.db's shared option objects, so those are updated.
    """
    cfg.set_defaults(db_options.database_opts, connection=DEFAULT_CONNECTION)
