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

"""Options of the ``[scheduler]`` group: schedules, the protection queue, RPO checks."""

from oslo_config import cfg

GROUP = cfg.OptGroup('scheduler', title='Dragon scheduler options')

opts = [
    cfg.IntOpt(
        'poll_interval',
        default=10,
        min=1,
        max=60,
        help='Seconds between two looks of each engine for due schedule '
             'ticks, queued protections and policies past their RPO. A tick '
             'starts at most this long after its time (plus its jitter). '
             'Lower starts runs sooner at the cost of more database '
             'queries.'),
    cfg.IntOpt(
        'default_misfire_grace',
        default=3600,
        min=0,
        help='Seconds after its time within which a tick missed while no '
             'engine ran is still run once, for schedules that do not set '
             'misfire_grace themselves; a later tick is skipped and '
             'counted as missed. Counted on top of poll_interval (the '
             'lateness of normal operation), so 0 runs every tick an '
             'engine was up for and no catch-up after downtime.'),
    cfg.IntOpt(
        'max_concurrent_protections',
        default=0,
        min=0,
        help='Protections running at the same time across all engines; '
             'more wait as queued, first come first served. 0: no cap '
             '(each engine still runs at most [engine] '
             'max_concurrent_runs).'),
    cfg.IntOpt(
        'max_concurrent_protections_per_project',
        default=0,
        min=0,
        help='Protections of one project running at the same time; more '
             'wait as queued. 0: no cap.'),
    cfg.FloatOpt(
        'rpo_at_risk_ratio',
        default=0.8,
        min=0.1,
        max=1.0,
        help='A policy\'s RPO state is at_risk once its newest available '
             'checkpoint is older than this share of its target RPO.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}
