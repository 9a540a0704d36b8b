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

"""Shared request plumbing of the resource managers: errors and pagination."""

from collections.abc import Iterator
from typing import Any
from urllib import parse

from dragon.client import exceptions

# The catalog holds the unversioned endpoint (as the version document does);
# every path carries the API version.
PREFIX = '/v1'


def quote(value: str) -> str:
    """A path segment; names typed by users may hold '/' or '?'."""
    return parse.quote(str(value), safe='')


class Manager:
    """Sends requests for one resource through the client's adapter."""

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter

    def _request(self, method: str, url: str, body: dict | None = None,
                 params: dict | None = None) -> dict | None:
        if not parse.urlparse(url).netloc:
            url = PREFIX + url
        kwargs: dict[str, Any] = {'raise_exc': False,
                                  'headers': {'Accept': 'application/json'}}
        if body is not None:
            kwargs['json'] = body
        if params:
            kwargs['params'] = {k: v for k, v in params.items()
                                if v is not None}
        response = self.adapter.request(url, method, **kwargs)
        if response.status_code >= 400:
            raise exceptions.ClientError.from_response(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise exceptions.ClientError(
                response.status_code, 'The API answered with a body that is '
                'not JSON.', response.headers.get('x-openstack-request-id'))

    def _pages(self, url: str, key: str,
               params: dict | None = None) -> Iterator[list[dict]]:
        """Each page of a list, following the ``next`` links."""
        body = self._request('GET', url, params=params) or {}
        while True:
            yield body.get(key, [])
            next_url = next((link.get('href') for link in body.get('links', ())
                             if link.get('rel') == 'next'), None)
            if not next_url or not body.get(key):
                return
            body = self._request('GET', next_url) or {}

    def _list(self, url: str, key: str, params: dict | None = None,
              all_pages: bool = False) -> list[dict]:
        if not all_pages:
            return (self._request('GET', url, params=params) or {}).get(key, [])
        return [item for page in self._pages(url, key, params)
                for item in page]
