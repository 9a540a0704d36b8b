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

"""Sphinx directive ``openapi-reference``: the API reference from /v1/openapi.json.

The document is built by ``dragon.api.v1.openapi.document()``, the same
function that serves ``GET /v1/openapi.json``, so the reference cannot drift
from what the API validates and answers. Each operation is rendered with its
policy rule, parameters, request body, and responses (errors included); each
body schema as a table of its fields, nested objects flattened to dotted
names. Needs no package beyond Sphinx and Dragon itself.
"""

import http
from typing import Any


REF_PREFIX = '#/components/schemas/'
METHODS = ('get', 'post', 'put', 'patch', 'delete')
# Nested objects deeper than this are named but not unfolded.
MAX_DEPTH = 6

GROUPS = {
    '/': 'Versions',
    '/v1': 'Versions',
    '/v1/openapi.json': 'Versions',
    '/v1/resource-types': 'Resource types',
    '/v1/protectables': 'Protectable resources',
    '/v1/policies': 'Workload policies',
    '/v1/checkpoints': 'Checkpoints',
    '/v1/recovery-points': 'Recovery points',
    '/v1/recoveries': 'Recoveries',
}


def group_of(path: str) -> str:
    """Return the section an API path is listed under."""
    parts = path.split('/')
    if path.endswith('/protect'):
        return 'Checkpoints'
    # A policy's members and schedules have a section each.
    if len(parts) > 4 and parts[2] == 'policies' and parts[4] != 'retention':
        return 'Policy %s' % parts[4]
    return GROUPS.get(path) or GROUPS.get('/'.join(parts[:3]),
                                          parts[-1].capitalize())


def label(schema_name: str) -> str:
    return 'api-schema-%s' % schema_name.lower()


def literal(text: Any) -> str:
    """Return ``text`` as an inline literal (escaped for RST)."""
    text = str(text)
    if not text:
        return '""'
    # An inline literal cannot hold a backquote pair or end in a backslash.
    if '`' in text or text.endswith('\\'):
        return ':literal:`%s`' % text.replace('\\', '\\\\').replace(
            '`', '\\`')
    return '``%s``' % text


def describe_type(schema: dict[str, Any]) -> str:
    """Return a one-line RST description of a schema's type and limits."""
    if '$ref' in schema:
        name = schema['$ref'][len(REF_PREFIX):]
        return ':ref:`%s <%s>`' % (name, label(name))
    for key in ('oneOf', 'anyOf'):
        if key in schema:
            text = ' or '.join(describe_type(s) for s in schema[key])
            return text + (', or null' if schema.get('nullable') else '')
    kind = schema.get('type', 'any')
    if kind == 'array':
        kind = 'list of %s' % describe_type(schema.get('items', {}))
    limits = []
    if 'enum' in schema:
        limits.append('one of ' + ', '.join(literal(v)
                                            for v in schema['enum']))
    for low, high, unit in (('minimum', 'maximum', ''),
                            ('minLength', 'maxLength', ' characters'),
                            ('minItems', 'maxItems', ' items'),
                            ('minProperties', 'maxProperties', ' keys')):
        if low in schema and high in schema:
            limits.append('%s to %s%s' % (schema[low], schema[high], unit))
        elif low in schema:
            limits.append('at least %s%s' % (schema[low], unit))
        elif high in schema:
            limits.append('at most %s%s' % (schema[high], unit))
    if 'format' in schema:
        limits.append('format %s' % schema['format'])
    if 'pattern' in schema:
        limits.append('matching %s' % literal(schema['pattern']))
    if 'default' in schema:
        limits.append('default %s' % literal(schema['default']))
    if schema.get('nullable'):
        limits.append('or null')
    return kind + (' (%s)' % '; '.join(limits) if limits else '')


