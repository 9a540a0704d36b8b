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

"""The local Sphinx extensions in doc/source/_ext render everything they read."""

import pathlib
import sys

import pytest

from dragon.api.v1 import openapi

EXT = pathlib.Path(__file__).parents[3] / 'doc' / 'source' / '_ext'
NOTES = pathlib.Path(__file__).parents[3] / 'doc' / 'releasenotes' / 'notes'
sys.path.insert(0, str(EXT))
import dragon_openapi  # noqa: E402
import dragon_releasenotes  # noqa: E402


def test_api_reference_has_every_operation_and_schema():
    document = openapi.document()
    text = '\n'.join(dragon_openapi.render(document))
    for path, operations in document['paths'].items():
        for method in operations:
            assert '%s %s\n' % (method.upper(), path) in text
    for name in document['components']['schemas']:
        assert '.. _%s:' % dragon_openapi.label(name) in text
    # every schema a response or body points at is one that is rendered
    for ref in text.split(':ref:`')[1:]:
        target = ref.split('<', 1)[1].split('>', 1)[0]
        assert '.. _%s:' % target in text


def test_api_reference_unfolds_nested_fields():
    schema = {'type': 'object', 'required': ['policy'], 'properties': {
        'policy': {'type': 'object', 'properties': {
            'members': {'type': 'array', 'items': {
                'type': 'object', 'required': ['id'],
                'properties': {'id': {'type': 'string', 'maxLength': 3}}}}}}}}
    assert dragon_openapi.fields(schema) == [
        ('policy', 'object', True, ''),
        ('policy.members', 'list of object', False, ''),
        ('policy.members[].id', 'string (at most 3 characters)', True, '')]


def test_release_notes_page_has_every_note(tmp_path):
    notes = dragon_releasenotes.load_notes(NOTES)
    assert notes
    text = '\n'.join(dragon_releasenotes.render(notes))
    for _name, note in notes:
        for entries in note.values():
            for entry in ([entries] if isinstance(entries, str) else entries):
                assert str(entry).strip().splitlines()[0] in text


def test_a_note_that_is_not_reno_yaml_fails_the_build(tmp_path):
    (tmp_path / 'bad-1234.yaml').write_text('feature:\n  - typo\n')
    with pytest.raises(ValueError, match='bad-1234.yaml'):
        dragon_releasenotes.load_notes(tmp_path)
