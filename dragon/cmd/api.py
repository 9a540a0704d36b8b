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

"""dragon-api: serves the API with a threaded stdlib server, for development and demos.

In production run the WSGI application ``dragon.wsgi.api:application``
under uwsgi or gunicorn instead; this server has no worker management.
"""

import signal
import socketserver
import sys
import threading
from wsgiref import simple_server

from oslo_log import log as logging

from dragon.api import app
from dragon.cmd import common
from dragon.common import config
from dragon import conf as dragon_conf
from dragon.db import api as db_api
from dragon.db import migration
from dragon import exception

LOG = logging.getLogger(__name__)
PROG = 'dragon-api'


class _ThreadingWSGIServer(socketserver.ThreadingMixIn,
                           simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _LoggingHandler(simple_server.WSGIRequestHandler):
    """Access log through oslo.log instead of wsgiref's stderr prints."""

    def log_message(self, format: str, *args: object) -> None:
        LOG.info("%s %s", self.address_string(), format % args)


def _serve(argv: list[str]) -> int:
    conf = dragon_conf.CONF
    config.parse_args(conf, argv, prog=PROG)
    db_api.check_connection(conf)
    migration.check_current()
    application = app.build_app(conf)
    host, port = conf.api.bind_host, conf.api.bind_port
    try:
        server = simple_server.make_server(
            host, port, application, server_class=_ThreadingWSGIServer,
            handler_class=_LoggingHandler)
    except OSError as e:
        raise exception.ListenFailed(host=host, port=port,
                                     reason=e.strerror or str(e))

    def _on_signal(signum: int, frame: object) -> None:
        LOG.info("%s received %s, stopping", PROG, signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return: not from its thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    LOG.info("%s serving on http://%s:%s", PROG, host, server.server_port)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    common.run(PROG, lambda: _serve(argv), dragon_conf.CONF)
