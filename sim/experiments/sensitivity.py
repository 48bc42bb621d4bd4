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
from sim.i18n import N_, gettext, use_language

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


SENSITIVITY_HEADERS = {"parameter": N_("parameter"), "outcome": N_("outcome"), "S1_conf": N_("S1 ± (95%)"),
                       "ST_conf": N_("ST ± (95%)"), "mu": N_("μ"), "mu_star": N_("μ*"),
                       "mu_star_conf": N_("μ* ± (95%)"), "sigma": N_("σ")}
"""Headers of the printed sensitivity table (message ids; ``sensitivity.csv`` keeps its column names)."""


def format_sensitivity(table: pd.DataFrame, *, lang: str | None = None) -> str:
    """``sensitivity.csv`` as the plain-text table ``talentsim sweep`` prints, in ``lang``.

    English prints the file's columns and outcome names as they are; another language
    (None: the current language) translates the headers and shows each outcome's label.
    """
    from sim.outcomes import label

    with use_language(lang) as lang:
        if lang != "en":
            table = table.assign(outcome=[gettext(label(str(o))) for o in table["outcome"]])
            table = table.rename(columns={c: gettext(t) for c, t in SENSITIVITY_HEADERS.items()})
        with pd.option_context("display.unicode.east_asian_width", lang != "en"):
            return table.to_string(index=False, float_format=lambda v: f"{v:.3f}")