def fields(schema: dict[str, Any], prefix: str = '',
           depth: int = 0) -> list[tuple[str, str, bool, str]]:
    """Return ``(name, type, required, description)`` of every field.

    Object properties are unfolded into dotted names; items of a list of
    objects as ``name[].field``.
    """
    result = []
    required = set(schema.get('required', ()))
    for name, prop in schema.get('properties', {}).items():
        full = prefix + name
        result.append((full, describe_type(prop), name in required,
                       prop.get('description', '')))
        if depth >= MAX_DEPTH:
            continue
        if prop.get('type') == 'object':
            result += fields(prop, full + '.', depth + 1)
        elif prop.get('type') == 'array' and isinstance(
                prop.get('items'), dict) and prop['items'].get(
                    'type') == 'object':
            result += fields(prop['items'], full + '[].', depth + 1)
    return result


def table(header: list[str], rows: list[list[str]],
          widths: str) -> list[str]:
    lines = ['.. list-table::', '   :header-rows: 1',
             '   :widths: %s' % widths, '']
    for row in [header] + rows:
        first = True
        for cell in row:
            text = ' '.join(str(cell).split()) or ' '
            lines.append(('   * - ' if first else '     - ') + text)
            first = False
    return lines + ['']


def heading(text: str, char: str) -> list[str]:
    return [text, char * len(text), '']


def _body_ref(content: dict[str, Any] | None) -> str:
    if not content:
        return 'no body'
    return describe_type(content['application/json']['schema'])


def render_operation(path: str, method: str,
                     operation: dict[str, Any]) -> list[str]:
    lines = heading('%s %s' % (method.upper(), path), '~')
    lines += [operation.get('summary', ''), '']
    if operation.get('description'):
        lines += [operation['description'], '']
    params = operation.get('parameters', [])
    if params:
        lines += ['**Parameters**', '']
        lines += table(
            ['Name', 'In', 'Type', 'Description'],
            [[literal(p['name']) + (' (required)' if p.get('required')
                                    else ''),
              p['in'], describe_type(p.get('schema', {})),
              p.get('description', '')] for p in params],
            '20 10 35 35')
    body = operation.get('requestBody')
    if body:
        lines += ['**Request body**: %s' % _body_ref(body['content']), '']
    answers = operation.get('responses', {})
    lines += ['**Responses**', '']
    lines += table(
        ['Status', 'Meaning', 'Body'],
        [[status, http.HTTPStatus(int(status)).phrase,
          _body_ref(answer.get('content'))]
         for status, answer in sorted(answers.items())],
        '10 40 50')
    return lines


def render_schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = ['.. _%s:' % label(name), ''] + heading(name, '~')
    if schema.get('description'):
        lines += [schema['description'], '']
    rows = fields(schema)
    if rows:
        lines += table(['Field', 'Type', 'Required', 'Description'],
                       [[literal(n), t, 'yes' if r else '', d]
                        for n, t, r, d in rows],
                       '25 35 10 30')
    else:
        lines += ['Type: %s' % describe_type(schema), '']
    return lines


def render(document: dict[str, Any]) -> list[str]:
    """Return the RST of a whole OpenAPI 3.0 document."""
    lines = [document['info'].get('description', ''), '']
    by_group: dict[str, list[tuple[str, str, dict]]] = {}
    for path, operations in document['paths'].items():
        for method in METHODS:
            if method in operations:
                by_group.setdefault(group_of(path), []).append(
                    (path, method, operations[method]))
    for group, operations in by_group.items():
        lines += heading(group, '-')
        for path, method, operation in operations:
            lines += render_operation(path, method, operation)
    lines += heading('Body schemas', '-')
    for name, schema in sorted(document['components']['schemas'].items()):
        lines += render_schema(name, schema)
    return lines


def setup(app):
    # Imported here so that the rendering above can be unit tested
    # without Sphinx (it is installed by make docs only).
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class OpenAPIReference(SphinxDirective):
        """``.. openapi-reference::``: Dragon's whole API, from its OpenAPI document."""

        def run(self):
            from dragon.api.v1 import openapi

            self.env.note_dependency(openapi.__file__)
            container = nodes.section()
            container.document = self.state.document
            self.state.nested_parse(StringList(render(openapi.document()),
                                               'openapi.json'),
                                    self.content_offset, container,
                                    match_titles=True)
            return container.children

    app.add_directive('openapi-reference', OpenAPIReference)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
