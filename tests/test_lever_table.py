"""Every policy lever moves its outcome the way its source says, and docs/model.md's lever table is current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sim.experiments.levers import LEVERS, lever_table_markdown, measure_levers
from sim.outcomes import BY_NAME
from sim.scenario.params import settable_keys

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def effects():
    return {e.lever.name: e for e in measure_levers(workers=2)}


def test_levers_name_real_parameters_and_outcomes():
    keys = set(settable_keys())
    for lever in LEVERS:
        assert lever.outcome in BY_NAME, lever.name
        assert set(lever.low) == set(lever.high), lever.name
        assert set(lever.high) <= keys, lever.name


OPEN_BUGS: dict[str, str] = {}
"""Levers whose measured direction contradicts their source: bugs in a mechanism, to be found (not rows to edit).

Each is an expected failure that must keep failing until fixed (strict), so a fix shows at once."""


@pytest.mark.parametrize("name", [pytest.param(lever.name, marks=pytest.mark.xfail(reason=OPEN_BUGS[lever.name],
                                                                                   strict=True))
                                  if lever.name in OPEN_BUGS else lever.name for lever in LEVERS])
def test_lever_direction(effects, name):
    e = effects[name]
    expected = "up" if e.lever.sign > 0 else "down"
    assert e.direction_ok, (f"{name}: {e.lever.change()} moved {e.lever.outcome} by {e.mean:+.4g} "
                            f"(95% CI {e.ci_low:+.4g} to {e.ci_high:+.4g}); expected {expected}"
                            " — a direction against its source is a bug in a mechanism")


def test_lever_table_in_docs_is_current(effects):
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "docs" / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    table = lever_table_markdown([effects[lever.name] for lever in LEVERS])
    assert module.replace_lever_block(doc, table) == doc, \
        "the lever table of docs/model.md is stale: .venv/bin/python docs/regenerate.py levers"
