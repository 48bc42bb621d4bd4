"""docs/model.md stays true to the code: parameters, sources, phases, outcomes, constants."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from sim.model import run_one
from sim.phases import WEEKLY_PHASES
from sim.scenario import list_params
from sim.scenario.sources import (
    BEGIN_MARKER,
    END_MARKER,
    PARAMETER_SOURCES,
    extract_parameter_block,
    missing_sources,
    parameter_table_markdown,
    replace_parameter_block,
    stale_sources,
)

ROOT = Path(__file__).resolve().parents[1]
MODEL_DOC = ROOT / "docs" / "model.md"
MECHANISMS = ROOT / "sim" / "mechanisms"
REGENERATE = "run `.venv/bin/python docs/regenerate.py`"


@pytest.fixture(scope="module")
def doc() -> str:
    return MODEL_DOC.read_text(encoding="utf-8")


def _mentions(text: str, name: str) -> bool:
    """``name`` appears as a whole word (not as part of a longer identifier)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


# (a) every parameter has a source, and every source a parameter


def test_every_parameter_has_a_source() -> None:
    assert missing_sources() == [], "add these keys to PARAMETER_SOURCES in sim/scenario/sources.py"


def test_no_stale_sources() -> None:
    assert stale_sources() == [], "these PARAMETER_SOURCES keys are no longer parameters"


def test_sources_cover_list_item_fields() -> None:
    keys = {row.key for row in list_params()}
    assert "calendar.custom_blocks" in keys and "calendar.custom_blocks[].weeks" in keys
    assert set(PARAMETER_SOURCES) == keys


PAPERS = ("Chen, Zhang & Qi (n.d.)", "Li & Wang (n.d.)", "Liu & Long (n.d.)", "Li (2026)", "Li Jiao & Hui Li (n.d.)")
"""The author-year keys of the five papers the project comes from, as docs/model.md section 12 lists them."""


def _references(doc: str) -> str:
    """The References section of docs/model.md (empty if there is none)."""
    return doc.partition("\n## 12. References\n")[2]


def test_every_source_is_a_paper_a_published_figure_or_says_assumption() -> None:
    published = (*PAPERS, "MyCOS", "internship rules", "Caishui", "BIBB", "Muehlemann", "guideline",
                 "Ministry of Education", "standard", "label of the scenario", "none by default",
                 "Statistical Yearbook")
    for key, text in PARAMETER_SOURCES.items():
        assert text.strip(), key
        assert "assumption" in text or any(mark in text for mark in published), (key, text)


def test_the_five_papers_are_in_the_references(doc: str) -> None:
    references = _references(doc)
    assert references, "docs/model.md has no section '## 12. References'"
    for key in PAPERS:
        assert f"**{key}**" in references, f"add {key} to the References of docs/model.md"


def test_every_paper_a_source_cites_is_in_the_references(doc: str) -> None:
    from sim.experiments.levers import LEVERS
    from sim.experiments.validation import TARGETS

    references = _references(doc)
    texts = [*PARAMETER_SOURCES.values(), *(lever.source for lever in LEVERS), *(t.source for t in TARGETS)]
    for text in texts:
        for key in PAPERS:
            if key in text:
                assert f"**{key}**" in references, (key, text)


def test_nothing_points_outside_the_repository() -> None:
    # the papers are cited by author and year, design notes are written out in docs/model.md
    outside = re.compile(r"seed 0{2}\d|seeds? paper|DESIGN\.md|STYLE\.md|\.\./shared|shared[/]seeds", re.IGNORECASE)
    suffixes = {".py", ".md", ".yaml", ".yml", ".po", ".pot", ".csv", ".html", ".toml", ".txt"}
    roots = [ROOT / name for name in ("sim", "docs", "scenarios", "tests", "benchmarks")]
    files = [ROOT / "README.md", ROOT / "pyproject.toml"]
    files += [f for r in roots for f in r.rglob("*") if f.suffix in suffixes and f.is_file()]
    found = [f"{f.relative_to(ROOT)}:{n}: {line.strip()}" for f in files
             for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if outside.search(line)]
    assert found == [], "cite by author and year (docs/model.md section 12) instead:\n" + "\n".join(found)


