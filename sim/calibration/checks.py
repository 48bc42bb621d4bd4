"""The checks of a fit: the fitted point, the verdict at it, and the posterior predictive band.

**The fitted point** (ABC-SMC) is the weighted medoid of the final population: the
particle whose weighted sum of distances to all the particles is smallest, each
parameter standardised by its posterior standard deviation on the internal scale
(:func:`weighted_medoid`). It is a particle, so the sampler simulated and accepted it
and the joint posterior supports it; the vector of marginal medians is not one when the
parameters are correlated (on a ridge or a ring the medians can sit where no particle
is). Only the identified parameters count (the others keep their assumption, so the
point is judged with them there). An Optuna point fit's point is its best trial.

**The verdict at the point** runs the point ``R`` times on seeds the fit never used (a
spawn key of the master seed of their own, :data:`VERDICT_SEED_PURPOSE`), the same seeds
for every scenario. ``R`` follows a stated rule: a pilot of :data:`PILOT_REPS`
replications estimates each target's run-to-run standard deviation ``s``; ``R`` is the
smallest count with ``s / sqrt(R) <= SE_SHARE x width`` for every target (the width of a
band, or ``4 se`` for a value: the interval ``value +- 2 se`` that counts as met),
re-estimated from all the runs until it holds, and at most :data:`MAX_REPS`. A band target
is met when the mean lies inside the band; a value target when ``|mean - value| <= 2
sqrt(se^2 + mcse^2)``.

**The posterior predictive band** simulates ``D`` posterior draws (a weighted resample
of the particles), each on its own seeds (draw ``d``, replication ``k``: key ``(d, k)``
under a spawn key of its own), takes each draw's mean over its replications (the
statistic the fit compared with the figure) and, for a value target, adds a draw of its
observation error ``N(0, se^2)``. The band is the 5% and 95% quantiles of these
simulated figures, at positions ``(D + 1) p`` of the ordered values (an interval whose
expected coverage of one more draw is 90%; ``D`` of at least 19 keeps both ends inside
the sample).
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.atomic import writing
from sim.calibration.distance import MET_WITHIN, Target
from sim.calibration.evaluate import Problem, target_means, tasks_for
from sim.calibration.priors import Prior, weighted_mean_sd
from sim.calibration.spec import CalibrationSpec
from sim.experiments.backends import Backend, SerialBackend
from sim.experiments.runner import Evaluator, execute
from sim.experiments.seeds import derived_seed, run_seed
from sim.experiments.store import RUNS_DIR, RunRecord, RunStore, write_json_atomic
from sim.messages import text

CREDIBLE = 0.90
"""Coverage of the credible intervals and predictive bands (5% and 95% quantiles)."""
POINT_MEDOID = "posterior medoid"
POINT_BEST_TRIAL = "best trial"
PREDICTIVE_DRAW_PURPOSE = 13
"""Spawn key of the seed that picks the posterior draws of the predictive band."""
PREDICTIVE_SEED_PURPOSE = 14
"""Spawn key of the root of the predictive draws' run seeds (draw ``d``, replication ``k``: ``(d, k)``)."""
VERDICT_SEED_PURPOSE = 16
"""Spawn key of the root of the verdict's run seeds: no run of the fit or of the band has them."""
PREDICTIVE_NOISE_PURPOSE = 17
"""Spawn key of the generator of the value targets' observation errors in the predictive band."""
PILOT_REPS = 10
"""Replications of the verdict's pilot, which estimates each target's run-to-run spread."""
SE_SHARE = 0.1
"""The verdict runs until each target's Monte Carlo standard error is at most this share of its width."""
MAX_REPS = 100
"""The most replications the verdict runs (per scenario)."""
VALUE_WIDTH_SES = 2 * MET_WITHIN
"""A value target's width, in standard errors: the interval ``value +- 2 se`` that counts as met."""
KEY_FILE = "predictive.json"
SCHEME = "draws on their own seeds; verdict on its own seeds (2)"
"""Part of the checks' stored-runs key: runs stored under an earlier scheme are discarded."""


# ---------------------------------------------------------------------------- the point


