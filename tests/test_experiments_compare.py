"""Comparisons: t intervals, paired differences, files written, and common random numbers at work."""

from __future__ import annotations

import json
import math
from pathlib import Path

import experiment_toys as toys
import numpy as np
import pandas as pd
import pytest

from sim.experiments.backends import ProcessBackend
from sim.experiments.compare import compare
from sim.experiments.stats import mean_ci, paired_differences
from sim.scenario import load_scenario, scenario_hash

ROOT = Path(__file__).resolve().parents[1]


def test_mean_ci_is_the_t_interval() -> None:
    result = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert result["mean"] == 2.5 and result["n"] == 4
    assert result["sd"] == pytest.approx(1.2909944487)
    half = 3.182446305284263 * 1.2909944487 / 2  # t(0.975, 3) from a t table
    assert result["ci_low"] == pytest.approx(2.5 - half) and result["ci_high"] == pytest.approx(2.5 + half)


def test_mean_ci_leaves_out_missing_values_and_needs_two() -> None:
    assert mean_ci([1.0, math.nan, 3.0])["n"] == 2
    single = mean_ci([5.0])
    assert single["mean"] == 5.0 and math.isnan(single["ci_low"])
    assert mean_ci([])["n"] == 0


def test_differences_are_paired_by_replication() -> None:
    per_run = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "rep": [0, 1, 2, 2, 1, 0],
                            "y": [1.0, 5.0, 9.0, 10.0, 6.0, 2.0]})
    diff = paired_differences(per_run, "scenario", ["y"]).iloc[0]
    assert diff["scenario"] == "b" and diff["baseline"] == "a"
    assert diff["mean"] == 1.0 and diff["sd"] == 0.0 and diff["n"] == 3


def test_compare_writes_its_tables_and_manifest(tmp_path: Path) -> None:
    files = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "mentor_ratio_low.yaml"]
    out = tmp_path / "cmp"
    result = compare(files, 5, 3, out=out, model=toys.ratio_toy)
    for name in ("comparison.csv", "differences.csv", "runs.parquet", "manifest.json", "experiment.json"):
        assert (out / name).is_file()
    assert len(list((out / "runs").glob("*.json"))) == 10
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), result.per_run)
    comparison = pd.read_csv(out / "comparison.csv")
    assert list(comparison.columns) == ["scenario", "outcome", "mean", "sd", "n", "ci_low", "ci_high"]
    assert comparison["scenario"].tolist() == ["baseline", "mentor_ratio_low"]
    diff = pd.read_csv(out / "differences.csv").iloc[0]
    # students_per_mentor 20 -> 12: y rises by 100/12 - 100/20 in every replication (same noise)
    assert diff["mean"] == pytest.approx(100 / 12 - 100 / 20)
    assert diff["sd"] == pytest.approx(0.0, abs=1e-12)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["master_seed"] == 3 and manifest["reps"] == 5
    assert [s["file"] for s in manifest["scenarios"]] == [str(f) for f in files]
    assert manifest["scenarios"][1]["hash"] == scenario_hash(load_scenario(files[1]))
    assert manifest["scenarios"][1]["resolved"]["school_mentors"]["students_per_mentor"] == 12
    assert {"python", "numpy", "SALib"} <= set(manifest["versions"])
    assert "mentor_ratio_low - baseline" in result.table()


def test_labels_are_unique_and_independent_seeds_differ() -> None:
    scenario = load_scenario(None)
    result = compare([scenario, scenario], 4, 1, model=toys.noisy, crn=False)
    assert result.comparison["scenario"].unique().tolist() == ["baseline", "baseline#2"]
    seeds = result.per_run.groupby("scenario")["seed"].apply(list)
    assert not set(seeds.iloc[0]) & set(seeds.iloc[1])
    assert result.differences["sd"].gt(0).all()


def test_common_random_numbers_narrow_the_confidence_interval_of_a_difference() -> None:
    # a lever that keeps the mentor posts: with another number of posts (students_per_mentor), the posts only one
    # arm has draw their own enterprise practice, whose substitutes cost the school lumps of 9,200 yuan, and common
    # random numbers cannot pair those draws (the total cost's interval then need not narrow)
    a = load_scenario(None, toys.TINY)
    b = load_scenario(None, {**toys.TINY, "school_mentors.guidance_hours_per_week": 5.0})
    widths = {}
    with ProcessBackend(2) as backend:
        for crn in (True, False):
            diff = compare([a, b], 10, 5, backend=backend, crn=crn).differences.set_index("outcome")
            widths[crn] = diff["ci_high"] - diff["ci_low"]
    ratio = (widths[True] / widths[False]).replace([np.inf, -np.inf], np.nan).dropna()
    assert len(ratio) > 20
    key = ["employment_rate_6m", "completion_rate", "mean_composite_score", "total_cost_yuan"]
    assert (ratio[key] < 1).all(), ratio[key]
    assert ratio.median() < 0.7, ratio.sort_values()


def test_resuming_after_the_model_code_changed_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.experiments.compare as compare_module
    from sim.errors import UserError

    files = [ROOT / "scenarios" / "baseline.yaml"]
    out = tmp_path / "cmp"
    compare(files, 2, 3, out=out, model=toys.ratio_toy)
    compare(files, 3, 3, out=out, model=toys.ratio_toy)  # same code: the folder grows
    monkeypatch.setattr(compare_module, "model_source_hash", lambda: "0" * 64)
    with pytest.raises(UserError, match="model_source_hash"):
        compare(files, 3, 3, out=out, model=toys.ratio_toy)
