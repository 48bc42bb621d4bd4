"""Calibration: fit the uncertain parameters to observed figures, with a posterior and its checks.

Python API (for notebooks)::

    from sim.calibration import calibrate, plan_calibration
    from sim.experiments import ProcessBackend

    result = calibrate("scenarios/calibration/published_bands.yaml", out="outputs/fit")
    result.fitted_ok, result.targets, result.parameters, result.posterior, result.fitted_files
    print(result.summary())

    from sim.experiments import compare
    projection = compare(["scenarios/baseline.yaml", "scenarios/funding_cut.yaml"], reps=50,
                         master_seed=1, posterior="outputs/fit")
    projection.posterior_differences   # quantiles of the paired difference over posterior draws

Pieces, one module each: ``spec`` (calibration files, read and checked like scenario
files), ``priors``, ``distance`` (targets, the distance and when a target is met),
``evaluate`` (one evaluation: every target scenario, the same values and seeds),
``abc`` (ABC-SMC with pyabc), ``point`` (an Optuna point fit), ``checks`` (the fitted
point, the verdict at it and the posterior predictive band), ``calibrate`` (the whole
calibration and its folder), ``posterior`` (draws for projections). The command
line (``talentsim calibrate``) is built on these. Importing this package loads nothing
heavy: each name is imported from its module on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CalibrationFileError": "sim.calibration.spec",
    "CalibrationPlan": "sim.calibration.calibrate",
    "CalibrationResult": "sim.calibration.calibrate",
    "CalibrationRunError": "sim.calibration.evaluate",
    "CalibrationSpec": "sim.calibration.spec",
    "PosteriorError": "sim.calibration.posterior",
    "calibrate": "sim.calibration.calibrate",
    "load_spec": "sim.calibration.spec",
    "plan_calibration": "sim.calibration.calibrate",
    "posterior_differences": "sim.calibration.posterior",
    "posterior_draws": "sim.calibration.posterior",
    "read_posterior": "sim.calibration.posterior",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim.calibration' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
