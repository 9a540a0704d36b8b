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

"""One helper for the keystoneauth session/adapter groups of remote services.

Not an option group itself (hence the underscore): ``nova.py``, ``cinder.py``
and the others call it with their group name and service type.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg


def adapter_opts(service_type: str) -> list[cfg.Opt]:
    """Return keystoneauth adapter options defaulting to ``service_type``."""
    opts = ks_loading.get_adapter_conf_options(include_deprecated=False)
    cfg.set_defaults(opts, service_type=service_type,
                     valid_interfaces=['internal', 'public'])
    return opts


def register_opts(conf: cfg.ConfigOpts, group: str, service_type: str) -> None:
    """Register the session and adapter options of ``group``."""
    conf.register_group(cfg.OptGroup(group))
    conf.register_opts(adapter_opts(service_type), group=group)
    ks_loading.register_session_conf_options(conf, group)


def list_opts(group: str, service_type: str) -> dict:
    """Return ``{group: options}`` for the sample generator."""
    opts = ks_loading.get_session_conf_options() + adapter_opts(service_type)
    return {group: opts}
