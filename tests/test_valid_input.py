"""Valid input never crashes: any scenario the schema accepts runs to its horizon.

The Hypothesis strategy is built from the pydantic schema itself (``sim.scenario.schema``):
every field's type and its ``ge``/``gt``/``le``/``lt`` bounds and list lengths, so a
parameter added to the schema is drawn here without touching this file. Only the sizes
that set a run's cost are capped (``TEST_CAPS``: students, cohorts, enterprises,
mentors, horizon), so that each run takes well under a second. The two cross-field
rules of the schema (custom calendar blocks must fit in the programme; the evaluation
weights add up to 1) are built valid by hand; anything else the schema refuses is
skipped with ``assume``.

Each drawn scenario is run with ``sim.run_one`` and must finish, with every rate or
share in [0, 1] (or NaN when nothing was there to count), every money total never
negative and the weekly programme balance never negative.

A range the model cannot honour is narrowed in the schema, with the reason written
beside the bound; the plain regression tests at the end keep those cases.
"""

from __future__ import annotations

import math
import re
import typing
from pathlib import Path
from typing import Any, Literal

import annotated_types
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

import sim
from sim.engine.declarations import Unit
from sim.outcomes import unit
from sim.scenario import Scenario, scenario_from_dict
from sim.scenario import schema as schema_module
from sim.scenario.loading import ScenarioError
from sim.scenario.schema import WEEKS_PER_YEAR, Block, CalendarParams, EvaluationParams, IntakeParams

TEST_CAPS: dict[str, tuple[float | None, float | None]] = {
    # (low, high) drawn here, inside the schema's own bounds: small, fast runs
    "simulation.horizon_years": (1, 8),
    "intake.cohort_size": (1, 40),
    "intake.n_cohorts": (1, 3),
    "enterprises.count": (1, 6),
    # mentor pools: school mentors are students / students_per_mentor (at most 120 here, the
    # schema's ratio being at least 1); enterprise mentors are the places the enterprises offer
    # / apprentices_per_mentor, so the places offered are capped
    "enterprises.slots_offered_mean": (None, 60.0),
}
"""Test-only caps on the sizes that make a run slow; ``None`` keeps the schema's bound."""

MAX_BLOCKS = 8
"""Most custom calendar blocks drawn."""

CROSS_FIELD_MODELS = {CalendarParams, EvaluationParams, IntakeParams}
"""Sections with a model validator, whose strategies below are written by hand."""


# ------------------------------------------------------------------ strategies from the schema


