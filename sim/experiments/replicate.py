"""Replications of one scenario: the same model, seeds spawned from one master seed."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from sim.experiments.backends import Backend
from sim.experiments.models import ModelFn, talent_model
from sim.experiments.runner import Evaluator, RunTask, execute
from sim.experiments.seeds import run_seed
from sim.experiments.stats import mean_ci
from sim.experiments.tables import records_table
from sim.scenario import Scenario, resolve_scenario
from sim.scenario.city_loading import CitySource, is_city_file

if TYPE_CHECKING:
    from sim.results import RunResult

ScenarioLike = Scenario | CitySource | str | os.PathLike[str]
"""What an experiment takes as a scenario: a Scenario, a city (``CitySource``), or a scenario or city file's path."""


def resolve_base(given: ScenarioLike | None, overrides: Mapping[str, Any] | None = None) -> Scenario | CitySource:
    """A scenario with ``overrides`` applied, or a city: a city file's path (or a ``CitySource``) with them.

    Raises:
        sim.scenario.ScenarioError: the file or an override is refused.
    """
    if isinstance(given, CitySource):
        return CitySource.read(given.path, {**given.overrides, **overrides}) if overrides else given
    if isinstance(given, str | os.PathLike) and is_city_file(given):
        return CitySource.read(given, overrides)
    return resolve_scenario(given, overrides)


def base_scenarios(bases: Sequence[Scenario | CitySource]) -> list[Scenario]:
    """Every scenario the bases run: a scenario itself, a city's programmes' (what horizon warnings read)."""
    return [scenario for base in bases for scenario in
            ([p.scenario for p in base.plan.programmes] if isinstance(base, CitySource) else [base])]


def replication_tasks(reps: int, master_seed: int, scenario_index: int = 0, point: int = 0,
                      seed_point: int = 0) -> list[RunTask]:
    """Tasks for replications ``0 .. reps-1``; replication ``k`` gets the seed of ``(seed_point, k)``."""
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    return [RunTask(point, rep, run_seed(master_seed, seed_point, rep), scenario_index)
            for rep in range(reps)]


def replicate(scenario: ScenarioLike, reps: int, master_seed: int, *, backend: Backend | None = None,
              model: ModelFn = talent_model, overrides: Mapping[str, Any] | None = None,
              progress: bool = False, quiet: bool = False) -> pd.DataFrame:
    """Run a scenario ``reps`` times with seeds spawned from ``master_seed``.

    Replication ``k`` gets the seed ``run_seed(master_seed, 0, k)``, the same seed it
    gets in :func:`sim.experiments.compare`, so ``talentsim run --reps`` and a
    comparison with the same master seed share their runs' luck.

    Args:
        scenario: A scenario, or the path of a scenario file; or a city (its file's path,
            or a ``CitySource``): its outcomes are ``CityResult.outcomes()``.
        reps: Number of replications.
        master_seed: The recorded master seed (non-negative integer).
        backend: Where the runs execute (default: serially in this process).
        model: The model function (default: the talent simulation).
        overrides: Values by dotted key applied to the scenario (``--set``).
        progress: Show progress on stderr.
        quiet: With ``progress``, only the final summary line.

    Returns:
        One row per replication: ``rep``, ``seed``, every outcome, ``error`` (empty
        unless the run failed).
    """
    resolved = resolve_base(scenario, overrides)
    records = execute(replication_tasks(reps, master_seed), Evaluator(model, (resolved,)), backend,
                      progress=progress, quiet=quiet)
    return records_table(records).drop(columns="point")


class ReplicatedRun(NamedTuple):
    """One scenario run ``reps`` times: what ``talentsim run`` writes to its folder.

    Attributes:
        first: The whole result of the first replication (time series, per-student
            records, events), run again in this process with its seed.
        replications: One row per replication (``rep``, ``seed``, every outcome, ``error``);
            None for a single run.
        summary: Each outcome's mean over the replications (a single run: its value).
        ci: Each outcome's 95% confidence interval ``(low, high)``; None for a single run.
        seeds: The seed of each replication, in order.
    """

    first: RunResult
    replications: pd.DataFrame | None
    summary: dict[str, float]
    ci: dict[str, tuple[float, float]] | None
    seeds: list[int]


def run_replications(scenario: ScenarioLike, reps: int, master_seed: int, *, backend: Backend | None = None,
                     events: bool = False, max_memory_bytes: int | None = None,
                     overrides: Mapping[str, Any] | None = None, progress: bool = False,
                     quiet: bool = False) -> ReplicatedRun:
    """Run a scenario ``reps`` times; the first run's full result, every run's outcomes, means and CIs.

    With ``reps == 1`` this is one run with the seed ``master_seed`` itself. With more,
    replication ``k`` gets the seed ``run_seed(master_seed, 0, k)`` (as in
    :func:`replicate` and :func:`sim.experiments.compare`), the replications run on
    ``backend``, and the first is run once more here to keep its time series and
    per-student records.

    Args:
        scenario: A scenario, or the path of a scenario file.
        reps: Number of replications, at least 1.
        master_seed: The recorded master seed (non-negative integer).
        backend: Where the replications execute (default: serially in this process).
        events: Also keep the first run's event log.
        max_memory_bytes: Refuse a scenario whose estimated memory exceeds this (None:
            75% of the machine's memory).
        overrides: Values by dotted key applied to the scenario (``--set``).
        progress: Show progress on stderr.
        quiet: With ``progress``, only the final summary line.

    Returns:
        The first run, the replications table, the means and the confidence intervals
        of every outcome, and the seeds.

    Raises:
        ValueError: ``reps`` is below 1.
        sim.scenario.ScenarioError: The scenario file or an override is invalid, or the
            scenario would not fit in memory.
    """
    from sim.model import run_one  # the model is loaded only when runs are made here

    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    if isinstance(scenario, CitySource) or (isinstance(scenario, str | os.PathLike) and is_city_file(scenario)):
        raise ValueError("run_replications runs a scenario; a city's replications: sim.replicate or sim.compare")
    resolved = resolve_scenario(scenario, overrides)
    if reps == 1:
        result = run_one(resolved, seed=master_seed, events=events, max_memory_bytes=max_memory_bytes)
        return ReplicatedRun(result, None, dict(result.summary), None, [master_seed])
    seeds = [run_seed(master_seed, 0, k) for k in range(reps)]
    replications = replicate(resolved, reps, master_seed, backend=backend, progress=progress, quiet=quiet)
    result = run_one(resolved, seed=seeds[0], events=events, max_memory_bytes=max_memory_bytes)
    outcomes = [name for name in result.summary if name in replications.columns]
    stats = {name: mean_ci(replications[name].to_numpy(dtype=float)) for name in outcomes}
    summary = {name: s["mean"] for name, s in stats.items()}
    ci = {name: (s["ci_low"], s["ci_high"]) for name, s in stats.items()}
    return ReplicatedRun(result, replications, summary, ci, seeds)
