"""Sweep files: what a sweep varies, how, and how often; read strictly, checked with names.

A sweep file (YAML, read with the scenario loader's safe reader)::

    base: ../baseline.yaml              # scenario, relative to this file (default: the defaults)
    design: sobol                       # grid | lhs | sobol | morris
    samples: 64                         # N: sobol runs N x (D + 2) points, morris N x (D + 1), lhs N
    reps: 3                             # replications per point
    seed: 20240601                      # master seed: design sampling and every run's seed
    outcomes: [employment_rate_6m]      # optional: outcomes to analyse (default: all)
    parameters:
      school_mentors.students_per_mentor: {bounds: [10, 40]}
      funding.school_special_fund_yuan_per_year: {bounds: [1.0e6, 2.0e6], distribution: unif}

A grid gives ``levels: [...]`` instead of bounds and has no ``samples``. Distributions
follow SALib: ``unif`` ``[low, high]``, ``triang`` ``[low, high, peak as a share of the
width]``, ``norm`` ``[mean, sd]``, ``lognorm`` ``[mean, sd]`` of the logarithm. Whole-
number parameters are rounded. Every problem is reported as ``FILE: KEY: problem``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from sim.i18n import N_, gettext
from sim.messages import text
from sim.scenario.explain import LocatedError, located, validation_template
from sim.scenario.loading import load_yaml_file, parameter_key_template
from sim.scenario.params import type_text

DesignName = Literal["grid", "lhs", "sobol", "morris"]
Distribution = Literal["unif", "norm", "triang", "lognorm"]
NUMERIC_TYPES = ("int", "float")
VARIABLE_TYPES = ("int", "float", "bool", "choice", "text")


class SweepFileError(LocatedError):
    """A sweep file (or sweep definition) that cannot be run.

    Attributes:
        file: The sweep file (or ``<sweep>`` for a definition given in Python).
        key: Where in the file the (first) problem is, or None.
        problem: The message without the file and key.
    """


class ParameterSpec(BaseModel):
    """How one parameter varies: grid ``levels``, or sampled ``bounds`` and ``distribution``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: list[bool | int | float | str] | None = Field(None, min_length=1)
    bounds: list[float] | None = Field(None, min_length=2, max_length=3)
    distribution: Distribution = "unif"


