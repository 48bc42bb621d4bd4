"""Run a sweep: expand its design, run every point's replications, tabulate, analyse.

Each run's seed is keyed to ``(point, rep)`` under the sweep's master seed; with an
``out`` folder, every run is stored as it finishes and a rerun resumes. ``results.parquet``
has one row per run; ``sensitivity.csv`` (sobol and morris designs) holds the indices
computed on the mean over replications of each point.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.backends import Backend
from sim.experiments.design import Design, expand
from sim.experiments.manifest import base_hash, base_to_dict, model_source_hash, software_versions
from sim.experiments.models import ModelFn, talent_model
from sim.experiments.runner import Evaluator, RunTask, execute, model_name
from sim.experiments.seeds import run_seed
from sim.experiments.sensitivity import analyse
from sim.experiments.spec import SweepFileError, SweepSpec, base_path, check_spec, load_spec, parse_spec
from sim.experiments.store import RunRecord, RunStore
from sim.experiments.tables import outcome_names, records_table
from sim.results import scenarios_horizon_warnings
from sim.scenario import Scenario, ScenarioError, load_scenario, with_overrides
from sim.scenario.city_loading import CitySource, is_city_file
from sim.scenario.params import param_index

MAX_VALUES_CHECKED = 20
"""A parameter with more distinct values than this has only its lowest and highest checked up front."""


@dataclass(frozen=True)
class SweepResult:
    """The result of :func:`sweep`.

    Attributes:
        spec: The sweep that ran.
        design: Its points.
        results: One row per run: ``point``, ``rep``, ``seed``, each varied parameter,
            each outcome, ``error`` (empty unless the run failed).
        sensitivity: Indices per parameter and outcome (sobol, morris), else None.
        out: The experiment folder, when one was written.
    """

    spec: SweepSpec
    design: Design
    results: pd.DataFrame
    sensitivity: pd.DataFrame | None = None
    out: Path | None = None

    @property
    def n_failed(self) -> int:
        """Runs that raised or whose worker died."""
        return int((self.results["error"] != "").sum())

    def point_means(self) -> pd.DataFrame:
        """One row per point: the parameters and the mean of each outcome over its successful runs."""
        fixed = ("point", "rep", "seed", "error", *self.design.names)
        outcomes = [c for c in self.results.columns if c not in fixed]
        means = self.results.groupby("point")[outcomes].mean()
        params = pd.DataFrame(list(self.design.points), columns=list(self.design.names))
        return params.join(means, how="left").rename_axis("point").reset_index()


def parameter_types(model: ModelFn) -> dict[str, str] | None:
    """Types of the keys a sweep may vary: the scenario's for the talent model, anything otherwise."""
    if model is not talent_model:
        return None
    return {key: info.type for key, info in param_index().items() if info.settable}


def resolve_spec(sweep_def: SweepSpec | Mapping[str, Any] | str | os.PathLike[str]) -> tuple[SweepSpec, str]:
    """The sweep and the name its messages use (the file, or ``<sweep>``)."""
    if isinstance(sweep_def, SweepSpec):
        return sweep_def, "<sweep>"
    if isinstance(sweep_def, Mapping):
        return parse_spec(sweep_def), "<sweep>"
    return load_spec(sweep_def), str(sweep_def)


def check_point_values(design: Design, base: Scenario | CitySource, file: str) -> None:
    """Check up front that the design's values are allowed in the scenario or city (lowest, highest, each level).

    Raises:
        SweepFileError: A value the scenario refuses, naming the parameter.
    """
    for name in design.names:
        values = list(dict.fromkeys(point[name] for point in design.points))
        if len(values) > MAX_VALUES_CHECKED:
            values = [min(values), max(values)]
        for value in values:
            try:
                if isinstance(base, CitySource):
                    base.load({name: value})
                else:
                    with_overrides(base, {name: value}, "sweep point")
            except ScenarioError as exc:
                raise SweepFileError.from_template("sweep.value_refused", file, f"parameters[{name}]",
                                                   value=value, problem=exc.problem) from None


def sweep_tasks(spec: SweepSpec, design: Design) -> list[RunTask]:
    """Every run of the sweep: each point's replications, seeds keyed to ``(point, rep)``."""
    return [RunTask(point, rep, run_seed(spec.seed, point, rep), 0, dict(values))
            for point, values in enumerate(design.points) for rep in range(spec.reps)]


@dataclass(frozen=True)
class SweepPlan:
    """A checked sweep, ready to run: the definition, its base scenario and its points."""

    spec: SweepSpec
    file: str
    base: Scenario | CitySource
    """The base scenario, or the base city (a sweep whose ``base`` is a city file)."""
    base_file: Path | None
    design: Design


def plan_sweep(sweep_def: SweepSpec | Mapping[str, Any] | str | os.PathLike[str], *,
               model: ModelFn = talent_model, overrides: Mapping[str, Any] | None = None) -> SweepPlan:
    """Read and check a sweep, load its base scenario and expand its design (no run, no file written).

    Raises:
        SweepFileError: The sweep is invalid (unknown key, reversed bounds, a design SALib
            cannot build with this size, a value the scenario refuses).
        sim.scenario.ScenarioError: The sweep file, the base scenario or an override is invalid.
    """
    spec, file = resolve_spec(sweep_def)
    base_file = base_path(spec, file if file != "<sweep>" else None)
    base: Scenario | CitySource
    if base_file is not None and is_city_file(base_file):  # a city: its keys, its programmes' and every scenario key
        base = CitySource.read(base_file, overrides)
        types = base.parameter_types() if model is talent_model else None
        check_spec(spec, file, types)
    else:
        types = parameter_types(model)
        check_spec(spec, file, types)
        base = load_scenario(base_file, overrides)
    design = expand(spec, types)
    if types is not None:
        check_point_values(design, base, file)
    return SweepPlan(spec, file, base, base_file, design)


