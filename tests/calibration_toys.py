"""Toy models for the calibration tests (importable by worker processes; the tests put this folder on the path).

Each has the experiments' model signature ``(params, scenario, seed) -> {outcome: value}``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

NOISE_SD = 0.1
"""The sd of :func:`normal_mean`'s run-to-run noise."""


def normal_mean(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """``y = theta + N(0, NOISE_SD^2)``: with a normal prior and a value target the posterior is normal."""
    rng = np.random.default_rng(seed)
    return {"y": float(params["theta"]) + NOISE_SD * float(rng.normal())}


def two_outcomes(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """``y = a + noise`` and ``w = 0.5``: ``w`` depends on no parameter, ``b`` changes nothing."""
    rng = np.random.default_rng(seed)
    return {"y": float(params["a"]) + 0.05 * float(rng.normal()), "w": 0.5}


def slow_normal_mean(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """:func:`normal_mean` after a pause of ``TOY_SLEEP`` seconds (default 0.01)."""
    time.sleep(float(os.environ.get("TOY_SLEEP", "0.01")))
    return normal_mean(params, scenario, seed)


def scaled_mean(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """``y = theta x 20 / students per school mentor + noise``: a policy effect that depends on theta."""
    rng = np.random.default_rng(seed)
    ratio = 20.0 / scenario.school_mentors.students_per_mentor
    return {"y": float(params.get("theta", 0.0)) * ratio + NOISE_SD * float(rng.normal())}