def weighted_medoid(points: np.ndarray, weights: np.ndarray) -> int:
    """The row of ``points`` whose weighted sum of standardised distances to every row is smallest.

    Each column is divided by its weighted standard deviation (a column that does not
    vary counts for nothing); the distance is Euclidean. Ties go to the first row.

    Args:
        points: One row per particle, one column per parameter (internal scale).
        weights: The particles' weights.
    """
    x = np.asarray(points, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError("weighted_medoid needs at least one point")
    if x.shape[1] == 0:
        return 0
    scale = np.array([weighted_mean_sd(x[:, j], w)[1] for j in range(x.shape[1])])
    x = x / np.where(scale > 0, scale, 1.0)
    n = x.shape[0]
    chunk = max(1, 2_000_000 // max(1, n * x.shape[1]))
    totals = np.empty(n)
    for start in range(0, n, chunk):
        block = x[start:start + chunk]
        distances = np.sqrt(((block[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
        totals[start:start + chunk] = distances @ w
    return int(np.argmin(totals))


def medoid_particle(posterior: pd.DataFrame, priors: Sequence[Prior], keys: Sequence[str]) -> int:
    """The row of the posterior table (natural scale) that is the weighted medoid over the parameters ``keys``."""
    chosen = [p for p in priors if p.key in keys]
    internal = np.array([[p.to_internal(float(v)) for v in posterior[p.key]] for p in chosen]).T.reshape(
        len(posterior), len(chosen))
    return weighted_medoid(internal, posterior["weight"].to_numpy(dtype=float))


def posterior_draws_for_band(posterior: pd.DataFrame, problem: Problem, spec: CalibrationSpec) -> list[dict[str, Any]]:
    """``predictive.draws`` parameter vectors: a weighted resample of the particles, seeded from the master seed."""
    rng = np.random.default_rng(derived_seed(spec.seed, PREDICTIVE_DRAW_PURPOSE))
    weights = posterior["weight"].to_numpy(dtype=float)
    picks = rng.choice(len(posterior), size=spec.predictive.draws, p=weights / weights.sum())
    return [{p.key: p.model_value(float(posterior[p.key].iloc[int(i)])) for p in problem.priors} for i in picks]


# ---------------------------------------------------------------------------- seeds and the rule


def verdict_seeds(master_seed: int, reps: int) -> list[int]:
    """The verdict's replication seeds: keys ``(0, k)`` under the verdict's own spawn key of the master seed."""
    root = derived_seed(master_seed, VERDICT_SEED_PURPOSE)
    return [run_seed(root, 0, rep) for rep in range(reps)]


def draw_seeds(master_seed: int, draw: int, reps: int) -> list[int]:
    """Predictive draw ``draw``'s replication seeds: keys ``(draw, k)`` under the band's own spawn key."""
    root = derived_seed(master_seed, PREDICTIVE_SEED_PURPOSE)
    return [run_seed(root, draw, rep) for rep in range(reps)]


def target_width(target: Target) -> float:
    """The width the verdict's Monte Carlo error is held to: the band's, or ``4 se`` for a value."""
    if target.is_band:
        assert target.low is not None and target.high is not None
        return target.high - target.low
    assert target.se is not None
    return VALUE_WIDTH_SES * target.se


def reps_needed(sds: Sequence[float], widths: Sequence[float], *, share: float = SE_SHARE,
                cap: int = MAX_REPS) -> int:
    """The fewest replications with ``sd / sqrt(R) <= share x width`` for every target, at most ``cap``.

    A target whose spread is not finite (a failed outcome) or zero asks for none.
    """
    needed = 1
    for sd, width in zip(sds, widths, strict=True):
        if math.isfinite(sd) and sd > 0:
            needed = max(needed, math.ceil((sd / (share * width)) ** 2 - 1e-9))
    return min(cap, needed)


# ---------------------------------------------------------------------------- running the checks


@dataclass(frozen=True)
class PointVerdict:
    """The fitted point simulated for the verdict.

    Attributes:
        values: The point's parameter values (the rest keep their assumption).
        means: Each target's mean over the replications.
        errors: Each target's Monte Carlo standard error (sd / sqrt(reps)).
        reps: Replications run (per scenario).
        pilot: Replications of the pilot.
        runs: Model runs.
    """

    values: dict[str, Any]
    means: np.ndarray
    errors: np.ndarray
    reps: int
    pilot: int
    runs: int


@dataclass(frozen=True)
class PredictiveBand:
    """The posterior predictive simulation.

    Attributes:
        means: Per draw, each target's mean over the draw's own replications (draws x targets).
        predicted: ``means`` plus a draw of the observation error for value targets.
        reps: Replications per draw.
        table: One row per draw and target: ``draw``, ``target``, ``outcome``, ``scenario``,
            ``mean``, ``predicted``, and the draw's parameter values.
        runs: Model runs.
    """

    means: np.ndarray
    predicted: np.ndarray
    reps: int
    table: pd.DataFrame
    runs: int


@dataclass(frozen=True)
class Checks:
    """The verdict at the point and the predictive band."""

    point: PointVerdict
    band: PredictiveBand

    @property
    def runs(self) -> int:
        """Model runs of both checks."""
        return self.point.runs + self.band.runs


def _discard_stale(store: RunStore, key: str) -> None:
    """Delete the stored check runs when they were made for other points or seeds."""
    key_file = store.directory / KEY_FILE
    try:
        stored_key = yaml.safe_load(key_file.read_text(encoding="utf-8")).get("points_hash")
    except (OSError, AttributeError, yaml.YAMLError):
        stored_key = None
    if stored_key != key:
        with writing(store.directory / RUNS_DIR):
            for stale in (store.directory / RUNS_DIR).glob("p*-r*.json"):
                stale.unlink()
        write_json_atomic(key_file, {"points_hash": key})


def run_checks(problem: Problem, spec: CalibrationSpec, store: RunStore, backend: Backend | None,
               draws: Sequence[Mapping[str, Any]], point: Mapping[str, Any], *, progress: bool = False,
               quiet: bool = False) -> Checks:
    """Simulate the posterior draws (each on its own seeds) and the point (on the verdict's seeds, ``R`` by the rule).

    Runs are stored in ``DIR/runs`` as they finish (a rerun reuses them): draw ``d`` is
    evaluation point ``d``, the fitted point is evaluation point ``len(draws)``. Runs
    stored for other draws, another point or another scheme are discarded first.

    Raises:
        sim.calibration.evaluate.CalibrationRunError: A run failed.
    """
    draw_reps = spec.predictive.reps or spec.reps
    pilot = PILOT_REPS
    point_index = len(draws)
    key = hashlib.sha256(repr((SCHEME, draw_reps, pilot, [sorted(v.items()) for v in draws],
                               sorted(point.items()))).encode("utf-8")).hexdigest()
    _discard_stale(store, key)
    evaluator = Evaluator(problem.model, problem.scenarios)
    draw_tasks = [task for d, values in enumerate(draws)
                  for task in tasks_for(problem, d, values, draw_seeds(spec.seed, d, draw_reps))]
    seeds = verdict_seeds(spec.seed, MAX_REPS)
    point_values = dict(point)
    pilot_tasks = tasks_for(problem, point_index, point_values, seeds[:pilot])
    if progress and not quiet:
        print(text("calibration.progress_checks", draws=len(draws), reps=draw_reps, pilot=pilot,
                   runs=len(draw_tasks) + len(pilot_tasks)), file=sys.stderr, flush=True)
    with backend or SerialBackend() as active:
        records = execute([*draw_tasks, *pilot_tasks], evaluator, active, store=store, progress=progress,
                          quiet=quiet)
        point_records: list[RunRecord] = records[len(draw_tasks):]
        reps = pilot
        widths = [target_width(t) for t in problem.targets]
        while True:
            _, errors = target_means(problem, point_records, point_index, reps)
            needed = reps_needed(list(errors * math.sqrt(reps)), widths)
            if needed <= reps:
                break
            more = [task for task in tasks_for(problem, point_index, point_values, seeds[:needed])
                    if task.rep >= reps]
            if progress and not quiet:
                print(text("calibration.progress_verdict", reps=needed, share=SE_SHARE, runs=len(more)),
                      file=sys.stderr, flush=True)
            point_records += execute(more, evaluator, active, store=store, progress=progress, quiet=quiet)
            reps = needed
    means, errors = target_means(problem, point_records, point_index, reps)
    verdict = PointVerdict(point_values, means, errors, reps, pilot, len(point_records))
    band = _band(problem, spec, draws, records[:len(draw_tasks)], draw_reps)
    return Checks(verdict, band)


def _band(problem: Problem, spec: CalibrationSpec, draws: Sequence[Mapping[str, Any]], records: Sequence[RunRecord],
          reps: int) -> PredictiveBand:
    n_targets = len(problem.targets)
    means = np.array([target_means(problem, records, d, reps)[0] for d in range(len(draws))]).reshape(
        len(draws), n_targets)
    rng = np.random.default_rng(derived_seed(spec.seed, PREDICTIVE_NOISE_PURPOSE))
    noise = rng.standard_normal((len(draws), n_targets))
    ses = np.array([0.0 if t.is_band else float(t.se or 0.0) for t in problem.targets])
    predicted = means + noise * ses
    rows = []
    for d, values in enumerate(draws):
        for i, target in enumerate(problem.targets):
            rows.append({"draw": d, "target": i, "outcome": target.outcome, "scenario": target.scenario_name,
                         "mean": float(means[d, i]), "predicted": float(predicted[d, i]), **values})
    columns = ["draw", "target", "outcome", "scenario", "mean", "predicted", *[p.key for p in problem.priors]]
    table = pd.DataFrame(rows, columns=columns)
    return PredictiveBand(means, predicted, reps, table, len(records))


def band_quantiles(values: np.ndarray) -> tuple[float, float, float]:
    """The 5%, 50% and 95% quantiles of the simulated figures (the ends at positions ``(n + 1) p``)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return math.nan, math.nan, math.nan
    low_q, high_q = (1 - CREDIBLE) / 2, 1 - (1 - CREDIBLE) / 2
    low, high = (float(q) for q in np.quantile(finite, [low_q, high_q], method="weibull"))
    return low, float(np.quantile(finite, 0.5)), high


def verdict_table(problem: Problem, checks: Checks) -> pd.DataFrame:
    """Per target: observed; the point's mean, Monte Carlo error and replications; the band; met; the gap."""
    verdict, band = checks.point, checks.band
    rows = []
    for index, target in enumerate(problem.targets):
        mean, mcse = float(verdict.means[index]), float(verdict.errors[index])
        width = target_width(target)
        low, median, high = band_quantiles(band.predicted[:, index]) if len(band.predicted) else (
            math.nan, math.nan, math.nan)
        if not math.isfinite(low):
            inside: float | bool = math.nan
        elif target.is_band:
            assert target.low is not None and target.high is not None
            inside = bool(low <= target.high and target.low <= high)  # the two intervals overlap
        else:
            assert target.value is not None
            inside = bool(low <= target.value <= high)
        gap = target.gap(mean)
        rows.append({
            "target": index, "scenario": target.scenario_name, "outcome": target.outcome,
            "kind": "band" if target.is_band else "value", "value": target.value, "se": target.se,
            "low": target.low, "high": target.high, "source": target.source,
            "simulated": mean, "mcse": mcse, "reps": verdict.reps, "width": width,
            "mcse_share": mcse / width if math.isfinite(mcse) else math.nan,
            "distance": target.distance(mean), "gap": gap, "widths": gap / width if math.isfinite(gap) else math.nan,
            "predictive_low": low, "predictive_median": median, "predictive_high": high,
            "observed_in_predictive": inside, "met": bool(target.met(mean, mcse))})
    return pd.DataFrame(rows)


__all__ = ["CREDIBLE", "MAX_REPS", "PILOT_REPS", "POINT_BEST_TRIAL", "POINT_MEDOID", "SE_SHARE", "Checks",
           "PointVerdict", "PredictiveBand", "band_quantiles", "draw_seeds", "medoid_particle",
           "posterior_draws_for_band", "reps_needed", "run_checks", "target_width", "verdict_seeds",
           "verdict_table", "weighted_medoid"]
