"""The message templates of ``sim.messages``: named placeholders, and every id used exists and is used.

A template id is "used" where its text appears as a string in a module of ``sim/``:
the first argument of ``text(...)`` or of an error's ``from_template(...)``, or a
table of ids a module picks from.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.messages import TEMPLATES, text

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"
MESSAGES = PACKAGE / "messages.py"
TEMPLATE_FUNCTIONS = frozenset({"text", "from_template"})
"""Functions whose first argument is a template id."""

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SECTIONS = frozenset(template_id.split(".", 1)[0] for template_id in TEMPLATES)
TEMPLATE_ID = re.compile(rf"(?:{'|'.join(sorted(SECTIONS))})\.[a-z0-9_]+(?:\.[a-z0-9_]+)*")


def placeholders(template: str) -> Iterator[str]:
    """Every field name in a template, those inside format specs too."""
    for _, field, spec, _ in string.Formatter().parse(template):
        if field is not None:
            yield field
        if spec:
            yield from placeholders(spec)


def modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for path in sorted(PACKAGE.rglob("*.py")) if path != MESSAGES]


def strings_in(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def called_ids() -> Iterator[tuple[Path, int, str]]:
    """``(file, line, id)`` for every literal template id passed to a template function."""
    for path, tree in modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in TEMPLATE_FUNCTIONS:
                for value in strings_in(node.args[0]):
                    yield path, node.lineno, value


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_placeholders_are_named(template_id: str) -> None:
    for field in placeholders(TEMPLATES[template_id]):
        assert IDENTIFIER.fullmatch(field), (
            f"{template_id}: placeholder {{{field}}} must be a name such as {{path}}, not positional, "
            "an index or an attribute")


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_template_formats_with_its_named_fields(template_id: str) -> None:
    fields = dict.fromkeys(placeholders(TEMPLATES[template_id]), 1)
    assert text(template_id, **fields)


def test_ids_passed_to_template_functions_exist() -> None:
    unknown = [f"{path.relative_to(ROOT)}:{line}: {value!r}" for path, line, value in called_ids()
               if value not in TEMPLATES]
    assert not unknown, "template ids used but not in sim.messages.TEMPLATES:\n" + "\n".join(unknown)


def test_ids_in_tables_exist() -> None:
    """A string shaped like a template id (``section.name`` of a known section) names a template."""
    unknown = sorted({f"{path.relative_to(ROOT)}: {value!r}" for path, tree in modules()
                      for value in strings_in(tree)
                      if TEMPLATE_ID.fullmatch(value) and value not in TEMPLATES})
    assert not unknown, "strings shaped like template ids that are not templates:\n" + "\n".join(unknown)


def test_every_template_is_used() -> None:
    used = {value for _, tree in modules() for value in strings_in(tree)}
    unused = sorted(set(TEMPLATES) - used)
    assert not unused, f"templates no module of sim/ uses (remove them or use them): {unused}"


def test_unfilled_placeholder_raises() -> None:
    with pytest.raises(KeyError):
        text("value.missing", file="f.yaml")
