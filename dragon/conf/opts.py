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

"""Aggregates Dragon's options for ``oslo-config-generator`` (namespace ``dragon``)."""

from oslo_config import cfg

from dragon import conf as dragon_conf
from dragon.conf import database
from dragon.conf import default


def list_opts() -> list[tuple[str | cfg.OptGroup, list[cfg.Opt]]]:
    """Return ``[(group, options)]`` of every Dragon option module."""
    merged: dict = {}
    for module in dragon_conf.MODULES:
        for group, opts in module.list_opts().items():
            merged.setdefault(group, []).extend(opts)
    return list(merged.items())


def update_defaults() -> None:
    """Hook (``oslo.config.opts.defaults``) that applies Dragon's library defaults."""
    database.update_defaults()
    default.update_defaults()
