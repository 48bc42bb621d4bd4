"""Expanding a sweep into design points: a pure function of the sweep (SALib samples).

Point ids are row numbers of the design. For ``sobol`` the design with ``2N`` samples
starts with the design with ``N`` (the Saltelli rows of each Sobol' point stay
together), so a sobol sweep can grow in the same folder; every other change of design
changes the points. Whole-number parameters are rounded after sampling; the unrounded
sample is kept for the analysis.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.experiments.seeds import derived_seed
from sim.experiments.spec import SweepSpec

DESIGN_SEED_PURPOSE = 1
"""Spawn key of the seed that samples the design (see :func:`sim.experiments.seeds.derived_seed`)."""


@dataclass(frozen=True)
class Design:
    """A sweep's points.

    Attributes:
        names: The varied parameters, in order.
        points: Per point, the values the model is given (whole numbers rounded).
        sample: The design matrix as SALib sampled it (points x parameters), or None for a grid.
        problem: The SALib problem definition, or None for a grid.
    """

    names: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    sample: np.ndarray | None = None
    problem: dict[str, Any] | None = None

    def __len__(self) -> int:
        return len(self.points)


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem: names, bounds and distributions of the varied parameters."""
    return {"num_vars": len(spec.parameters), "names": spec.names,
            "bounds": [list(p.bounds or ()) for p in spec.parameters.values()],
            "dists": [p.distribution for p in spec.parameters.values()]}


def _value(raw: Any, kind: str) -> Any:
    """A sampled or listed value as the model takes it: a Python int, float, bool or text."""
    if isinstance(raw, (bool, np.bool_, str)):
        return raw.item() if isinstance(raw, np.bool_) else raw
    if kind == "int":
        return round(float(raw))
    return float(raw)


def expand(spec: SweepSpec, types: Mapping[str, str] | None = None) -> Design:
    """The points of a sweep, in a fixed order.

    Args:
        spec: A checked sweep (see :func:`sim.experiments.spec.check_spec`).
        types: Parameter key -> type; ``int`` parameters are rounded (default: all numbers).

    Returns:
        The design: one dict of parameter values per point.
    """
    types = types or {}
    names = tuple(spec.names)
    if spec.design == "grid":
        levels = [[_value(v, types.get(n, "float")) for v in spec.parameters[n].levels or ()] for n in names]
        points = tuple(dict(zip(names, combo, strict=True)) for combo in itertools.product(*levels))
        return Design(names, points)
    problem = salib_problem(spec)
    sample = _sample(spec, problem)
    points = tuple({n: _value(row[i], types.get(n, "float")) for i, n in enumerate(names)} for row in sample)
    return Design(names, points, sample, problem)


def _sample(spec: SweepSpec, problem: dict[str, Any]) -> np.ndarray:
    """Ask SALib for the design matrix."""
    seed = derived_seed(spec.seed, DESIGN_SEED_PURPOSE)
    n = spec.samples or 1
    if spec.design == "sobol":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed))
    if spec.design == "lhs":
        from SALib.sample import latin

        return np.asarray(latin.sample(problem, n, seed=seed))
    if spec.design == "morris":
        from SALib.sample import morris

        return np.asarray(morris.sample(problem, n, num_levels=spec.morris_levels, seed=seed))
    raise ValueError(f"unknown design {spec.design!r}")
