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

"""What every dragon-* command shares: turning bad input into one stderr line.

A missing config file, an invalid option, an unreachable database or broker
print ``<prog>: error: <what went wrong>`` and exit non-zero; no traceback,
and passwords found in the configured URLs are masked.
"""

from collections.abc import Callable
import sys
from typing import NoReturn

from oslo_config import cfg
from oslo_log import log as logging

from dragon.common import urls
from dragon import exception

LOG = logging.getLogger(__name__)

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def run(prog: str, body: Callable[[], int | None], conf: cfg.ConfigOpts,
        error_code: int = EXIT_ERROR) -> NoReturn:
    """Run ``body`` and exit with its return code, or report why it failed."""
    try:
        code = body() or 0
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except cfg.ConfigFilesNotFoundError as e:
        code = _fail(prog, conf, error_code, 'cannot read config file %s'
                     % ', '.join(e.config_files))
    except cfg.ConfigFilesPermissionDeniedError as e:
        code = _fail(prog, conf, error_code, 'permission denied reading '
                     'config file %s' % ', '.join(e.config_files))
    except cfg.Error as e:
        code = _fail(prog, conf, error_code,
                     'invalid configuration: %s' % e)
    except exception.DragonException as e:
        code = _fail(prog, conf, error_code, e.message)
    except Exception as e:
        LOG.debug("%s failed", prog, exc_info=True)
        code = _fail(prog, conf, error_code, 'unexpected error: %s: %s'
                     % (type(e).__name__, e))
    sys.exit(code)


def _fail(prog: str, conf: cfg.ConfigOpts, error_code: int,
          message: str) -> int:
    message = ' '.join(str(message).split())  # one line, always
    for secret in _secrets(conf):
        message = message.replace(secret, urls.MASK)
    print('%s: error: %s' % (prog, message), file=sys.stderr)
    return error_code


def _secrets(conf: cfg.ConfigOpts) -> list[str]:
    """Passwords of the configured URLs, longest first, for scrubbing."""
    found: list[str] = []
    for group, name in ((None, 'transport_url'), ('database', 'connection')):
        try:
            value = conf[group][name] if group else conf[name]
        except Exception:  # unparsed, unregistered or itself invalid
            continue
        found.extend(urls.password_of(value))
    return sorted(set(found), key=len, reverse=True)
