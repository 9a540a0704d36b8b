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

"""Any project's checkpoint containers, reached with Dragon's own credentials.

Chunk garbage collection runs for every project with checkpoints, long
after the trusts of their protection runs expired.  Dragon's service user
(``[trustee]``, scoped to its service project) holds Swift's reseller admin
role (``ResellerAdmin`` in the usual ``keystoneauth`` middleware setup),
which Swift honours on every account of the cluster: the engine builds the
project's storage URL from its own by swapping the account name.
"""

from typing import Any

from oslo_config import cfg
from swiftclient import client as swift_client

from dragon.cloud import clients as clients_mod
from dragon import identity


def _account_url(own_url: str, own_project_id: str, project_id: str) -> str:
    """``own_url`` (``.../v1/AUTH_<own project>``) for ``project_id``."""
    base, _sep, account = own_url.rstrip('/').rpartition('/')
    if not account.endswith(own_project_id):
        raise ValueError('cannot find the account of project %s in %s'
                         % (own_project_id, own_url))
    reseller_prefix = account[:-len(own_project_id)]
    return '%s/%s%s' % (base, reseller_prefix, project_id)


def project_swift(conf: cfg.ConfigOpts, project_id: str,
                  session: Any = None) -> swift_client.Connection:
    """A Swift connection to ``project_id``'s account as Dragon's service user.

    ``[swift]`` gives the interface, the endpoint override and the timeout;
    ``[engine] region_name`` the region.
    """
    session = session or identity.service_session(conf)
    options = clients_mod.service_options(conf, 'object-store',
                                          conf.engine.region_name)
    own_url = options.endpoint_override or session.get_endpoint(
        service_type='object-store', interface=options.interface,
        region_name=options.region_name)
    url = _account_url(own_url, session.get_project_id(), project_id)
    return swift_client.Connection(preauthurl=url,
                                   preauthtoken=session.get_token(),
                                   retries=clients_mod.SWIFT_RETRIES,
                                   timeout=options.timeout)
