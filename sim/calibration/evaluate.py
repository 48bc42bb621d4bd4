"""One evaluation of a parameter vector: every target scenario, the same values, the same seeds.

A :class:`Problem` holds what an evaluation needs and nothing heavy, so it pickles to
worker processes and Dask workers: the model function (the experiments' model hook,
``model(params, scenario, seed) -> outcomes``), the calibration's scenarios, its
targets, its priors and its replications. Replication ``k`` of every scenario gets the
same seed (common random numbers), so the targets are compared under the same luck.

ABC-SMC evaluates inside pyabc's sampler (:class:`AbcModel`: one evaluation runs its
``scenarios x reps`` runs together, as one batch, in the worker that drew the particle);
the point fit and the checks (the verdict, the predictive band) send the same runs to
a talentsim backend as :class:`sim.experiments.runner.RunTask` s (:func:`tasks_for`,
:func:`target_means`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.calibration.batch_sampler import gather
from sim.calibration.distance import Target, combine
from sim.calibration.priors import Prior
from sim.experiments.models import BATCHED, ModelFn
from sim.experiments.runner import RunTask
from sim.experiments.seeds import run_seed
from sim.experiments.store import RunRecord
from sim.messages import text

SEED_LIMIT = 2**63 - 1


class CalibrationRunError(RuntimeError):
    """A model run failed during a calibration (a bug or a parameter value the model cannot run)."""


@dataclass(frozen=True)
class Problem:
    """What one evaluation needs (picklable).

    Attributes:
        model: The model function.
        scenarios: The calibration's scenarios, in file order.
        targets: The targets, each naming its scenario by index.
        priors: The free parameters' priors, in file order.
        reps: Replications of every scenario per evaluation.
        how: ``rss`` or ``max``.
        batch: Simulate an evaluation's runs together (``sim.model.run_batch``) when the model
            can (``sim.experiments.models.BATCHED``); the results are the same either way.
    """

    model: ModelFn
    scenarios: tuple[Any, ...]
    targets: tuple[Target, ...]
    priors: tuple[Prior, ...]
    reps: int
    how: str
    batch: bool = True

    @property
    def runs_per_evaluation(self) -> int:
        """Model runs of one evaluation."""
        return len(self.scenarios) * self.reps

    def values(self, internal: Mapping[str, float]) -> dict[str, Any]:
        """The model's parameter values (dotted keys) from sampler values on the internal scale (by prior name)."""
        return {p.key: p.model_value(p.to_natural(float(internal[p.name]))) for p in self.priors}

    def run(self, values: Mapping[str, Any], seeds: Sequence[int]) -> np.ndarray:
        """Run every scenario with ``values`` and ``seeds`` here; the targets' means over the replications.

        Raises:
            CalibrationRunError: A run raised.
        """
        return self.run_many([(values, seeds)])[0]

    def run_many(self, points: Sequence[tuple[Mapping[str, Any], Sequence[int]]]) -> list[np.ndarray]:
        """``run`` of several parameter vectors (each with its seeds); with ``batch``, every run simulated together.

        Raises:
            CalibrationRunError: A run raised (found by running the runs one by one).
        """
        batch_fn = BATCHED.get(self.model) if self.batch else None
        if batch_fn is not None and len(points) * self.runs_per_evaluation > 1:
            keys = [(p, index, rep) for p, (_values, seeds) in enumerate(points)
                    for index in range(len(self.scenarios)) for rep in range(len(seeds))]
            try:
                together = batch_fn([dict(points[p][0]) for p, _, _ in keys], [self.scenarios[i] for _, i, _ in keys],
                                    [int(points[p][1][rep]) for p, _, rep in keys])
            except Exception:
                together = None  # a run failed: run them one by one below, to name it
            if together is not None:
                by_point: list[dict[tuple[int, int], Mapping[str, float]]] = [{} for _ in points]
                for (p, index, rep), outcomes in zip(keys, together, strict=True):
                    by_point[p][(index, rep)] = outcomes
                return [self.means(outcomes, len(seeds))[0]
                        for outcomes, (_values, seeds) in zip(by_point, points, strict=True)]
        return [self._run_one_by_one(values, seeds) for values, seeds in points]

    def _run_one_by_one(self, values: Mapping[str, Any], seeds: Sequence[int]) -> np.ndarray:
        outcomes: dict[tuple[int, int], Mapping[str, float]] = {}
        for index, scenario in enumerate(self.scenarios):
            for rep, seed in enumerate(seeds):
                try:
                    outcomes[(index, rep)] = self.model(dict(values), scenario, int(seed))
                except Exception as exc:
                    raise CalibrationRunError(text("calibration.run_failed", values=dict(values), seed=seed,
                                                   exception=type(exc).__name__, message=exc)) from exc
        return self.means(outcomes, len(seeds))[0]

    def means(self, outcomes: Mapping[tuple[int, int], Mapping[str, float]],
              reps: int) -> tuple[np.ndarray, np.ndarray]:
        """Each target's mean over the replications and its Monte Carlo standard error (NaN with one replication).

        Args:
            outcomes: ``(scenario index, rep) -> outcomes`` of one parameter vector.
            reps: Replications per scenario.
        """
        means, errors = [], []
        for target in self.targets:
            values = np.array([float(outcomes[(target.scenario, rep)].get(target.outcome, math.nan))
                               for rep in range(reps)])
            if not np.all(np.isfinite(values)):
                means.append(math.nan)
                errors.append(math.nan)
                continue
            means.append(float(values.mean()))
            errors.append(float(values.std(ddof=1) / math.sqrt(reps)) if reps > 1 else math.nan)
        return np.asarray(means), np.asarray(errors)

    def distances(self, means: Sequence[float] | np.ndarray) -> list[float]:
        """The targets' distances ``z``."""
        return [target.distance(float(mean)) for target, mean in zip(self.targets, means, strict=True)]

    def distance(self, means: Sequence[float] | np.ndarray) -> float:
        """The combined distance ``d``."""
        return combine(self.distances(means), self.how)


