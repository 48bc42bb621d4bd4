"""Toy models for the calibration tests (importable by worker processes; the tests put this folder on the path).

Each has the experiments' model signature ``(params, scenario, seed) -> {outcome: value}``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
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


def scaled_mean(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """``y = theta x 20 / students per school mentor + noise``: a policy effect that depends on theta."""
    rng = np.random.default_rng(seed)
    ratio = 20.0 / scenario.school_mentors.students_per_mentor
    return {"y": float(params.get("theta", 0.0)) * ratio + NOISE_SD * float(rng.normal())}


def two_of_three(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """``y = a + noise`` and ``z = b + noise`` (independent, sd NOISE_SD each); ``c`` changes nothing.

    Like the issue's check of ``talentsim calibrate``: two parameters the figures inform, and a
    third that nothing there can inform (it is not identified and keeps its assumption).
    """
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=2)
    return {"y": float(params.get("a", 0.0)) + NOISE_SD * float(noise[0]),
            "z": float(params.get("b", 0.0)) + NOISE_SD * float(noise[1])}


def tied(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """A wrong model for :func:`two_of_three`'s figures: one parameter, ``a``, drives both y and z."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=2)
    a = float(params.get("a", 0.0))
    return {"y": a + NOISE_SD * float(noise[0]), "z": a + NOISE_SD * float(noise[1])}


HOLD_HANG_GUARD_S = 600.0
"""How long :func:`held_normal_mean` waits for its gate before failing: a hang guard, not a speed limit."""


def held_normal_mean(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """:func:`normal_mean`, held once a generation is stored, until the file ``TOY_GATE`` exists.

    With ``TOY_HOLD_DB`` (the calibration's ``abc.db``) and ``TOY_GATE`` set, every
    evaluation after the first generation is stored waits for the gate, so a test can kill
    the calibration between generations whatever the machine's speed (with ``--workers 1``
    the model runs in the calibrating process itself). Without them it is :func:`normal_mean`.
    """
    db, gate = os.environ.get("TOY_HOLD_DB"), os.environ.get("TOY_GATE")
    if db and gate and not Path(gate).exists() and _generation_stored(Path(db)):
        waited = 0.0
        while not Path(gate).exists():
            if waited > HOLD_HANG_GUARD_S:  # counts sleeps, not the clock: only a hang can reach it
                raise RuntimeError(f"the gate {gate} was never opened")
            time.sleep(0.02)
            waited += 0.02
    return normal_mean(params, scenario, seed)


def _generation_stored(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as connection:
            return connection.execute("SELECT COUNT(*) FROM populations WHERE t >= 0").fetchone()[0] > 0
    except sqlite3.Error:  # not created yet, or being written
        return False
