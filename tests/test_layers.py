"""The import graph of ``sim/`` has no cycles and follows the layer order.

Every module under ``sim/`` is parsed with ``ast``; every import of a ``sim`` module
counts, wherever it is written (top of the file, inside a function, under
``TYPE_CHECKING``). A module may import modules of its own layer or of a lower one,
never of a higher one, and no chain of imports may lead back to where it started.
``sim/__init__.py`` (the public API facade, which imports lazily) is exempt as an
importer; importing it is only for the top layer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"

LAYERS: dict[str, int] = {
    # 0: the base every layer may use
    "sim.messages": 0,
    "sim.i18n": 0,
    "sim.errors": 0,
    "sim.atomic": 0,
    "sim.model_version": 0,
    # 1: the parameters
    "sim.scenario": 1,
    # 2: clock, calendar, population, random streams
    "sim.engine": 2,
    # 3: what happens in a week
    "sim.mechanisms": 3,
    "sim.phases": 3,
    # 4: one run
    "sim.initial_world": 4,  # a run's initial world, built for one programme and for a city's
    "sim.model": 4,
    "sim.city": 4,  # one city run: its programmes' runs together
    "sim.outcomes": 4,
    "sim.results": 4,
    # 5: many runs
    "sim.experiments": 5,
    "sim.calibration": 5,
    # 6: presentation
    "sim.report": 6,
    "sim.run_folder": 6,
    "sim.app": 6,  # the browser app (talentsim app): nothing below the command line imports it
    # 7: the command line, and the public facade as something imported
    "sim.cli": 7,
    "sim.locale": 7,  # the catalogue extractor reads every layer's message ids
    "sim.__main__": 7,
    "sim": 7,
}
"""The layer of each module or package (a package's layer covers every module in it)."""

EXEMPT = frozenset({"sim"})
"""Importers whose imports are not checked: the lazily importing public API facade."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int | None:
    """The layer of the longest prefix of ``module`` in ``LAYERS`` (None: not in the order)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS:
            return LAYERS[prefix]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[int, str]]:
    """``(line, imported sim module)`` for every import in a module, wherever it is written."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sim" or alias.name.startswith("sim."):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base != "sim" and not base.startswith("sim."):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield node.lineno, submodule if submodule in modules else base


def import_graph() -> dict[str, list[tuple[int, str]]]:
    modules = all_modules()
    return {module: sorted(set(imports_of(module, path, modules))) for module, path in modules.items()}


def find_cycles(graph: dict[str, list[tuple[int, str]]]) -> list[list[str]]:
    """One cycle (as a closed path of modules) for every strongly connected group of modules."""
    edges = {module: sorted({target for _, target in targets if target in graph and target != module})
             for module, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return [_cycle_in(group, edges) for group in groups]


def _cycle_in(group: set[str], edges: dict[str, list[str]]) -> list[str]:
    """A shortest closed path through the first module of a strongly connected group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        module = queue.pop(0)
        for target in edges[module]:
            if target == start:
                return [*paths[module], start]
            if target in group and target not in paths:
                paths[target] = [*paths[module], target]
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover


def test_every_module_has_a_layer() -> None:
    missing = [module for module in all_modules() if layer_of(module) is None]
    assert not missing, f"add these modules (or their package) to LAYERS in {__file__}: {missing}"


def test_no_import_cycles() -> None:
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_imports_follow_the_layer_order() -> None:
    modules = all_modules()
    violations = []
    for module, targets in import_graph().items():
        if module in EXEMPT:
            continue
        own = layer_of(module)
        for line, target in targets:
            their = layer_of(target)
            if own is not None and their is not None and their > own:
                path = modules[module].relative_to(ROOT)
                violations.append(f"{path}:{line}: {module} (layer {own}) imports {target} (layer {their})")
    assert not violations, "imports against the layer order:\n" + "\n".join(violations)


def test_the_checker_sees_imports_inside_functions_and_relative_imports(tmp_path: Path) -> None:
    source = "def f():\n    from sim.cli import main\n    from . import loading\n    import sim.model\n"
    path = tmp_path / "probe.py"
    path.write_text(source)
    modules = {"sim.scenario.probe": path, "sim.scenario.loading": path}
    found = [target for _, target in imports_of("sim.scenario.probe", path, modules)]
    assert found == ["sim.cli", "sim.scenario.loading", "sim.model"]


def test_the_checker_finds_a_cycle() -> None:
    graph = {"sim.a": [(1, "sim.b")], "sim.b": [(1, "sim.c")], "sim.c": [(1, "sim.a")], "sim.d": [(1, "sim.a")]}
    assert find_cycles(graph) == [["sim.a", "sim.b", "sim.c", "sim.a"]]