def _bounds(metadata: typing.Iterable[Any]) -> dict[str, Any]:
    """Numeric bounds and list lengths from a field's pydantic metadata."""
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_bounds(item.metadata))
        elif isinstance(item, annotated_types.Ge):
            found["ge"] = item.ge
        elif isinstance(item, annotated_types.Gt):
            found["gt"] = item.gt
        elif isinstance(item, annotated_types.Le):
            found["le"] = item.le
        elif isinstance(item, annotated_types.Lt):
            found["lt"] = item.lt
        elif isinstance(item, annotated_types.MinLen):
            found["min_length"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            found["max_length"] = item.max_length
    return found


def _number_strategy(kind: type, key: str, bounds: dict[str, Any]) -> st.SearchStrategy[Any]:
    low_cap, high_cap = TEST_CAPS.get(key, (None, None))
    low, exclude_low = (bounds["gt"], True) if "gt" in bounds else (bounds.get("ge"), False)
    high, exclude_high = (bounds["lt"], True) if "lt" in bounds else (bounds.get("le"), False)
    if low_cap is not None and (low is None or low_cap > low):
        low, exclude_low = low_cap, False
    if high_cap is not None and (high is None or high_cap < high):
        high, exclude_high = high_cap, False
    if kind is int:
        low_int = None if low is None else math.floor(low) + 1 if exclude_low else math.ceil(low)
        high_int = None if high is None else math.ceil(high) - 1 if exclude_high else math.floor(high)
        return st.integers(min_value=low_int, max_value=high_int)
    return st.floats(min_value=low, max_value=high, exclude_min=exclude_low and low is not None,
                     exclude_max=exclude_high and high is not None, allow_nan=False, allow_infinity=False)


def _value_strategy(annotation: Any, key: str, bounds: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A strategy for one value of a schema type (bounds apply to numbers)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:  # e.g. list[Annotated[float, Field(ge=0)]]: bounds of the items
        inner, *metadata = typing.get_args(annotation)
        return _value_strategy(inner, key, _bounds(metadata))
    if origin is Literal:
        return st.sampled_from(typing.get_args(annotation))
    if origin is list:
        (item,) = typing.get_args(annotation)
        return st.lists(_value_strategy(item, key + "[]", {}), min_size=bounds.get("min_length", 0),
                        max_size=bounds.get("max_length", MAX_BLOCKS))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_strategy(annotation, key + ".")
    if annotation is bool:
        return st.booleans()
    if annotation in (int, float):
        return _number_strategy(annotation, key, bounds)
    if annotation is str:  # names and questions: any text
        return st.text(max_size=20)
    raise NotImplementedError(f"{key}: no strategy for the type {annotation!r}; add one to tests/test_valid_input.py")


def _field_strategies(model: type[BaseModel], prefix: str) -> dict[str, st.SearchStrategy[Any]]:
    return {name: _value_strategy(field.annotation, prefix + name, _bounds(field.metadata))
            for name, field in model.model_fields.items()}


@st.composite
def calendar_strategy(draw: st.DrawFn, prefix: str = "calendar.") -> dict[str, Any]:
    """A valid calendar: custom blocks in order, together no longer than the programme."""
    values = draw(st.fixed_dictionaries(
        {k: v for k, v in _field_strategies(CalendarParams, prefix).items() if k != "custom_blocks"}))
    budget = values["programme_years"] * WEEKS_PER_YEAR
    block_fields = _field_strategies(Block, prefix + "custom_blocks[].")
    weeks_bounds = _bounds(Block.model_fields["weeks"].metadata)
    need_blocks = values["schedule"] == "custom"
    n_blocks = draw(st.integers(1 if need_blocks else 0, MAX_BLOCKS))
    blocks = []
    for _ in range(n_blocks):
        room = min(budget, weeks_bounds["le"])
        if room < weeks_bounds["ge"]:
            break
        block = draw(st.fixed_dictionaries({k: v for k, v in block_fields.items() if k != "weeks"}))
        block["weeks"] = draw(st.integers(weeks_bounds["ge"], room))
        budget -= block["weeks"]
        blocks.append(block)
    values["custom_blocks"] = blocks
    return values


@st.composite
def intake_strategy(draw: st.DrawFn, prefix: str = "intake.") -> dict[str, Any]:
    """Intake: no sizes by cohort, or one size for each cohort (as small as ``intake.cohort_size`` here)."""
    values = draw(st.fixed_dictionaries(
        {k: v for k, v in _field_strategies(IntakeParams, prefix).items() if k != "cohort_sizes"}))
    low, high = TEST_CAPS[prefix + "cohort_size"]
    sizes = st.lists(st.integers(int(low or 1), int(high or 1)), min_size=values["n_cohorts"],
                     max_size=values["n_cohorts"])
    values["cohort_sizes"] = draw(st.one_of(st.just([]), sizes))
    return values


@st.composite
def evaluation_strategy(draw: st.DrawFn) -> dict[str, float]:
    """Evaluation weights: composite shares that add up to 1 (the last drawn takes what is left); the
    host's relative weights each in [0, 1], not all 0."""
    host = [name for name in EvaluationParams.model_fields if name.startswith("host_")]
    names = draw(st.permutations([name for name in EvaluationParams.model_fields if name not in host]))
    left = 1.0
    weights = {}
    for name in names[:-1]:
        weights[name] = draw(st.floats(0.0, left))
        left -= weights[name]
    weights[names[-1]] = left
    for name in host:
        weights[name] = draw(st.floats(0.0, 1.0))
    if not any(weights[name] > 0 for name in host):
        weights[host[0]] = 1.0
    return weights


def model_strategy(model: type[BaseModel], prefix: str = "") -> st.SearchStrategy[dict[str, Any]]:
    """Dicts of every field of a schema model, each drawn within its bounds."""
    if model is CalendarParams:
        return calendar_strategy(prefix)
    if model is EvaluationParams:
        return evaluation_strategy()
    if model is IntakeParams:
        return intake_strategy(prefix)
    return st.fixed_dictionaries(_field_strategies(model, prefix))


@st.composite
def valid_scenarios(draw: st.DrawFn) -> Scenario:
    """A scenario the schema accepts, with small populations."""
    data = draw(model_strategy(Scenario))
    try:
        return scenario_from_dict(data, source="<hypothesis>")
    except (ScenarioError, ValidationError):
        assume(False)
        raise  # unreachable: assume(False) rejects the draw


# ------------------------------------------------------------------ what a finished run must satisfy

NON_NEGATIVE_EXCEPTIONS = ("net_",)
"""Money outcomes that may be negative: net benefits and net costs."""

ZERO_TO_ONE = {"enterprise_satisfaction", "enterprise_satisfaction_skill_fit",
               "enterprise_satisfaction_professionalism", "enterprise_satisfaction_contribution",
               "enterprise_satisfaction_retention"}
"""Outcomes on a 0-1 scale that are neither named a rate nor declared a share."""


def _is_rate(name: str) -> bool:
    """A rate or a share: named so, or declared a share in the outcome registry."""
    return "_rate" in name or "share" in name or unit(name) is Unit.SHARE or name in ZERO_TO_ONE


def _is_money(name: str) -> bool:
    """An amount of yuan spent, held or paid in (not a net benefit or cost, which may be negative)."""
    is_yuan = name.endswith("_yuan") or unit(name) is Unit.YUAN
    return is_yuan and not any(mark in name for mark in NON_NEGATIVE_EXCEPTIONS)


def check_outcomes(result: Any) -> None:
    """Rates and shares in [0, 1] or NaN; money never negative; the weekly balance never negative."""
    summary = result.summary
    assert any(_is_rate(name) for name in summary) and any(_is_money(name) for name in summary)
    for name, value in summary.items():
        if _is_rate(name):
            assert math.isnan(value) or 0.0 <= value <= 1.0, (name, value)
        elif _is_money(name):
            assert math.isnan(value) or value >= 0.0, (name, value)
            if "_per_" not in name:  # a ratio is NaN when there is nothing to divide by; a total never
                assert not math.isnan(value), name
    frame = result.timeseries
    assert "balance_yuan" in frame.columns
    for column in frame.columns:
        values = frame[column].to_numpy(float)
        if _is_rate(column):
            finite = values[~np.isnan(values)]
            assert ((finite >= 0.0) & (finite <= 1.0)).all(), (column, finite.min(), finite.max())
        elif _is_money(column):
            assert not np.isnan(values).any(), column
            assert (values >= 0.0).all(), (column, values.min())


# ------------------------------------------------------------------ the property


def test_strategy_knows_every_cross_field_rule() -> None:
    """A new model validator needs a hand-written strategy (or ``assume`` rejects most draws)."""
    with_validators = {obj for obj in vars(schema_module).values()
                       if isinstance(obj, type) and issubclass(obj, BaseModel)
                       and obj.__pydantic_decorators__.model_validators}
    assert with_validators == CROSS_FIELD_MODELS


def test_caps_name_real_parameters() -> None:
    from sim.scenario.params import param_index
    index = param_index()
    assert set(TEST_CAPS) <= set(index)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # extreme valid values overflow to inf inside numpy
@settings(derandomize=True, max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenario=valid_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_any_valid_scenario_runs_to_the_horizon(scenario: Scenario, seed: int) -> None:
    result = sim.run_one(scenario, seed=seed, students=False)
    assert len(result.timeseries) == scenario.horizon_weeks
    check_outcomes(result)


# ------------------------------------------------------------------ regressions: ranges narrowed in the schema

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"

CRASHED_BEFORE_NARROWING = {
    # key: a value the schema accepted and the model crashed on (or gave NaN money), now refused
    "enterprises.staff_log_sd": 6.0,  # int32 staff overflow: "repeats may not contain negative values"
    "enterprises.staff_median": 1e12,  # the same overflow
    "enterprises.slots_offered_mean": 1e30,  # Poisson "lam value too large"
    "enterprises.vacancy_rate_per_year": 1e30,  # Poisson "lam value too large"
    "intake.motivation_concentration": 5e-324,  # Beta parameter underflows to 0: "b <= 0"
    "school_mentors.students_per_mentor": 5e-324,  # pool size students / ratio is infinite: OverflowError
    "funding.school_special_fund_yuan_per_year": 1e308,  # money in overflows to inf: NaN total cost
    # enterprise costs overflow to inf and tax relief (0 x inf) turns NaN, with apprentices placed in
    # the first year (a custom calendar that starts in the enterprise)
    "participation.consumables_yuan_per_apprentice_week": 1.55e308,
}


def _field(key: str) -> FieldInfo:
    section, name = key.split(".")
    model = Scenario.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model.model_fields[name]


def _upper_bound(key: str) -> float:
    return _bounds(_field(key).metadata)["le"]


def test_the_reported_crash_is_refused_with_the_bound() -> None:
    """staff_log_sd 6 (seed 2) ended in ``ValueError: repeats may not contain negative values``."""
    with pytest.raises(ScenarioError, match=r"enterprises\.staff_log_sd: .*\[0, 1\.5\].*found 6\.0"):
        sim.run_one(BASELINE, seed=2, **{"enterprises.staff_log_sd": 6.0})


@pytest.mark.parametrize(("key", "value"), CRASHED_BEFORE_NARROWING.items())
def test_values_that_crashed_are_refused(key: str, value: float) -> None:
    with pytest.raises(ScenarioError, match=re.escape(key)):
        sim.run_one(BASELINE, seed=2, **{key: value})


@pytest.mark.parametrize("seed", [2, 3])
def test_every_narrowed_bound_at_once_runs(seed: int) -> None:
    """The largest values the schema now allows, together, on the baseline's 70 enterprises."""
    at_bounds: dict[str, Any] = {key: _upper_bound(key) for key in CRASHED_BEFORE_NARROWING
                                 if "le" in _bounds(_field(key).metadata)}
    at_bounds.update({"intake.motivation_concentration": 1.0, "school_mentors.students_per_mentor": 1.0})
    small = {"intake.cohort_size": 40, "intake.n_cohorts": 1, "simulation.horizon_years": 4}
    with np.errstate(over="ignore", invalid="ignore"):
        check_outcomes(sim.run_one(BASELINE, seed=seed, students=False, **small, **at_bounds))
