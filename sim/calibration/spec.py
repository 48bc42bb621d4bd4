"""Calibration files: free parameters with priors, targets on named scenarios, budget, seed, method.

A calibration file (YAML, read with the scenario loader's safe reader)::

    name: my_programme
    method: abc-smc                     # abc-smc (a posterior) | optuna (a quick point fit)
    seed: 20250101                      # master seed
    reps: 2                             # replications of every scenario per evaluation
    budget: {simulations: 20000}        # talentsim runs for the fit, and/or wall_time_minutes
    combine: rss                        # rss | max: how the targets' distances combine
    scenarios:                          # named scenarios, relative to this file (null: the defaults)
      typical: ../traditional.yaml
      pilot: ../baseline.yaml
    base: pilot                         # the scenario the fitted file extends (default: the first)
    parameters:
      attrition.termination_rate_per_year: {prior: log-uniform, bounds: [0.02, 0.4]}
      labour_market.open_market_job_rate_per_week: {prior: uniform, bounds: [0.02, 0.2]}
      labour_market.host_hire_bar_points: {prior: normal, mean: 50, sd: 10, bounds: [20, 80]}
    targets:
      - {scenario: typical, outcome: employment_rate_6m, value: 0.915, se: 0.005, source: MyCOS}
      - {scenario: pilot, outcome: early_termination_rate, band: [0.247, 0.297], source: BIBB}

Every problem is reported as ``FILE: KEY: problem`` (a :class:`CalibrationFileError`,
exit status 2) before anything is run or written. What the structure alone cannot
check, :func:`check_spec` checks against the model: a free parameter that is not a
numeric parameter of the scenario, a target that is not an outcome of the registry,
bounds that are reversed or that the scenario refuses.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from sim.messages import text
from sim.scenario import Scenario, ScenarioError, load_scenario, with_overrides
from sim.scenario.city_loading import CitySource, is_city_file
from sim.scenario.explain import LocatedError, located, validation_template
from sim.scenario.loading import load_yaml_file, parameter_key_template

PriorName = Literal["uniform", "log-uniform", "normal"]
MethodName = Literal["abc-smc", "optuna"]
CombineName = Literal["rss", "max"]
NUMERIC_TYPES = ("int", "float")


class CalibrationFileError(LocatedError):
    """A calibration file (or definition) that cannot be run.

    Attributes:
        file: The calibration file (or ``<calibration>`` for a definition given in Python).
        key: Where in the file the (first) problem is, or None.
        problem: The message without the file and key.
    """


class ParameterSpec(BaseModel):
    """A free parameter's prior: ``uniform`` or ``log-uniform`` on ``bounds``, or ``normal`` truncated to them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prior: PriorName
    bounds: list[float] = Field(min_length=2, max_length=2)
    mean: float | None = None
    sd: float | None = None


class TargetSpec(BaseModel):
    """An observed figure: an outcome of a named scenario, with ``value`` and ``se``, or a ``band``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str
    outcome: str
    value: float | None = None
    se: float | None = None
    band: list[float] | None = Field(None, min_length=2, max_length=2)
    source: str = ""


class BudgetSpec(BaseModel):
    """How much the fit may use: talentsim runs, wall time, or both (whichever is reached first)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    simulations: int | None = Field(None, ge=1)
    wall_time_minutes: float | None = Field(None, gt=0)


