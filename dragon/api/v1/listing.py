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

"""Listings of the v1 API: limits, filters of run listings, ``next`` links."""

from typing import Any
from urllib import parse

import webob

from dragon.api.v1 import authorization
from dragon.api import validation
from dragon import exception

MAX_LIMIT = 1000


def next_links(req: webob.Request, items: list[Any], limit: int
               ) -> list[dict[str, str]]:
    """The ``next`` link when a full page suggests that more may follow."""
    if not items or len(items) < limit:
        return []
    params = [(k, v) for k, v in req.GET.items() if k != 'marker']
    params.append(('marker', items[-1].id))
    return [{'rel': 'next',
             'href': req.path_url + '?' + parse.urlencode(params)}]


def run_filters(req: webob.Request, rule: str, allowed: tuple[str, ...],
                statuses: list[str]) -> tuple[Any, dict[str, str],
                                               dict[str, Any]]:
    """Policy check and query of a run listing (checkpoints, recoveries).

    ``rule`` allows the listing; ``rule:all_projects`` every project's.

    :returns: the context, the query parameters and the list filters
        (all_projects, status, limit, marker, sort_dir).
    :raises dragon.exception.Invalid: a bad query.
    :raises dragon.exception.Forbidden:
    """
    context = authorization.authorize(req, rule)
    params = validation.query(req, allowed)
    all_projects = validation.query_bool(params, 'all_projects')
    if all_projects:
        authorization.authorize(req, rule + ':all_projects')
    status = params.get('status')
    if status is not None and status not in statuses:
        raise exception.Invalid(reason='status must be one of %s' %
                                ', '.join(statuses))
    limit = validation.query_int(params, 'limit', 1, MAX_LIMIT) or MAX_LIMIT
    return context, params, {
        'all_projects': all_projects, 'status': status, 'limit': limit,
        'marker': params.get('marker'),
        'sort_dir': params.get('sort_dir', 'desc')}


def page_of(req: webob.Request, key: str, rows: list[Any],
            view: Any, limit: int) -> dict[str, Any]:
    """``{key: [views]}`` with the ``next`` link of a full page."""
    result: dict[str, Any] = {key: [view(row) for row in rows]}
    links = next_links(req, rows, limit)
    if links:
        result['links'] = links
    return result
