"""Toy model functions for the experiment tests (importable by spawned worker processes).

Each has the model signature ``(params, scenario, seed) -> {outcome: value}`` and is
cheap and deterministic in its seed, so the experiment machinery can be tested without
the simulation. The tests put this folder on the workers' path (spawn copies
``sys.path``; CLI subprocesses get ``PYTHONPATH``).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

TINY = {"intake.cohort_size": 40, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 5}
"""Overrides that make the real model run in well under a second."""


def noisy(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """``a = x + N(0, 1)``, ``b = 2 x + N(0, 0.1)`` with the run's own generator."""
    rng = np.random.default_rng(seed)
    x = float(params.get("x", 0.0))
    return {"a": x + float(rng.normal()), "b": 2 * x + 0.1 * float(rng.normal())}


def ratio_toy(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """Depends on the scenario (students per school mentor) plus noise shared through the seed."""
    rng = np.random.default_rng(seed)
    return {"y": 100.0 / scenario.school_mentors.students_per_mentor + float(rng.normal())}


def flaky(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """Raises at ``x == 3``; :func:`noisy` otherwise."""
    if params.get("x") == 3:
        raise ValueError("x = 3 is not allowed by this toy")
    return noisy(params, scenario, seed)


def slow(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """:func:`noisy` after a pause of ``TOY_SLEEP`` seconds (default 0.2)."""
    time.sleep(float(os.environ.get("TOY_SLEEP", "0.2")))
    return noisy(params, scenario, seed)


def killer(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """SIGKILLs its own (worker) process at ``x == 2``, like the out-of-memory killer would."""
    if params.get("x") == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return noisy(params, scenario, seed)


def kill_once(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """SIGKILLs its process the first time it runs ``x == 2`` (marker file in ``TOY_MARKERS``)."""
    if params.get("x") == 2:
        marker = Path(os.environ["TOY_MARKERS"]) / f"killed-{seed}"
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
    return noisy(params, scenario, seed)
