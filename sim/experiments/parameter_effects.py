"""No inert parameter: every numeric or boolean parameter moves some headline outcome.

Why: a parameter that changes nothing misleads a planner who sets it (they believe they
have changed the programme) and a researcher who sweeps it (its sensitivity index is
noise). So each one is moved — a number by +50% and, if that moves nothing, by -50%
(clipped to its allowed range, integers rounded, at least one step); a default of 0 to
the plausible value stated in ``MOVED_FROM_ZERO``; a boolean flipped — and the move must
shift at least one headline outcome (``sim.outcomes.HEADLINE``) by more than
``THRESHOLD_SE`` paired standard errors over ``CHECK_REPS`` paired replications
(replication k of both arms shares its seed).

Each parameter is checked on the baseline at the lever table's size, unless ``WHERE``
declares it conditional: the condition in words and a shipped scenario (with the
overrides) that meets it. ``tests/test_parameter_effects.py`` runs the check for every
parameter; ``python -m sim.experiments.parameter_effects [KEY ...]`` prints the whole table (or
those keys' rows).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.experiments.backends import Backend, make_backend
from sim.experiments.levers import LEVER_SIZE
from sim.experiments.replicate import replicate
from sim.experiments.validation import SCENARIOS
from sim.outcomes import HEADLINE
from sim.scenario import resolve_scenario
from sim.scenario.params import ParamInfo, list_params, param_bounds

CHECK_REPS = 8
"""Paired replications per arm."""
CHECK_SEED = 11
"""Master seed of the check."""
THRESHOLD_SE = 2.0
"""How many paired standard errors a headline outcome must move by."""
BUDGETS = ("school_special_fund_yuan_per_year", "government_yuan_per_year")
"""The yearly budgets scaled with the cohort, so that money is as tight at the check's size as in the scenario."""
NOISE = 1e-9
"""A mean shift below ``NOISE x (|unmoved mean| + 1)`` is rounding, not an effect."""
STEP = 0.5
"""The relative move of a number: +50%, then -50%."""

MOVED_FROM_ZERO: Mapping[str, tuple[Any, str]] = {
    "incentives.certified_enterprise_share": (0.33, "a third of the firms certified (enterprise_incentives)"),
    "incentives.enterprise_mentor_salary_subsidy_yuan_per_month":
        (1000.0, "Shandong 2015 pilot: 3,000 yuan per apprentice-year for the mentor, 4 apprentices"),
}
"""Parameters whose default is 0 (nothing paid), moved to a plausible value instead of ±50%."""


@dataclass(frozen=True)
class Where:
    """Where a conditional parameter is checked: the condition in words, a scenario meeting it."""

    condition: str
    scenario: str = "baseline"
    overrides: Mapping[str, Any] = field(default_factory=dict)
    full_size: bool = False
    """Check on the scenario as shipped (its own size) instead of the lever table's size."""


SHARES_OF_ONE: tuple[tuple[str, ...], ...] = (
    ("evaluation.theory_weight", "evaluation.practical_skill_weight", "evaluation.professionalism_weight"),
)
"""Parameters that must add up to 1: moving one rescales the others in proportion."""

_OWN_SECTOR_FULL = ("only where a sector's own places run out, so that some apprentices are placed outside "
                    "it: the baseline at its own size (at the lever size every sector has places enough)")