def evaluation_seeds(seed: int, reps: int) -> list[int]:
    """The replication seeds of one evaluation: the same for every scenario (common random numbers)."""
    return [run_seed(seed, 0, rep) for rep in range(reps)]


class AbcModel:
    """The model pyabc calls: one particle's parameters -> summary statistics (picklable).

    Each call draws its evaluation seed from NumPy's global generator, which pyabc seeds:
    with one process, from the calibration's master seed (a rerun gives the same
    particles); in worker processes, afresh per worker.

    The statistics: ``d2`` (the combined distance squared, for the kernel), ``m<i>`` and
    ``z<i>`` (target ``i``'s simulated mean and distance) and ``seed``.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.name = "talentsim"

    def __call__(self, parameters: Mapping[str, float]) -> dict[str, Any]:
        """Simulate one particle."""
        seed = int(np.random.randint(0, SEED_LIMIT, dtype=np.int64))  # noqa: NPY002 (pyabc seeds the global one)
        values = self.problem.values(parameters)
        seeds = evaluation_seeds(seed, self.problem.reps)
        gathered = gather(values, seeds)  # inside a BatchingSampler's batch: evaluated with the batch's others
        means = gathered if gathered is not None else self.problem.run(values, seeds)
        distances = self.problem.distances(means)
        d = combine(distances, self.problem.how)
        stats: dict[str, Any] = {"d2": d * d if math.isfinite(d) else math.inf, "seed": str(seed)}
        for index, (mean, z) in enumerate(zip(means, distances, strict=True)):
            stats[f"m{index}"] = float(mean)
            stats[f"z{index}"] = float(z)
        return stats


def tasks_for(problem: Problem, point: int, values: Mapping[str, Any], seeds: Sequence[int]) -> list[RunTask]:
    """The runs of one evaluation as backend tasks: point ``point * scenarios + scenario``, rep ``k``."""
    n = len(problem.scenarios)
    return [RunTask(point * n + index, rep, int(seed), index, dict(values))
            for index in range(n) for rep, seed in enumerate(seeds)]


def target_means(problem: Problem, records: Sequence[RunRecord], point: int,
                 reps: int) -> tuple[np.ndarray, np.ndarray]:
    """Each target's mean and Monte Carlo error for evaluation ``point`` from its run records.

    Raises:
        CalibrationRunError: A run of the evaluation failed.
    """
    n = len(problem.scenarios)
    by_key = {record.key: record for record in records}
    outcomes: dict[tuple[int, int], Mapping[str, float]] = {}
    for index in range(n):
        for rep in range(reps):
            record = by_key[(point * n + index, rep)]
            if record.failed:
                raise CalibrationRunError(text("calibration.run_failed", values=record.params, seed=record.seed,
                                               exception="Error", message=record.error))
            outcomes[(index, rep)] = record.outcomes
    return problem.means(outcomes, reps)


__all__ = ["AbcModel", "CalibrationRunError", "Problem", "evaluation_seeds", "target_means", "tasks_for"]
