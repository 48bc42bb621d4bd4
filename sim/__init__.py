"""talentsim: school-enterprise talent cultivation, student -> apprentice -> employee.

Public API::

    sim.load_scenario(path, overrides)      # a validated Scenario
    sim.run_one(scenario, seed, **overrides) # one run -> RunResult (summary, timeseries, students)
    sim.TalentModel(scenario=..., seed=...)  # the mesa.Model, one step() per simulated week
    sim.compare([...], reps, master_seed)    # scenarios side by side with CIs (common random numbers)
    sim.sweep(sweep_file, out=...)           # grid / LHS / Sobol / Morris sweeps with SALib
"""

from sim.experiments import compare, replicate, sweep
from sim.model import TalentModel, run_one
from sim.results import RunResult
from sim.scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "TalentModel",
    "__version__",
    "compare",
    "load_scenario",
    "replicate",
    "run_one",
    "sweep",
]
