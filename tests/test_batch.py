"""Batched runs equal runs alone, bit for bit; the experiment machinery batches without changing a record.

``sim.model.run_batch`` simulates several runs in one set of arrays (``sim.engine.batch``).
Nothing a run returns may depend on the company it keeps: its summary, weekly time
series, per-student table and event log are compared exactly (no tolerance) with the
same run made alone, on every shipped scenario, for batches of 1, 2 and 7 runs, and for
a batch that mixes sweep points of different sizes and programme designs.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from same_run import assert_same_run

from sim.engine.batch import Batch
from sim.engine.clock import WeeklyClock
from sim.engine.world import World
from sim.experiments.backends import SerialBackend
from sim.experiments.models import talent_model
from sim.experiments.runner import (
    BATCH_MAX,
    BatchEvaluator,
    Evaluator,
    RunTask,
    TaskBatch,
    batch_size,
    default_batch,
    execute,
)
from sim.experiments.store import RunStore
from sim.initial_world import build_world
from sim.model import run_batch, run_one
from sim.phases import weekly_phases
from sim.scenario import resolve_scenario, with_overrides

SHIPPED = sorted(p for p in Path("scenarios").glob("*.yaml"))
SEEDS = (11, 12, 13, 14, 15, 16, 17)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_batches_of_1_2_and_7_equal_the_runs_alone(path: Path) -> None:
    scenario = resolve_scenario(path, {})
    alone = [run_one(scenario, seed, events=True) for seed in SEEDS]
    for size in (1, 2, 7):
        batched = run_batch([scenario] * size, SEEDS[:size], events=True)
        for a, b in zip(alone[:size], batched, strict=True):
            assert_same_run(a, b)


def test_a_batch_of_sweep_points_of_different_sizes_and_designs_equals_the_points_alone() -> None:
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 120})
    points = [
        base,
        with_overrides(base, {"school_mentors.students_per_mentor": 30, "school_mentors.turnover_rate_per_year": 0.4},
                       "point"),  # fewer mentor posts, more turnover
        with_overrides(base, {"intake.cohort_size": 75, "learning.noise_sd": 0.4,  # fewer students
                              "attrition.dropout_rate_per_year": 0.3, "contact.problem_resolution_share": 0.2,
                              "evaluation.theory_weight": 0.2, "evaluation.practical_skill_weight": 0.6,
                              "labour_market.job_loss_rate_per_year": 0.2},
                       "point"),
        with_overrides(base, {"enterprises.count": 23, "learning.practical_skill_points_per_week": 1.4},
                       "point"),
        resolve_scenario("scenarios/traditional.yaml", {"intake.cohort_size": 90}),  # no dual mentoring
        resolve_scenario("scenarios/enterprise_incentives.yaml",  # certified firms, titles
                         {"intake.cohort_size": 80, "simulation.horizon_years": base.simulation.horizon_years}),
        resolve_scenario("scenarios/alternating.yaml",  # another calendar
                         {"intake.cohort_size": 50, "simulation.horizon_years": base.simulation.horizon_years}),
        resolve_scenario("scenarios/enterprise_apprenticeship.yaml",  # completion subsidies
                         {"intake.cohort_size": 70, "simulation.horizon_years": base.simulation.horizon_years}),
        resolve_scenario("scenarios/secondary_dual_mentor.yaml",
                         {"intake.cohort_size": 60, "simulation.horizon_years": base.simulation.horizon_years}),
    ]
    seeds = list(range(5, 5 + len(points)))
    batched = run_batch(points, seeds, events=True)
    for scenario, seed, b in zip(points, seeds, batched, strict=True):
        assert_same_run(run_one(scenario, seed, events=True), b)


def test_runs_of_different_horizons_are_refused_in_one_batch() -> None:
    short = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 20, "simulation.horizon_years": 4})
    long = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 20, "simulation.horizon_years": 6})
    with pytest.raises(ValueError, match="horizon"):
        run_batch([short, long], [1, 2])


SMALL = {"intake.cohort_size": 40}


def tasks_with(params: list[dict[str, Any]]) -> list[RunTask]:
    return [RunTask(point=i, rep=0, seed=100 + i, params=p) for i, p in enumerate(params)]


def test_a_failing_run_in_a_batch_is_reported_and_the_others_keep_their_results() -> None:
    evaluator = Evaluator(talent_model, (resolve_scenario("scenarios/baseline.yaml", SMALL),))
    params: list[dict[str, Any]] = [{"school_mentors.students_per_mentor": v} for v in (10, 15, -3, 20)]
    tasks = tasks_with(params)
    results = BatchEvaluator(evaluator)(TaskBatch(tuple(tasks)))
    assert [isinstance(r, dict) for r in results] == [True, True, False, True]
    assert "students_per_mentor" in results[2].message
    for task, result in zip(tasks, results, strict=True):
        if isinstance(result, dict):
            assert result == evaluator(task)  # the same outcomes as the run alone


def test_execute_gives_the_same_records_whatever_the_batch_size() -> None:
    evaluator = Evaluator(talent_model, (resolve_scenario("scenarios/baseline.yaml", SMALL),))
    tasks = tasks_with([{"learning.noise_sd": v} for v in (0.2, 0.3, 0.4, 0.5, 0.6)])
    one_by_one = execute(tasks, evaluator, SerialBackend(batch=1))
    assert execute(tasks, evaluator, SerialBackend(batch=2)) == one_by_one
    assert execute(tasks, evaluator, SerialBackend(batch=5)) == one_by_one


class _KilledAfter(SerialBackend):
    """A serial backend whose process is 'killed' (KeyboardInterrupt) when it starts batch ``n``."""

    def __init__(self, batch: int, killed_at: int) -> None:
        super().__init__(batch)
        self.killed_at = killed_at

    def map(self, fn: Any, tasks: Any) -> Any:
        for i, pair in enumerate(super().map(fn, tasks)):
            if i == self.killed_at:
                raise KeyboardInterrupt
            yield pair


def test_the_store_resumes_after_a_kill_in_the_middle_of_a_batch(tmp_path: Path) -> None:
    evaluator = Evaluator(talent_model, (resolve_scenario("scenarios/baseline.yaml", SMALL),))
    tasks = tasks_with([{"learning.noise_sd": 0.1 * k} for k in range(1, 7)])
    definition = {"test": "resume"}
    with RunStore(tmp_path / "exp", "sweep", definition, {}) as store, pytest.raises(KeyboardInterrupt):
        execute(tasks, evaluator, _KilledAfter(batch=2, killed_at=1), store=store)
    with RunStore(tmp_path / "exp", "sweep", definition, {}) as store:
        kept = store.stored()
        assert sorted(kept) == [(0, 0), (1, 0)]  # the finished batch is kept, the interrupted one lost
        resumed = execute(tasks, evaluator, SerialBackend(batch=2), store=store)
    assert resumed == execute(tasks, evaluator, SerialBackend(batch=1))


def test_the_batch_size_rule_shares_the_runs_among_the_workers() -> None:
    assert batch_size(20, 2, None) == 10
    assert batch_size(1000, 2, None) == BATCH_MAX == 64
    assert batch_size(100, 2, None) == 50
    assert batch_size(100, 2, 4) == 4
    assert batch_size(3, 2, 8) == 2
    assert batch_size(0, 2, None) == 1


def test_the_default_batch_holds_as_many_runs_as_fit_its_students() -> None:
    """Small runs batch by up to 64, a run of 100,000 students alone; ``run --reps`` and ``sweep`` use the rule."""
    from sim.cli.experiment_options import batch_option
    from sim.scenario.city_loading import CitySource, load_city

    assert default_batch(2_100) == 64 and default_batch(4_500) == 30 and default_batch(100_000) == 1
    assert default_batch(0) == 64
    args = argparse.Namespace(batch=None, max_memory=None, workers=2)
    assert batch_option(args, [resolve_scenario(None, {})]) == 64
    assert batch_option(args, [resolve_scenario(None, {"intake.cohort_size": 4_000})]) == 11  # 12,000 students
    path = "scenarios/city/shenyang.yaml"
    city = CitySource(path, {}, load_city(path))
    assert batch_option(args, [city]) == 135_000 // city.plan.n_students  # a city's students, all programmes'
    assert batch_option(argparse.Namespace(batch=3, max_memory=None, workers=2), [resolve_scenario(None, {})]) == 3


def test_a_calibration_evaluation_is_the_same_batched_or_run_by_run() -> None:
    from sim.calibration.calibrate import plan_calibration
    from sim.calibration.evaluate import evaluation_seeds

    plan = plan_calibration("scenarios/calibration/published_bands.yaml", overrides={"intake.cohort_size": 40})
    problem = plan.problem
    assert problem.batch and problem.runs_per_evaluation > 1
    internal = {p.name: float(p.pyabc_rv().rvs(random_state=3)) for p in problem.priors}
    seeds = evaluation_seeds(9, problem.reps)
    batched = problem.run(problem.values(internal), seeds)
    alone = dataclasses.replace(problem, batch=False).run(problem.values(internal), seeds)
    assert batched.tolist() == alone.tolist()


def test_the_calibration_with_one_worker_is_reproducible_with_batching_on(tmp_path: Path) -> None:
    from sim.calibration.calibrate import calibrate, plan_calibration
    from sim.experiments.models import talent_model

    definition: dict[str, Any] = {
        "name": "tiny", "method": "abc-smc", "seed": 3, "reps": 2, "budget": {"simulations": 400},
        "scenarios": {"pilot": str(Path("scenarios/baseline.yaml").resolve())},
        "parameters": {"learning.practical_skill_points_per_week": {"prior": "log-uniform", "bounds": [1.2, 4.8]}},
        "targets": [{"scenario": "pilot", "outcome": "host_retention_rate", "band": [0.55, 0.8]}],
        "abc": {"population_size": 6, "generations": 1}, "predictive": {"draws": 2, "reps": 1}}
    small = {"intake.cohort_size": 30}
    first = calibrate(definition, out=tmp_path / "a", backend=SerialBackend(), model=talent_model, overrides=small)
    assert first.manifest["sampler"].startswith("BatchingSampler (32 particles a batch")  # 64 runs, 2 a particle
    second = calibrate(definition, out=tmp_path / "b", backend=SerialBackend(), model=talent_model, overrides=small)
    pd.testing.assert_frame_equal(first.posterior, second.posterior)
    # each particle's evaluation, made in a batch of particles, is the one its values and seed give alone
    plan = plan_calibration(definition, model=talent_model, overrides=small)
    alone = dataclasses.replace(plan.problem, batch=False)
    from sim.calibration.evaluate import evaluation_seeds

    key = "learning.practical_skill_points_per_week"
    prior = alone.priors[0]
    posterior = first.posterior
    for value, seed, simulated in zip(posterior[key], posterior["seed"],  # columns: seeds stay whole numbers
                                      posterior["simulated: host_retention_rate @ pilot"], strict=True):
        mean = alone.run({key: prior.model_value(float(value))}, evaluation_seeds(int(seed), alone.reps))[0]
        assert mean == simulated
    # a batch of one particle's runs (--batch 2) gives the posterior of runs one by one (--batch 1)
    whole = calibrate(definition, out=tmp_path / "c", backend=SerialBackend(batch=2), model=talent_model,
                      overrides=small)
    unbatched = calibrate(definition, out=tmp_path / "d", backend=SerialBackend(batch=1), model=talent_model,
                          overrides=small)
    assert whole.manifest["sampler"].startswith("SingleCoreSampler")
    pd.testing.assert_frame_equal(whole.posterior, unbatched.posterior)


def test_a_batch_size_below_one_is_refused_before_any_folder(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli import main

    out = tmp_path / "run"
    assert main(["run", "scenarios/baseline.yaml", "--reps", "2", "--batch", "0", "--out", str(out)]) == 2
    assert "--batch 0" in capsys.readouterr().err
    assert not out.exists()


def test_compare_gives_the_same_tables_whatever_the_batch_size(tmp_path: Path) -> None:
    from sim.cli import main

    common = ["compare", "scenarios/baseline.yaml", "scenarios/traditional.yaml", "--reps", "3", "--workers", "1",
              "--set", "intake.cohort_size=40", "--no-charts", "--quiet"]
    assert main([*common, "--batch", "1", "--out", str(tmp_path / "one")]) == 0
    assert main([*common, "--batch", "3", "--out", str(tmp_path / "three")]) == 0
    for table in ("comparison.csv", "differences.csv"):
        assert (tmp_path / "one" / table).read_bytes() == (tmp_path / "three" / table).read_bytes()


def _credit_share(world: World) -> float:
    return world.scenario.incentives.tax_credit_share


def test_a_value_derived_from_the_scenario_follows_a_parameter_set_while_a_batch_runs() -> None:
    """``Batch.derived`` keeps each run's value between weeks, and forgets it when a scenario changes (as ``param``)."""
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 60}).model_copy(deep=True)
    other = with_overrides(base, {"incentives.tax_credit_share": 0.1}, "other")
    batch = Batch([build_world(base, 1), build_world(other, 2)])
    firms = np.array([0, batch.groups.starts["enterprises"][1]])
    assert batch.derived(_credit_share, "enterprises", firms).tolist() == [base.incentives.tax_credit_share, 0.1]
    base.incentives.tax_credit_share = 0.2  # a parameter set on a running model
    assert batch.derived(_credit_share, "enterprises", firms).tolist() == [0.2, 0.1]
    batch.worlds[1].scenario = with_overrides(other, {"incentives.tax_credit_share": 0.2}, "third")
    batch.set_week(1)
    assert batch.derived(_credit_share, "enterprises", firms) == 0.2  # every run's the same: one number
    assert Batch([batch.worlds[1]]).derived(_credit_share) == 0.2


