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

"""Options of the ``[trustee]`` group: Dragon's service user, the trustee of trusts.

The API delegates the caller's roles on their project to this user with a
Keystone trust; the engine authenticates as this user with the trust id
to act on the project while the caller is long gone. Any keystoneauth
plugin works (``auth_type = password`` with ``auth_url``, ``username``,
``password``, ``user_domain_name``). Its own project scope
(``project_name``, ``project_domain_name``: the service project) is what
chunk gc uses to reach every project's checkpoint containers with Swift's
reseller admin role; trusts replace that scope with the trust's project.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = 'trustee'


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(cfg.OptGroup(
        GROUP, title='Dragon service user (trustee of the trusts)'))
    ks_loading.register_auth_conf_options(conf, GROUP)
    ks_loading.register_session_conf_options(conf, GROUP)


def list_opts() -> dict:
    return {GROUP: (ks_loading.get_session_conf_options() +
                    ks_loading.get_auth_common_conf_options() +
                    ks_loading.get_auth_plugin_conf_options('password'))}
