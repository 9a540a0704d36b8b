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

"""Reads request bodies and query strings, validated, or refuses them with a 400."""

import json
from typing import Any

from oslo_utils import strutils
import webob

from dragon.common import schema as common_schema
from dragon import exception

validate = common_schema.validate
_shorten = common_schema.shorten


def body(req: webob.Request, schema: dict[str, Any]) -> dict[str, Any]:
    """Return the request's JSON body, validated against ``schema``.

    :raises dragon.exception.Invalid: no body, not JSON, or not valid.
    """
    raw = req.body
    if not raw:
        raise exception.Invalid(reason='a JSON request body is required')
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise exception.Invalid(
            reason='the request body is not valid JSON: %s' % _shorten(
                str(e)))
    _check_encodable(data)
    validate(data, schema)
    return data


def _check_encodable(data: Any) -> None:
    """Refuse lone surrogates (``"\\ud800"``): valid JSON, not storable text."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode('utf-8')
            except UnicodeEncodeError:
                raise exception.Invalid(
                    reason='the request body holds a string that is not '
                           'valid Unicode')


def no_body(req: webob.Request) -> None:
    """Refuse a body where the API takes none."""
    if req.body:
        raise exception.Invalid(reason='this request takes no body')


def query(req: webob.Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """Return the query parameters, each at most once and all of ``allowed``.

    :raises dragon.exception.Invalid:
    """
    result: dict[str, str] = {}
    for key, value in req.GET.items():
        if key not in allowed:
            raise exception.Invalid(reason='unknown query parameter %s; '
                                    'known: %s' % (_shorten(repr(key)),
                                                   ', '.join(allowed)))
        if key in result:
            raise exception.Invalid(reason='query parameter %s is given more '
                                    'than once' % key)
        result[key] = value
    return result


def query_bool(params: dict[str, str], key: str) -> bool:
    value = params.get(key)
    if value is None:
        return False
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.Invalid(reason='%s must be true or false' % key)


def query_int(params: dict[str, str], key: str, minimum: int,
              maximum: int) -> int | None:
    value = params.get(key)
    if value is None:
        return None
    try:
        number = int(value) if value.strip().lstrip('-').isdigit() else None
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        raise exception.Invalid(reason='%s must be an integer from %d to %d'
                                % (key, minimum, maximum))
    return number
