"""Sweep files: strict validation with messages naming file and key; design expansion is pure."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiments.design import expand
from sim.experiments.models import ishigami, talent_model
from sim.experiments.spec import SweepFileError, check_spec, parse_spec
from sim.experiments.sweep import parameter_types, plan_sweep
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = ROOT / "scenarios" / "sweeps"
TYPES = parameter_types(talent_model)


def write(tmp_path: Path, data: dict[str, Any] | str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def grid(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"design": "grid", "reps": 2, "seed": 1,
                            "parameters": {"school_mentors.students_per_mentor": {"levels": [10, 20]},
                                           "enterprise_mentors.apprentices_per_mentor": {"levels": [2, 4, 6]}}}
    spec.update(changes)
    return spec


def sobol(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"design": "sobol", "samples": 8, "reps": 1, "seed": 1,
                            "parameters": {"school_mentors.students_per_mentor": {"bounds": [10, 40]},
                                           "enterprise_mentors.apprentices_per_mentor": {"bounds": [1, 8]}}}
    spec.update(changes)
    return spec


def refused(tmp_path: Path, data: dict[str, Any] | str) -> SweepFileError | ScenarioError:
    path = write(tmp_path, data)
    with pytest.raises((SweepFileError, ScenarioError)) as caught:
        plan_sweep(path)
    assert str(path) in str(caught.value)
    return caught.value


def test_shipped_sweeps_are_valid() -> None:
    grid_plan = plan_sweep(SWEEPS / "mentor_ratio_funding_grid.yaml")
    assert len(grid_plan.design) == 15
    assert grid_plan.base.name == "baseline"
    sobol_plan = plan_sweep(SWEEPS / "policy_levers_sobol.yaml")
    assert len(sobol_plan.design) == 32 * (5 + 2)
    assert all(isinstance(p["enterprise_mentors.apprentices_per_mentor"], int) for p in sobol_plan.design.points)


@pytest.mark.parametrize(("data", "key", "words"), [
    (grid(desing="grid"), "desing", "did you mean design"),
    (grid(parameters={"school_mentors.students_per_mentr": {"levels": [10]}}),
     "parameters[school_mentors.students_per_mentr]", "did you mean school_mentors.students_per_mentor"),
    (sobol(parameters={"school_mentors.students_per_mentor": {"bounds": [40, 10]},
                       "funding.school_special_fund_yuan_per_year": {"bounds": [1, 2]}}),
     "parameters[school_mentors.students_per_mentor].bounds", "reversed"),
    (sobol(samples=100), "samples", "power of 2"),
    (grid(parameters={"school_mentors.students_per_mentor": {"bounds": [10, 20]}}),
     "parameters[school_mentors.students_per_mentor]", "levels"),
    (grid(samples=10), "samples", "grid"),
    (sobol(parameters={"school_mentors.students_per_mentor": {"levels": [10, 20]},
                       "funding.school_special_fund_yuan_per_year": {"bounds": [1, 2]}}),
     "parameters[school_mentors.students_per_mentor]", "bounds"),
    (sobol(parameters={"programme.dual_mentor": {"bounds": [0, 1]},
                       "funding.school_special_fund_yuan_per_year": {"bounds": [1, 2]}}),
     "parameters[programme.dual_mentor]", "not a number"),
    (grid(parameters={"school_mentors.students_per_mentor": {"levels": [0, 10]}}),
     "parameters[school_mentors.students_per_mentor]", "refuses"),
    (sobol(parameters={"enterprise_mentors.apprentices_per_mentor": {"bounds": [0, 3]},
                       "funding.school_special_fund_yuan_per_year": {"bounds": [1, 2]}}),
     "parameters[enterprise_mentors.apprentices_per_mentor]", "refuses"),
    (sobol(parameters={"school_mentors.students_per_mentor": {"bounds": [20, 0], "distribution": "norm"},
                       "funding.school_special_fund_yuan_per_year": {"bounds": [1, 2]}}),
     "parameters[school_mentors.students_per_mentor].bounds", "standard deviation"),
    (sobol(parameters={"school_mentors.students_per_mentor": {"bounds": [10, 20], "distribution": "triang"},
                       "funding.school_special_fund_yuan_per_year": {"bounds": [1, 2]}}),
     "parameters[school_mentors.students_per_mentor].bounds", "3 values"),
    (sobol(parameters={"school_mentors.students_per_mentor": {"bounds": [10, 20], "distribution": "beta"},
                       "funding.school_special_fund_yuan_per_year": {"bounds": [1, 2]}}),
     "parameters[school_mentors.students_per_mentor].distribution", "unif"),
    (grid(reps=0), "reps", "expected a whole number of at least 1, found 0"),
    ({k: v for k, v in grid().items() if k != "seed"}, "seed", "required"),
    (grid(seed="one"), "seed", "expected a whole number"),
    (sobol(design="random"), "design", "grid"),
    (grid(base="missing.yaml"), "base", "does not exist"),
    (sobol(design="morris", samples=1), "samples", "at least 2"),
    (grid(parameters={"school_mentors.students_per_mentor": {"levels": [10, 10]}}),
     "parameters[school_mentors.students_per_mentor].levels", "repeats"),
])
def test_bad_sweep_is_refused_naming_file_and_key(tmp_path: Path, data: dict[str, Any], key: str,
                                                 words: str) -> None:
    error = refused(tmp_path, data)
    assert isinstance(error, SweepFileError)
    assert error.key == key
    assert words in error.problem, error.problem


def test_yaml_problems_are_reported_by_the_scenario_reader(tmp_path: Path) -> None:
    error = refused(tmp_path, "design: grid\ndesign: lhs\nseed: 1\n")
    assert "given twice" in str(error)
    error = refused(tmp_path, "design: [grid\n")
    assert "YAML" in str(error)


def test_base_is_relative_to_the_sweep_file(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "small.yaml").write_text("intake: {cohort_size: 50}\n")
    (tmp_path / "sweeps").mkdir()
    path = write(tmp_path / "sweeps", grid(base="../scenarios/small.yaml"))
    plan = plan_sweep(path, overrides={"intake.n_cohorts": 1})
    assert plan.base.intake.cohort_size == 50
    assert plan.base.intake.n_cohorts == 1


def test_grid_expands_in_product_order_with_typed_values() -> None:
    design = expand(parse_spec(grid()), TYPES)
    assert [(p["school_mentors.students_per_mentor"], p["enterprise_mentors.apprentices_per_mentor"])
            for p in design.points] == [(10.0, 2), (10.0, 4), (10.0, 6), (20.0, 2), (20.0, 4), (20.0, 6)]
    assert all(type(p["school_mentors.students_per_mentor"]) is float for p in design.points)
    assert all(type(p["enterprise_mentors.apprentices_per_mentor"]) is int for p in design.points)
    assert design.sample is None


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(1, 50), min_size=1, max_size=4, unique=True), min_size=1, max_size=3))
def test_grid_has_one_point_per_combination(levels: list[list[int]]) -> None:
    spec = parse_spec({"design": "grid", "seed": 0,
                       "parameters": {f"p{i}": {"levels": lv} for i, lv in enumerate(levels)}})
    check_spec(spec, "<sweep>", None)
    design = expand(spec)
    assert len(design) == math.prod(len(lv) for lv in levels)
    assert len({tuple(p.values()) for p in design.points}) == len(design)


def test_expansion_is_pure_and_deterministic() -> None:
    spec = parse_spec(sobol(design="lhs", samples=20))
    first, second = expand(spec, TYPES), expand(spec, TYPES)
    assert first.points == second.points
    values = [p["school_mentors.students_per_mentor"] for p in first.points]
    assert all(10 <= v <= 40 for v in values)
    assert {p["enterprise_mentors.apprentices_per_mentor"] for p in first.points} <= set(range(1, 9))
    assert first.points != expand(parse_spec(sobol(design="lhs", samples=20, seed=2)), TYPES).points


def test_sobol_design_grows_as_a_prefix() -> None:
    small = expand(parse_spec(sobol(samples=8)), TYPES)
    large = expand(parse_spec(sobol(samples=16)), TYPES)
    assert len(small) == 8 * 4 and len(large) == 16 * 4
    assert large.points[: len(small)] == small.points


def test_morris_design_size() -> None:
    design = expand(parse_spec(sobol(design="morris", samples=6)), TYPES)
    assert len(design) == 6 * (2 + 1)
    assert design.sample is not None and design.sample.shape == (18, 2)


def test_another_model_may_vary_any_name() -> None:
    spec = parse_spec({"design": "sobol", "samples": 4, "seed": 0,
                       "parameters": {x: {"bounds": [-math.pi, math.pi]} for x in ("x1", "x2", "x3")}})
    check_spec(spec, "<sweep>", parameter_types(ishigami))
    design = expand(spec)
    assert len(design) == 4 * 5
    assert np.all(np.abs(design.sample) <= math.pi)
