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

"""How a ``dr`` command fails: one line, no traceback, no usage."""

import logging
from typing import Any

from keystoneauth1 import exceptions as ksa_exceptions
from osc_lib import exceptions as osc_exceptions

from dragon.client import exceptions


LOG = logging.getLogger(__name__)


def error_line(err: Exception) -> str:
    """One line for the terminal; the API's message comes first."""
    if isinstance(err, exceptions.ClientError):
        text = err.message
        if err.request_id:
            text += ' (HTTP %s, request %s)' % (err.status, err.request_id)
    else:
        text = str(err)
    return 'Error: ' + ' '.join(text.split())


def one_line_errors(parser: Any) -> Any:
    """Make ``parser`` refuse a command line with one line, not the usage.

    argparse prints the whole usage first, which for a command with many
    options buries the one thing that was wrong.  The exit status stays 2.
    """
    def error(message: str) -> None:
        parser.exit(2, 'Error: %s: %s\n' % (parser.prog,
                                            ' '.join(message.split())))
    parser.error = error
    return parser


def is_transient(err: Exception) -> bool:
    """An error a poll may outlast: the API unreachable or answering 5xx."""
    if isinstance(err, exceptions.ClientError):
        return err.status >= 500
    return isinstance(err, ksa_exceptions.ConnectionError)


class DragonCommand:
    """Mixin that turns a failed API call into OSC's one-line CommandError."""

    def run(self, parsed_args: Any) -> int:
        try:
            return super().run(parsed_args)
        except (exceptions.ClientError,
                # No 'dr' endpoint in the catalog, or nothing listening.
                ksa_exceptions.EndpointNotFound,
                ksa_exceptions.ConnectionError) as err:
            raise osc_exceptions.CommandError(error_line(err)) from None


def delete_each(ids: list[str], delete: Any, plural: str) -> None:
    """``delete(id)`` for each ID; one failure does not stop the others.

    A single ID fails with the API's own error line; of several, each
    failure is logged and the command fails at the end with a count.
    """
    failed = 0
    for item_id in ids:
        try:
            delete(item_id)
        except exceptions.ClientError as err:
            if len(ids) == 1:
                raise
            failed += 1
            LOG.error(error_line(err))
    if failed:
        raise osc_exceptions.CommandError(
            'Error: %d of %d %s failed to delete.' % (failed, len(ids),
                                                     plural))
