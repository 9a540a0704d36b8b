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

"""Tunables that were module constants; the recovery waits' new home."""

from oslo_config import cfg
import pytest

from dragon import conf as dragon_conf
from dragon.recovery.restore import context as restore_context

# group, option, today's value (kept as the default), the smallest allowed.
TUNABLES = [
    ('protection', 'parallel_resources', 2, 1),
    ('protection', 'parallel_captures', 16, 1),
    ('protection', 'pause_timeout', 120, 1),
    ('recovery', 'parallel_restores', 2, 1),
    ('recovery', 'stack_poll_interval', 2.0, 0.1),
    ('checkpoint', 'gc_stale_mark', 6 * 3600, 600),
    ('engine', 'max_takeovers', 3, 0),
]
RECOVERY_WAITS = [('poll_interval', 2.0), ('image_active_timeout', 3600),
                  ('backup_timeout', 7200), ('delete_timeout', 600)]


@pytest.mark.parametrize('group,name,default,minimum', TUNABLES)
def test_tunables_default_to_the_old_constants_and_have_a_floor(
        conf, group, name, default, minimum):
    assert conf[group][name] == default
    conf.set_override(name, minimum, group=group)
    with pytest.raises(ValueError):
        conf.set_override(name, minimum - (0.05 if isinstance(minimum, float)
                                           else 1), group=group)


def _parsed(tmp_path, text):
    path = tmp_path / 'dragon.conf'
    path.write_text(text)
    result = cfg.ConfigOpts()
    dragon_conf.register_opts(result)
    result(['--config-file', str(path)], project='dragon',
           default_config_files=[], default_config_dirs=[])
    return result


@pytest.mark.parametrize('name,default', RECOVERY_WAITS)
def test_recovery_waits_default_as_before(conf, name, default):
    assert conf.recovery[name] == default == conf.protection[name]


def test_recovery_waits_set_under_protection_still_apply(tmp_path):
    result = _parsed(tmp_path, '[protection]\npoll_interval = 5\n'
                     'delete_timeout = 9\nbackup_timeout = 99\n'
                     '[recovery]\nbackup_timeout = 11\n')
    assert result.recovery.poll_interval == 5.0
    assert result.recovery.delete_timeout == 9
    assert result.recovery.backup_timeout == 11       # [recovery] wins
    assert result.protection.backup_timeout == 99     # protection keeps its
    assert restore_context.RestoreContext(
        clients=None, chunks=None, conf=result).waits.backup_timeout == 11