class SweepSpec(BaseModel):
    """A sweep: base scenario, varied parameters, design, size, replications, master seed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    description: str = ""
    description_zh: str = ""  # the description in Chinese, for Chinese reports (not part of the experiment hash)
    base: str | None = None
    design: DesignName
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    samples: int | None = Field(None, ge=1)
    reps: int = Field(1, ge=1)
    seed: int = Field(ge=0)
    outcomes: list[str] = Field(default_factory=list)
    morris_levels: int = Field(4, ge=2)

    @property
    def names(self) -> list[str]:
        """The varied parameters, in file order."""
        return list(self.parameters)


def key_text(loc: Iterable[Any]) -> str:
    """A location in a sweep file: ``parameters[school_mentors.students_per_mentor].bounds``."""
    parts = list(loc)
    text = ""
    for index, part in enumerate(parts):
        if isinstance(part, int):
            text += f"[{part}]"
        elif index == 1 and parts[0] == "parameters":
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def parse_spec(data: Any, file: str | os.PathLike[str] = "<sweep>") -> SweepSpec:
    """Validate a sweep definition's structure (a dict as read from YAML).

    Raises:
        SweepFileError: Unknown or missing keys, values of the wrong type.
    """
    if not isinstance(data, Mapping):
        raise SweepFileError.from_template("sweep.not_a_mapping", file, found=type(data).__name__)
    try:
        return SweepSpec.model_validate(dict(data), strict=True)
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
    raise SweepFileError(file, key or None, problem, message=message)


_WHOLE_NUMBER_FIELDS = frozenset({"samples", "reps", "seed", "morris_levels"})


def _template(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The message template of a pydantic error in a sweep file, and its fields."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        model = ParameterSpec if len(loc) > 2 and loc[0] == "parameters" else SweepSpec
        valid = list(model.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        if close:
            return "sweep.unknown_key_suggest", {"suggestion": close[0], "valid": ", ".join(valid)}
        return "sweep.unknown_key", {"valid": ", ".join(valid)}
    return validation_template(error, whole_number=len(loc) == 1 and loc[0] in _WHOLE_NUMBER_FIELDS)


def load_spec(path: str | os.PathLike[str]) -> SweepSpec:
    """Read and structurally validate a sweep file.

    Raises:
        sim.scenario.ScenarioError: The file cannot be read or is not safe, valid YAML.
        SweepFileError: The file's keys or values are wrong.
    """
    return parse_spec(load_yaml_file(path), path)


def base_path(spec: SweepSpec, file: str | os.PathLike[str] | None) -> Path | None:
    """The base scenario's path, relative to the sweep file's folder (None: the defaults).

    Raises:
        SweepFileError: The named file does not exist.
    """
    if spec.base is None:
        return None
    folder = Path(file).parent if file is not None and str(file) != "<sweep>" else Path.cwd()
    path = folder / spec.base
    if not path.is_file():
        raise SweepFileError.from_template("sweep.base_missing", file or "<sweep>", "base", base=spec.base, path=path)
    return path


def check_spec(spec: SweepSpec, file: str | os.PathLike[str], types: Mapping[str, str] | None) -> None:
    """Check what the structure alone cannot: keys, bounds, and whether SALib can build the design.

    Args:
        spec: The sweep.
        file: The sweep file, for messages.
        types: Parameter key -> type (``int``, ``float``, ``bool``, ``choice``, ...) of the
            model's parameters; None accepts any key as a number (a swapped-in model).

    Raises:
        SweepFileError: The first problem found, naming the file and key.
    """
    for key, parameter in spec.parameters.items():
        where = f"parameters[{key}]"
        kind = "float"
        if types is not None:
            if key not in types:
                raise _unknown_key(key, types, file, where)
            kind = types[key]
            if kind not in VARIABLE_TYPES:
                raise SweepFileError.from_template("sweep.not_variable", file, where, kind=type_text(kind))
        _check_parameter(spec.design, parameter, kind, file, where)
    _check_size(spec, file)


def _unknown_key(key: str, types: Collection[str], file: str | os.PathLike[str], where: str) -> SweepFileError:
    """A varied key that is not a parameter: renamed or removed (with its replacement), or close matches."""
    template_id, fields = parameter_key_template(key, types) or ("scenario.unknown_parameter", {})
    return SweepFileError.from_template(template_id, file, where, **fields)


def _check_parameter(design: str, parameter: ParameterSpec, kind: str, file: str | os.PathLike[str],
                     where: str) -> None:
    if design == "grid":
        if parameter.levels is None:
            raise SweepFileError.from_template("sweep.grid_needs_levels", file, where)
        if parameter.bounds is not None or parameter.distribution != "unif":
            raise SweepFileError.from_template("sweep.grid_takes_levels_only", file, where)
        if len(set(map(repr, parameter.levels))) != len(parameter.levels):
            raise SweepFileError.from_template("sweep.repeated_level", file, f"{where}.levels", levels=parameter.levels)
        return
    if parameter.levels is not None:
        raise SweepFileError.from_template("sweep.levels_need_a_grid", file, where, design=design)
    if parameter.bounds is None:
        raise SweepFileError.from_template("sweep.needs_bounds", file, where, design=design)
    if kind not in NUMERIC_TYPES:
        raise SweepFileError.from_template("sweep.not_a_number", file, where, kind=type_text(kind))
    _check_bounds(parameter, kind, file, f"{where}.bounds")


def _check_bounds(parameter: ParameterSpec, kind: str, file: str | os.PathLike[str], where: str) -> None:
    bounds, distribution = parameter.bounds or [], parameter.distribution
    expected = {"unif": 2, "triang": 3, "norm": 2, "lognorm": 2}[distribution]
    shapes = {"unif": N_("[low, high]"), "triang": N_("[low, high, peak as a share of the width, 0-1]"),
              "norm": N_("[mean, sd]"), "lognorm": N_("[mean, sd] of the logarithm")}
    if len(bounds) != expected:
        raise SweepFileError.from_template("sweep.bounds_count", file, where, distribution=distribution, count=expected,
                                          shape=gettext(shapes[distribution]), bounds=bounds)
    if distribution in ("unif", "triang"):
        low, high = bounds[0], bounds[1]
        if low > high:
            raise SweepFileError.from_template("sweep.bounds_reversed", file, where, low=low, high=high)
        if low == high:
            raise SweepFileError.from_template("sweep.bounds_equal", file, where, low=low)
        if kind == "int" and round(low) == round(high):
            raise SweepFileError.from_template("sweep.bounds_one_whole_number", file, where, low=low, high=high)
        if distribution == "triang" and not 0 <= bounds[2] < 1:
            raise SweepFileError.from_template("sweep.peak_not_a_share", file, where, peak=bounds[2])
    elif bounds[1] <= 0:
        raise SweepFileError.from_template("sweep.sd_not_positive", file, where, sd=bounds[1])


def _check_size(spec: SweepSpec, file: str | os.PathLike[str]) -> None:
    """Refuse a size SALib cannot (or should not) build a design with."""
    n = spec.samples
    if spec.design == "grid":
        if n is not None:
            raise SweepFileError.from_template("sweep.grid_has_no_samples", file, "samples")
        return
    if n is None:
        raise SweepFileError.from_template("sweep.needs_samples", file, "samples", design=spec.design)
    if spec.design == "sobol" and n & (n - 1):
        low = 1 << (n.bit_length() - 1)
        raise SweepFileError.from_template("sweep.sobol_power_of_two", file, "samples", samples=n, lower=low,
                                           higher=low * 2)
    if spec.design == "sobol" and len(spec.parameters) < 2:
        raise SweepFileError.from_template("sweep.sobol_two_parameters", file, "parameters")
    if spec.design == "morris":
        if n < 2:
            raise SweepFileError.from_template("sweep.morris_trajectories", file, "samples", samples=n)
        if spec.morris_levels % 2:
            raise SweepFileError.from_template("sweep.morris_levels_odd", file, "morris_levels",
                                               levels=spec.morris_levels)
