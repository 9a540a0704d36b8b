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

"""Command line of the minicloud.

  python -m tests.minicloud up                 start (idempotent)
  python -m tests.minicloud status             what runs and answers
  python -m tests.minicloud stop-site REGION   lose one site (RegionOne)
  python -m tests.minicloud down [--wipe]      stop everything (and forget)
  python -m tests.minicloud env                shell exports for clients
  python -m tests.minicloud test-db            an empty MariaDB database URL
  python -m tests.minicloud horizon up|down    Horizon with Dragon's panel
"""
import argparse
import sys

from tests.minicloud.bootstrap import create_test_database
from tests.minicloud.bootstrap import SetupError
from tests.minicloud.cloud import MiniCloud
from tests.minicloud.horizon_site import HorizonSite
from tests.minicloud.layout import Layout
from tests.minicloud.layout import REGIONS


def main(argv=None):
    parser = argparse.ArgumentParser(prog='minicloud', description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('up')
    sub.add_parser('status')
    site = sub.add_parser('stop-site')
    site.add_argument('region', choices=REGIONS)
    down = sub.add_parser('down')
    down.add_argument('--wipe', action='store_true',
                      help='also drop databases, vhosts and stored data')
    sub.add_parser('env')
    sub.add_parser('test-db')
    horizon = sub.add_parser('horizon')
    horizon.add_argument('action', choices=('up', 'down', 'status'))
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)   # progress shows live in logs
    cloud = MiniCloud(Layout.from_env())
    try:
        if args.command == 'up':
            cloud.up()
            print('export OS_CLIENT_CONFIG_FILE=%s OS_CLOUD=admin' %
                  cloud.lo.clouds_yaml)
            for svc in cloud.table.all():
                if svc.ready_url:
                    print('  %-22s %s' % (svc.name, svc.ready_url))
        elif args.command == 'status':
            report = cloud.status()
            for name, (alive, answers) in report.items():
                state = 'running' if alive else 'stopped'
                if answers is False:
                    state += ', NOT answering'
                print('%-24s %s' % (name, state))
            return 0 if cloud.is_up() else 3
        elif args.command == 'stop-site':
            cloud.stop_site(args.region)
        elif args.command == 'down':
            cloud.wipe() if args.wipe else cloud.down()
        elif args.command == 'test-db':
            cloud.ensure_infra()
            print(create_test_database(cloud.lo))
        elif args.command == 'horizon':
            return _horizon(HorizonSite(cloud.lo), args.action)
        elif args.command == 'env':
            print('export OS_CLIENT_CONFIG_FILE=%s OS_CLOUD=admin' %
                  cloud.lo.clouds_yaml)
    except (SetupError, TimeoutError) as exc:
        print('minicloud: error: %s' % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _horizon(site, action):
    if action == 'up':
        site.ensure_up()
        print('dashboard: %s  (login: demo / the password in %s)' % (
            site.url, site.layout.home / 'password'))
    elif action == 'down':
        site.down()
    else:
        running = site.running()
        print('horizon %s %s' % (site.url,
                                 'running' if running else 'stopped'))
        return 0 if running else 3
    return 0


if __name__ == '__main__':
    sys.exit(main())
