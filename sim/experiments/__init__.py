"""Experiments on top of the pure run function: replications, comparisons, sweeps.

Python API (each returns pandas DataFrames, for notebooks)::

    from sim.experiments import replicate, compare, sweep, ProcessBackend

    runs = replicate("scenarios/baseline.yaml", reps=10, master_seed=1)
    result = compare(["scenarios/baseline.yaml", "scenarios/small_groups.yaml"], reps=20,
                     master_seed=1, backend=ProcessBackend(4))
    result.comparison, result.differences, result.per_run
    swept = sweep("scenarios/sweeps/policy_levers_sobol.yaml", out="outputs/levers")
    swept.results, swept.sensitivity

Pieces, one module each: ``seeds`` (seeds keyed to point and replication), ``backends``
(serial, local processes, Dask), ``store`` (the resumable, crash-safe run folder),
``runner`` (the one loop), ``replicate``, ``compare``, ``spec``/``design``/``sweep``/
``sensitivity`` (sweeps with SALib), ``progress``, ``commands`` (the CLI subcommands).
Importing this package starts nothing and changes no global state.
"""

from sim.experiments.backends import DaskBackend, ProcessBackend, RunError, SerialBackend, make_backend
from sim.experiments.compare import Comparison, compare
from sim.experiments.models import ishigami, talent_model
from sim.experiments.replicate import replicate
from sim.experiments.seeds import run_seed
from sim.experiments.spec import SweepFileError, SweepSpec, load_spec
from sim.experiments.store import StoreError
from sim.experiments.sweep import SweepResult, plan_sweep, sweep

__all__ = [
    "Comparison",
    "DaskBackend",
    "ProcessBackend",
    "RunError",
    "SerialBackend",
    "StoreError",
    "SweepFileError",
    "SweepResult",
    "SweepSpec",
    "compare",
    "ishigami",
    "load_spec",
    "make_backend",
    "plan_sweep",
    "replicate",
    "run_seed",
    "sweep",
    "talent_model",
]
