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

"""Options of the ``[api]`` group: how dragon-api listens and authenticates."""

from oslo_config import cfg

GROUP = cfg.OptGroup('api', title='Dragon API options')

AUTH_KEYSTONE = 'keystone'
AUTH_NOAUTH = 'noauth'

opts = [
    cfg.HostAddressOpt(
        'bind_host',
        default='127.0.0.1',
        help='Address dragon-api listens on when started as a standalone '
             'development server (ignored under uwsgi/gunicorn).'),
    cfg.PortOpt(
        'bind_port',
        default=8799,
        help='Port dragon-api listens on when started as a standalone '
             'development server (ignored under uwsgi/gunicorn).'),
    cfg.StrOpt(
        'auth_strategy',
        default=AUTH_KEYSTONE,
        choices=[
            (AUTH_KEYSTONE, 'Validate tokens with keystonemiddleware '
                            '(configured in [keystone_authtoken]).'),
            (AUTH_NOAUTH, 'Trust the X-User-Id, X-Project-Id and X-Roles '
                          'request headers. Only for tests and development.'),
        ],
        help='How /v1 requests are authenticated.'),
    cfg.IntOpt(
        'max_request_body_size',
        default=1024 * 1024,
        min=1,
        help='Largest request body, in bytes, the API accepts; larger '
             'requests are refused with 413 before they are read.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}