HORIZON_KEYS = ("simulation.horizon_years", "intake.n_cohorts")
"""Keys that, with the ``calendar.`` ones, change what a run can observe before its horizon."""


def horizon_scenarios(plan: SweepPlan) -> list[Scenario]:
    """The base scenario and one scenario per distinct combination of the horizon keys the design varies.

    What ``sim.results.horizon_warnings`` is asked about for a sweep: a design that varies
    the horizon, the cohorts or the calendar can cut some points short and not others.
    """
    if isinstance(plan.base, CitySource):  # a city's programmes share one horizon (the city file's check)
        return [programme.scenario for programme in plan.base.plan.programmes]
    varied = [name for name in plan.design.names if name in HORIZON_KEYS or name.startswith("calendar.")]
    if not varied:
        return [plan.base]
    combinations = dict.fromkeys(tuple(point[name] for name in varied) for point in plan.design.points)
    return [plan.base, *(with_overrides(plan.base, dict(zip(varied, values, strict=True)), "sweep point")
                         for values in combinations)]


def sweep(sweep_def: SweepSpec | Mapping[str, Any] | str | os.PathLike[str], *,
          out: str | os.PathLike[str] | None = None, backend: Backend | None = None,
          model: ModelFn = talent_model, overrides: Mapping[str, Any] | None = None,
          progress: bool = False, quiet: bool = False) -> SweepResult:
    """Run a sweep and analyse it.

    Args:
        sweep_def: A sweep file path, or a sweep definition (a dict as in a file, or a
            :class:`SweepSpec`; its ``base`` is then relative to the working directory).
            A ``base`` that is a city file sweeps the city: its parameters are city keys,
            ``programmes.NAME.KEY`` or scenario keys (every programme's), its outcomes the
            city's row and each school's and programme's (``CityResult.outcomes``).
        out: An experiment folder: runs are stored as they finish, a rerun with the
            same folder resumes, ``results.parquet``, ``sensitivity.csv`` (sobol, morris)
            and ``manifest.json`` are written at the end. None: nothing is written.
        backend: Where the runs execute (default: serially in this process).
        model: The model function ``(params, scenario, seed) -> outcomes`` (default: the
            talent simulation). Another model may vary any parameter name.
        overrides: Values by dotted key applied to the base scenario (``--set``).
        progress: Show progress on stderr.
        quiet: With ``progress``, only the final summary line.

    Returns:
        The per-run results and, for sobol and morris designs, the sensitivity indices.

    Raises:
        SweepFileError: The sweep is invalid (unknown key, reversed bounds, a design
            SALib cannot build with this size, a value the scenario refuses, an unknown outcome).
        sim.scenario.ScenarioError: The base scenario or an override is invalid.
        sim.experiments.store.StoreError: ``out`` holds a different experiment.
    """
    plan = plan_sweep(sweep_def, model=model, overrides=overrides)
    spec, file, base, base_file, design = plan.spec, plan.file, plan.base, plan.base_file, plan.design
    tasks = sweep_tasks(spec, design)
    evaluator = Evaluator(model, (base,))
    if out is None:
        records = execute(tasks, evaluator, backend, progress=progress, quiet=quiet)
        results = records_table(records, design.names)
        return SweepResult(spec, design, results, _sensitivity(spec, design, results, records, file))
    definition = {"base_scenario_hash": base_hash(base), "design": spec.design,
                  "parameters": {k: v.model_dump() for k, v in spec.parameters.items()}, "seed": spec.seed,
                  "model": model_name(model), "model_source_hash": model_source_hash()}
    if spec.design == "morris":
        definition["morris_levels"] = spec.morris_levels
    if spec.design in ("lhs", "morris"):
        definition["samples"] = spec.samples  # a new size gives new points; sobol's grow as a prefix
    store = RunStore(out, "sweep", definition, {"points": len(design), "reps": spec.reps},
                     {"sweep_file": file, "versions": software_versions()})
    with store:
        records = execute(tasks, evaluator, backend, store=store, progress=progress, quiet=quiet)
        results = records_table(records, design.names)
        store.write_table("results.parquet", results)
        sensitivity = _sensitivity(spec, design, results, records, file)
        if sensitivity is not None:
            store.write_table("sensitivity.csv", sensitivity)
        store.write_json("manifest.json", {
            "kind": "sweep", "sweep_file": file, "sweep": spec.model_dump(),
            "base_file": str(base_file) if base_file else None,
            "base_scenario_hash": base_hash(base), "base_scenario": base_to_dict(base),
            "overrides": dict(overrides or {}), "model": model_name(model), "points": len(design),
            "runs": len(records), "failed": sum(record.failed for record in records),
            "warnings": scenarios_horizon_warnings(horizon_scenarios(plan)) if model is talent_model else [],
            "versions": software_versions()})
    return SweepResult(spec, design, results, sensitivity, store.directory)


def _sensitivity(spec: SweepSpec, design: Design, results: pd.DataFrame, records: list[RunRecord],
                 file: str) -> pd.DataFrame | None:
    """For sobol and morris designs, the indices of the requested (default: every) outcome."""
    outcomes = outcome_names(records)
    unknown = [name for name in spec.outcomes if name not in outcomes]
    if unknown and outcomes:
        raise SweepFileError.from_template("sweep.unknown_outcomes", file, "outcomes", unknown=", ".join(unknown),
                                           outcomes=", ".join(outcomes))
    if spec.design not in ("sobol", "morris"):
        return None
    means = results.groupby("point")[outcomes].mean()
    return analyse(spec, design, means, spec.outcomes or outcomes)
