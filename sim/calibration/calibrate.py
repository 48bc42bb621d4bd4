"""Calibrate: fit the free parameters to the targets, check the fit, write what a planner and a researcher need.

:func:`calibrate` runs the method of the file (ABC-SMC for a posterior, or an Optuna
point fit), then the checks (the verdict at the fitted point and the posterior predictive
band, :mod:`sim.calibration.checks`), and writes the calibration folder::

    DIR/experiment.json     what the calibration is (its definition hash: another file is refused)
    DIR/abc.db              pyabc's history (ABC-SMC), or DIR/optuna.db (the point fit): resumable
    DIR/runs/               the checks' runs (predictive draws, the verdict), stored as they finish (resumable)
    DIR/posterior.parquet   the final particles: parameter values (natural scale), weights,
                            distance, seed, each target's simulated mean (ABC-SMC)
    DIR/trials.parquet      every finished trial (point fit)
    DIR/predictive.parquet  each posterior draw's simulated mean of each target, and the simulated figure
    DIR/targets.csv         per target: observed, simulated at the fitted point (mean, Monte Carlo error,
                            replications), posterior predictive band, met
    DIR/parameters.csv      per parameter: prior, posterior median and 90% interval, sd ratio, identified
    DIR/fitted/NAME.yaml    one scenario file per named scenario: ``extends:`` it, sets the fitted point
    DIR/manifest.json       seed, sampler, reproducibility, budget used, verdicts, versions (the
                            model's, sim.model_version.MODEL_VERSION, which compare --posterior checks)

The fitted point is the weighted medoid of the final particles over the identified
parameters (a particle the joint posterior supports), or the best trial of a point fit;
the verdict runs it on seeds the fit did not use, as many times as the rule of
:mod:`sim.calibration.checks` asks. A parameter the targets do not identify (posterior
sd above 0.8 of the prior's) is left out of the fitted files: it keeps its assumption.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.atomic import atomic_write, writing
from sim.calibration.checks import (
    CREDIBLE,
    MAX_REPS,
    PILOT_REPS,
    POINT_BEST_TRIAL,
    POINT_MEDOID,
    SE_SHARE,
    VALUE_WIDTH_SES,
    Checks,
    medoid_particle,
    posterior_draws_for_band,
    run_checks,
    verdict_table,
)
from sim.calibration.distance import Target
from sim.calibration.evaluate import Problem
from sim.calibration.priors import IDENTIFIED_SD_RATIO, Prior, priors_of, weighted_mean_sd, weighted_quantile
from sim.calibration.spec import (
    CalibrationFileError,
    CalibrationSpec,
    ScenarioEntry,
    check_bounds_allowed,
    check_spec,
    check_target_outcomes,
    load_spec,
    parse_spec,
    resolve_scenarios,
)
from sim.errors import UserError
from sim.experiments.backends import Backend, DaskBackend
from sim.experiments.manifest import base_hash, base_to_dict, model_source_hash, software_versions
from sim.experiments.models import ModelFn, talent_model
from sim.experiments.runner import model_name
from sim.experiments.store import RunStore
from sim.experiments.sweep import parameter_types
from sim.messages import text
from sim.model_version import MODEL_VERSION
from sim.scenario import load_scenario
from sim.scenario.city_loading import CitySource, city_file_with, is_city_file, load_city
from sim.scenario.params import settable_keys

KIND = "calibrate"
SIGNIFICANT_DIGITS = 4
"""Fitted values are written (and checked) with this many significant digits."""
FITTED_DIR = "fitted"
POINT_RULE = (
    "the weighted medoid of the final particles: the particle whose weighted sum of distances to every particle "
    "is smallest, each identified parameter standardised by its posterior sd (internal scale); a particle, so a "
    "point the joint posterior supports, where the vector of marginal medians need not be one")
VERDICT_RULE = {
    "seeds": "keys (0, k) under a spawn key of the master seed of their own: no run of the fit or of the band "
             "has them; the same seeds for every scenario",
    "pilot_reps": PILOT_REPS, "se_share": SE_SHARE, "max_reps": MAX_REPS,
    "width": f"the band's width, or {VALUE_WIDTH_SES:g} se for a value (the interval value +- 2 se)",
    "reps": "the fewest replications with sd / sqrt(R) <= se_share x width for every target, sd estimated from "
            "the pilot and re-estimated from all the runs until it holds, at most max_reps",
    "met": "a band: the mean inside it; a value: |mean - value| <= 2 sqrt(se^2 + mcse^2)",
}
PREDICTIVE_RULE = (
    "each posterior draw (a weighted resample of the particles) simulated on its own seeds; per target the mean "
    "over the draw's replications plus, for a value target, a draw of N(0, se^2); the band is the 5% and 95% "
    "quantiles of these figures at positions (D + 1) p")
REPRODUCIBILITY_SERIAL = (
    "one process simulated every particle, in an order fixed by the master seed: the same file and seed give "
    "the same posterior")
REPRODUCIBILITY_PARALLEL = (
    "particles were simulated in parallel; pyabc's dynamic scheduling keeps the first particles accepted and each "
    "worker draws from its own freshly seeded generator, so which particles are accepted depends on timing and a "
    "rerun differs by Monte Carlo error (run with --workers 1 for a reproducible posterior)")
REPRODUCIBILITY_POINT = (
    "Optuna's TPE sampler is seeded from the master seed and every trial uses the same replication seeds: one "
    "uninterrupted session is reproducible; a resumed study continues with a freshly seeded sampler")


@dataclass(frozen=True)
class CalibrationPlan:
    """A checked calibration, ready to run: its definition, scenarios and what one evaluation needs."""

    spec: CalibrationSpec
    file: str
    entries: list[ScenarioEntry]
    problem: Problem
    model: ModelFn


def resolve_spec(definition: CalibrationSpec | Mapping[str, Any] | str | os.PathLike[str]) -> tuple[
        CalibrationSpec, str]:
    """The calibration and the name its messages use (the file, or ``<calibration>``)."""
    if isinstance(definition, CalibrationSpec):
        return definition, "<calibration>"
    if isinstance(definition, Mapping):
        return parse_spec(definition), "<calibration>"
    return load_spec(definition), str(definition)


def plan_calibration(definition: CalibrationSpec | Mapping[str, Any] | str | os.PathLike[str], *,
                     model: ModelFn = talent_model, overrides: Mapping[str, Any] | None = None) -> CalibrationPlan:
    """Read and check a calibration and load its scenarios (nothing is run or written).

    Raises:
        sim.calibration.spec.CalibrationFileError: The calibration is invalid.
        sim.scenario.ScenarioError: The file, a scenario or an override is invalid.
    """
    spec, file = resolve_spec(definition)
    folder = Path(file).parent if file != "<calibration>" else Path.cwd()
    cities = any(path is not None and is_city_file(folder / path) for path in spec.scenarios.values())
    # a city's keys are the city's to say: with one, the scenarios are read before the keys are checked
    entries = resolve_scenarios(spec, file, overrides) if cities else []
    types = parameter_types(model)
    outcomes: set[str] | None = None
    if model is talent_model:
        from sim.outcomes import BY_NAME

        outcomes = set(BY_NAME)
        for entry in entries:
            if isinstance(entry.scenario, CitySource):
                from sim.city import city_outcome_names

                assert types is not None
                types = {**entry.scenario.parameter_types(), **types}
                outcomes.update(city_outcome_names(entry.scenario.plan))
    check_spec(spec, file, types, outcomes)
    if not cities:
        entries = resolve_scenarios(spec, file, overrides)
    if types is not None:
        check_bounds_allowed(spec, entries, file, types)
    if outcomes is not None and cities:
        check_target_outcomes(spec, entries, file)
    index = {entry.name: i for i, entry in enumerate(entries)}
    targets = tuple(Target(index[t.scenario], t.scenario, t.outcome, t.value, t.se,
                           t.band[0] if t.band else None, t.band[1] if t.band else None, t.source)
                    for t in spec.targets)
    problem = Problem(model, tuple(entry.scenario for entry in entries), targets, priors_of(spec, types), spec.reps,
                      spec.combine)
    return CalibrationPlan(spec, file, entries, problem, model)


@dataclass(frozen=True)
class CalibrationResult:
    """What :func:`calibrate` found and wrote.

    Attributes:
        spec: The calibration.
        out: The calibration folder.
        posterior: The final particles (ABC-SMC): ``particle``, every parameter (natural
            scale), ``weight``, ``distance``, ``seed``, ``simulated: TARGET``; None for a point fit.
        trials: Every finished trial (point fit), else None.
        targets: One row per target: observed, simulated at the fitted point (``simulated``,
            ``mcse``, ``reps``), the posterior predictive band, met.
        parameters: One row per free parameter: prior, posterior summary, identified.
        fitted: The fitted point: parameter key -> value (identified parameters only).
        fitted_point: ``posterior medoid`` (ABC-SMC) or ``best trial`` (point fit).
        fitted_files: The fitted scenario files written.
        manifest: The manifest as written.
    """

    spec: CalibrationSpec
    out: Path
    posterior: pd.DataFrame | None
    trials: pd.DataFrame | None
    targets: pd.DataFrame
    parameters: pd.DataFrame
    fitted: dict[str, Any]
    fitted_point: str
    fitted_files: list[Path]
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def fitted_ok(self) -> bool:
        """True when every target is met at the fitted point."""
        return bool(self.targets["met"].all())

    @property
    def unmet(self) -> pd.DataFrame:
        """The targets not met at the fitted point."""
        return self.targets[~self.targets["met"]]

    def summary(self) -> str:
        """The printed summary: the fit, each target (met or not, by how much), each parameter, the verdict."""
        return format_summary(self)


def calibrate(definition: CalibrationSpec | Mapping[str, Any] | str | os.PathLike[str], *,
              out: str | os.PathLike[str], backend: Backend | None = None, model: ModelFn = talent_model,
              overrides: Mapping[str, Any] | None = None, progress: bool = False,
              quiet: bool = False) -> CalibrationResult:
    """Fit the free parameters of a calibration to its targets and check the fit.

    Args:
        definition: A calibration file path, or a definition (a dict as in a file, or a
            :class:`~sim.calibration.spec.CalibrationSpec`; scenario paths then relative
            to the working directory).
        out: The calibration folder: created if missing; a rerun with the same folder
            continues the stored history (a folder of another calibration is refused).
        backend: Where runs execute: serial (default; reproducible), local processes,
            or a Dask cluster (ABC-SMC only).
        model: The model function (default: the talent simulation).
        overrides: Values by dotted key applied to every scenario (``--set``).
        progress: Print the progress of the fit and the checks on stderr.
        quiet: With ``progress``, only the closing lines.

    Returns:
        The posterior (or trials), the targets' verdicts, the parameters' identification,
        the fitted point and the files written.

    Raises:
        sim.calibration.spec.CalibrationFileError: The calibration is invalid.
        sim.scenario.ScenarioError: A scenario or an override is invalid.
        sim.experiments.store.StoreError: ``out`` holds something else.
        sim.calibration.evaluate.CalibrationRunError: A model run failed.
        sim.errors.UserError: An optuna point fit was given a Dask backend (it runs locally only).
    """
    plan = plan_calibration(definition, model=model, overrides=overrides)
    spec, problem = plan.spec, plan.problem
    if spec.method == "optuna" and isinstance(backend, DaskBackend):  # refused before any folder is made
        raise UserError(text("calibration.optuna_local_only"))
    definition_record = {
        "method": spec.method, "seed": spec.seed, "reps": spec.reps, "combine": spec.combine,
        "parameters": {k: v.model_dump() for k, v in spec.parameters.items()},
        "targets": [t.model_dump(exclude={"source"}) for t in spec.targets],
        "scenarios": {e.name: base_hash(e.scenario) for e in plan.entries},
        "abc": spec.abc.model_dump() if spec.method == "abc-smc" else None,
        "model": model_name(model), "model_source_hash": model_source_hash()}
    store = RunStore(out, KIND, definition_record, {"targets": len(spec.targets), "parameters": len(spec.parameters)},
                     {"calibration_file": plan.file, "versions": software_versions()})
    began = time.perf_counter()
    with store:
        folder = store.directory
        if spec.method == "abc-smc":
            from sim.calibration.abc import NoGenerationError, run_abc

            try:
                batched = dataclasses.replace(problem, batch=backend is None or backend.batch != 1)
                fit: Any = run_abc(batched, spec, folder, backend, progress=progress, quiet=quiet)
            except NoGenerationError as short:
                raise CalibrationFileError.from_template(
                    "calibration.budget_spent_early", plan.file, "budget", simulations=short.simulations,
                    population=short.population) from None
            posterior = posterior_table(fit.particles, problem)
            trials = None
            parameters = identification(posterior, problem.priors)
            identified = [row["key"] for row in parameters.to_dict("records") if row["identified"]]
            particle: int | None = medoid_particle(posterior, problem.priors, identified)
            fitted = _rounded({key: float(posterior[key].iloc[particle]) for key in identified}, problem.priors)
            chosen = POINT_MEDOID
            draws = posterior_draws_for_band(posterior, problem, spec)
        else:
            from sim.calibration.point import run_point_fit

            fit = run_point_fit(problem, spec, folder, backend, progress=progress, quiet=quiet)
            posterior = None
            trials = trials_table(fit.trials, problem)
            parameters = point_parameters(fit.best, problem.priors)
            best = problem.values({p.name: fit.best[p.name] for p in problem.priors})
            particle = None
            fitted = _rounded(best, problem.priors)
            chosen = POINT_BEST_TRIAL
            draws = []
        checks = run_checks(problem, spec, store, backend, draws, fitted, progress=progress, quiet=quiet)
        targets = verdict_table(problem, checks)
        files = write_fitted_files(folder, plan, fitted, chosen)
        if posterior is not None:
            store.write_table("posterior.parquet", posterior)
        if trials is not None:
            store.write_table("trials.parquet", trials)
        store.write_table("predictive.parquet", checks.band.table)
        store.write_table("targets.csv", targets)
        store.write_table("parameters.csv", parameters)
        manifest = _manifest(plan, fit, parameters, targets, fitted, chosen, particle, files, checks,
                             time.perf_counter() - began)
        store.write_json("manifest.json", manifest)
    return CalibrationResult(spec, folder, posterior, trials, targets, parameters, fitted, chosen, files, manifest)


# ---------------------------------------------------------------------------- posterior


def posterior_table(particles: pd.DataFrame, problem: Problem) -> pd.DataFrame:
    """The final particles on the natural scale: ``particle``, parameters, ``weight``, ``distance``, ``seed``, means."""
    table = pd.DataFrame({"particle": np.arange(len(particles), dtype=np.int64)})
    for prior in problem.priors:
        table[prior.key] = [prior.to_natural(u) for u in particles[prior.name]]
    table["weight"] = particles["weight"].to_numpy(dtype=float)
    table["distance"] = np.sqrt(particles["d2"].to_numpy(dtype=float))
    table["seed"] = particles["seed"].to_numpy(dtype=np.int64)
    for index, target in enumerate(problem.targets):
        table[f"simulated: {target.label}"] = particles[f"m{index}"].to_numpy(dtype=float)
    return table


def trials_table(trials: pd.DataFrame, problem: Problem) -> pd.DataFrame:
    """The point fit's trials on the natural scale: ``trial``, parameters, ``score``, ``distance``, means."""
    table = pd.DataFrame({"trial": trials["trial"].to_numpy(dtype=np.int64)})
    for prior in problem.priors:
        table[prior.key] = [prior.to_natural(u) for u in trials[prior.name]]
    table["score"] = trials["score"].to_numpy(dtype=float)
    table["distance"] = np.sqrt(trials["d2"].to_numpy(dtype=float))
    for index, target in enumerate(problem.targets):
        table[f"simulated: {target.label}"] = trials[f"m{index}"].to_numpy(dtype=float)
    return table