WHERE: Mapping[str, Where] = {
    "calendar.internship_weeks": Where("only under the school_only schedule", "traditional"),
    "labour_market.host_min_observation_weeks": Where(
        "only where a placement is shorter than the observation it asks for: the 12-week internship of the "
        "school_only schedule", "traditional"),
    "contact.placement_fit_gain": Where(_OWN_SECTOR_FULL, full_size=True),
    "attrition.fit_effect": Where(_OWN_SECTOR_FULL, full_size=True),
    "learning.motivation_misfit_effect": Where(_OWN_SECTOR_FULL, full_size=True),
    "intake.enrol_to_committed_places": Where(
        "only where firms commit fewer places than the school would enrol: the baseline at its own size with 30 "
        "firms", full_size=True, overrides={"enterprises.count": 30}),
    "labour_market.further_study_share_secondary": Where(
        "only at a secondary vocational school: secondary_dual_mentor", "secondary_dual_mentor"),
    "labour_market.further_study_share_undergraduate": Where(
        "only at an applied undergraduate college: the baseline at that level", "baseline",
        {"programme.level": "undergraduate"}),
    "enterprises.staff_log_sd": Where(
        "only where places are scarce, so that the firms' sizes (and their caps) decide who is placed: the baseline "
        "at its own size", full_size=True),
    "enterprises.slots_offered_mean": Where(
        "only where places are scarce: the baseline at its own size (at the lever size the offered places are "
        "more than the apprentices)", full_size=True),
    "programme.training_base_capacity_hours_per_week": Where(
        "only where the students at school ask more practice hours than the training base can host: the baseline "
        "at its own size, whose weeks with two cohorts at school ask 67% of the default capacity (at the lever "
        "size a quarter of it)", full_size=True),
    "funding.enterprise_cost_sharing_yuan_per_apprentice_year": Where(
        "only where the other sources earmarked for what it pays run short: funding_cut", "funding_cut"),
    "funding.government_yuan_per_year": Where(
        "only where what it pays runs it short (the completion subsidy): enterprise_apprenticeship",
        "enterprise_apprenticeship"),
    "incentives.apprentice_subsidy_yuan_per_year": Where(
        "only in an enterprise apprenticeship (school-based apprentices are students, not eligible): "
        "enterprise_apprenticeship", "enterprise_apprenticeship"),
    "incentives.apprentice_subsidy_certificate_bonus_yuan_per_year": Where(
        "only in an enterprise apprenticeship: enterprise_apprenticeship", "enterprise_apprenticeship"),
    "incentives.tax_credit_share": Where(
        "only where firms are certified: enterprise_incentives", "enterprise_incentives"),
    "participation.vat_yuan_per_employee_year": Where(
        "only where a certified firm's credit exceeds its education surcharges, so that the cap binds: "
        "enterprise_incentives with little VAT (1,000 yuan per employee, a firm of low value added); at the "
        "default 34,000 the surcharges absorb every credit", "enterprise_incentives",
        {"participation.vat_yuan_per_employee_year": 1000.0}),
    "incentives.honours_share": Where("only with mentor honours on: mentor_incentives", "mentor_incentives"),
    "incentives.honours_effort": Where("only with mentor honours on: mentor_incentives", "mentor_incentives"),
    "incentives.career_turnover_factor": Where("only with career development on: mentor_incentives",
                                               "mentor_incentives"),
    "incentives.demonstration_unit_value_yuan": Where(
        "only with demonstration-unit titles on: enterprise_incentives", "enterprise_incentives"),
    "evaluation.host_contribution_weight": Where(
        "only where hosts rate their apprentices' contribution otherwise than the other parts: in the baseline "
        "the contribution part (about 0.64) is close to the mean of the four, so its weight leaves the index "
        "where it is; in the traditional scheme the parts differ", "traditional"),
}
"""Parameters that act only under a condition, and where each is checked."""


@dataclass(frozen=True)
class ParameterEffect:
    """The largest standardised shift of a headline outcome that moving one parameter gave."""

    key: str
    default: Any
    value: Any
    outcome: str
    mean: float
    se: float
    where: Where

    @property
    def z(self) -> float:
        """Paired mean difference over its standard error (infinite if the difference never varies)."""
        if self.se > 0:
            return abs(self.mean) / self.se
        return math.inf if self.mean != 0 else 0.0

    @property
    def acts(self) -> bool:
        """The shift exceeds ``THRESHOLD_SE`` paired standard errors."""
        return self.z > THRESHOLD_SE


def checked_params() -> list[ParamInfo]:
    """Every settable numeric or boolean parameter."""
    return [p for p in list_params() if p.settable and p.type in ("float", "int", "bool")]


def unmoved_value(info: ParamInfo, where: Where) -> Any:
    """The parameter's value in the unmoved arm: what the check's size or the scenario sets it to."""
    size = check_size(where)
    if info.key in size:
        return size[info.key]
    value: Any = resolve_scenario(SCENARIOS / f"{where.scenario}.yaml", dict(where.overrides))
    for part in info.key.split("."):
        value = getattr(value, part)
    return value


