"""Experiments on top of the pure run function: replications, comparisons, sweeps.

Python API (each returns pandas DataFrames, for notebooks)::

    from sim.experiments import replicate, compare, sweep, ProcessBackend

    runs = replicate("scenarios/baseline.yaml", reps=10, master_seed=1)
    first, runs, means, cis, seeds = run_replications("scenarios/baseline.yaml", 10, 1)
    result = compare(["scenarios/baseline.yaml", "scenarios/small_groups.yaml"], reps=20,
                     master_seed=1, backend=ProcessBackend(4))
    result.comparison, result.differences, result.per_run
    swept = sweep("scenarios/sweeps/policy_levers_sobol.yaml", out="outputs/levers")
    swept.results, swept.sensitivity

Pieces, one module each: ``seeds`` (seeds keyed to point and replication), ``backends``
(serial, local processes, Dask), ``store`` (the resumable, crash-safe run folder),
``runner`` (the one loop), ``replicate``, ``compare``, ``spec``/``design``/``sweep``/
``sensitivity`` (sweeps with SALib), ``progress``. The command line (``sim.cli``) is
built on these; nothing here imports it.
Importing this package starts nothing, changes no global state and loads nothing heavy:
each name is imported from its module on first use (so the CLI starts fast).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Comparison": "sim.experiments.compare",
    "DaskBackend": "sim.experiments.backends",
    "ProcessBackend": "sim.experiments.backends",
    "ReplicatedRun": "sim.experiments.replicate",
    "RunError": "sim.experiments.backends",
    "SerialBackend": "sim.experiments.backends",
    "StoreError": "sim.experiments.store",
    "SweepFileError": "sim.experiments.spec",
    "SweepResult": "sim.experiments.sweep",
    "SweepSpec": "sim.experiments.spec",
    "compare": "sim.experiments.compare",
    "ishigami": "sim.experiments.models",
    "load_spec": "sim.experiments.spec",
    "make_backend": "sim.experiments.backends",
    "plan_sweep": "sim.experiments.sweep",
    "replicate": "sim.experiments.replicate",
    "run_replications": "sim.experiments.replicate",
    "run_seed": "sim.experiments.seeds",
    "sweep": "sim.experiments.sweep",
    "talent_model": "sim.experiments.models",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
