"""talentsim: school-enterprise talent cultivation, student -> apprentice -> employee.

Public API::

    sim.load_scenario(path, overrides)      # a validated Scenario
    sim.run_one(scenario, seed, **overrides) # one run -> RunResult (summary, timeseries, students)
    sim.TalentModel(scenario=..., seed=...)  # the mesa.Model, one step() per simulated week
    sim.run_replications(scenario, reps, master_seed)  # first run, replications, means and CIs
    sim.compare([...], reps, master_seed)    # scenarios side by side with CIs (common random numbers)
    sim.sweep(sweep_file, out=...)           # grid / LHS / Sobol / Morris sweeps with SALib
    sim.calibrate(calibration_file, out=...) # fit uncertain parameters to observed figures (ABC-SMC, Optuna)
    sim.load_city(path, overrides)           # a resolved city file (CityPlan): programmes, pool, demand, bureau
    sim.run_city(plan, seed)                 # a city's programmes run together -> CityResult (summary_table())
    sim.compare_cities([...], reps, seed)    # city files side by side, paired by replication
    sim.MODEL_VERSION                        # the model's declared version (sim/model_version.py: when to bump it)

The names are imported on first use, so ``talentsim validate`` and ``params`` start
without loading the model, pandas or SciPy.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "MODEL_VERSION": "sim.model_version",
    "RunResult": "sim.results",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "TalentModel": "sim.model",
    "calibrate": "sim.calibration",
    "compare": "sim.experiments",
    "compare_cities": "sim.experiments.city_compare",
    "load_city": "sim.scenario.city_loading",
    "run_city": "sim.city",
    "load_scenario": "sim.scenario",
    "replicate": "sim.experiments",
    "run_one": "sim.model",
    "run_replications": "sim.experiments",
    "sweep": "sim.experiments",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
