#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""python-heatclient's errors turned into the words and errors Dragon shows.

heatclient raises ``heatclient.exc.HTTPException`` for an HTTP error and
lets keystoneauth's connection errors through.  Its own ``str()`` is
``ERROR: <message>`` (or a class docstring when the body has no
``error``); Dragon names Heat's message and the status instead, falling
back to the body's ``explanation`` or ``title`` as Heat's API sends them.
"""

import contextlib
import json
from typing import Iterator

from heatclient import exc as heat_exc
from keystoneauth1 import exceptions as ks_exc

from dragon import exception

SERVICE = 'Heat'
HTTPException = heat_exc.HTTPException


def status(error: heat_exc.HTTPException) -> int | None:
    """The HTTP status of a heatclient error (``None`` if it has none)."""
    try:
        return int(error.code)
    except (TypeError, ValueError):
        return None


def message(error: heat_exc.HTTPException) -> str | None:
    """Heat's own words in the body of ``error``, if it sent any."""
    try:
        body = json.loads(error.message) if error.message else None
    except (TypeError, ValueError):
        return None
    if not isinstance(body, dict):
        return None
    found = body.get('error')
    text = found.get('message') if isinstance(found, dict) else None
    return text or body.get('explanation') or body.get('title') or None


def reason(error: heat_exc.HTTPException) -> str:
    """``<Heat's message> (HTTP <status>)``, or ``HTTP <status>``."""
    text = message(error)
    code = 'HTTP %s' % status(error)
    return '%s (%s)' % (text, code) if text else code


@contextlib.contextmanager
def reachable(what: str) -> Iterator[None]:
    """Heat that cannot be reached while doing ``what`` is a 503-kind error.

    :raises dragon.exception.RemoteServiceUnavailable:
    """
    try:
        yield
    except ks_exc.ClientException as e:
        raise exception.RemoteServiceUnavailable(
            service=SERVICE, reason='%s: %s' % (what, e) if what else e)
