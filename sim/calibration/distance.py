"""The distance between simulated and observed figures, and when a target counts as met.

Each target is compared with the mean of its outcome over the replications of one
evaluation (every target scenario run with the same parameter values and the same seeds):

* a value with a standard error: the standardised difference ``z = (mean - value) / se``;
* a band ``[low, high]``: 0 inside it; outside, the distance to the nearer edge in band
  widths, ``z = (low - mean) / (high - low)`` below it, ``(mean - high) / (high - low)`` above.

The targets' distances combine into one ``d``: ``rss`` (default) is the root sum of
squares ``sqrt(sum z_i^2)``, ``max`` the largest ``|z_i|``. ABC-SMC accepts a particle
with probability proportional to ``exp(-d^2 / 2)`` at its final temperature 1: with
``rss`` and value targets this is exactly the Gaussian likelihood of the observed
values given the simulated means (observation error ``se``; the simulation's own
Monte Carlo error over the replications adds to it), and a band is a flat likelihood
with Gaussian shoulders one band width wide. ``max`` asks every target to be close at
once and is not a product of likelihoods. Optuna minimises ``d^2`` (plus ``z^2`` of each
normal prior: the posterior mode under ``rss``).

A target is *met* by a simulated mean with Monte Carlo standard error ``mcse`` when
``|mean - value| <= 2 sqrt(se^2 + mcse^2)`` (two standard errors), or when the mean lies
inside the band. The verdict (:mod:`sim.calibration.checks`) runs the fitted point until
``mcse`` is at most a tenth of the target's width, so the Monte Carlo error barely moves it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MET_WITHIN = 2.0
"""A value target is met within this many (combined) standard errors."""


@dataclass(frozen=True, slots=True)
class Target:
    """One target, resolved: which scenario (by index), which outcome, the observed value or band.

    Attributes:
        scenario: Index of the target's scenario among the calibration's scenarios.
        scenario_name: Its name in the calibration file.
        outcome: The outcome compared.
        value, se: The observed value and its standard error (a value target), else None.
        low, high: The band (a band target), else None.
        source: Where the figure comes from (as written in the file).
    """

    scenario: int
    scenario_name: str
    outcome: str
    value: float | None = None
    se: float | None = None
    low: float | None = None
    high: float | None = None
    source: str = ""

    @property
    def is_band(self) -> bool:
        """True for a band target."""
        return self.low is not None

    @property
    def label(self) -> str:
        """``outcome on scenario``, as summaries name the target."""
        return f"{self.outcome} @ {self.scenario_name}"

    def distance(self, mean: float) -> float:
        """The target's distance ``z`` (signed for a value; 0 or positive for a band); inf for a NaN mean."""
        if not math.isfinite(mean):
            return math.inf
        if self.is_band:
            assert self.low is not None and self.high is not None
            width = self.high - self.low
            if mean < self.low:
                return (self.low - mean) / width
            if mean > self.high:
                return (mean - self.high) / width
            return 0.0
        assert self.value is not None and self.se is not None
        return (mean - self.value) / self.se

    def met(self, mean: float, mcse: float) -> bool:
        """Whether a simulated mean meets the target: inside the band, or within two standard errors of the value.

        A value's standard error combines the observation's ``se`` and the mean's Monte
        Carlo standard error ``mcse``; a band takes the mean as it is.
        """
        if not math.isfinite(mean):
            return False
        mcse = mcse if math.isfinite(mcse) else 0.0
        if self.is_band:
            assert self.low is not None and self.high is not None
            return self.low <= mean <= self.high
        assert self.value is not None and self.se is not None
        return abs(mean - self.value) <= MET_WITHIN * math.sqrt(self.se**2 + mcse**2)

    def gap(self, mean: float) -> float:
        """How far a mean is from the target, in the outcome's unit (signed: below is negative; 0 inside a band)."""
        if self.is_band:
            assert self.low is not None and self.high is not None
            return mean - self.low if mean < self.low else mean - self.high if mean > self.high else 0.0
        assert self.value is not None
        return mean - self.value

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (manifest, report)."""
        shown: dict[str, Any] = {"scenario": self.scenario_name, "outcome": self.outcome}
        if self.is_band:
            shown["band"] = [self.low, self.high]
        else:
            shown.update(value=self.value, se=self.se)
        shown["source"] = self.source
        return shown


def combine(distances: Sequence[float], how: str) -> float:
    """The combined distance ``d`` of the targets' ``z``: ``rss`` or ``max`` (see the module text)."""
    if not distances:
        return 0.0
    if any(not math.isfinite(z) for z in distances):
        return math.inf
    if how == "max":
        return max(abs(z) for z in distances)
    return math.sqrt(sum(z * z for z in distances))


def log_kernel(x: dict[str, Any], x_0: Any = None, t: Any = None, par: Any = None) -> float:
    """ABC's log acceptance kernel of a simulated particle: ``-d^2 / 2`` (pyabc ``FunctionKernel``)."""
    return -0.5 * float(x["d2"])


__all__ = ["MET_WITHIN", "Target", "combine", "log_kernel"]