def _shares(world: World) -> tuple[float, float]:
    return world.scenario.incentives.tax_credit_share, world.scenario.learning.noise_sd


def test_rows_derived_from_the_scenarios_follow_a_parameter_set_while_a_batch_runs() -> None:
    """``Batch.derived_rows`` keeps each run's row between weeks, and forgets them when a scenario changes."""
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 60}).model_copy(deep=True)
    other = with_overrides(base, {"incentives.tax_credit_share": 0.1}, "other")
    batch = Batch([build_world(base, 1), build_world(other, 2)])
    noise = base.learning.noise_sd
    assert batch.derived_rows(_shares).tolist() == [[base.incentives.tax_credit_share, noise], [0.1, noise]]
    base.learning.noise_sd = 0.25  # a parameter set on a running model
    assert batch.derived_rows(_shares).tolist() == [[base.incentives.tax_credit_share, 0.25], [0.1, noise]]
    batch.worlds[1].scenario = with_overrides(other, {"learning.noise_sd": 0.5}, "third")
    batch.set_week(1)
    assert batch.derived_rows(_shares)[:, 1].tolist() == [0.25, 0.5]
    assert Batch([batch.worlds[0]]).derived_rows(_shares).tolist() == [[base.incentives.tax_credit_share, 0.25]]


