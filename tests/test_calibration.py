"""Calibration: closed-form posterior, reproducibility, recovery, verdicts, resume, bad files, projections.

The exact checks run toy models (``tests/calibration_toys.py``) through the experiments'
model hook, as the experiment tests do; one quick recovery case runs the talent model on
a tiny scenario. The coverage check over many repetitions and the timing of the shipped
calibration are in ``benchmarks/calibration.py``.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import calibration_toys as toys
import numpy as np
import pandas as pd
import pytest
import yaml
from hang_guard import HANG_GUARD_S

from sim.calibration import calibrate, posterior_draws
from sim.calibration.distance import Target, combine
from sim.calibration.posterior import PosteriorError
from sim.calibration.spec import CalibrationFileError
from sim.cli import main
from sim.experiments.compare import compare
from sim.model_version import MODEL_VERSION

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
TINY = {"intake": {"cohort_size": 60, "n_cohorts": 1}, "simulation": {"horizon_years": 3},
        "enterprises": {"count": 4}}


def toy_definition(**changes: Any) -> dict[str, Any]:
    """A normal-mean calibration: prior N(0, sd) on theta, target y = 1 +- 0.5 (see calibration_toys)."""
    definition: dict[str, Any] = {
        "name": "toy", "method": "abc-smc", "seed": 7, "reps": 2, "budget": {"simulations": 40_000},
        "scenarios": {"toy": None},
        "parameters": {"theta": {"prior": "normal", "mean": 0.0, "sd": 1.0, "bounds": [-6.0, 6.0]}},
        "targets": [{"scenario": "toy", "outcome": "y", "value": 1.0, "se": 0.5}],
        "abc": {"population_size": 200, "generations": 4}, "predictive": {"draws": 5, "reps": 2}}
    definition.update(changes)
    return definition


def weighted(posterior: pd.DataFrame, key: str) -> tuple[float, float]:
    w = posterior["weight"].to_numpy(float)
    x = posterior[key].to_numpy(float)
    mean = float((w * x).sum() / w.sum())
    return mean, float(math.sqrt((w * (x - mean) ** 2).sum() / w.sum()))


def normal_posterior(prior_sd: float, value: float, se: float, reps: int) -> tuple[float, float]:
    """Posterior of theta: prior N(0, prior_sd^2); observed value ~ N(mean of reps runs, se^2)."""
    variance = se**2 + toys.NOISE_SD**2 / reps  # the runs' Monte Carlo error adds to the observation's
    precision = 1 / prior_sd**2 + 1 / variance
    return value / variance / precision, math.sqrt(1 / precision)


# ---------------------------------------------------------------------------- distance


def test_distance_of_values_and_bands() -> None:
    value = Target(0, "s", "y", value=0.9, se=0.02)
    assert value.distance(0.86) == pytest.approx(-2.0)
    band = Target(0, "s", "y", low=0.2, high=0.3)
    assert band.distance(0.25) == 0.0
    assert band.distance(0.35) == pytest.approx(0.5)  # half a band width above
    assert band.distance(0.1) == pytest.approx(1.0)
    assert combine([3.0, 4.0], "rss") == pytest.approx(5.0)
    assert combine([3.0, -4.0], "max") == pytest.approx(4.0)
    assert math.isinf(combine([1.0, math.inf], "rss"))
    assert value.met(0.87, 0.005) and not value.met(0.84, 0.005)
    assert band.met(0.3, 0.003) and band.met(0.2, 0.003)
    assert not band.met(0.305, 0.003) and not band.met(0.195, 0.0)  # a band's mean must lie inside it


# ---------------------------------------------------------------------------- exact checks


def test_normal_mean_posterior_matches_the_closed_form(tmp_path: Path) -> None:
    """A wide prior (several tempered generations, ending at temperature 1): mean and sd as in closed form."""
    definition = toy_definition()
    definition["parameters"]["theta"]["sd"] = 3.0
    result = calibrate(definition, out=tmp_path / "fit", model=toys.normal_mean)
    expected_mean, expected_sd = normal_posterior(3.0, 1.0, 0.5, reps=2)
    mean, sd = weighted(result.posterior, "theta")
    assert result.manifest["exact"] and result.manifest["final_temperature"] == pytest.approx(1.0)
    assert mean == pytest.approx(expected_mean, abs=0.12)
    assert sd == pytest.approx(expected_sd, rel=0.2)
    assert result.fitted_ok
    row = result.parameters.iloc[0]
    assert row["identified"] and row["sd_ratio"] < 0.3
    assert row["ci_low"] < expected_mean < row["ci_high"]
    assert (tmp_path / "fit" / "posterior.parquet").is_file()
    stored = pd.read_parquet(tmp_path / "fit" / "posterior.parquet")
    assert stored["weight"].sum() == pytest.approx(1.0)
    assert {"theta", "weight", "distance", "seed", "simulated: y @ toy"} <= set(stored.columns)


def test_one_worker_and_the_same_seed_give_the_same_posterior(tmp_path: Path) -> None:
    definition = toy_definition(abc={"population_size": 30, "generations": 2}, budget={"simulations": 2000},
                                predictive={"draws": 3, "reps": 2})
    first = calibrate(definition, out=tmp_path / "a", model=toys.normal_mean)
    second = calibrate(definition, out=tmp_path / "b", model=toys.normal_mean)
    pd.testing.assert_frame_equal(first.posterior, second.posterior)
    assert first.manifest["reproducible"] and "same posterior" in first.manifest["reproducibility"]
    other = calibrate({**definition, "seed": 8}, out=tmp_path / "c", model=toys.normal_mean)
    assert not other.posterior["theta"].equals(first.posterior["theta"])


def test_a_budget_spent_before_the_first_generation_is_refused_with_a_message(tmp_path: Path) -> None:
    # the file's check lets 2 x population evaluations through; a narrow prior acceptance can still leave the
    # first generation unfinished, which must end in the file's message, not a traceback
    definition = toy_definition(abc={"population_size": 40, "generations": 2}, budget={"simulations": 160})
    with pytest.raises(CalibrationFileError) as caught:
        calibrate(definition, out=tmp_path / "short", model=toys.normal_mean)
    assert caught.value.key == "budget" and "before the first generation" in str(caught.value)


def test_optuna_point_fit_finds_the_mode(tmp_path: Path) -> None:
    definition = toy_definition(method="optuna", budget={"simulations": 60})
    result = calibrate(definition, out=tmp_path / "point", model=toys.normal_mean)
    mode, _ = normal_posterior(1.0, 1.0, 0.5, reps=2)  # normal prior x normal likelihood: mode = mean
    assert result.posterior is None and result.trials is not None and len(result.trials) == 30
    assert result.fitted_point == "best trial"
    assert result.fitted["theta"] == pytest.approx(mode, abs=0.25)
    assert "identification not assessed" in result.summary()


# ---------------------------------------------------------------------------- the talent model


def test_talent_model_recovers_a_known_parameter(tmp_path: Path) -> None:
    """Targets simulated at a known value are recovered inside the 90% credible interval (one quick case)."""
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump({"name": "tiny", **TINY}), encoding="utf-8")
    from sim.experiments.models import talent_model
    from sim.scenario import load_scenario

    truth = 1.86
    scenario = load_scenario(tmp_path / "tiny.yaml")
    observed = np.mean([talent_model({"learning.theory_points_per_week": truth}, scenario, 10_000 + k)["mean_theory"]
                        for k in range(4)])
    definition = {
        "name": "recovery", "seed": 5, "reps": 1, "budget": {"simulations": 400}, "scenarios": {"tiny": "tiny.yaml"},
        "parameters": {"learning.theory_points_per_week": {"prior": "uniform", "bounds": [1.0, 3.5]}},
        "targets": [{"scenario": "tiny", "outcome": "mean_theory", "value": float(observed), "se": 2.0}],
        "abc": {"population_size": 12, "generations": 1}, "predictive": {"draws": 3, "reps": 2}}
    calib = tmp_path / "calib.yaml"
    calib.write_text(yaml.safe_dump(definition), encoding="utf-8")
    result = calibrate(calib, out=tmp_path / "fit")
    row = result.parameters.iloc[0]
    assert row["ci_low"] <= truth <= row["ci_high"]
    assert row["identified"]
    fitted = result.fitted_files[0]
    assert fitted == tmp_path / "fit" / "fitted" / "tiny.yaml"
    text = fitted.read_text(encoding="utf-8")
    assert text.startswith("# Fitted by talentsim calibrate") and "extends: ../../tiny.yaml" in text
    assert load_scenario(fitted).learning.theory_points_per_week == pytest.approx(result.fitted[
        "learning.theory_points_per_week"])


# ---------------------------------------------------------------------------- the command line


def write_calibration(path: Path, definition: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(definition, sort_keys=False), encoding="utf-8")
    return path


def test_a_target_the_model_cannot_reach_does_not_fit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = toy_definition(
        parameters={"a": {"prior": "uniform", "bounds": [0.0, 1.0]}, "b": {"prior": "uniform", "bounds": [0.0, 1.0]}},
        targets=[{"scenario": "toy", "outcome": "y", "value": 0.3, "se": 0.05},
                 {"scenario": "toy", "outcome": "w", "value": 0.9, "se": 0.01}],  # w is 0.5 whatever a and b are
        abc={"population_size": 30, "generations": 2}, budget={"simulations": 3000})
    calib = write_calibration(tmp_path / "unreachable.yaml", definition)
    code = main(["calibrate", str(calib), "--out", str(tmp_path / "fit"), "--workers", "1", "--quiet",
                 "--no-charts", "--model", "calibration_toys:two_outcomes"])
    out, err = capsys.readouterr()
    assert code == 3
    assert "did not fit: 1 of 2 targets not met (w @ toy)" in out
    assert "NOT MET  w @ toy" in out and "below it, 40" in out  # 0.4 below, 40 standard errors
    assert "met      y @ toy" in out
    assert "b: median" in out and "not identified by these targets" in out
    assert "did not fit" in err
    manifest = json.loads((tmp_path / "fit" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["verdict"] == "did not fit" and manifest["not_identified"] == ["b"]
    targets = pd.read_csv(tmp_path / "fit" / "targets.csv")
    assert list(targets["met"]) == [True, False]


def test_sigkill_then_rerun_continues_the_stored_history(tmp_path: Path) -> None:
    definition = toy_definition(abc={"population_size": 30, "generations": 4}, budget={"simulations": 20_000})
    definition["parameters"]["theta"]["sd"] = 3.0
    calib = write_calibration(tmp_path / "slow.yaml", definition)
    out = tmp_path / "fit"
    db, gate = out / "abc.db", tmp_path / "gate"
    # once a generation is stored the model holds every evaluation until the gate opens: the kill
    # finds the calibration between generations, however fast or busy the machine is
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)]), "TOY_HOLD_DB": str(db),
           "TOY_GATE": str(gate)}
    command = [sys.executable, "-m", "sim", "calibrate", str(calib), "--out", str(out), "--workers", "1",
               "--no-charts", "--model", "calibration_toys:held_normal_mean"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + HANG_GUARD_S  # a hang guard, not a speed limit
    stored: list[tuple[Any, ...]] = []
    while not stored:
        assert process.poll() is None, process.communicate()[1]  # held: it cannot finish before the kill
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"hang: no generation was stored in {HANG_GUARD_S} s")
        if db.exists():
            try:
                with sqlite3.connect(db) as connection:
                    stored = connection.execute("SELECT t, epsilon, nr_samples FROM populations WHERE t >= 0 "
                                                "ORDER BY t").fetchall()
            except sqlite3.Error:
                stored = []
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=HANG_GUARD_S)
    assert not (out / "manifest.json").exists()
    assert len(stored) == 1, "held after the first generation"
    gate.touch()
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_GUARD_S)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming the ABC-SMC history" in rerun.stderr
    with sqlite3.connect(db) as connection:
        final = connection.execute("SELECT t, epsilon, nr_samples FROM populations WHERE t >= 0 ORDER BY t").fetchall()
        prior_samples = connection.execute("SELECT COUNT(*) FROM populations WHERE t < 0").fetchone()[0]
    assert final[:len(stored)] == stored  # the stored generations are kept as they were
    assert len(final) > len(stored) and final[-1][1] == pytest.approx(1.0)
    assert prior_samples == 1  # the prior sample was not drawn again
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["resumed_after"] == len(stored)


BAD_FILES = {
    "unknown key": ({"reps": 2, "repz": 3}, "repz", "did you mean reps"),
    "not a parameter": ({"parameters": {"school_mentors.students_per_mentr": {"prior": "uniform",
                                                                              "bounds": [5, 30]}}},
                        "parameters[school_mentors.students_per_mentr]", "students_per_mentor"),
    "not an outcome": ({"targets": [{"scenario": "base", "outcome": "employment_rate_6mo", "value": 0.9,
                                     "se": 0.01}]}, "targets[0].outcome", "employment_rate_6m"),
    "reversed bounds": ({"parameters": {"attrition.termination_rate_per_year": {"prior": "log-uniform",
                                                                                "bounds": [0.4, 0.02]}}},
                        "parameters[attrition.termination_rate_per_year].bounds", "reversed"),
    "value without se": ({"targets": [{"scenario": "base", "outcome": "dropout_rate", "value": 0.1}]},
                         "targets[0]", "standard error"),
    "unknown scenario": ({"targets": [{"scenario": "pilot", "outcome": "dropout_rate", "band": [0.05, 0.3]}]},
                         "targets[0].scenario", "'pilot'"),
    "a choice is not a number": ({"parameters": {"calendar.schedule": {"prior": "uniform", "bounds": [0, 1]}}},
                                 "parameters[calendar.schedule]", "not a number"),
    "bound the scenario refuses": ({"parameters": {"programme.curriculum_alignment": {"prior": "uniform",
                                                                                      "bounds": [0.2, 1.5]}}},
                                   "parameters[programme.curriculum_alignment].bounds", "1.5"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_calibration_files_exit_2_naming_file_and_key(case: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    changes, key, words = BAD_FILES[case]
    (tmp_path / "base.yaml").write_text(yaml.safe_dump({"name": "base", **TINY}), encoding="utf-8")
    definition: dict[str, Any] = {
        "seed": 1, "budget": {"simulations": 10_000}, "scenarios": {"base": "base.yaml"},
        "parameters": {"attrition.termination_rate_per_year": {"prior": "log-uniform", "bounds": [0.02, 0.4]}},
        "targets": [{"scenario": "base", "outcome": "early_termination_rate", "band": [0.247, 0.297]}]}
    definition.update(changes)
    calib = write_calibration(tmp_path / "bad.yaml", definition)
    out = tmp_path / "never"
    assert main(["calibrate", str(calib), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"talentsim: error: {calib}: {key}: "), err
    assert words in err
    assert not out.exists()


def test_the_shipped_calibration_files_are_valid() -> None:
    from sim.calibration import plan_calibration

    for path in sorted((ROOT / "scenarios" / "calibration").glob("*.yaml")):
        plan = plan_calibration(path)
        assert plan.spec.method == "abc-smc" and plan.spec.targets, path


# ---------------------------------------------------------------------------- projections


@pytest.fixture(scope="module")
def toy_posterior(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("posterior") / "fit"
    definition = toy_definition(abc={"population_size": 60, "generations": 2}, budget={"simulations": 5000})
    calibrate(definition, out=out, model=toys.normal_mean)
    return out


def test_compare_with_a_posterior_uses_draw_k_in_every_scenario(toy_posterior: Path, tmp_path: Path) -> None:
    scenarios = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "mentor_ratio_low.yaml"]
    result = compare(scenarios, 40, 3, model=toys.scaled_mean, posterior=toy_posterior, out=tmp_path / "cmp")
    runs = result.per_run
    first, second = (runs[runs["scenario"] == label].set_index("rep") for label in ("baseline", "mentor_ratio_low"))
    assert (first["theta"] == second["theta"]).all() and (first["seed"] == second["seed"]).all()
    assert first["theta"].nunique() > 10  # draws differ between replications
    assert first["theta"].tolist()[:5] == [d["theta"] for d in posterior_draws(toy_posterior, 40, 3)][:5]
    quantiles = result.posterior_differences
    assert quantiles is not None
    row = quantiles[quantiles["outcome"] == "y"].iloc[0]
    assert row["q05"] < row["median"] < row["q95"] and row["n"] == 40
    differences = second["y"] - first["y"]
    assert row["q05"] == pytest.approx(float(np.quantile(differences, 0.05)))
    assert (tmp_path / "cmp" / "posterior_differences.csv").is_file()
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["posterior"]["draws"] == 40


def test_compare_posterior_refuses_scenarios_that_differ_in_a_calibrated_parameter(tmp_path: Path) -> None:
    folder = tmp_path / "fake"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "calibrate", "method": "abc-smc",
                                                      "model_version": MODEL_VERSION, "parameters": [
        {"key": "school_mentors.students_per_mentor", "prior": "uniform", "bounds": [5, 40]}]}), encoding="utf-8")
    pd.DataFrame({"school_mentors.students_per_mentor": [10.0, 20.0], "weight": [0.5, 0.5]}).to_parquet(
        folder / "posterior.parquet")
    scenarios = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "mentor_ratio_low.yaml"]
    with pytest.raises(PosteriorError, match="students_per_mentor"):
        compare(scenarios, 4, 1, posterior=folder)
    point = tmp_path / "point"
    point.mkdir()
    (point / "manifest.json").write_text(json.dumps({"kind": "calibrate", "method": "optuna"}), encoding="utf-8")
    with pytest.raises(PosteriorError, match="point fit"):
        compare(scenarios, 4, 1, posterior=point)
