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

"""The engines table: host, heartbeat, alive, runs held."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import tables
from horizon.utils import filters as horizon_filters


ALIVE, DOWN = 'alive', 'down'


def state(datum: Any) -> str:
    return ALIVE if getattr(datum, 'alive', False) else DOWN


def runs_held(datum: Any) -> str:
    runs = getattr(datum, 'runs', None) or {}
    return _('%(c)d checkpoints, %(r)d recoveries') % {
        'c': runs.get('checkpoints', 0), 'r': runs.get('recoveries', 0)}


class EnginesTable(tables.DataTable):
    host = tables.Column('host', verbose_name=_('Host'))
    state = tables.Column(
        state, verbose_name=_('State'), status=True,
        status_choices=((ALIVE, True), (DOWN, False)),
        display_choices=((ALIVE, _('Alive')), (DOWN, _('Down'))))
    heartbeat_at = tables.Column(
        'heartbeat_at', verbose_name=_('Last heartbeat'),
        filters=(horizon_filters.parse_isotime,
                 horizon_filters.timesince_sortable),
        attrs={'data-type': 'timesince'})
    runs = tables.Column(runs_held, verbose_name=_('Runs held'))
    version = tables.Column('version', verbose_name=_('Version'))
    topic = tables.Column('topic', verbose_name=_('Topic'))

    class Meta:
        name = 'engines'
        verbose_name = _('Engines')
