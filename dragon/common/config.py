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

"""Parsing Dragon's configuration the same way in every process."""

from oslo_config import cfg
from oslo_log import log as logging

from dragon.conf import default
from dragon import exception
from dragon import version


def parse_args(conf: cfg.ConfigOpts, argv: list[str], prog: str,
               default_config_files: list[str] | None = None,
               default_config_dirs: list[str] | None = None) -> None:
    """Parse ``argv`` and config files into ``conf``, validate, set up logging.

    :raises oslo_config.cfg.Error: a config file is missing, unreadable or
        malformed, or an option has an invalid value.
    """
    logging.register_options(conf)
    default.update_defaults()
    conf(argv, project='dragon', prog=prog,
         version=version.version_string(),
         default_config_files=default_config_files,
         default_config_dirs=default_config_dirs)
    validate(conf)
    logging.setup(conf, 'dragon')


def validate(conf: cfg.ConfigOpts) -> None:
    """Read every registered option once so a bad value fails at startup.

    oslo.config converts values lazily; without this a typo in a rarely used
    option would surface only when that code path first runs.
    """
    for name in list(conf):
        value = conf[name]
        if isinstance(value, cfg.ConfigOpts.GroupAttr):
            for option in list(value):
                _read(conf, name, option)
        else:
            _read(conf, None, name)


def _read(conf: cfg.ConfigOpts, group: str | None, name: str) -> None:
    try:
        conf[group][name] if group else conf[name]
    except cfg.ConfigSourceValueError as e:
        # oslo.config's own text includes LocationInfo reprs; say it plainly.
        why = str(e).rsplit('is not valid: ', 1)[-1]
        raise exception.ConfigInvalid(
            reason='[%s] %s: %s' % (group or 'DEFAULT', name, why))
