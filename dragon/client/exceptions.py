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

"""The one exception the Dragon client raises for a failed API call."""

import json
from typing import Any


class ClientError(Exception):
    """An API call failed; ``message`` is the API's own explanation.

    ``status`` is the HTTP status (404 also for a name that matches nothing,
    409 for a name that matches several resources); ``request_id`` is None
    when the failure was detected by the client.
    """

    def __init__(self, status: int, message: str,
                 request_id: str | None = None) -> None:
        self.status = status
        self.message = message
        self.request_id = request_id
        super().__init__(status, message, request_id)

    def __str__(self) -> str:
        text = '%s (HTTP %s)' % (self.message, self.status)
        if self.request_id:
            text += ' (Request-ID: %s)' % self.request_id
        return text

    @classmethod
    def from_response(cls, response: Any) -> 'ClientError':
        """Build the error from a requests/keystoneauth response."""
        request_id = (response.headers.get('x-openstack-request-id') or
                      response.headers.get('x-compute-request-id'))
        message = None
        try:
            error = json.loads(response.text)['error']
            message = error.get('message') or error.get('title')
            request_id = error.get('request_id') or request_id
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
        if not isinstance(message, str) or not message:
            message = response.reason or 'HTTP %s' % response.status_code
        return cls(response.status_code, message, request_id)
