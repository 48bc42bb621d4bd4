"""The outcome registry is the one list: summaries, time series, printed tables and the report read it."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.engine.declarations import Unit
from sim.experiments.compare import Comparison, compare
from sim.outcomes import BY_NAME, HEADLINE, OUTCOMES, SERIES, SERIES_BY_NAME
from sim.report.data import EMPLOYMENT_OUTCOMES, KEY_OUTCOMES, UNIT_DISPLAY, outcome_info, series_label
from sim.run_folder import format_summary

TINY = {"intake.cohort_size": 40, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 5}


@pytest.fixture(scope="module")
def tiny_run() -> sim.RunResult:
    return sim.run_one("scenarios/baseline.yaml", seed=1, **TINY)


def test_every_outcome_has_a_label_and_a_description_and_labels_are_unique() -> None:
    for outcome in OUTCOMES:
        assert outcome.label.strip(), outcome.name
        assert outcome.description.strip(), outcome.name
        assert isinstance(outcome.unit, Unit)
    labels = [o.label for o in OUTCOMES]
    assert len(set(labels)) == len(labels)
    series_labels = [s.label for s in SERIES]
    assert all(series_labels) and len(set(series_labels)) == len(series_labels)
    assert HEADLINE and set(HEADLINE) <= set(BY_NAME)


def test_a_runs_summary_has_exactly_the_registry_outcomes_in_order(tiny_run: sim.RunResult) -> None:
    assert list(tiny_run.summary) == [o.name for o in OUTCOMES]


def test_the_time_series_columns_are_the_registry_series(tiny_run: sim.RunResult) -> None:
    assert list(tiny_run.timeseries.columns) == [s.name for s in SERIES]


def test_the_report_labels_and_units_come_from_the_registry() -> None:
    assert KEY_OUTCOMES == HEADLINE
    assert set(EMPLOYMENT_OUTCOMES) <= set(BY_NAME)
    assert set(UNIT_DISPLAY) == set(Unit)
    for outcome in OUTCOMES:
        info = outcome_info(outcome.name)
        assert info.label == outcome.label
        assert (info.scale, info.unit, info.diff_unit) == UNIT_DISPLAY[outcome.unit]
    rate = outcome_info("employment_rate_at_graduation")
    assert (rate.scale, rate.unit, rate.diff_unit) == (100.0, "%", "percentage points")
    assert outcome_info("enterprise_net_benefit_yuan_per_placement").unit == "yuan"
    assert outcome_info("mean_composite_score").unit == "points, 0-100"
    for series in SERIES:
        assert series_label(series.name) == series.label
    # A column that is also an outcome has its own time-series label.
    assert series_label("balance_yuan") == SERIES_BY_NAME["balance_yuan"].label


def test_names_outside_the_registry_are_shown_as_themselves_without_a_unit() -> None:
    for name in ("y", "a_rate", "school_mentors.students_per_mentor", "cost_yuan"):
        info = outcome_info(name)
        assert (info.label, info.scale, info.unit, info.diff_unit) == (name, 1.0, "", "")
    assert series_label("not_a_column") == "not_a_column"


def test_the_printed_summary_lists_the_headline_outcomes_in_their_units() -> None:
    summary = {name: 0.5 for name in BY_NAME}
    summary["total_cost_yuan"] = 1234567.8
    ci = {"total_cost_yuan": (1000000.0, 1500000.0), "completion_rate": (0.25, 0.75)}
    lines = format_summary(summary, ci).splitlines()
    assert [line.split()[0] for line in lines] == list(HEADLINE)
    by_name = {line.split()[0]: line.split(None, 1)[1] for line in lines}
    assert by_name["total_cost_yuan"] == "1,234,568  (95% CI 1,000,000 to 1,500,000)"
    assert by_name["completion_rate"] == "0.500  (95% CI 0.250 to 0.750)"
    assert by_name["mean_composite_score"] == "0.500"
    assert format_summary({}).splitlines()[0].split()[1] == "nan"


def _rows(table: str) -> list[str]:
    """The outcome names of a printed comparison table (after its header, column and index lines)."""
    return [line.split()[0] for line in table.splitlines()[3:]]


def test_compare_prints_the_headline_outcomes_in_registry_order() -> None:
    result = compare(["scenarios/baseline.yaml"], 2, 1, overrides=TINY)
    assert _rows(result.table()) == list(HEADLINE)  # comparison.csv keeps every outcome
    assert list(dict.fromkeys(result.comparison["outcome"])) == [o.name for o in OUTCOMES]


def test_compare_of_a_model_without_headline_outcomes_prints_every_outcome() -> None:
    comparison = pd.DataFrame({"scenario": "a", "outcome": ["y", "z"], "mean": [1.0, 2.0], "sd": 0.0, "n": 2,
                               "ci_low": [0.5, 1.5], "ci_high": [1.5, 2.5]})
    empty = pd.DataFrame(columns=["scenario", "baseline", "outcome", "mean", "sd", "n", "ci_low", "ci_high"])
    assert _rows(Comparison(pd.DataFrame(), comparison, empty).table()) == ["y", "z"]
