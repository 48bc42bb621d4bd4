"""Sensitivity indices of a sobol or morris sweep (SALib), on the mean over replications per point."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.experiments.design import Design
from sim.experiments.seeds import derived_seed
from sim.experiments.spec import SweepSpec

ANALYSIS_SEED_PURPOSE = 2
"""Spawn key of the seed of the bootstrap confidence intervals."""

RESAMPLES = 100
CONFIDENCE = 0.95
SOBOL_COLUMNS = ["parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["parameter", "outcome", "mu", "mu_star", "mu_star_conf", "sigma"]


def analyse(spec: SweepSpec, design: Design, point_means: pd.DataFrame,
            outcomes: Sequence[str]) -> pd.DataFrame:
    """Sobol' (S1, ST) or Morris (mu, mu*, sigma) indices per parameter and outcome.

    Args:
        spec: The sweep (its design must be ``sobol`` or ``morris``).
        design: Its points, with the SALib sample and problem.
        point_means: One row per point (index = point id, all points present), one
            column per outcome: the mean over the point's successful replications.
        outcomes: The outcomes to analyse.

    Returns:
        One row per (parameter, outcome). An outcome with a missing point (every
        replication failed) or no variation at all gets NaN indices.
    """
    columns = SOBOL_COLUMNS if spec.design == "sobol" else MORRIS_COLUMNS
    rows: list[dict[str, object]] = []
    seed = derived_seed(spec.seed, ANALYSIS_SEED_PURPOSE)
    for outcome in outcomes:
        y = point_means[outcome].reindex(range(len(design))).to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or float(np.std(y)) == 0.0:
            indices = {name: math.nan for name in columns[2:]}
            rows += [{"parameter": p, "outcome": outcome, **indices} for p in design.names]
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = _sobol(design, y, seed) if spec.design == "sobol" else _morris(spec, design, y, seed)
        for i, parameter in enumerate(design.names):
            rows.append({"parameter": parameter, "outcome": outcome,
                         **{name: float(result[name][i]) for name in columns[2:]}})
    return pd.DataFrame(rows, columns=columns)


def _sobol(design: Design, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    from SALib.analyze import sobol

    return sobol.analyze(design.problem, y, calc_second_order=False, num_resamples=RESAMPLES,
                         conf_level=CONFIDENCE, seed=seed)


def _morris(spec: SweepSpec, design: Design, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    from SALib.analyze import morris

    return morris.analyze(design.problem, design.sample, y, num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                          num_levels=spec.morris_levels, seed=seed)
