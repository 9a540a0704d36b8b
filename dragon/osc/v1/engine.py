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

"""``openstack dr engine list`` (administrators).

The CLI face of ``GET /v1/engines``: at 3 a.m. an operator asks "is any
engine alive, and which one holds the stuck run?" without opening the
database or the dashboard.
"""

from typing import Any

from cliff import columns
from osc_lib.command import command

from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output


class RunsColumn(columns.FormattableColumn):
    """``2 checkpoints, 1 recovery``; machine formats get the API's object."""

    def human_readable(self) -> str:
        runs = self._value or {}
        parts = []
        for key, one, many in (('checkpoints', 'checkpoint', 'checkpoints'),
                               ('recoveries', 'recovery', 'recoveries')):
            count = runs.get(key) or 0
            if count:
                parts.append('%d %s' % (count, one if count == 1 else many))
        return ', '.join(parts) or 'none'

    def machine_readable(self) -> Any:
        return dict(self._value or {})


class ListEngine(errors.DragonCommand, command.Lister):
    """List Dragon's engines: host, liveness, last heartbeat, runs held"""

    def take_action(self, parsed_args: Any) -> tuple:
        spec = constants.ENGINE_LIST_COLUMNS
        rows = [output.row(engine, spec, {'runs': RunsColumn})
                for engine in self.app.client_manager.dr.engines.list()]
        return output.headings(spec), rows
