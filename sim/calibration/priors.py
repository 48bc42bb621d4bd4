"""Priors of the free parameters, on the scale the samplers work on.

Each free parameter has an *internal* scale: the value itself for ``uniform`` and
``normal`` priors, its natural logarithm for ``log-uniform`` (so a log-uniform prior is
uniform there, and ABC's perturbation kernels and Optuna's sampler move in ratios).
Whole-number parameters are sampled as real numbers and rounded when the model is
given them. A ``normal`` prior is truncated to its bounds.

Spreads are compared on the internal scale: a parameter counts as *identified by the
targets* when its posterior standard deviation is at most :data:`IDENTIFIED_SD_RATIO`
of its prior's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sim.calibration.spec import CalibrationSpec

IDENTIFIED_SD_RATIO = 0.8
"""A posterior sd above this share of the prior sd: "not identified by these targets"."""


@dataclass(frozen=True, slots=True)
class Prior:
    """One free parameter's prior.

    Attributes:
        key: The dotted parameter key.
        name: The name samplers use (``p0``, ``p1`` ...: safe in any database column).
        kind: ``uniform``, ``log-uniform`` or ``normal``.
        low, high: The bounds (natural scale).
        mean, sd: A normal prior's location and scale (natural scale), else None.
        integer: The parameter takes whole numbers (rounded when the model gets them).
    """

    key: str
    name: str
    kind: str
    low: float
    high: float
    mean: float | None = None
    sd: float | None = None
    integer: bool = False

    @property
    def log_scale(self) -> bool:
        """True when the internal scale is the logarithm."""
        return self.kind == "log-uniform"

    @property
    def internal_bounds(self) -> tuple[float, float]:
        """The bounds on the internal scale."""
        if self.log_scale:
            return math.log(self.low), math.log(self.high)
        return self.low, self.high

    def to_internal(self, value: float) -> float:
        """A natural value on the internal scale."""
        return math.log(value) if self.log_scale else float(value)

    def to_natural(self, internal: float) -> float:
        """An internal value on the natural scale (not rounded)."""
        return math.exp(internal) if self.log_scale else float(internal)

    def model_value(self, natural: float) -> float | int:
        """The value the model is given: rounded for whole-number parameters, kept within the bounds."""
        value = min(max(float(natural), self.low), self.high)
        if self.integer:
            return int(min(max(round(value), math.ceil(self.low)), math.floor(self.high)))
        return value

    def frozen(self) -> Any:
        """The prior on the internal scale as a frozen SciPy distribution."""
        lo, hi = self.internal_bounds
        if self.kind == "normal":
            assert self.mean is not None and self.sd is not None
            return stats.truncnorm((lo - self.mean) / self.sd, (hi - self.mean) / self.sd, loc=self.mean,
                                   scale=self.sd)
        return stats.uniform(lo, hi - lo)

    def pyabc_rv(self) -> Any:
        """The prior on the internal scale as a pyabc random variable."""
        import pyabc

        lo, hi = self.internal_bounds
        if self.kind == "normal":
            assert self.mean is not None and self.sd is not None
            return pyabc.RV("truncnorm", (lo - self.mean) / self.sd, (hi - self.mean) / self.sd, self.mean,
                            self.sd)
        return pyabc.RV("uniform", lo, hi - lo)

    @property
    def internal_sd(self) -> float:
        """The prior's standard deviation on the internal scale."""
        return float(self.frozen().std())

    def log_density(self, internal: float) -> float:
        """The prior's log density on the internal scale (Optuna's penalty for a normal prior)."""
        return float(self.frozen().logpdf(internal))

    def natural_density(self, natural: np.ndarray) -> np.ndarray:
        """The prior's density on the natural scale, for charts."""
        values = np.asarray(natural, dtype=float)
        if self.log_scale:
            with np.errstate(divide="ignore", invalid="ignore"):
                inside = (values >= self.low) & (values <= self.high)
                density = np.where(inside, 1.0 / (values * (math.log(self.high) - math.log(self.low))), 0.0)
            return np.asarray(density, dtype=float)
        return np.asarray(self.frozen().pdf(values), dtype=float)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws on the natural scale (not rounded)."""
        internal = self.frozen().rvs(size=n, random_state=rng)
        return np.asarray([self.to_natural(float(u)) for u in np.atleast_1d(internal)])

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (manifest, report)."""
        described: dict[str, Any] = {"key": self.key, "prior": self.kind, "bounds": [self.low, self.high]}
        if self.kind == "normal":
            described.update(mean=self.mean, sd=self.sd)
        described["whole_number"] = self.integer
        return described


def priors_of(spec: CalibrationSpec, types: dict[str, str] | None) -> tuple[Prior, ...]:
    """The priors of a checked calibration, in file order (``types``: parameter key -> type, or None)."""
    return tuple(Prior(key, f"p{index}", parameter.prior, float(parameter.bounds[0]), float(parameter.bounds[1]),
                       parameter.mean, parameter.sd, (types or {}).get(key) == "int")
                 for index, (key, parameter) in enumerate(spec.parameters.items()))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of weighted values (inverse of the weighted empirical distribution, midpoints)."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cumulative = np.cumsum(weights) - 0.5 * weights
    cumulative /= weights.sum()
    return float(np.interp(q, cumulative, values))


def weighted_mean_sd(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """The weighted mean and standard deviation."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float) / float(np.sum(weights))
    mean = float(np.sum(weights * values))
    return mean, float(math.sqrt(max(0.0, float(np.sum(weights * (values - mean) ** 2)))))


__all__ = ["IDENTIFIED_SD_RATIO", "Prior", "priors_of", "weighted_mean_sd", "weighted_quantile"]
