"""A quick point fit with Optuna: the parameter values that bring the simulation closest to the targets.

Optuna's TPE sampler (seeded from the master seed) proposes parameter values on the
priors' internal scale; each trial runs every target scenario ``reps`` times on the
talentsim backend (local processes: ``--workers``) and scores ``d^2`` plus ``z^2`` of each
normal prior (the posterior mode under the ``rss`` distance). Every trial uses the same
replication seeds (common random numbers across trials as well as across scenarios), so
the trials are compared under the same luck and the score is a deterministic function
of the values.

There is no posterior: the fit gives a point and a table of trials, and says nothing
about which parameters the targets identify. The study is kept in ``DIR/optuna.db``; a
rerun with the same folder continues it (trials interrupted by a kill stay marked
"running" and are not counted).
"""

from __future__ import annotations

import logging
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.evaluate import Problem, evaluation_seeds, target_means, tasks_for
from sim.calibration.spec import CalibrationSpec
from sim.calibration.sqlite import write_ahead_logging
from sim.errors import UserError
from sim.experiments.backends import Backend, DaskBackend, SerialBackend
from sim.experiments.runner import Evaluator, execute
from sim.experiments.seeds import derived_seed
from sim.messages import text

DB_FILE = "optuna.db"
STUDY = "talentsim-calibration"
OPTUNA_SEED_PURPOSE = 12


@dataclass(frozen=True)
class PointResult:
    """The point fit: every finished trial and the best.

    Attributes:
        trials: One row per finished trial: ``trial``, every prior's internal name, ``score``,
            ``d2`` and the simulated means ``m<i>``.
        best: The best trial's row.
        evaluations: Finished trials.
        wall_time_s: Time spent in trials, over every session.
        stopped: ``budget_simulations`` or ``budget_wall_time``.
        sessions_resumed: Trials stored before this session (None: a new study).
    """

    trials: pd.DataFrame
    best: dict[str, Any]
    evaluations: int
    wall_time_s: float
    stopped: str
    sessions_resumed: int | None


def penalty(problem: Problem, internal: dict[str, float]) -> float:
    """``z^2`` of the value under each normal prior (uniform priors add nothing)."""
    total = 0.0
    for prior in problem.priors:
        if prior.kind == "normal":
            assert prior.mean is not None and prior.sd is not None
            total += ((internal[prior.name] - prior.mean) / prior.sd) ** 2
    return total


def run_point_fit(problem: Problem, spec: CalibrationSpec, folder: Path, backend: Backend | None, *,
                  progress: bool = False, quiet: bool = False) -> PointResult:
    """Run (or continue) the Optuna study in ``folder/optuna.db`` until the budget is spent.

    Raises:
        sim.errors.UserError: ``backend`` is a Dask cluster (the point fit is local only).
        sim.calibration.evaluate.CalibrationRunError: A run failed.
    """
    import optuna

    if isinstance(backend, DaskBackend):
        raise UserError(text("calibration.optuna_local_only"))
    optuna.logging.set_verbosity(logging.WARNING)
    db = folder / DB_FILE
    with write_ahead_logging():  # every connection the study opens, also during optimize()
        return _run(optuna, problem, spec, db, backend, progress, quiet)


def _run(optuna: Any, problem: Problem, spec: CalibrationSpec, db: Path, backend: Backend | None, progress: bool,
         quiet: bool) -> PointResult:
    existed = db.exists()
    sampler = optuna.samplers.TPESampler(seed=derived_seed(spec.seed, OPTUNA_SEED_PURPOSE))
    study = optuna.create_study(study_name=STUDY, storage=f"sqlite:///{db}", sampler=sampler, direction="minimize",
                                load_if_exists=True)
    finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    resumed = len(finished) if existed else None
    max_trials = (math.ceil(spec.budget.simulations / problem.runs_per_evaluation)
                  if spec.budget.simulations is not None else None)
    spent = sum(float(t.user_attrs.get("seconds", 0.0)) for t in finished)
    wall = spec.budget.wall_time_minutes
    seeds = evaluation_seeds(spec.seed, problem.reps)
    evaluator = Evaluator(problem.model, problem.scenarios)
    start = time.perf_counter()
    if progress and resumed is not None:
        print(text("calibration.resuming_trials", db=db, trials=resumed,
                   simulations=resumed * problem.runs_per_evaluation), file=sys.stderr, flush=True)

    def objective(trial: Any) -> float:
        began = time.perf_counter()
        internal = {p.name: trial.suggest_float(p.name, *p.internal_bounds) for p in problem.priors}
        values = problem.values(internal)
        records = execute(tasks_for(problem, 0, values, seeds), evaluator, active)
        means, _ = target_means(problem, records, 0, problem.reps)
        d = problem.distance(means)
        d2 = d * d if math.isfinite(d) else 1e300
        for index, mean in enumerate(means):
            trial.set_user_attr(f"m{index}", float(mean))
        trial.set_user_attr("d2", d2)
        trial.set_user_attr("seconds", time.perf_counter() - began)
        score = d2 + penalty(problem, internal)
        if progress and not quiet:
            done = len(finished) + trial.number - first_number + 1
            print(text("calibration.progress_trial", trial=done, trials=max_trials or "?", score=score, best=min(
                score, best_score[0]), seconds=time.perf_counter() - start), file=sys.stderr, flush=True)
        best_score[0] = min(best_score[0], score)
        return score

    best_score = [min((float(t.value) for t in finished if t.value is not None), default=math.inf)]
    first_number = len(study.trials)
    remaining = None if max_trials is None else max(0, max_trials - len(finished))
    remaining_wall = None if wall is None else max(0.0, wall * 60 - spent)
    if (remaining is None or remaining > 0) and (remaining_wall is None or remaining_wall > 0):
        with backend or SerialBackend() as active:
            study.optimize(objective, n_trials=remaining, timeout=remaining_wall, catch=())
    finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    spent = sum(float(t.user_attrs.get("seconds", 0.0)) for t in finished)
    rows = []
    for t in finished:
        row: dict[str, Any] = {"trial": t.number}
        row.update({p.name: float(t.params[p.name]) for p in problem.priors})
        row["score"] = float(t.value) if t.value is not None else math.inf
        row["d2"] = float(t.user_attrs["d2"])
        row.update({f"m{i}": float(t.user_attrs[f"m{i}"]) for i in range(len(problem.targets))})
        rows.append(row)
    trials = pd.DataFrame(rows)
    best = {str(k): v for k, v in trials.iloc[int(np.argmin(trials["score"].to_numpy()))].items()}
    stopped = "budget_simulations" if max_trials is not None and len(finished) >= max_trials else "budget_wall_time"
    return PointResult(trials, best, len(finished), spent, stopped, resumed)


__all__ = ["DB_FILE", "PointResult", "penalty", "run_point_fit"]