# (b) the generated table in docs/model.md is the current one


def test_parameter_table_in_docs_is_current(doc: str) -> None:
    assert extract_parameter_block(doc) == parameter_table_markdown(), \
        f"docs/model.md's parameter table is out of date: {REGENERATE}"


def test_parameter_table_has_one_row_per_parameter() -> None:
    table = parameter_table_markdown()
    rows = table.splitlines()[2:]
    assert len(rows) == len(list_params())
    for row, param in zip(rows, list_params(), strict=True):
        assert row.startswith(f"| `{param.key}` |")
        assert row.count(" | ") == 4, row  # five cells: no unescaped pipe in a cell
    assert "(missing)" not in table


def test_replace_parameter_block_only_touches_the_block() -> None:
    text = f"before\n{BEGIN_MARKER}\nold table\n{END_MARKER}\nafter\n"
    new = replace_parameter_block(text)
    assert new == f"before\n{BEGIN_MARKER}\n{parameter_table_markdown()}{END_MARKER}\nafter\n"
    assert replace_parameter_block(new) == new
    assert extract_parameter_block(new) == parameter_table_markdown()


@pytest.mark.parametrize("text", ["no markers\n", f"{END_MARKER}\n{BEGIN_MARKER}\n",
                                  f"{BEGIN_MARKER}\n{BEGIN_MARKER}\n{END_MARKER}\n"])
def test_markers_must_be_present_once_and_in_order(text: str) -> None:
    with pytest.raises(ValueError, match="BEGIN PARAMETERS"):
        extract_parameter_block(text)


def test_docs_say_how_to_regenerate(doc: str) -> None:
    assert "docs/regenerate.py" in doc


# (c) every weekly phase is described


def test_every_phase_is_named_in_docs(doc: str) -> None:
    missing = [phase.name for phase in WEEKLY_PHASES if not _mentions(doc, phase.name)]
    assert missing == [], "describe these phases in docs/model.md"


# (d) every summary outcome is defined


def test_every_summary_outcome_is_defined_in_docs(doc: str) -> None:
    small = {"intake.cohort_size": 40, "intake.n_cohorts": 1, "simulation.horizon_years": 4,
             "enterprises.count": 4}
    summary = run_one(None, seed=1, **small).summary
    missing = [name for name in summary if not _mentions(doc, name)]
    assert missing == [], "define these outcomes in docs/model.md section 9"


# (e) the documented fixed constants of the mechanisms are in the constants table


def _documented_constants() -> list[tuple[str, str, object]]:
    """(module, name, value) of every module-level constant with a docstring in sim/mechanisms/."""
    found = []
    for path in sorted(MECHANISMS.glob("*.py")):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for node, after in itertools.pairwise(body):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper()):
                continue
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) \
                    and isinstance(after.value.value, str):
                found.append((path.stem, node.targets[0].id, ast.literal_eval(node.value)))
    return found


def test_mechanism_constants_are_in_the_constants_table(doc: str) -> None:
    constants = _documented_constants()
    assert {"POST_NEED_BASE_POINTS", "HOURS_PER_SCHOOL_SESSION", "RULE_VISITS_PER_MONTH"} <= \
        {name for _module, name, _value in constants}
    rows = {line.split("|")[1].strip(): line for line in doc.splitlines() if line.startswith("| `")}
    for module, name, value in constants:
        row = rows.get(f"`{name}`")
        assert row is not None, f"add {module}.{name} to the fixed-constants table of docs/model.md"
        assert f"| {value!r} |" in row, f"docs/model.md gives {name} a value other than {value!r}"


def test_readme_shows_the_headline_comparison_of_validation_md() -> None:
    import importlib.util
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "docs" / "regenerate.py")
    regenerate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regenerate)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.partition(regenerate.COMPARISON_BEGIN)[2].partition(regenerate.COMPARISON_END)[0]
    expected = regenerate.comparison_block((ROOT / "docs" / "validation.md").read_text(encoding="utf-8"))
    assert block == "\n" + expected, "README's headline comparison is stale: docs/regenerate.py validation"
    assert "| 指标 |" in block and "| outcome |" in block  # in English and in Chinese
