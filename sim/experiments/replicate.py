"""Replications of one scenario: the same model, seeds spawned from one master seed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.experiments.backends import Backend
from sim.experiments.models import ModelFn, talent_model
from sim.experiments.runner import Evaluator, RunTask, execute
from sim.experiments.seeds import run_seed
from sim.experiments.tables import records_table
from sim.scenario import Scenario, resolve_scenario

ScenarioLike = Scenario | str | os.PathLike[str]


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
        scenario: A scenario, or the path of a scenario file.
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
    resolved = resolve_scenario(scenario, overrides)
    records = execute(replication_tasks(reps, master_seed), Evaluator(model, (resolved,)), backend,
                      progress=progress, quiet=quiet)
    return records_table(records).drop(columns="point")