def identification(posterior: pd.DataFrame, priors: Sequence[Prior]) -> pd.DataFrame:
    """Per parameter: prior, posterior median, mean, sd and 90% interval, sd ratio (internal scale), identified."""
    weights = posterior["weight"].to_numpy(dtype=float)
    rows = []
    low_q, high_q = (1 - CREDIBLE) / 2, 1 - (1 - CREDIBLE) / 2
    for prior in priors:
        natural = posterior[prior.key].to_numpy(dtype=float)
        internal = np.array([prior.to_internal(v) for v in natural])
        mean, _ = weighted_mean_sd(natural, weights)
        _, internal_sd = weighted_mean_sd(internal, weights)
        ratio = internal_sd / prior.internal_sd
        rows.append({"key": prior.key, "prior": prior.kind, "low": prior.low, "high": prior.high,
                     "prior_mean": prior.mean, "prior_sd": prior.sd,
                     "median": weighted_quantile(natural, weights, 0.5), "mean": mean,
                     "ci_low": weighted_quantile(natural, weights, low_q),
                     "ci_high": weighted_quantile(natural, weights, high_q),
                     "sd_ratio": ratio, "scale": "log" if prior.log_scale else "linear",
                     "identified": bool(ratio <= IDENTIFIED_SD_RATIO)})
    return pd.DataFrame(rows)


