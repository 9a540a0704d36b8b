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

"""The Dragon client of a Django request: the user's token, Horizon's region.

Every call goes to the ``dr`` endpoint of the region the user chose in
Horizon (``request.user.services_region``) unless a caller names another
region explicitly (a recovery targets the backup site). The client
authenticates with the user's scoped token as it stands: the endpoint
comes from the token's own catalog, so no call to Keystone is made.
"""

import functools
from typing import Any, Callable

from django.conf import settings
from keystoneauth1 import exceptions as ksa_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from openstack_dashboard.api import base

from dragon.client import exceptions as client_exceptions
from dragon.client.v1 import client as dragon_client
from dragon.dashboard import exceptions

SERVICE_TYPE = dragon_client.SERVICE_TYPE
# Seconds a page waits for the Dragon API before it shows an error.
DEFAULT_TIMEOUT = 60


class Resource(base.APIDictWrapper):
    """An API object: attributes and keys both read the API's fields."""

    def to_dict(self) -> dict:
        return dict(self._apidict)


def region_of(request: Any, region: str | None = None) -> str:
    return region or request.user.services_region


def _verify() -> bool | str:
    if getattr(settings, 'OPENSTACK_SSL_NO_VERIFY', False):
        return False
    return getattr(settings, 'OPENSTACK_SSL_CACERT', None) or True


def _endpoint(request: Any, region: str) -> str:
    try:
        return base.url_for(request, SERVICE_TYPE, region=region)
    except Exception as err:  # Horizon's ServiceCatalogException
        raise exceptions.unreachable(
            'The Disaster Recovery service has no endpoint in region '
            '%s.' % region) from err


def client(request: Any,
           region: str | None = None) -> dragon_client.Client:
    """The Dragon client of this request in ``region`` (Horizon's by default).

    One client per region is kept on the request: a page that lists and
    then shows reuses its connection.
    """
    region = region_of(request, region)
    cache = request.__dict__.setdefault('_dragon_clients', {})
    if region not in cache:
        endpoint = _endpoint(request, region)
        session = ks_session.Session(
            auth=token_endpoint.Token(endpoint, request.user.token.id),
            verify=_verify(),
            timeout=getattr(settings, 'DRAGON_API_TIMEOUT', DEFAULT_TIMEOUT),
            app_name='dragon-dashboard')
        cache[region] = dragon_client.Client(
            session, region_name=region, endpoint_override=endpoint)
    return cache[region]


def translated(func: Callable) -> Callable:
    """Raise the API's failures as ``dragon.dashboard.exceptions`` classes.

    Horizon then shows the API's own message; a Dragon API that cannot be
    reached is a 503 that says so.
    """
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except exceptions.DragonError:
            raise
        except client_exceptions.ClientError as err:
            raise exceptions.translate(err) from err
        except ksa_exceptions.ConnectionError as err:
            raise exceptions.unreachable(
                'The Disaster Recovery API cannot be reached: %s' %
                err) from err
    return wrapper
