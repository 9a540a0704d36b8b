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

"""Server-side highlighting of a Heat template (YAML): escaped HTML spans.

No JavaScript: each line is escaped and its comment, key, intrinsic
function and scalar wrapped in a ``<span class="hl-...">`` the page's
style colours. What it does not recognise stays plain text.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.safestring import SafeString

_KEY = re.compile(r'^(\s*(?:-\s+)?)([A-Za-z0-9_.\-/"\']+)(:)(?=\s|$)')
_INTRINSIC = re.compile(
    r'\b(get_param|get_resource|get_attr|get_file|list_join|str_replace|'
    r'repeat|if|equals|not|and|or|digest|map_merge|map_replace|yaql|'
    r'contains|filter|make_url|list_concat|list_concat_unique|'
    r'str_split)\b')
_NUMBER = re.compile(r'^-?\d+(\.\d+)?$')
_LITERAL = ('true', 'false', 'null', '~')


def _value(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return escape(text)
    lead = text[:len(text) - len(text.lstrip())]
    if stripped[0] in '"\'':
        cls = 'hl-string'
    elif _NUMBER.match(stripped) or stripped.lower() in _LITERAL:
        cls = 'hl-literal'
    else:
        return escape(text)
    return '%s<span class="%s">%s</span>' % (escape(lead), cls,
                                             escape(stripped))


def _line(line: str) -> str:
    # A '#' starts a comment only at the start or after a space.
    comment = ''
    match = re.search(r'(^|\s)#', line)
    if match and not re.search(r'["\']', line[:match.start()]):
        start = match.start() + len(match.group(1))
        line, comment = line[:start], line[start:]
    key = _KEY.match(line)
    if key:
        lead, name, colon = key.groups()
        rest = line[key.end():]
        cls = 'hl-function' if _INTRINSIC.fullmatch(name) else 'hl-key'
        html = '%s<span class="%s">%s</span>%s%s' % (
            escape(lead), cls, escape(name), escape(colon), _value(rest))
    else:
        html = _value(line)
    if comment:
        html += '<span class="hl-comment">%s</span>' % escape(comment)
    return html


def yaml_html(text: str) -> SafeString:
    """``text`` escaped, with highlighting spans, one line per line."""
    return mark_safe('\n'.join(_line(line)  # noqa: S308 escaped above
                               for line in (text or '').splitlines()))