def moved_values(info: ParamInfo, start: Any = None) -> list[Any]:
    """The values a parameter is moved to from ``start`` (default: its default), in the order they are tried."""
    start = info.default if start is None else start
    if info.type == "bool":
        return [not start]
    if info.key in MOVED_FROM_ZERO and start == 0:
        return [MOVED_FROM_ZERO[info.key][0]]
    low, high = param_bounds(info.key)
    values: list[Any] = []
    for factor in (1.0 + STEP, 1.0 - STEP):
        v = round(min(max(start * factor, low), high), 10)
        if info.type == "int":
            v = round(v)
            if v == start:
                v = start + (1 if factor > 1 else -1)
                if not low <= v <= high:
                    continue
        if v != start and v not in values:
            values.append(v)
    return values


def with_partners(key: str, value: Any) -> dict[str, Any]:
    """The overrides that move ``key`` to ``value`` (rescaling the shares it must add up to 1 with)."""
    for group in SHARES_OF_ONE:
        if key in group:
            defaults = {p.key: p.default for p in list_params() if p.key in group}
            rest = 1.0 - defaults[key]
            scale = (1.0 - value) / rest if rest > 0 else 0.0
            return {k: (value if k == key else round(defaults[k] * scale, 10)) for k in group}
    return {key: value}


def check_size(where: Where) -> dict[str, Any]:
    """The overrides that shrink ``where``'s scenario to the lever size, its own yearly budgets scaled alike."""
    if where.full_size:
        return {}
    own = resolve_scenario(SCENARIOS / f"{where.scenario}.yaml", dict(where.overrides))
    scale = LEVER_SIZE["intake.cohort_size"] / own.intake.cohort_size
    return {"intake.cohort_size": LEVER_SIZE["intake.cohort_size"],
            **{f"funding.{k}": round(getattr(own.funding, k) * scale) for k in BUDGETS}}


def _arms_table(where: Where, overrides: Mapping[str, Any], backend: Backend) -> Any:
    scenario = resolve_scenario(SCENARIOS / f"{where.scenario}.yaml",
                                {**check_size(where), **where.overrides, **overrides})
    return replicate(scenario, CHECK_REPS, CHECK_SEED, backend=backend, progress=False, quiet=True)


class Checker:
    """Measures parameters, running each scenario's unmoved arm once."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._base: dict[tuple[str, tuple[tuple[str, Any], ...], bool], Any] = {}

    def _base_table(self, where: Where) -> Any:
        k = (where.scenario, tuple(sorted(where.overrides.items())), where.full_size)
        if k not in self._base:
            self._base[k] = _arms_table(where, {}, self.backend)
        return self._base[k]

    def measure(self, info: ParamInfo) -> ParameterEffect:
        """Move ``info`` (+50%, then -50% if that moved nothing) and return the largest shift."""
        where = WHERE.get(info.key, Where("always"))
        base = self._base_table(where)
        best: ParameterEffect | None = None
        start = unmoved_value(info, where)
        for value in moved_values(info, start):
            moved = _arms_table(where, with_partners(info.key, value), self.backend)
            for outcome in HEADLINE:
                before = base[outcome].to_numpy(dtype=float)
                diff = moved[outcome].to_numpy(dtype=float) - before
                diff = diff[np.isfinite(diff)]
                if len(diff) < 2 or abs(diff.mean()) <= NOISE * (np.nanmean(np.abs(before)) + 1.0):
                    continue
                effect = ParameterEffect(info.key, start, value, outcome, float(diff.mean()),
                                         float(diff.std(ddof=1) / np.sqrt(len(diff))), where)
                if best is None or effect.z > best.z:
                    best = effect
            if best is not None and best.acts:
                break
        if best is None:
            return ParameterEffect(info.key, start, None, "", 0.0, 0.0, where)
        return best


def measure_all(keys: Collection[str] = (), workers: int | None = None) -> Iterator[ParameterEffect]:
    """Measure every checked parameter (or those of ``keys``)."""
    with make_backend(workers=workers) as backend:
        checker = Checker(backend)
        for info in checked_params():
            if not keys or info.key in keys:
                yield checker.measure(info)


def main(keys: Sequence[str] = ()) -> int:
    """Print every parameter's largest shift (or those of ``keys``); exit 1 if any parameter is inert."""
    inert = 0
    for e in measure_all(keys):
        inert += not e.acts
        print(f"{'ok ' if e.acts else 'INERT'} {e.key} = {e.default} -> {e.value}: {e.outcome} "
              f"{e.mean:+.4g} (z = {e.z:.2f}) [{e.where.condition}]", flush=True)
    print(f"{inert} inert parameter(s)")
    return 1 if inert else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