def test_a_learning_parameter_set_on_running_batches_takes_effect_as_on_a_run_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The learning table's scenario columns (kept between weeks) follow a parameter set mid-run.

    The run alone learns by NumPy (``TALENTSIM_NUMBA=0``: the parameters read as the week
    comes), the batch by the compiled loop where numba is installed (its kept table).
    """
    scenario = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 40})

    def run(n_runs: int) -> list[dict[str, float]]:
        worlds = [build_world(scenario.model_copy(deep=True), seed) for seed in range(1, n_runs + 1)]
        batch = Batch(worlds)
        clock = WeeklyClock(weekly_phases(), batch)
        for week in range(120):
            if week == 60:
                worlds[0].scenario.learning.theory_points_per_week = 9.0
            clock.advance()
        return [{"theory": float(w.students.theory.mean())} for w in worlds]

    with monkeypatch.context() as m:
        m.setenv("TALENTSIM_NUMBA", "0")
        alone = [run(1)[0]]
    together = run(2)
    assert together[0] == alone[0]
    assert together[0]["theory"] > together[1]["theory"]


def test_a_parameter_set_while_a_batch_runs_is_read_at_once() -> None:
    """``Batch.param`` keeps each run's values between reads, and forgets them when a scenario changes.

    Both ways a scenario changes while runs run: a section assigned to (validated assignment,
    counted by ``scenario_changes``), and a run given another scenario (seen at the week's start).
    """
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 60}).model_copy(deep=True)
    other = with_overrides(base, {"learning.noise_sd": 0.4}, "other")
    batch = Batch([build_world(base, 1), build_world(other, 2)])
    assert batch.param("learning.noise_sd", "students", np.array([0, 180])).tolist() == [
        base.learning.noise_sd, 0.4]
    base.learning.noise_sd = 0.25  # a parameter set on a running model
    assert batch.param("learning.noise_sd", "students", np.array([0, 180])).tolist() == [0.25, 0.4]
    assert batch.param("attrition.dropout_rate_per_year") == base.attrition.dropout_rate_per_year
    batch.worlds[1].scenario = with_overrides(other, {"attrition.dropout_rate_per_year": 0.5}, "third")
    batch.set_week(1)
    assert batch.param("attrition.dropout_rate_per_year", "students", np.array([0, 180])).tolist() == [
        base.attrition.dropout_rate_per_year, 0.5]
