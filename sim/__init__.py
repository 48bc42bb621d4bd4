"""talentsim: school-enterprise talent cultivation, student -> apprentice -> employee.

Public API::

    sim.load_scenario(path, overrides)      # a validated Scenario
    sim.run_one(scenario, seed, **overrides) # one run -> RunResult (summary, timeseries, students);
                                             #   a city file -> CityResult (every programme's, summary_table())
    sim.TalentModel(scenario=..., seed=...)  # the mesa.Model, one step() per simulated week (a city file too)
    sim.run_replications(scenario, reps, master_seed)  # first run, replications, means and CIs
    sim.compare([...], reps, master_seed)    # scenarios (or city files) side by side with CIs (common random numbers)
    sim.sweep(sweep_file, out=...)           # grid / LHS / Sobol / Morris sweeps with SALib (base: a scenario or city)
    sim.calibrate(calibration_file, out=...) # fit uncertain parameters to observed figures (ABC-SMC, Optuna; a city)
    sim.load_city(path, overrides)           # a resolved city file (CityPlan): programmes, pool, demand, bureau
    sim.run_city(plan, seed)                 # a city's programmes run together -> CityResult (summary_table())
    sim.run_cities(plans, seeds)             # several cities' replications in one batch -> [CityResult], each as alone
    sim.compare_cities([...], reps, seed)    # city files side by side, paired by replication
    sim.MODEL_VERSION                        # the model's declared version (sim/model_version.py: when to bump it)

The names are imported on first use, so ``talentsim validate`` and ``params`` start
without loading the model, pandas or SciPy.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {  # each name from the module that defines it: a package's attribute of a submodule's name is the submodule
    "MODEL_VERSION": "sim.model_version",
    "RunResult": "sim.results",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "TalentModel": "sim.model",
    "calibrate": "sim.calibration.calibrate",
    "compare": "sim.experiments.compare",
    "compare_cities": "sim.experiments.city_compare",
    "load_city": "sim.scenario.city_loading",
    "run_city": "sim.city",
    "run_cities": "sim.city",
    "load_scenario": "sim.scenario",
    "replicate": "sim.experiments.replicate",
    "run_one": "sim.model",
    "run_replications": "sim.experiments.replicate",
    "sweep": "sim.experiments.sweep",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
