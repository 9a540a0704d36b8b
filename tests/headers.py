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

"""Add the Apache-2.0 header to every Python file and shell script that lacks it.

``python -m tests.headers`` fixes the tracked files in place;
``--check`` only lists those without the header (exit 1 if any).
``flake8`` (hacking H102) fails on a Python file without it, so run this
after adding files. Idempotent: a file that has the header is left alone.
Empty files (bare ``__init__.py``) stay empty, as hacking expects (H104).
"""

import argparse
import pathlib
import subprocess
import sys

HEADER = """\
Licensed under the Apache License, Version 2.0 (the "License"); you may
not use this file except in compliance with the License. You may obtain
a copy of the License at

     http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
License for the specific language governing permissions and limitations
under the License.
"""
MARKER = 'Licensed under the Apache License'


def comment_block() -> str:
    return ''.join('# %s\n' % line if line else '#\n'
                   for line in HEADER.splitlines())


def has_header(text: str) -> bool:
    """Whether a comment line near the top starts the license notice."""
    return any(line.startswith('#') and line.lstrip('# ').startswith(MARKER)
               for line in text.splitlines()[:30])


def is_script(path: pathlib.Path) -> bool:
    """A Python file, or a shell script (by extension or shebang)."""
    if path.suffix in ('.py', '.sh'):
        return True
    try:
        with path.open('rb') as f:
            first = f.readline(200)
    except OSError:
        return False
    return first.startswith(b'#!') and (b'sh' in first.split(b'/')[-1]
                                        or b'python' in first)


def add_header(text: str) -> str:
    """Return ``text`` with the header after any shebang/encoding lines."""
    lines = text.splitlines(keepends=True)
    keep = 0
    while keep < len(lines) and keep < 2 and (
            lines[keep].startswith('#!') or 'coding' in lines[keep]
            and lines[keep].startswith('#')):
        keep += 1
    head, rest = ''.join(lines[:keep]), ''.join(lines[keep:])
    rest = rest.lstrip('\n')
    block = comment_block()
    if head:
        return head + block + '\n' + rest
    return block + '\n' + rest


def tracked(paths: list[str]) -> list[pathlib.Path]:
    out = subprocess.run(['git', 'ls-files', '--', *paths],
                         check=True, capture_output=True, text=True).stdout
    return [pathlib.Path(p) for p in out.splitlines()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m tests.headers',
                                     description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='only list files without the header')
    parser.add_argument('--exclude', action='append', default=[],
                        metavar='DIR', help='leave files under DIR alone')
    parser.add_argument('paths', nargs='*', default=['.'])
    args = parser.parse_args(argv)
    missing = []
    for path in tracked(args.paths):
        if any(path.is_relative_to(d) for d in args.exclude):
            continue
        if not path.is_file() or not is_script(path):
            continue
        text = path.read_text()
        if not text.strip() or has_header(text):
            continue
        missing.append(path)
        if not args.check:
            path.write_text(add_header(text))
    for path in missing:
        print(path)
    return 1 if args.check and missing else 0


if __name__ == '__main__':
    sys.exit(main())
