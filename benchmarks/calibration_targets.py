"""The shipped calibration's targets at the model's current defaults: how far a model change moved the fit.

Run from the repository root::

    .venv/bin/python benchmarks/calibration_targets.py

The defaults of the parameters ``scenarios/calibration/published_bands.yaml`` frees are
its fitted point (docs/calibration.md §8), found with the model version stated there.
A later model change moves the outcomes at that point; this script runs the calibration's
scenarios at the current defaults on the verdict's 33 replication seeds (the seeds the
fit did not use, master seed 20250611, as the shipped verdict) and prints each target's
band, the simulated mean with its Monte Carlo error, and by how much it misses the band,
so docs/calibration.md can say what the defaults give now without refitting them.
About 15 seconds on one core.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibration.calibrate import plan_calibration  # noqa: E402
from sim.calibration.checks import verdict_seeds  # noqa: E402
from sim.model_version import MODEL_VERSION  # noqa: E402
from sim.scenario.params import list_params  # noqa: E402

CALIBRATION = ROOT / "scenarios" / "calibration" / "published_bands.yaml"
MASTER_SEED = 20250611
"""The shipped calibration's master seed (its verdict seeds derive from it)."""
REPS = 33
"""Replications, as the shipped verdict."""


def main() -> int:
    """Print every target at the defaults; exit 0 (this measures, it does not judge)."""
    problem = plan_calibration(CALIBRATION).problem
    default = {p.key: p.default for p in list_params()}
    values = {prior.key: default[prior.key] for prior in problem.priors}
    seeds = verdict_seeds(MASTER_SEED, REPS)
    outcomes = {(index, rep): problem.model(dict(values), scenario, seed)
                for index, scenario in enumerate(problem.scenarios) for rep, seed in enumerate(seeds)}
    means, errors = problem.means(outcomes, REPS)
    print(f"model version {MODEL_VERSION}; {REPS} replications on the verdict's seeds (master seed {MASTER_SEED})")
    print(f"{'scenario':10} {'outcome':36} {'band':>15} {'at the defaults':>18}  met")
    for target, mean, error in zip(problem.targets, means, errors, strict=True):
        low, high = target.low, target.high
        if low is None or high is None:
            continue
        miss = "yes" if low <= mean <= high else f"no: {abs(mean - (low if mean < low else high)) * 100:.1f} points " \
            f"{'below' if mean < low else 'above'}"
        print(f"{target.scenario_name:10} {target.outcome:36} {low:6.3f}-{high:6.3f}  "
              f"{mean:8.4f} ± {error:6.4f}  {miss}")
    return 0 if np.all(np.isfinite(means)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
