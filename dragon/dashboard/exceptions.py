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

"""The Dragon API's failures as Horizon classifies them (no Django imports).

The ``_6000`` enabled file registers these classes in Horizon's
``exceptions`` settings, so ``horizon.exceptions.handle`` shows the API's
own message (``str`` of a ``ClientError``), logs a 401 out, and an AJAX
row refresh of a deleted checkpoint gets a 404 and drops the row.
"""

from dragon.client import exceptions


class DragonError(exceptions.ClientError):
    """Any failed call of the Dragon API: Horizon shows its message."""


class DragonNotFound(DragonError):
    """404: the object is gone or belongs to another project."""


class DragonUnauthorized(DragonError):
    """401: the token expired or was revoked; Horizon logs the user out."""


_BY_STATUS = {401: DragonUnauthorized, 404: DragonNotFound}


def translate(error: exceptions.ClientError) -> DragonError:
    """The Horizon-classified copy of a client error."""
    cls = _BY_STATUS.get(error.status, DragonError)
    return cls(error.status, error.message, error.request_id)


def unreachable(message: str) -> DragonError:
    """No answer from the API (connection refused, timeout, no endpoint)."""
    return DragonError(503, message)


RECOVERABLE = (DragonError,)
NOT_FOUND = (DragonNotFound,)
UNAUTHORIZED = (DragonUnauthorized,)
