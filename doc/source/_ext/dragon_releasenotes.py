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

"""Sphinx directive ``release-notes``: the reno notes, rendered without reno.

reno builds its report from git history and is not among Dragon's pinned
packages; this directive reads the same YAML files straight from
``doc/releasenotes/notes`` so that ``make docs`` shows every note, grouped
by reno's sections (the order of ``doc/releasenotes/config.yaml``). Notes
are not split by release: Dragon has none yet.
"""

import pathlib

import yaml

# reno's section keys and titles, as in doc/releasenotes/config.yaml.
SECTIONS = (
    ('prelude', 'Prelude'),
    ('features', 'New Features'),
    ('upgrade', 'Upgrade Notes'),
    ('deprecations', 'Deprecation Notes'),
    ('issues', 'Known Issues'),
    ('critical', 'Critical Issues'),
    ('security', 'Security Issues'),
    ('fixes', 'Bug Fixes'),
    ('other', 'Other Notes'),
)


def load_notes(notes_dir: pathlib.Path) -> list[tuple[str, dict]]:
    """Return ``(file name, note)`` for each YAML note, by file name.

    :raises ValueError: a note that is not a mapping of known sections, so
        that a broken note fails the (``-W``) docs build like ``reno lint``.
    """
    known = {key for key, _title in SECTIONS}
    result = []
    for path in sorted(notes_dir.glob('*.yaml')):
        note = yaml.safe_load(path.read_text()) or {}
        if not isinstance(note, dict) or set(note) - known:
            raise ValueError('%s: not a reno note (sections: %s)'
                             % (path.name, ', '.join(sorted(known))))
        result.append((path.name, note))
    return result


def render(notes: list[tuple[str, dict]]) -> list[str]:
    """Return the RST of every note, one section per reno section."""
    lines: list[str] = []
    for key, title in SECTIONS:
        entries = []
        for _name, note in notes:
            value = note.get(key)
            if isinstance(value, str):
                value = [value]
            entries.extend(value or [])
        if not entries:
            continue
        lines += [title, '-' * len(title), '']
        for entry in entries:
            text = str(entry).strip().splitlines()
            lines.append('- ' + text[0])
            lines += ['  ' + line if line else '' for line in text[1:]]
            lines.append('')
    return lines


def setup(app):
    # Imported here so that the rendering above can be unit tested
    # without Sphinx (it is installed by make docs only).
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class ReleaseNotes(SphinxDirective):
        """``.. release-notes::`` with the notes directory relative to the docs."""

        required_arguments = 1

        def run(self):
            notes_dir = (pathlib.Path(self.env.srcdir) /
                         self.arguments[0]).resolve()
            notes = load_notes(notes_dir)
            for name, _note in notes:
                self.env.note_dependency(str(notes_dir / name))
            container = nodes.section()
            container.document = self.state.document
            self.state.nested_parse(StringList(render(notes), notes_dir.name),
                                    self.content_offset, container,
                                    match_titles=True)
            return container.children

    app.add_directive('release-notes', ReleaseNotes)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
