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

"""Serve one OpenStack WSGI application under gunicorn (run in the cloud venv).

Keystone, Placement, Glance, Nova API, Neutron and Heat API ship WSGI modules
but no server.  oslo.config parses ``sys.argv`` when those modules are
imported, so gunicorn's own command line must never reach them: gunicorn is
driven from Python here and ``sys.argv`` is replaced before the import.

usage: wsgi_serve.py NAME HOST:PORT MODULE:ATTR [THREADS] [-- SERVICE-ARGS...]
"""
import importlib
import sys

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, name, bind, target, threads):
        self._name, self._bind = name, bind
        self._target, self._threads = target, threads
        super().__init__()

    def load_config(self):
        settings = {
            'bind': self._bind, 'workers': 1, 'worker_class': 'gthread',
            'threads': self._threads, 'timeout': 600, 'graceful_timeout': 5,
            'proc_name': self._name, 'accesslog': '-',
            'control_socket_disable': True,
            # gunicorn closes an idle keep-alive connection after 2 s by
            # default; a client reusing its pooled connection at that very
            # moment gets "Remote end closed connection without response"
            # (seen failing CI's cloud start).  Clients here pause for longer
            # than 2 s all the time, rarely for a minute.
            'keepalive': 75,
            # gunicorn's default request line (4094 bytes) is half of what
            # common front ends take (Apache's LimitRequestLine: 8190):
            # nova-api asks Neutron for the ports of up to 150 servers in
            # one URL (~7 KiB) when it lists servers, so pages of more
            # than ~80 servers failed with HTTP 500.  8190 is gunicorn's
            # largest limit short of none at all.
            'limit_request_line': 8190,
        }
        for key, value in settings.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        module, attr = self._target.split(':')
        return getattr(importlib.import_module(module), attr)


def main():
    args = sys.argv[1:]
    service_args = []
    if '--' in args:
        cut = args.index('--')
        args, service_args = args[:cut], args[cut + 1:]
    name, bind, target = args[:3]
    threads = int(args[3]) if len(args) > 3 else 4
    sys.argv = [name] + service_args
    _Server(name, bind, target, threads).run()


if __name__ == '__main__':
    main()
