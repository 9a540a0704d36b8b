"""The main job: the two-region minicloud with Dragon running on it.

``make demo`` runs this.  Today it brings up the cloud and Dragon's services
and proves they answer; the protect -> lose the primary site -> recover story
is added here as protection and recovery land.
"""
import sys
import time

from tests.minicloud.bootstrap import SetupError
from tests.minicloud.cloud import MiniCloud
from tests.minicloud.dragon import DragonDeployment
from tests.minicloud.layout import REGIONS, Layout


def main():
    started = time.monotonic()
    sys.stdout.reconfigure(line_buffering=True)   # progress shows live in logs
    layout = Layout.from_env()
    cloud = MiniCloud(layout)
    dragon = DragonDeployment(layout)
    try:
        cloud.up()
        dragon.up()
    except (SetupError, TimeoutError) as exc:
        print('demo: error: %s' % exc, file=sys.stderr)
        return 1
    versions = dragon.version_document()
    print()
    print('Dragon is running on a two-region OpenStack cloud '
          '(up in %.0f s).' % (time.monotonic() - started))
    print('  primary site : %s, backup site: %s' % REGIONS)
    print('  keystone     : %s' % layout.keystone_url)
    print('  dragon-api   : %s  (API versions: %s)' % (
        dragon.api_url, ', '.join(v['id'] for v in versions['versions'])))
    print('  dragon-engine: log %s' % (layout.logs / 'dragon-engine.log'))
    print('  clients      : export OS_CLIENT_CONFIG_FILE=%s OS_CLOUD=demo' %
          layout.clouds_yaml)
    print('  stop         : make cloud-down   (lose the primary site: '
          'make stop-site-a)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
