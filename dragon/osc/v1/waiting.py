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

"""``--wait`` of long actions: follow the run on stderr, judge the end."""

from typing import Any

from osc_lib import exceptions as osc_exceptions

from dragon.osc.v1 import errors
from dragon.osc.v1 import progress


class Waiting:
    """Mixin of the commands with ``--wait``: follow the run, then judge it."""

    # The wait loop's time source; unit tests replace it.
    clock = progress.Clock()

    def follow(self, get: Any, item: dict, busy: tuple, header: str,
               work: str, show_command: str) -> dict:
        """Poll ``get`` until ``item`` leaves ``busy``, progress on stderr.

        Ctrl-C stops only the waiting: the line printed says the ``work``
        goes on and which command follows it.
        """
        stream = self.app.stderr
        stream.write(header + '\n')
        # A long wait outlives an API restart: a few failed polls in a row
        # are retried before the error ends the command.
        follower = progress.Follower(get, stream, busy=busy, clock=self.clock,
                                     transient=errors.is_transient)
        try:
            return follower.follow(item)
        except KeyboardInterrupt:
            stream.write(
                'Stopped waiting; the %s continues on the server. '
                "Follow it with '%s'.\n" % (work, show_command))
            stream.flush()
            raise

    def outcome(self, parsed_args: Any, shown: tuple, item: dict,
                wanted: str, subject: str) -> tuple:
        """``shown`` if ``item`` reached ``wanted``; else print it and fail.

        The details go to stdout; the reason is the one error line.
        """
        status = item.get('status')
        if status == wanted:
            return shown
        self.produce_output(parsed_args, *shown)
        if status == 'error':
            reason = 'failed: ' + progress.failure_reasons(item)
        else:
            reason = 'is %s, not %s.' % (status, wanted)
        raise osc_exceptions.CommandError('Error: %s %s' % (subject, reason))