def point_parameters(best: Mapping[str, Any], priors: Sequence[Prior]) -> pd.DataFrame:
    """Per parameter of a point fit: prior and the best value; identification is not assessed (NaN ratio)."""
    rows = []
    for prior in priors:
        value = prior.to_natural(float(best[prior.name]))
        rows.append({"key": prior.key, "prior": prior.kind, "low": prior.low, "high": prior.high,
                     "prior_mean": prior.mean, "prior_sd": prior.sd, "median": value, "mean": value,
                     "ci_low": math.nan, "ci_high": math.nan, "sd_ratio": math.nan,
                     "scale": "log" if prior.log_scale else "linear", "identified": True})
    return pd.DataFrame(rows)


def _rounded(values: Mapping[str, Any], priors: Sequence[Prior]) -> dict[str, Any]:
    """Values as the fitted file writes them: whole numbers, or floats to 4 significant digits."""
    by_key = {p.key: p for p in priors}
    rounded: dict[str, Any] = {}
    for key, value in values.items():
        prior = by_key[key]
        model_value = prior.model_value(float(value))
        rounded[key] = model_value if prior.integer else float(f"{model_value:.{SIGNIFICANT_DIGITS}g}")
    return rounded


# ---------------------------------------------------------------------------- files


def _nested(values: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys as nested sections, in order."""
    nested: dict[str, Any] = {}
    for key, value in values.items():
        node = nested
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return nested


def write_fitted_files(folder: Path, plan: CalibrationPlan, fitted: Mapping[str, Any], point: str) -> list[Path]:
    """``DIR/fitted/NAME.yaml`` for every named scenario: extends it and sets the fitted point.

    Written only for the talent model (other models have no scenario parameters to set).
    Each file is read back with the scenario loader, so a file that does not load is never left.
    """
    if plan.model is not talent_model:
        return []
    written = []
    date = datetime.now(UTC).date().isoformat()
    header = text("calibration.fitted_header", calibration=plan.file, folder=folder, method=plan.spec.method,
                  seed=plan.spec.seed, point=point, date=date).rstrip("\n")
    for entry in plan.entries:
        path = folder / FITTED_DIR / f"{entry.name}.yaml"
        if isinstance(entry.scenario, CitySource):
            written.extend(_write_fitted_city(path, entry.scenario, fitted, header))
            continue
        written.append(_write_fitted_scenario(path, entry.file, entry.scenario.name, fitted, header))
    return written


def _write_fitted_scenario(path: Path, extends: Path | None, name: str, fitted: Mapping[str, Any],
                           header: str) -> Path:
    """A scenario file that extends ``extends`` (None: the defaults) and sets ``fitted``; read back before kept."""
    body: dict[str, Any] = {}
    with writing(path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
    if extends is not None:
        body["extends"] = os.path.relpath(extends.resolve(), path.parent.resolve())
    body["name"] = f"{name}_fitted"
    body.update(_nested(fitted))
    _write_yaml(path, header, body)
    load_scenario(path)  # a fitted file must load; raises (a bug) otherwise
    return path


def _write_fitted_city(path: Path, city: CitySource, fitted: Mapping[str, Any], header: str) -> list[Path]:
    """A fitted city: each programme's fitted scenario (``NAME/PROGRAMME.yaml``) and the city file naming them.

    Scenario keys go into every programme's file (a calibration sets them in each), city keys
    into the city file, which gives the whole city (a child city file replaces lists whole).
    """
    scenario_keys = {key: value for key, value in fitted.items() if key in settable_keys()}
    city_keys = {key: value for key, value in fitted.items() if key not in scenario_keys}
    files: dict[str, str] = {}
    written = []
    for programme in city.plan.programmes:
        programme_path = path.parent / path.stem / f"{programme.name}.yaml"
        extends = Path(programme.file) if programme.file else None
        written.append(_write_fitted_scenario(programme_path, extends, programme.scenario.name, scenario_keys,
                                              header))
        files[programme.name] = str(programme_path)
    body = city_file_with(city.path, city_keys, files, path.parent)
    body["name"] = f"{city.name}_fitted"
    _write_yaml(path, header, body)
    load_city(path)  # a fitted city must load; raises (a bug) otherwise
    return [path, *written]


def _write_yaml(path: Path, header: str, body: Mapping[str, Any]) -> None:
    """``body`` as YAML under ``header`` (each line a comment), written atomically."""
    content = "".join(f"# {line}\n" if line else "#\n" for line in header.split("\n"))
    content += yaml.safe_dump(dict(body), sort_keys=False, allow_unicode=True)
    encoded = content.encode("utf-8")

    def write(handle: Any, data: bytes = encoded) -> None:
        handle.write(data)

    atomic_write(path, write)


def _manifest(plan: CalibrationPlan, fit: Any, parameters: pd.DataFrame, targets: pd.DataFrame,
              fitted: Mapping[str, Any], chosen: str, particle: int | None, files: Sequence[Path], checks: Checks,
              seconds: float) -> dict[str, Any]:
    spec, problem = plan.spec, plan.problem
    abc = spec.method == "abc-smc"
    record: dict[str, Any] = {
        "kind": KIND, "calibration_file": plan.file, "calibration": spec.model_dump(), "method": spec.method,
        "master_seed": spec.seed, "model": model_name(plan.model), "model_version": MODEL_VERSION,
        "scenarios": [{"name": e.name, "file": str(e.file) if e.file else None, "hash": base_hash(e.scenario),
                       "resolved": base_to_dict(e.scenario)} for e in plan.entries],
        "parameters": [p.describe() for p in problem.priors],
        "targets": [t.describe() for t in problem.targets],
        "distance": {"combine": spec.combine, "met_within": "two standard errors (value; the observation's and "
                     "the Monte Carlo error of the simulated mean) or inside the band (band)"},
        "runs_per_evaluation": problem.runs_per_evaluation,
        "evaluations": fit.evaluations, "simulations": fit.evaluations * problem.runs_per_evaluation,
        "predictive_runs": checks.runs, "fit_wall_time_s": fit.wall_time_s, "session_wall_time_s": seconds,
        "stopped": fit.stopped, "resumed_after": fit.sessions_resumed,
        "fitted_point": chosen, "fitted": dict(fitted), "fitted_particle": particle,
        "point_rule": POINT_RULE if particle is not None else "the trial of lowest score",
        "fitted_distance": problem.distance(checks.point.means),
        "verdict_rule": VERDICT_RULE, "verdict_reps": checks.point.reps, "verdict_runs": checks.point.runs,
        "predictive": {"rule": PREDICTIVE_RULE, "draws": len(checks.band.means), "reps": checks.band.reps,
                       "runs": checks.band.runs},
        "fitted_files": [str(f) for f in files],
        "targets_met": int(targets["met"].sum()), "targets_total": len(targets),
        "verdict": "fitted" if bool(targets["met"].all()) else "did not fit",
        "identified": [r["key"] for r in parameters.to_dict("records") if r["identified"]] if abc else None,
        "not_identified": [r["key"] for r in parameters.to_dict("records") if not r["identified"]] if abc else None,
        "versions": {**software_versions(), **_method_versions()},
    }
    if abc:
        record.update(sampler=fit.sampler, reproducible=fit.reproducible,
                      reproducibility=REPRODUCIBILITY_SERIAL if fit.reproducible else REPRODUCIBILITY_PARALLEL,
                      generations=fit.generations, final_temperature=fit.temperature,
                      effective_sample_size=_ess(fit.particles["weight"].to_numpy(dtype=float)),
                      exact=fit.temperature <= 1.0 + 1e-9, population_size=spec.abc.population_size,
                      populations=fit.populations[["t", "epsilon", "samples", "wall_time"]].to_dict("records"))
    else:
        record.update(sampler="optuna TPESampler", reproducible=fit.sessions_resumed is None,
                      reproducibility=REPRODUCIBILITY_POINT)
    return record


def _ess(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted particles: ``(sum w)^2 / sum w^2``."""
    return float(weights.sum() ** 2 / np.sum(weights**2))


def _method_versions() -> dict[str, str]:
    import importlib.metadata

    versions = {}
    for package in ("pyabc", "optuna"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


# ---------------------------------------------------------------------------- summary


def _num(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "nan"
    return f"{value:.4g}"


def format_summary(result: CalibrationResult) -> str:
    """The printed summary of a calibration (see :meth:`CalibrationResult.summary`)."""
    manifest = result.manifest
    lines = []
    if result.spec.method == "abc-smc":
        template = "calibration.summary_abc" if manifest.get("exact") else "calibration.summary_abc_tempered"
        lines.append(text(template, generations=manifest["generations"], evaluations=manifest["evaluations"],
                          simulations=manifest["simulations"], minutes=manifest["fit_wall_time_s"] / 60,
                          temperature=manifest["final_temperature"], sampler=manifest["sampler"],
                          ess=manifest["effective_sample_size"], particles=manifest["population_size"]))
    else:
        lines.append(text("calibration.summary_point", evaluations=manifest["evaluations"],
                          simulations=manifest["simulations"], minutes=manifest["fit_wall_time_s"] / 60))
    reps = int(manifest.get("verdict_reps", 0))
    draws = int(manifest.get("predictive", {}).get("draws", 0))
    if draws:
        lines.append(text("calibration.summary_targets_header", point=result.fitted_point, reps=reps, draws=draws))
    else:
        lines.append(text("calibration.summary_targets_header_point", point=result.fitted_point, reps=reps))
    for row in result.targets.to_dict("records"):
        lines.append(_target_line(row))
    loose = [row for row in result.targets.to_dict("records")  # only when the cap stopped the verdict's runs
             if math.isfinite(row["mcse_share"]) and row["mcse_share"] > SE_SHARE]
    if loose:
        names = ", ".join(f"{row['outcome']} @ {row['scenario']}" for row in loose)
        lines.append(text("calibration.verdict_se_above", targets=names, reps=reps, share=SE_SHARE))
    lines.append(text("calibration.summary_parameters_header"))
    for row in result.parameters.to_dict("records"):
        lines.append(_parameter_line(row, result))
    for path in result.fitted_files:
        lines.append(text("calibration.summary_fitted_file", path=path))
    unmet = result.unmet
    if unmet.empty:
        lines.append(text("calibration.verdict_fitted", met=len(result.targets)))
    else:
        names = ", ".join(f"{row['outcome']} @ {row['scenario']}" for row in unmet.to_dict("records"))
        lines.append(text("calibration.verdict_not_fitted", unmet=len(unmet), total=len(result.targets),
                          targets=names))
    return "\n".join(lines)


def _target_line(row: Mapping[Any, Any]) -> str:
    fields = {"outcome": row["outcome"], "scenario": row["scenario"], "simulated": _num(row["simulated"]),
              "low": _num(row["predictive_low"]), "high": _num(row["predictive_high"]), "mcse": _num(row["mcse"])}
    side = "met" if row["met"] else "below" if row["gap"] < 0 else "above"
    band = math.isfinite(row["predictive_low"])  # a point fit has no posterior draws, hence no predictive band
    template = _LINES[(str(row["kind"]), side, band)]
    if row["kind"] == "band":
        width = float(row["high"]) - float(row["low"])
        return text(template, **fields, band_low=_num(row["low"]), band_high=_num(row["high"]),
                    gap=_num(abs(row["gap"])), widths=_num(abs(row["gap"]) / width))
    return text(template, **fields, value=_num(row["value"]), se=_num(row["se"]), z=_num(row["distance"]),
                gap=_num(abs(row["gap"])), ses=_num(abs(row["distance"])))


_LINES = {
    # (target kind, met / below / above, predictive band?) -> template
    ("band", "met", True): "calibration.target_band_met", ("band", "below", True): "calibration.target_band_below",
    ("band", "above", True): "calibration.target_band_above",
    ("value", "met", True): "calibration.target_value_met", ("value", "below", True): "calibration.target_value_below",
    ("value", "above", True): "calibration.target_value_above",
    ("band", "met", False): "calibration.point_band_met", ("band", "below", False): "calibration.point_band_below",
    ("band", "above", False): "calibration.point_band_above",
    ("value", "met", False): "calibration.point_value_met", ("value", "below", False): "calibration.point_value_below",
    ("value", "above", False): "calibration.point_value_above",
}


def _parameter_line(row: Mapping[Any, Any], result: CalibrationResult) -> str:
    if result.spec.method != "abc-smc":
        return text("calibration.parameter_point", key=row["key"], value=_num(row["median"]))
    fields = {"key": row["key"], "median": _num(row["median"]), "low": _num(row["ci_low"]),
              "high": _num(row["ci_high"]), "ratio": _num(row["sd_ratio"])}
    if row["identified"]:
        return text("calibration.parameter_identified", **fields)
    return text("calibration.parameter_not_identified", **fields)


__all__ = ["CREDIBLE", "CalibrationPlan", "CalibrationResult", "calibrate", "format_summary", "identification",
           "plan_calibration", "posterior_table", "write_fitted_files"]
