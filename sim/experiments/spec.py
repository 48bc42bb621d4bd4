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

from sim.errors import UserError
from sim.scenario.loading import load_yaml_file

DesignName = Literal["grid", "lhs", "sobol", "morris"]
Distribution = Literal["unif", "norm", "triang", "lognorm"]
NUMERIC_TYPES = ("int", "float")
VARIABLE_TYPES = ("int", "float", "bool", "choice", "text")


class SweepFileError(UserError):
    """A sweep file (or sweep definition) that cannot be run.

    Attributes:
        file: The sweep file (or ``<sweep>`` for a definition given in Python).
        key: Where in the file the (first) problem is, or None.
        problem: The message without the file and key.
    """

    def __init__(self, file: str | os.PathLike[str], key: str | None, problem: str) -> None:
        self.file, self.key, self.problem = str(file), key, problem
        super().__init__(f"{self.file}: {key}: {problem}" if key else f"{self.file}: {problem}")


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
        raise SweepFileError(file, None, "expected a mapping with keys such as design, parameters, reps, "
                             f"seed; found {type(data).__name__}")
    try:
        return SweepSpec.model_validate(dict(data), strict=True)
    except pydantic.ValidationError as exc:
        errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
        problems = [(key_text(error["loc"]), _describe(error)) for error in errors]
    key, problem = problems[0]
    more = "".join(f"; also {k}: {p}" for k, p in problems[1:])
    raise SweepFileError(file, key or None, problem + more)


def _describe(error: Mapping[str, Any]) -> str:
    """A pydantic error in the words of a sweep file."""
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        model = ParameterSpec if len(loc) > 2 and loc[0] == "parameters" else SweepSpec
        valid = list(model.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return f"is not a key of a sweep file here{hint} (valid keys: {', '.join(valid)})"
    if kind == "missing":
        return "is required but missing"
    expected = str(error["msg"]).removeprefix("Input should be ").removeprefix("Value error, ")
    return f"expected {expected}, found {error.get('input')!r}"


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
        raise SweepFileError(file or "<sweep>", "base", f"names {spec.base!r}, but {path} does not exist or "
                             "is not a file (the path is relative to the sweep file's folder)")
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
                raise SweepFileError(file, where, _unknown_key(key, types))
            kind = types[key]
            if kind not in VARIABLE_TYPES:
                raise SweepFileError(file, where, f"is a {kind} and cannot be varied by a sweep")
        _check_parameter(spec.design, parameter, kind, file, where)
    _check_size(spec, file)


def _unknown_key(key: str, types: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(types), n=3, cutoff=0.6)
    last = key.rsplit(".", 1)[-1]
    close += [k for k in types if k.rsplit(".", 1)[-1] == last and k not in close]
    hint = f"; did you mean {' or '.join(close[:3])}?" if close else ""
    return f"is not a parameter of the scenario{hint} (talentsim params lists every key)"


def _check_parameter(design: str, parameter: ParameterSpec, kind: str, file: str | os.PathLike[str],
                     where: str) -> None:
    if design == "grid":
        if parameter.levels is None:
            raise SweepFileError(file, where, "a grid needs 'levels: [...]' for every parameter")
        if parameter.bounds is not None or parameter.distribution != "unif":
            raise SweepFileError(file, where, "a grid takes levels only; bounds and distribution are for "
                                 "lhs, sobol and morris designs")
        if len(set(map(repr, parameter.levels))) != len(parameter.levels):
            raise SweepFileError(file, f"{where}.levels", f"repeats a level: {parameter.levels}")
        return
    if parameter.levels is not None:
        raise SweepFileError(file, where, f"a {design} design samples values within 'bounds: [low, high]'; "
                             "levels are for a grid design")
    if parameter.bounds is None:
        raise SweepFileError(file, where, f"a {design} design needs 'bounds: [low, high]' for every "
                             "parameter")
    if kind not in NUMERIC_TYPES:
        raise SweepFileError(file, where, f"is a {kind} parameter, not a number; vary it in a grid with "
                             "levels")
    _check_bounds(parameter, kind, file, f"{where}.bounds")


def _check_bounds(parameter: ParameterSpec, kind: str, file: str | os.PathLike[str], where: str) -> None:
    bounds, distribution = parameter.bounds or [], parameter.distribution
    expected = {"unif": 2, "triang": 3, "norm": 2, "lognorm": 2}[distribution]
    shapes = {"unif": "[low, high]", "triang": "[low, high, peak as a share of the width, 0-1]",
              "norm": "[mean, sd]", "lognorm": "[mean, sd] of the logarithm"}
    if len(bounds) != expected:
        raise SweepFileError(file, where, f"a {distribution} distribution takes {expected} values "
                             f"{shapes[distribution]}, found {bounds}")
    if distribution in ("unif", "triang"):
        low, high = bounds[0], bounds[1]
        if low > high:
            raise SweepFileError(file, where, f"are reversed: low {low:g} is above high {high:g}; "
                                 f"write [{high:g}, {low:g}]")
        if low == high:
            raise SweepFileError(file, where, f"low and high are both {low:g}; a parameter that does not "
                                 "vary belongs in the base scenario, not in the sweep")
        if kind == "int" and round(low) == round(high):
            raise SweepFileError(file, where, f"[{low:g}, {high:g}] holds a single whole number once rounded")
        if distribution == "triang" and not 0 <= bounds[2] < 1:
            raise SweepFileError(file, where, f"the peak {bounds[2]:g} must be a share of the width, in "
                                 "[0, 1)")
    elif bounds[1] <= 0:
        raise SweepFileError(file, where, f"the standard deviation {bounds[1]:g} must be above 0")


def _check_size(spec: SweepSpec, file: str | os.PathLike[str]) -> None:
    """Refuse a size SALib cannot (or should not) build a design with."""
    n = spec.samples
    if spec.design == "grid":
        if n is not None:
            raise SweepFileError(file, "samples", "a grid has one point per combination of levels; remove "
                                 "samples (use lhs or sobol to choose the number of points)")
        return
    if n is None:
        raise SweepFileError(file, "samples", f"a {spec.design} design needs 'samples: N'")
    if spec.design == "sobol" and n & (n - 1):
        low = 1 << (n.bit_length() - 1)
        raise SweepFileError(file, "samples", f"sobol (Saltelli) needs samples to be a power of 2 for its "
                             f"Sobol' sequence to keep its properties; found {n}, use {low} or {low * 2}")
    if spec.design == "sobol" and len(spec.parameters) < 2:
        raise SweepFileError(file, "parameters", "a sobol design needs at least 2 parameters")
    if spec.design == "morris":
        if n < 2:
            raise SweepFileError(file, "samples", f"a morris design needs at least 2 trajectories, found {n}")
        if spec.morris_levels % 2:
            raise SweepFileError(file, "morris_levels", f"must be even (SALib's Morris grid), found "
                                 f"{spec.morris_levels}")
