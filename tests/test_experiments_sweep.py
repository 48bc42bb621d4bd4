"""Sweeps end to end: known Sobol' indices (Ishigami), Morris, output files, outcome checks."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import experiment_toys as toys
import pandas as pd
import pytest
import yaml

from sim.experiments.models import ISHIGAMI_INDICES, ishigami
from sim.experiments.spec import SweepFileError
from sim.experiments.sweep import sweep

PI_BOUNDS = {"bounds": [-math.pi, math.pi]}


def ishigami_sweep(design: str, samples: int) -> dict[str, Any]:
    return {"design": design, "samples": samples, "seed": 2024, "reps": 1,
            "parameters": {name: PI_BOUNDS for name in ("x1", "x2", "x3")}}


def test_analytic_ishigami_indices() -> None:
    assert ISHIGAMI_INDICES["x1"] == pytest.approx((0.3139, 0.5576), abs=1e-4)
    assert ISHIGAMI_INDICES["x2"] == pytest.approx((0.4424, 0.4424), abs=1e-4)
    assert ISHIGAMI_INDICES["x3"] == pytest.approx((0.0, 0.2437), abs=1e-4)


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values(tmp_path: Path) -> None:
    path = tmp_path / "ishigami.yaml"
    path.write_text(yaml.safe_dump(ishigami_sweep("sobol", 2048)))
    result = sweep(path, model=ishigami)
    assert len(result.results) == 2048 * 5
    indices = result.sensitivity.set_index("parameter")
    assert list(result.sensitivity.columns) == ["parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf"]
    for name, (s1, st) in ISHIGAMI_INDICES.items():
        assert indices.loc[name, "S1"] == pytest.approx(s1, abs=0.05), name
        assert indices.loc[name, "ST"] == pytest.approx(st, abs=0.05), name
        assert 0 < indices.loc[name, "S1_conf"] < 0.1


def test_morris_ranks_the_ishigami_inputs(tmp_path: Path) -> None:
    result = sweep(ishigami_sweep("morris", 40), model=ishigami, out=tmp_path / "morris")
    table = pd.read_csv(tmp_path / "morris" / "sensitivity.csv")
    assert list(table.columns) == ["parameter", "outcome", "mu", "mu_star", "mu_star_conf", "sigma"]
    pd.testing.assert_frame_equal(table, result.sensitivity, check_dtype=False)
    mu_star = table.set_index("parameter")["mu_star"]
    assert mu_star["x3"] < mu_star["x1"] and mu_star["x3"] < mu_star["x2"]
    assert (table["sigma"] > 0).all()  # x1 and x3 interact, x2 is non-linear


def test_a_sweep_folder_holds_results_and_manifest(tmp_path: Path) -> None:
    spec = {"design": "lhs", "samples": 5, "seed": 1, "reps": 3,
            "parameters": {"x": {"bounds": [0, 10]}, "n": {"bounds": [1, 5]}}}
    result = sweep(spec, model=toys.noisy, out=tmp_path / "out")
    stored = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert list(stored.columns) == ["point", "rep", "seed", "x", "n", "a", "b", "error"]
    assert len(stored) == 15 and not stored.duplicated(["point", "rep"]).any()
    pd.testing.assert_frame_equal(stored, result.results)
    assert not (tmp_path / "out" / "sensitivity.csv").exists()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["points"] == 5 and manifest["runs"] == 15 and manifest["failed"] == 0
    assert manifest["model"] == "experiment_toys:noisy"
    means = result.point_means()
    assert len(means) == 5 and {"x", "n", "a", "b"} <= set(means.columns)
    assert means.loc[0, "a"] == pytest.approx(stored.loc[stored["point"] == 0, "a"].mean())


def test_indices_use_the_mean_over_replications_and_listed_outcomes() -> None:
    spec = ishigami_sweep("sobol", 16)
    spec["parameters"] = {"x": {"bounds": [0, 1]}, "y": {"bounds": [0, 1]}}
    spec["reps"], spec["outcomes"] = 3, ["b"]
    result = sweep(spec, model=toys.noisy)
    assert result.sensitivity["outcome"].unique().tolist() == ["b"]
    indices = result.sensitivity.set_index("parameter")
    assert indices.loc["x", "ST"] > 0.9 and abs(indices.loc["y", "ST"]) < 0.1  # b = 2x + small noise


def test_an_unknown_outcome_is_reported_after_the_runs_are_stored(tmp_path: Path) -> None:
    spec = ishigami_sweep("sobol", 4)
    spec["outcomes"] = ["y", "z"]
    with pytest.raises(SweepFileError, match="outcomes: lists outcomes the model does not produce: z "):
        sweep(spec, model=ishigami, out=tmp_path / "out")
    assert (tmp_path / "out" / "results.parquet").is_file()
    spec["outcomes"] = ["y"]
    assert sweep(spec, model=ishigami, out=tmp_path / "out").sensitivity is not None
