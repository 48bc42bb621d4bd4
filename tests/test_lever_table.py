"""Every policy lever moves its outcome the way its source says, and docs/model.md's lever tables are current.

Test time: the lever-size table is re-measured here (about a minute on two workers); the
measurement of every lever on its scenario at its own size (the baseline's 700 students
a cohort) is not: ``docs/regenerate.py levers`` caches it in
``docs/lever_effects_full_size.json`` with the model version, and the tests check that
the cache was made with the current ``MODEL_VERSION``, that it covers every lever, that the
document shows it, and that every lever whose two measurements differ in sign or
significance says why.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sim.experiments.levers import (
    LEVER_SIZE,
    LEVERS,
    differs,
    lever_overrides,
    lever_table_markdown,
    load_full_size,
    measure_levers,
)
from sim.model_version import MODEL_VERSION
from sim.outcomes import BY_NAME
from sim.scenario.params import settable_keys

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def effects():
    return {e.lever.name: e for e in measure_levers(workers=2)}


@pytest.fixture(scope="module")
def full_size():
    version, measured = load_full_size()
    return version, {e.lever.name: e for e in measured}


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


def test_the_levers_that_were_free_now_cost_something(effects):
    # issue "The headline comparison from mechanisms", item 6: these cost nothing before
    # (the co-developed curriculum costs mentors' hours, which displace guidance where mentors are fully used:
    # tests/test_mechanisms.py checks the hours and what they cost)
    practice = effects["On-campus practice time"]
    assert practice.public.low > 0  # consumables for the practice hours, paid by the programme
    training = effects["Two-way training"]
    assert training.public.low > 0  # substitutes for the teachers away in enterprise practice
    honours, career = effects["Honours"], effects["Career development"]
    assert (honours.lever.outcome, honours.lever.mechanism) != (career.lever.outcome, career.lever.mechanism)


def test_the_full_size_arms_scale_the_budgets_a_lever_sets():
    subsidy = next(lv for lv in LEVERS if lv.name == "Enterprise-mentor salary subsidy")
    assert lever_overrides(subsidy, subsidy.high)["funding.government_yuan_per_year"] == 885_714.0
    assert lever_overrides(subsidy, subsidy.high, full_size=True)["funding.government_yuan_per_year"] == 2_480_000
    assert "intake.cohort_size" not in lever_overrides(subsidy, subsidy.high, full_size=True)
    assert lever_overrides(subsidy, subsidy.low)["intake.cohort_size"] == LEVER_SIZE["intake.cohort_size"]


def test_the_full_size_measurement_is_of_this_model_and_every_lever(full_size):
    version, measured = full_size
    assert version == MODEL_VERSION, \
        "docs/lever_effects_full_size.json is of another model version: .venv/bin/python docs/regenerate.py levers"
    assert list(measured) == [lever.name for lever in LEVERS]


def test_every_difference_between_the_sizes_is_explained(effects, full_size):
    _, measured = full_size
    unexplained = [name for name, e in effects.items() if differs(e, measured[name]) and not e.lever.full_size_note]
    assert not unexplained, f"say in the lever's full_size_note why its two sizes differ: {unexplained}"


def test_lever_table_in_docs_is_current(effects, full_size):
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "docs" / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    version, measured = full_size
    table = lever_table_markdown([effects[lever.name] for lever in LEVERS],
                                 [measured[lever.name] for lever in LEVERS], version)
    assert module.replace_lever_block(doc, table) == doc, \
        "the lever table of docs/model.md is stale: .venv/bin/python docs/regenerate.py levers --cached"
