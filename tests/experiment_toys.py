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

GATE_HANG_GUARD_S = 600.0
"""How long a held run waits for its gate before failing: a hang guard for a test that forgot to open it."""


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


def through_the_gate() -> None:
    """Let the first ``TOY_GATE_FREE`` runs through, then hold every run until the file ``TOY_GATE`` exists.

    Makes an interruption deterministic, whatever the machine's speed: a test starts an
    experiment with ``TOY_GATE=PATH TOY_GATE_FREE=k``, waits until ``k`` runs are stored,
    interrupts it (every other run is held, so none can finish in between), then creates
    ``PATH`` (or drops ``TOY_GATE``) for the rerun. Each free run claims a slot file
    ``PATH.slotN`` with an exclusive create, so exactly ``k`` runs pass however many
    worker processes race for them. Without ``TOY_GATE`` every run passes.
    """
    gate = os.environ.get("TOY_GATE")
    if not gate or Path(gate).exists():
        return
    for slot in range(int(os.environ.get("TOY_GATE_FREE", "0"))):
        try:
            os.close(os.open(f"{gate}.slot{slot}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        return
    waited = 0.0
    while not Path(gate).exists():
        if waited > GATE_HANG_GUARD_S:  # counts sleeps, not the clock: only a hang can reach it
            raise RuntimeError(f"the gate {gate} was never opened")
        time.sleep(0.02)
        waited += 0.02


def gated(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """:func:`noisy` behind :func:`through_the_gate`."""
    through_the_gate()
    return noisy(params, scenario, seed)


def gated_talent_model(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """The talent model (``sim.experiments.models.talent_model``) behind :func:`through_the_gate`.

    A swapped-in model gets the design's values unrounded, so whole-number parameters
    are rounded here, as the sweep does for the talent model itself.
    """
    from sim.experiments.models import talent_model
    from sim.scenario.params import param_index

    through_the_gate()
    index = param_index()
    typed = {key: round(value) if index[key].type == "int" else value for key, value in params.items()}
    return talent_model(typed, scenario, seed)