class AbcSpec(BaseModel):
    """ABC-SMC settings: particles per generation and the most generations (the last is exact)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    population_size: int = Field(100, ge=4)
    generations: int = Field(8, ge=1, le=100)


class PredictiveSpec(BaseModel):
    """The posterior predictive band: posterior draws simulated, and replications of each (default: ``reps``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    draws: int = Field(20, ge=2)
    reps: int | None = Field(None, ge=1)


class CalibrationSpec(BaseModel):
    """A calibration: free parameters, targets, scenarios, replications, budget, seed and method."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    description: str = ""
    method: MethodName = "abc-smc"
    seed: int = Field(ge=0)
    reps: int = Field(1, ge=1)
    budget: BudgetSpec
    combine: CombineName = "rss"
    scenarios: dict[str, str | None] = Field(min_length=1)
    base: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    targets: list[TargetSpec] = Field(min_length=1)
    abc: AbcSpec = AbcSpec.model_validate({})  # frozen: a shared default is safe
    predictive: PredictiveSpec = PredictiveSpec.model_validate({})

    @property
    def names(self) -> list[str]:
        """The free parameters, in file order."""
        return list(self.parameters)

    @property
    def base_name(self) -> str:
        """The scenario the fitted file extends: ``base``, else the first scenario."""
        return self.base if self.base is not None else next(iter(self.scenarios))


_SECTION_MODELS: dict[str, type[BaseModel]] = {
    "parameters": ParameterSpec, "targets": TargetSpec, "budget": BudgetSpec, "abc": AbcSpec,
    "predictive": PredictiveSpec,
}
_WHOLE_NUMBER_FIELDS = frozenset({"seed", "reps", "simulations", "population_size", "generations", "draws"})


def key_text(loc: Iterable[Any]) -> str:
    """A location in a calibration file: ``parameters[attrition.x].bounds``, ``targets[0].se``."""
    parts = list(loc)
    shown = ""
    for index, part in enumerate(parts):
        if isinstance(part, int):
            shown += f"[{part}]"
        elif index == 1 and parts[0] in ("parameters", "scenarios", "overrides"):
            shown += f"[{part}]"
        else:
            shown += f".{part}" if shown else str(part)
    return shown


def _template(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The message template of a pydantic error in a calibration file, and its fields."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        section = loc[0] if len(loc) > 1 else None
        model = _SECTION_MODELS.get(str(section), CalibrationSpec) if section is not None else CalibrationSpec
        valid = list(model.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        if close:
            return "calibration.unknown_key_suggest", {"suggestion": close[0], "valid": ", ".join(valid)}
        return "calibration.unknown_key", {"valid": ", ".join(valid)}
    last = next((part for part in reversed(loc) if isinstance(part, str)), "")
    return validation_template(error, whole_number=last in _WHOLE_NUMBER_FIELDS)


def parse_spec(data: Any, file: str | os.PathLike[str] = "<calibration>") -> CalibrationSpec:
    """Validate a calibration definition's structure (a dict as read from YAML).

    Raises:
        CalibrationFileError: Unknown or missing keys, values of the wrong type.
    """
    if not isinstance(data, Mapping):
        raise CalibrationFileError.from_template("calibration.not_a_mapping", file, found=type(data).__name__)
    try:
        return CalibrationSpec.model_validate(dict(data), strict=True)
    except pydantic.ValidationError as exc:
        errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    described = [(key_text(error["loc"]), *_template(error)) for error in errors]
    key, template_id, fields = described[0]
    message, problem = located(template_id, str(file), key or None, **fields)
    for other_key, other_id, other_fields in described[1:]:
        _, other_problem = located(other_id, str(file), other_key or None, **other_fields)
        other_key = other_key or text("value.top_level")
        message = text("value.also", message=message, key=other_key, problem=other_problem)
        problem = text("value.also", message=problem, key=other_key, problem=other_problem)
    raise CalibrationFileError(file, key or None, problem, message=message)


def load_spec(path: str | os.PathLike[str]) -> CalibrationSpec:
    """Read and structurally validate a calibration file.

    Raises:
        sim.scenario.ScenarioError: The file cannot be read or is not safe, valid YAML.
        CalibrationFileError: The file's keys or values are wrong.
    """
    return parse_spec(load_yaml_file(path), path)


def check_spec(spec: CalibrationSpec, file: str | os.PathLike[str], types: Mapping[str, str] | None,
               outcomes: Collection[str] | None) -> None:
    """Check what the structure alone cannot: parameter and override keys, priors and bounds, targets, budget.

    Args:
        spec: The calibration.
        file: The calibration file, for messages.
        types: Parameter key -> type of the model's parameters (``int``, ``float``, ...);
            None accepts any key as a number (a swapped-in model).
        outcomes: The outcomes the model can produce (the registry's); None accepts any name.

    Raises:
        CalibrationFileError: The first problem found, naming the file and key (a key
            renamed or removed since the file was written: its replacement and why).
    """
    for key, parameter in spec.parameters.items():
        where = f"parameters[{key}]"
        kind = "float"
        if types is not None:
            if key not in types:
                template_id, fields = parameter_key_template(key, types) or ("scenario.unknown_parameter", {})
                raise CalibrationFileError.from_template(template_id, file, where, **fields)
            kind = types[key]
            if kind not in NUMERIC_TYPES:
                raise CalibrationFileError.from_template("calibration.not_a_number", file, where, kind=kind)
        check_prior(parameter, kind, file, where)
    for raw_key in spec.overrides:  # set on every scenario, whatever the model: scenario keys
        problem = parameter_key_template(raw_key.strip().replace("__", "."))
        if problem is not None:
            template_id, fields = problem
            raise CalibrationFileError.from_template(template_id, file, f"overrides[{raw_key}]", **fields)
    if spec.base is not None and spec.base not in spec.scenarios:
        raise CalibrationFileError.from_template("calibration.unknown_scenario", file, "base", name=spec.base,
                                                 names=", ".join(spec.scenarios))
    seen: dict[tuple[str, str], int] = {}
    for index, target in enumerate(spec.targets):
        where = f"targets[{index}]"
        if target.scenario not in spec.scenarios:
            raise CalibrationFileError.from_template("calibration.unknown_scenario", file, f"{where}.scenario",
                                                     name=target.scenario, names=", ".join(spec.scenarios))
        if outcomes is not None and target.outcome not in outcomes:
            raise _unknown(target.outcome, outcomes, file, f"{where}.outcome", "calibration.unknown_outcome_suggest",
                           "calibration.unknown_outcome")
        if (target.scenario, target.outcome) in seen:
            raise CalibrationFileError.from_template("calibration.target_twice", file, where,
                                                     first=seen[(target.scenario, target.outcome)])
        seen[(target.scenario, target.outcome)] = index
        _check_target(target, file, where)
    budget = spec.budget
    if budget.simulations is None and budget.wall_time_minutes is None:
        raise CalibrationFileError.from_template("calibration.budget_missing", file, "budget")
    if budget.simulations is not None:
        per_evaluation = len(spec.scenarios) * spec.reps
        needed = per_evaluation * (2 * spec.abc.population_size if spec.method == "abc-smc" else 2)
        if budget.simulations < needed:
            raise CalibrationFileError.from_template(
                "calibration.budget_too_small", file, "budget.simulations", simulations=budget.simulations,
                needed=needed, per_evaluation=per_evaluation)


def check_prior(parameter: ParameterSpec, kind: str, file: str | os.PathLike[str], where: str) -> None:
    """Refuse a prior whose bounds are reversed, equal, not positive (log-uniform) or not whole numbers."""
    low, high = parameter.bounds
    bounds_key = f"{where}.bounds"
    if not (math.isfinite(low) and math.isfinite(high)):
        raise CalibrationFileError.from_template("calibration.bounds_not_finite", file, bounds_key, low=low, high=high)
    if low > high:
        raise CalibrationFileError.from_template("calibration.bounds_reversed", file, bounds_key, low=low, high=high)
    if low == high:
        raise CalibrationFileError.from_template("calibration.bounds_equal", file, bounds_key, low=low)
    if kind == "int" and math.floor(high) - math.ceil(low) < 1:
        raise CalibrationFileError.from_template("calibration.bounds_one_whole_number", file, bounds_key, low=low,
                                                 high=high)
    if parameter.prior == "normal":
        if parameter.mean is None or parameter.sd is None:
            raise CalibrationFileError.from_template("calibration.normal_needs_mean_sd", file, where)
        if not parameter.sd > 0:
            raise CalibrationFileError.from_template("calibration.sd_not_positive", file, f"{where}.sd",
                                                     sd=parameter.sd)
        if not low <= parameter.mean <= high:
            raise CalibrationFileError.from_template("calibration.mean_outside_bounds", file, f"{where}.mean",
                                                     mean=parameter.mean, low=low, high=high)
        return
    if parameter.mean is not None or parameter.sd is not None:
        raise CalibrationFileError.from_template("calibration.mean_sd_only_normal", file, where,
                                                 prior=parameter.prior)
    if parameter.prior == "log-uniform" and low <= 0:
        raise CalibrationFileError.from_template("calibration.log_uniform_not_positive", file, bounds_key, low=low)


def _check_target(target: TargetSpec, file: str | os.PathLike[str], where: str) -> None:
    has_value = target.value is not None or target.se is not None
    if has_value == (target.band is not None):
        raise CalibrationFileError.from_template("calibration.value_or_band", file, where)
    if target.band is not None:
        low, high = target.band
        if not (math.isfinite(low) and math.isfinite(high)):
            raise CalibrationFileError.from_template("calibration.bounds_not_finite", file, f"{where}.band", low=low,
                                                     high=high)
        if low > high:
            raise CalibrationFileError.from_template("calibration.bounds_reversed", file, f"{where}.band", low=low,
                                                     high=high)
        if low == high:
            raise CalibrationFileError.from_template("calibration.band_empty", file, f"{where}.band", low=low)
        return
    if target.value is None or target.se is None:
        raise CalibrationFileError.from_template("calibration.value_needs_se", file, where)
    if not math.isfinite(target.value):
        raise CalibrationFileError.from_template("calibration.value_not_finite", file, f"{where}.value",
                                                 value=target.value)
    if not (math.isfinite(target.se) and target.se > 0):
        raise CalibrationFileError.from_template("calibration.se_not_positive", file, f"{where}.se", se=target.se)


def _unknown(name: str, known: Collection[str], file: str | os.PathLike[str], where: str, suggest_id: str,
             plain_id: str) -> CalibrationFileError:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    last = name.rsplit(".", 1)[-1]
    close += [k for k in known if k.rsplit(".", 1)[-1] == last and k not in close]
    if close:
        return CalibrationFileError.from_template(suggest_id, file, where, suggestion=" or ".join(close[:3]))
    return CalibrationFileError.from_template(plain_id, file, where)


@dataclass(frozen=True)
class ScenarioEntry:
    """One named scenario of a calibration: its name, file (None: the defaults) and resolved value."""

    name: str
    file: Path | None
    scenario: Scenario | CitySource
    """The resolved scenario, or a city (a city file: its programmes run together, free parameters set in each)."""


def resolve_scenarios(spec: CalibrationSpec, file: str | os.PathLike[str],
                      overrides: Mapping[str, Any] | None = None) -> list[ScenarioEntry]:
    """Load the calibration's named scenarios (paths relative to the calibration file).

    ``spec.overrides`` and then ``overrides`` (``--set``) are applied to every scenario. A city
    file is a city (``CitySource``): the overrides, scenario keys, set every programme.

    Raises:
        CalibrationFileError: A named file does not exist.
        sim.scenario.ScenarioError: A scenario file or an override is invalid.
    """
    folder = Path(file).parent if str(file) != "<calibration>" else Path.cwd()
    entries = []
    for name, relative in spec.scenarios.items():
        path = None if relative is None else folder / relative
        if path is not None and not path.is_file():
            raise CalibrationFileError.from_template("calibration.scenario_missing", file, f"scenarios[{name}]",
                                                     scenario=relative, path=path)
        given = {**spec.overrides, **(overrides or {})}
        scenario: Scenario | CitySource = CitySource.read(path, given) if path is not None and is_city_file(path) \
            else load_scenario(path, given)
        entries.append(ScenarioEntry(name, path, scenario))
    return entries


def check_target_outcomes(spec: CalibrationSpec, entries: Sequence[ScenarioEntry],
                          file: str | os.PathLike[str]) -> None:
    """Check each target's outcome against its own scenario: a scenario's registry, or a city's rows.

    Raises:
        CalibrationFileError: A target names an outcome its scenario or city does not give.
    """
    from sim.city import city_outcome_names
    from sim.outcomes import BY_NAME

    by_name = {entry.name: entry for entry in entries}
    for index, target in enumerate(spec.targets):
        base = by_name[target.scenario].scenario
        names = city_outcome_names(base.plan) if isinstance(base, CitySource) else list(BY_NAME)
        if target.outcome not in names:
            raise _unknown(target.outcome, names, file, f"targets[{index}].outcome",
                           "calibration.unknown_outcome_suggest", "calibration.unknown_outcome")


def check_bounds_allowed(spec: CalibrationSpec, entries: Iterable[ScenarioEntry], file: str | os.PathLike[str],
                         types: Mapping[str, str]) -> None:
    """Check that every scenario accepts each free parameter's lowest and highest value.

    Raises:
        CalibrationFileError: A bound the scenario refuses, naming the parameter.
    """
    for entry in entries:
        for key, parameter in spec.parameters.items():
            for bound in parameter.bounds:
                value: float | int = round(bound) if types.get(key) == "int" else float(bound)
                try:
                    if isinstance(entry.scenario, CitySource):
                        entry.scenario.load({key: value}, "calibration bound")
                    else:
                        with_overrides(entry.scenario, {key: value}, "calibration bound")
                except ScenarioError as exc:
                    raise CalibrationFileError.from_template(
                        "calibration.bound_refused", file, f"parameters[{key}].bounds", value=value,
                        scenario=entry.name, problem=exc.problem) from None


__all__ = ["AbcSpec", "BudgetSpec", "CalibrationFileError", "CalibrationSpec", "ParameterSpec", "PredictiveSpec",
           "ScenarioEntry", "TargetSpec", "check_bounds_allowed", "check_prior", "check_spec", "check_target_outcomes",
           "key_text", "load_spec", "parse_spec", "resolve_scenarios"]
