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

"""Dragon's packages point one way: no import cycle between them.

A "unit" is what sits directly under ``dragon/``: a subpackage
(``dragon.engine``) or a top-level module (``dragon.rpc``). Every import
statement counts, at module level or inside a function: a function-level
import only hides a cycle from Python, not from a reader. Imports through
``importlib`` with a computed name are not seen.
"""

import ast
import collections
import pathlib

import dragon

ROOT = pathlib.Path(dragon.__file__).parent

# Known cycles, to be removed, never added to. Each entry is one import
# (importer module, imported module) that this test ignores. None today.
KNOWN_CYCLE_IMPORTS: frozenset[tuple[str, str]] = frozenset()


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def _imported(node: ast.AST, modules: set[str]) -> set[str]:
    """The Dragon modules one import statement loads (most specific name)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        names = []
        for alias in node.names:
            # ``from dragon.x import y``: y is a module or a name in dragon.x
            submodule = '%s.%s' % (node.module, alias.name)
            names.append(submodule if submodule in modules else node.module)
    else:
        return set()
    return {name for name in names if name in modules and name != 'dragon'}


def module_imports() -> dict[str, set[str]]:
    """``{module: {dragon modules it imports anywhere in its body}}``."""
    sources = {_module_name(path): path for path in ROOT.rglob('*.py')}
    modules = set(sources)
    imports = {}
    for name, path in sources.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        imports[name] = set().union(
            *(_imported(node, modules) for node in ast.walk(tree)))
    return imports


def unit_of(module: str) -> str:
    """``dragon.engine.manager`` -> ``dragon.engine``."""
    return '.'.join(module.split('.')[:2])


def unit_graph(imports: dict[str, set[str]],
               ignored: frozenset = frozenset()
               ) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """``{unit: {imported unit: [(importer, imported module), ...]}}``."""
    graph: dict = collections.defaultdict(lambda: collections.defaultdict(list))
    for importer, imported in imports.items():
        for target in sorted(imported):
            if (importer, target) in ignored:
                continue
            if unit_of(importer) != unit_of(target):
                graph[unit_of(importer)][unit_of(target)].append(
                    (importer, target))
    return graph


def find_cycles(graph: dict) -> list[list[str]]:
    """One shortest cycle through each unit that lies on any cycle."""
    cycles = []
    seen = set()
    for start in sorted(graph):
        if start in seen:
            continue
        # breadth-first from start's successors back to start
        parents = {}
        queue = collections.deque(sorted(graph[start]))
        for node in queue:
            parents.setdefault(node, start)
        while queue:
            node = queue.popleft()
            if node == start:
                break
            for nxt in sorted(graph.get(node, ())):
                if nxt not in parents:
                    parents[nxt] = node
                    queue.append(nxt)
        if start not in parents:
            continue
        cycle = [start]
        node = parents[start]
        while node != start:
            cycle.append(node)
            node = parents[node]
        cycle.append(start)
        cycle.reverse()
        seen.update(cycle)
        cycles.append(cycle)
    return cycles


def describe(cycle: list[str], graph: dict) -> str:
    steps = []
    for here, there in zip(cycle, cycle[1:]):
        importer, imported = graph[here][there][0]
        steps.append('  %s -> %s  (%s imports %s)' % (
            here, there, importer, imported))
    return ' -> '.join(cycle) + '\n' + '\n'.join(steps)


def test_no_import_cycle_between_dragon_packages():
    graph = unit_graph(module_imports(), ignored=KNOWN_CYCLE_IMPORTS)
    cycles = find_cycles(graph)
    assert not cycles, 'import cycles between Dragon packages:\n' + \
        '\n'.join(describe(cycle, graph) for cycle in cycles)


def test_known_cycle_imports_still_exist():
    imports = module_imports()
    stale = sorted(entry for entry in KNOWN_CYCLE_IMPORTS
                   if entry[1] not in imports.get(entry[0], ()))
    assert not stale, ('these imports are gone: delete them from '
                       'KNOWN_CYCLE_IMPORTS: %s' % stale)


def test_a_cycle_is_found_and_named_with_the_imports_that_make_it():
    imports = {
        'dragon.conf.opts': {'dragon.rpc'},
        'dragon.rpc': {'dragon.context'},
        'dragon.context': {'dragon.policy'},
        'dragon.policy': {'dragon.conf'},
        'dragon.conf': {'dragon.conf.api'},        # within one unit
        'dragon.db.api': {'dragon.exception'},     # no cycle
    }
    graph = unit_graph(imports)
    [cycle] = find_cycles(graph)
    assert cycle == ['dragon.conf', 'dragon.rpc', 'dragon.context',
                     'dragon.policy', 'dragon.conf']
    assert '(dragon.conf.opts imports dragon.rpc)' in describe(cycle, graph)
    assert find_cycles(unit_graph(
        imports, ignored={('dragon.rpc', 'dragon.context')})) == []


def test_function_level_imports_count():
    tree = ast.parse('def f():\n    from dragon.engine import clients\n')
    found = set().union(*(_imported(node, {'dragon.engine',
                                           'dragon.engine.clients'})
                          for node in ast.walk(tree)))
    assert found == {'dragon.engine.clients'}
