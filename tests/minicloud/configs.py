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

"""Writes the configuration of every minicloud service from a Layout."""
import base64
import configparser
import hashlib
import shutil

from tests.minicloud.layout import region_tag
from tests.minicloud.layout import REGIONS


def write_ini(path, sections):
    """Write ``{section: {key: value}}`` as an ini file (no interpolation)."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    for section, values in sections.items():
        if section != 'DEFAULT':
            parser.add_section(section)
        for key, value in values.items():
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            parser.set(section, key, str(value))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w') as f:
        parser.write(f)


class ConfigWriter:
    """Knows the shape of each service's configuration."""

    def __init__(self, layout):
        self.lo = layout

    # -- shared snippets
    def _authtoken(self, user):
        return {
            'www_authenticate_uri': self.lo.keystone_url,
            'auth_url': self.lo.keystone_url,
            'auth_type': 'password',
            'project_domain_name': 'Default',
            'user_domain_name': 'Default',
            'project_name': 'service',
            'username': user,
            'password': self.lo.password,
            'service_token_roles_required': True,
        }

    def _service_auth(self, user, region):
        return {
            'auth_url': self.lo.keystone_url,
            'auth_type': 'password',
            'project_domain_name': 'Default',
            'user_domain_name': 'Default',
            'project_name': 'service',
            'username': user,
            'password': self.lo.password,
            'region_name': region,
        }

    def _common(self, region, service):
        tag = region_tag(region)
        # Nova keeps its compute node identity under state_path: it must
        # exist, or a restarted nova-compute refuses to start.
        (self.lo.data / tag / service).mkdir(parents=True, exist_ok=True)
        return {
            'transport_url': self.lo.transport_url(region),
            'host': '%s-%s' % (tag, service),
            'my_ip': '127.0.0.1',
            'state_path': self.lo.data / tag / service,
        }

    def _dir(self, region, service):
        return self.lo.etc / region_tag(region) / service

    def _dir_with_paste(self, region, service, paste_file):
        """The service's config dir, holding the paste file it ships.

        Glance, Nova API and Barbican (see minicloud_drivers.barbican_api)
        look for their paste file beside their config.
        """
        d = self._dir(region, service)
        d.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.lo.venv / 'etc' / service / paste_file,
                    d / paste_file)
        return d

    # -- shared services
    def keystone(self):
        write_ini(self.lo.etc / 'keystone' / 'keystone.conf', {
            'DEFAULT': {},
            'database': {'connection': self.lo.db_url('keystone')},
            'token': {'provider': 'fernet', 'expiration': 14400},
            'fernet_tokens': {
                'key_repository': self.lo.data / 'keystone' / 'fernet-keys'},
            'fernet_receipts': {
                'key_repository': self.lo.data / 'keystone' / 'fernet-keys'},
            'credential': {'key_repository':
                           self.lo.data / 'keystone' / 'credential-keys'},
            # bcrypt's default cost makes every password check ~0.3 s.
            'identity': {'password_hash_rounds': 4},
            # Without a cache every request costs 0.3-0.7 s on this machine.
            'cache': {'enabled': True, 'backend': 'dogpile.cache.memory'},
        })

    def swift(self):
        for cluster in self.lo.swift_clusters:
            self._swift_cluster(cluster)

    def _swift_cluster(self, cluster):
        """One Swift cluster: its rings' home, three storage servers, a proxy.

        ``cluster`` is None for the cluster both regions share, else the
        region that owns (and loses) it.
        """
        lo = self.lo
        sw = lo.swift_etc(cluster)
        write_ini(sw / 'swift.conf', {
            'swift-hash': {'swift_hash_path_suffix': 'minicloud',
                           'swift_hash_path_prefix': 'dragon'},
            'storage-policy:0': {'name': 'Policy-0', 'default': 'yes'},
        })
        common = {
            'bind_ip': '127.0.0.1', 'workers': 0, 'swift_dir': sw,
            'mount_check': 'false', 'disable_fallocate': 'true',
            # No /dev/log here: Swift logs through a socket we read.
            'log_address': lo.run / 'swift-log.sock',
        }
        for kind in ('object', 'container', 'account'):
            write_ini(sw / ('%s-server.conf' % kind), {
                'DEFAULT': dict(common,
                                bind_port=lo.port('swift-' + kind, cluster),
                                devices=lo.swift_devices_of(cluster),
                                log_name=lo.swift_service(kind, cluster)),
                'pipeline:main': {'pipeline': 'healthcheck %s-server' % kind},
                'app:%s-server' % kind: {'use': 'egg:swift#' + kind},
                'filter:healthcheck': {'use': 'egg:swift#healthcheck'},
            })
        filters = ['catch_errors', 'gatekeeper', 'healthcheck',
                   'proxy-logging', 'cache', 'listing_formats', 'bulk',
                   'tempurl', 'authtoken', 'keystoneauth', 'copy', 'slo',
                   'dlo', 'symlink', 'proxy-logging']
        proxy = {
            'DEFAULT': dict(common,
                            bind_port=lo.port('swift-proxy', cluster),
                            log_name=lo.swift_service('proxy', cluster)),
            'pipeline:main': {'pipeline': ' '.join(filters + ['proxy-server'])},
            'app:proxy-server': {
                'use': 'egg:swift#proxy', 'account_autocreate': 'true',
                'allow_account_management': 'true',
                # One object node: never error-limit it.
                'error_suppression_interval': 0},
            'filter:authtoken': dict(
                self._authtoken('swift'),
                **{'paste.filter_factory':
                   'keystonemiddleware.auth_token:filter_factory',
                   'delay_auth_decision': 'true', 'cache': 'swift.cache',
                   'include_service_catalog': 'false'}),
            'filter:keystoneauth': {
                'use': 'egg:swift#keystoneauth',
                'operator_roles': 'admin, member',
                'reseller_admin_role': 'ResellerAdmin'},
            'filter:cache': {
                'use': 'egg:swift#memcache',
                'memcache_servers': '127.0.0.1:%d' % lo.port('memcached',
                                                             cluster)},
        }
        for name in set(filters) - {'authtoken', 'keystoneauth', 'cache'}:
            proxy['filter:' + name] = {
                'use': 'egg:swift#' + name.replace('-', '_')}
        del proxy['filter:authtoken']['service_token_roles_required']
        write_ini(sw / 'proxy-server.conf', proxy)

    # -- per-region services
    def placement(self, region):
        write_ini(self._dir(region, 'placement') / 'placement.conf', {
            'DEFAULT': {},
            'placement_database': {
                'connection': self.lo.db_url('placement', region)},
            'api': {'auth_strategy': 'keystone'},
            'keystone_authtoken': self._authtoken('placement'),
        })

    def glance(self, region):
        d = self._dir_with_paste(region, 'glance', 'glance-api-paste.ini')
        data = self.lo.data / region_tag(region) / 'glance'
        write_ini(d / 'glance-api.conf', {
            'DEFAULT': {
                'enabled_backends': 'fs:file',
                'worker_self_reference_url': self.lo.url('glance', region)},
            'database': {'connection': self.lo.db_url('glance', region)},
            'glance_store': {'default_backend': 'fs'},
            'fs': {'filesystem_store_datadir': data / 'images'},
            'os_glance_staging_store': {
                'filesystem_store_datadir': data / 'staging'},
            'os_glance_tasks_store': {
                'filesystem_store_datadir': data / 'tasks'},
            'paste_deploy': {'flavor': 'keystone'},
            'oslo_concurrency': {'lock_path': data / 'locks'},
            'keystone_authtoken': self._authtoken('glance'),
        })

    def nova(self, region):
        d = self._dir_with_paste(region, 'nova', 'api-paste.ini')
        data = self.lo.data / region_tag(region) / 'nova'
        write_ini(d / 'nova.conf', {
            'DEFAULT': dict(
                self._common(region, 'compute'),
                compute_driver='minicloud_disk.DiskFakeDriver',
                instances_path=data / 'instances',
                # One compute host per region: a resize (a flavor changed
                # since a checkpoint) can only go to the same host.
                allow_resize_to_same_host=True,
                # Rebuilding a server booted from a volume (in-place
                # restore of its boot volume) waits this long per GiB for
                # Cinder to re-image it; the default (20 s) is short for
                # a loaded test machine.
                reimage_timeout_per_gb=180,
                use_rootwrap_daemon=False,
                rootwrap_config=self.lo.venv / 'etc' / 'nova' /
                'rootwrap.conf'),
            'api': {'auth_strategy': 'keystone'},
            'api_database': {'connection': self.lo.db_url('nova_api', region)},
            'database': {'connection': self.lo.db_url('nova', region)},
            'conductor': {'workers': 1},
            'scheduler': {'workers': 1,
                          'discover_hosts_in_cells_interval': 2},
            'oslo_concurrency': {'lock_path': data / 'locks'},
            'oslo_messaging_notifications': {'driver': 'noop'},
            'vnc': {'enabled': False},
            'spice': {'enabled': False},
            'glance': {'region_name': region},
            'wsgi': {'api_paste_config': d / 'api-paste.ini'},
            'keystone_authtoken': self._authtoken('nova'),
            'placement': self._service_auth('nova', region),
            'neutron': dict(self._service_auth('nova', region),
                            service_metadata_proxy=False),
            'cinder': dict(self._service_auth('nova', region),
                           os_region_name=region),
            'service_user': dict(self._service_auth('nova', region),
                                 send_service_user_token=True),
        })

    def neutron(self, region):
        d = self._dir(region, 'neutron')
        data = self.lo.data / region_tag(region) / 'neutron'
        write_ini(d / 'neutron.conf', {
            'DEFAULT': dict(
                self._common(region, 'neutron'),
                core_plugin='ml2', service_plugins='router',
                auth_strategy='keystone',
                api_paste_config=self.lo.venv / 'etc' / 'neutron' /
                'api-paste.ini',
                notify_nova_on_port_status_changes=True,
                notify_nova_on_port_data_changes=True,
                api_workers=1, rpc_workers=0, rpc_state_report_workers=0,
                dhcp_agent_notification=False),
            'database': {'connection': self.lo.db_url('neutron', region)},
            'oslo_concurrency': {'lock_path': data / 'locks'},
            'oslo_messaging_notifications': {'driver': 'noop'},
            'agent': {'root_helper': '/bin/false'},
            'keystone_authtoken': self._authtoken('neutron'),
            'nova': self._service_auth('neutron', region),
        })
        write_ini(d / 'plugins' / 'ml2' / 'ml2_conf.ini', {
            'ml2': {'type_drivers': 'flat,vxlan',
                    'tenant_network_types': 'vxlan',
                    'mechanism_drivers': 'minicloud_bind',
                    'extension_drivers': 'port_security'},
            'ml2_type_flat': {'flat_networks': 'public'},
            'ml2_type_vxlan': {'vni_ranges': '1:10000'},
            'securitygroup': {'firewall_driver': 'noop'},
        })

    def cinder(self, region):
        d = self._dir(region, 'cinder')
        d.mkdir(parents=True, exist_ok=True)
        venv_etc = self.lo.venv / 'etc' / 'cinder'
        data = self.lo.data / region_tag(region) / 'cinder'
        write_ini(d / 'rootwrap.conf', {'DEFAULT': {
            'filters_path': venv_etc / 'rootwrap.d',
            'exec_dirs': ','.join([str(self.lo.venv / 'bin'), '/sbin',
                                   '/usr/sbin', '/bin', '/usr/bin']),
            'use_syslog': False}})
        write_ini(d / 'cinder.conf', {
            'DEFAULT': dict(
                self._common(region, 'cinder'),
                auth_strategy='keystone',
                enabled_backends='file',
                default_volume_type='file',
                osapi_volume_listen='127.0.0.1',
                osapi_volume_listen_port=self.lo.port('cinder', region),
                osapi_volume_workers=1,
                api_paste_config=venv_etc / 'api-paste.ini',
                rootwrap_config=d / 'rootwrap.conf',
                # Backups go to the one Swift, so the backup site can
                # import and restore them: the DR path for cinder_backup.
                backup_driver='cinder.backup.drivers.swift.SwiftBackupDriver',
                backup_swift_auth='per_user',
                backup_swift_url=self.lo.swift_url(region) + '/v1/AUTH_',
                backup_swift_container='volumebackups',
                storage_availability_zone='nova',
                default_availability_zone='nova'),
            'database': {'connection': self.lo.db_url('cinder', region)},
            'oslo_concurrency': {'lock_path': data / 'locks'},
            'oslo_messaging_notifications': {'driver': 'noop'},
            'file': {
                'volume_driver':
                    'minicloud_drivers.cinder_file.FileVolumeDriver',
                'volume_backend_name': 'file',
                'file_volume_dir': data / 'volumes'},
            'keystone_authtoken': self._authtoken('cinder'),
            'glance': {'region_name': region},
            # Encrypted volume types: each volume's LUKS key is created in
            # the region's own Barbican (castellan), with the caller's token.
            'key_manager': {'backend': 'barbican'},
            'barbican': {'auth_endpoint': self.lo.keystone_url,
                         'barbican_region_name': region,
                         'barbican_endpoint_type': 'public'},
            'nova': self._service_auth('cinder', region),
            'service_user': dict(self._service_auth('cinder', region),
                                 send_service_user_token=True),
        })

    def heat(self, region):
        d = self._dir(region, 'heat')
        data = self.lo.data / region_tag(region) / 'heat'
        write_ini(d / 'heat.conf', {
            'DEFAULT': {
                'transport_url': self.lo.transport_url(region),
                'host': region_tag(region) + '-heat',
                'num_engine_workers': 1,
                'stack_domain_admin': 'heat_domain_admin',
                'stack_domain_admin_password': self.lo.password,
                'stack_user_domain_name': 'heat',
                'region_name_for_services': region,
                'heat_metadata_server_url': self.lo.url('heat', region),
                'heat_waitcondition_server_url':
                    self.lo.url('heat', region) + '/v1/waitcondition',
                'environment_dir': self.lo.venv / 'etc' / 'heat' /
                'environment.d',
                'template_dir': self.lo.venv / 'etc' / 'heat' / 'templates',
                'max_stacks_per_tenant': 1000,
            },
            'paste_deploy': {
                'api_paste_config': self.lo.venv / 'etc' / 'heat' /
                'api-paste.ini'},
            'database': {'connection': self.lo.db_url('heat', region)},
            'oslo_concurrency': {'lock_path': data / 'locks'},
            'oslo_messaging_notifications': {'driver': 'noop'},
            'clients_keystone': {'auth_uri': self.lo.url('keystone')},
            'heat_api': {'workers': 1},
            'keystone_authtoken': self._authtoken('heat'),
            'trustee': {
                'auth_url': self.lo.keystone_url, 'auth_type': 'password',
                'user_domain_name': 'Default', 'username': 'heat',
                'password': self.lo.password},
            'clients': {'endpoint_type': 'publicURL'},
        })

    def barbican(self, region):
        """Barbican on SQLite with the software-only simple_crypto plugin.

        Its master key (KEK) is derived from the cloud's password and the
        region, so it survives restarts and differs between the two sites
        (their Barbicans share nothing, like real ones).
        """
        d = self._dir_with_paste(region, 'barbican', 'barbican-api-paste.ini')
        data = self.lo.data / region_tag(region) / 'barbican'
        data.mkdir(parents=True, exist_ok=True)
        kek = base64.b64encode(hashlib.sha256(
            ('barbican-kek:%s:%s' % (self.lo.password, region)).encode()
        ).digest()).decode()
        write_ini(d / 'barbican.conf', {
            'DEFAULT': {'host_href': self.lo.url('barbican', region),
                        'db_auto_create': True},
            'database': {'connection': 'sqlite:///%s' % (
                data / 'barbican.sqlite')},
            'secretstore': {'enabled_secretstore_plugins': 'store_crypto'},
            'crypto': {'enabled_crypto_plugins': 'simple_crypto'},
            'simple_crypto_plugin': {'kek': kek},
            'keystone_authtoken': self._authtoken('barbican'),
        })

    def write_all(self):
        self.keystone()
        self.swift()
        for region in REGIONS:
            for service in (self.placement, self.glance, self.nova,
                            self.neutron, self.cinder, self.heat,
                            self.barbican):
                service(region)
