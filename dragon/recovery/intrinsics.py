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

"""HOT intrinsic functions in a template tree: found, replaced, walked."""

import copy
from typing import Any


def walk(value: Any, fn: Any) -> Any:
    """``value`` rebuilt bottom-up, ``fn`` applied to every dict and list."""
    if isinstance(value, dict):
        value = {k: walk(v, fn) for k, v in value.items()}
    elif isinstance(value, list):
        value = [walk(v, fn) for v in value]
    return fn(value)


def refs(value: Any, function: str) -> set[str]:
    """Every argument of intrinsic ``function`` inside ``value``."""
    found: set[str] = set()

    def visit(v: Any) -> None:
        if isinstance(v, dict):
            if len(v) == 1 and function in v:
                arg = v[function]
                found.add(arg[0] if isinstance(arg, list) else arg)
            for item in v.values():
                visit(item)
        elif isinstance(v, list):
            for item in v:
                visit(item)
    visit(value)
    return {f for f in found if isinstance(f, str)}


def substitute(value: Any, function: str, table: dict[str, Any]) -> Any:
    """``{function: name}`` replaced by ``table[name]`` where present."""
    def fn(v: Any) -> Any:
        if (isinstance(v, dict) and len(v) == 1 and function in v and
                isinstance(v[function], str) and v[function] in table):
            return copy.deepcopy(table[v[function]])
        return v
    return walk(value, fn)


def conditions_used(value: Any) -> set[str]:
    """Every condition an ``if`` or a ``condition`` inside ``value`` names."""
    used: set[str] = set()

    def visit(v: Any) -> None:
        if isinstance(v, dict):
            if len(v) == 1 and isinstance(v.get('if'), list) and v['if'] \
                    and isinstance(v['if'][0], str):
                used.add(v['if'][0])
            for k, item in v.items():
                if k == 'condition' and isinstance(item, str):
                    used.add(item)
                visit(item)
        elif isinstance(v, list):
            for item in v:
                visit(item)
    visit(value)
    return used
