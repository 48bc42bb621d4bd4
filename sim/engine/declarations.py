"""The world-free parts of a mechanism's declaration, and the population-array builder.

State fields, unit kinds, stream patterns, ``build_arrays`` and the outcome helpers.

``sim.engine.mechanism`` has the declaration itself (``Mechanism``, ``Outcome``), which
refers to the World; this module does not, so the engine's lower modules (streams, the
population arrays) can use it without an import cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Literal, SupportsFloat, TypeVar

import numpy as np

Population = Literal["students", "school_mentors", "enterprise_mentors", "enterprises"]
"""The four kinds of agent whose state is held in arrays (one element per agent)."""

SET_UP = "set up by its owner"
"""``StateField.initial`` of an attribute its owner sets at set-up (drawn, or from the scenario)."""


@dataclass(frozen=True, slots=True)
class StateField:
    """One per-agent attribute a mechanism adds: an array with one element per agent.

    ``initial`` is the value every element starts with, or ``SET_UP`` when the owning
    mechanism sets the values at set-up (draws them, or takes them from the scenario);
    the builder then requires them as given arrays.
    """

    population: Population
    name: str
    dtype: type
    initial: float | int | bool | str
    description: str


class Unit(Enum):
    """What kind of quantity an outcome is (a unit kind, not display text)."""

    SHARE = "share"  # 0-1
    POINTS = "points"  # 0-100 skill or score points
    YUAN = "yuan"
    PERSONS = "persons"  # a head count
    COUNT = "count"  # a count of things (certificates)
    RATIO = "ratio"  # persons per mentor, hours demanded per hour available
    INDEX = "index"  # a 0-1 index that is not a share of people (satisfaction)
    WEEKS = "weeks"


@dataclass(frozen=True, slots=True)
class Series:
    """One column of the weekly time series, declared once (``label``: a message id)."""

    name: str
    label: str
    unit: Unit


def stream_pattern(declared: str) -> re.Pattern[str]:
    """A declared stream name as a regular expression (``{x}`` matches one name part, no dots)."""
    parts = re.split(r"\{[a-z_]+\}", declared)
    return re.compile("[a-z0-9_]+".join(re.escape(p) for p in parts) + r"\Z")


class DeclarationError(ValueError):
    """Declarations that contradict each other (a bug in the model's code, not user input)."""


def check_unique(kind: str, names: Iterable[tuple[str, str]]) -> None:
    """Fail on a name declared twice; ``names`` are (name, declaring mechanism) pairs."""
    seen: dict[str, str] = {}
    for name, owner in names:
        if name in seen:
            raise DeclarationError(f"{kind} {name!r} is declared twice: by {seen[name]} and by {owner}")
        seen[name] = owner


T = TypeVar("T")


def build_arrays(cls: type[T], size: int, declared: Iterable[StateField], set_up: Mapping[str, np.ndarray],
                 **scalars: object) -> T:
    """Build one population's arrays dataclass ``cls`` from the fields its mechanisms declare.

    Every array attribute of ``cls`` must be declared by exactly one mechanism; an
    attribute declared ``SET_UP`` comes from ``set_up`` (the owners' set-up values), every
    other starts as ``initial`` in each of its ``size`` elements. ``scalars`` are non-array fields
    (``n`` of ``Students``).
    """
    declared = list(declared)
    names = {f.name for f in fields(cls)} - set(scalars)  # type: ignore[arg-type]
    by_name = {f.name: f for f in declared}
    missing = names - set(by_name)
    extra = set(by_name) - names
    if missing or extra:
        raise DeclarationError(f"{cls.__name__}: attributes without a declaration {sorted(missing)}, "
                               f"declarations without an attribute {sorted(extra)}")
    values: dict[str, object] = dict(scalars)
    for f in declared:
        if f.initial == SET_UP:
            if f.name not in set_up:
                raise DeclarationError(f"{cls.__name__}.{f.name} is declared SET_UP but its owner did not set it up")
            values[f.name] = set_up[f.name]
        else:
            values[f.name] = np.full(size, f.initial, dtype=f.dtype)
    unexpected = set(set_up) - {f.name for f in declared if f.initial == SET_UP}
    if unexpected:
        raise DeclarationError(f"{cls.__name__}: set-up values for attributes not declared SET_UP {sorted(unexpected)}")
    return cls(**values)


def rate(numerator: SupportsFloat, denominator: SupportsFloat) -> float:
    """``numerator / denominator`` as a float, NaN when the denominator is 0 (an outcome helper)."""
    d = float(denominator)
    return float(numerator) / d if d > 0 else float("nan")


def mean_of(values: np.ndarray | list[float]) -> float:
    """The mean, NaN when there is nothing to average (an outcome helper)."""
    return float(np.mean(values)) if len(values) else float("nan")


def finite_mean(values: np.ndarray) -> float:
    """The mean of the finite values, NaN when there are none (an outcome helper)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else float("nan")
