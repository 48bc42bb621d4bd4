"""Results of one run: weekly time series, summary outcomes, per-student records, events.

The time series is pre-sized (one row per simulated week) and filled by the last phase
of each week. The summary outcomes are computed once at the end from the student
arrays, the counters, the ledger and the enterprises' accounts; their names are the
public interface (summary.json, comparisons, sweeps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.ledger import SOURCES, USES
from sim.engine.population import (
    BASIC,
    DROPPED_OUT,
    EMPLOYED,
    ENTERPRISE,
    FURTHER_STUDY,
    INTERNSHIP,
    NOT_ENROLLED,
    OPEN_MARKET,
    SCHOOL,
    SKILL,
    UNEMPLOYED,
    Stage,
)
from sim.engine.world import World
from sim.mechanisms.evaluation import composite_score

STAGE_NAMES = {int(s): s.name.lower() for s in Stage}
SNAPSHOT_NAMES = ["not_observed", *(STAGE_NAMES[i] for i in range(1, len(Stage)))]
"""Category names of the follow-up snapshots (code 0: not graduated or not yet reached)."""

TIMESERIES_COLUMNS = (
    "week", "n_not_enrolled", "n_student", "n_apprentice", "n_employee", "n_further_study", "n_unemployed",
    "n_dropped_out", "n_basic", "n_skill", "n_internship", "n_at_school", "n_at_enterprise",
    "mean_theory", "mean_practical_skill", "mean_professionalism",
    "spent_yuan", *(f"spent_{u}_yuan" for u in USES), *(f"spent_{s}_yuan" for s in SOURCES), "balance_yuan",
    "n_participating_enterprises", "n_active_school_mentors", "n_active_enterprise_mentors",
    "school_mentor_workload", "enterprise_mentor_workload", "school_guidance_share", "enterprise_guidance_share",
)


class Recorder:
    """Pre-sized weekly time series plus the running means the summary needs."""

    __slots__ = ("_row", "apprentices_per_enterprise_mentor", "columns", "mentees_per_school_mentor")

    def __init__(self, weeks: int) -> None:
        self.columns = {name: np.full(weeks, np.nan) for name in TIMESERIES_COLUMNS}
        self._row = 0
        self.mentees_per_school_mentor: list[float] = []
        self.apprentices_per_enterprise_mentor: list[float] = []

    def record(self, world: World) -> None:
        """Fill this week's row."""
        s = world.students
        c = self.columns
        r = self._row
        counts = np.bincount(s.stage, minlength=len(Stage))
        in_prog = s.in_programme()
        apprentices = int(np.count_nonzero(in_prog & (s.host >= 0)))
        enrolled = int(counts[BASIC] + counts[SKILL] + counts[INTERNSHIP])
        c["week"][r] = world.week
        c["n_not_enrolled"][r] = counts[NOT_ENROLLED]
        c["n_student"][r] = enrolled - apprentices
        c["n_apprentice"][r] = apprentices
        c["n_employee"][r] = counts[EMPLOYED]
        c["n_further_study"][r] = counts[FURTHER_STUDY]
        c["n_unemployed"][r] = counts[UNEMPLOYED]
        c["n_dropped_out"][r] = counts[DROPPED_OUT]
        c["n_basic"][r] = counts[BASIC]
        c["n_skill"][r] = counts[SKILL]
        c["n_internship"][r] = counts[INTERNSHIP]
        where = np.bincount(s.location, minlength=3)
        c["n_at_school"][r] = where[SCHOOL]
        c["n_at_enterprise"][r] = where[ENTERPRISE]
        if enrolled:
            c["mean_theory"][r] = s.theory[in_prog].mean()
            c["mean_practical_skill"][r] = s.practical_skill[in_prog].mean()
            c["mean_professionalism"][r] = s.professionalism[in_prog].mean()
        ledger = world.ledger
        c["spent_yuan"][r] = ledger.total_spent
        for use, v in ledger.spent_by_use().items():
            c[f"spent_{use}_yuan"][r] = v
        for src, v in ledger.spent_by_source().items():
            c[f"spent_{src}_yuan"][r] = v
        c["balance_yuan"][r] = ledger.balance.sum()
        c["n_participating_enterprises"][r] = np.count_nonzero(world.enterprises.participating)
        sm_active = world.school_mentors.active(world.week)
        em_active = world.enterprise_mentors.active(world.week)
        c["n_active_school_mentors"][r] = np.count_nonzero(sm_active)
        c["n_active_enterprise_mentors"][r] = np.count_nonzero(em_active)
        wk = world.this_week
        sm_load = world.school_mentors.workload
        c["school_mentor_workload"][r] = sm_load[sm_load > 0].mean() if (sm_load > 0).any() else np.nan
        em_load = world.enterprise_mentors.workload
        c["enterprise_mentor_workload"][r] = em_load[em_load > 0].mean() if (em_load > 0).any() else np.nan
        c["school_guidance_share"][r] = (wk.school_mentor_supply_hours / wk.school_mentor_demand_hours
                                         if wk.school_mentor_demand_hours > 0 else np.nan)
        c["enterprise_guidance_share"][r] = (wk.enterprise_mentor_supply_hours / wk.enterprise_mentor_demand_hours
                                             if wk.enterprise_mentor_demand_hours > 0 else np.nan)
        if enrolled and sm_active.any():
            self.mentees_per_school_mentor.append(enrolled / np.count_nonzero(sm_active))
        mentored = (s.location == ENTERPRISE) & (s.enterprise_mentor >= 0)
        if mentored.any():
            n_mentors = np.count_nonzero(np.bincount(s.enterprise_mentor[mentored]))
            self.apprentices_per_enterprise_mentor.append(np.count_nonzero(mentored) / n_mentors)
        self._row += 1

    def recorded(self, column: str) -> np.ndarray:
        """The weeks recorded so far of one column."""
        return self.columns[column][: self._row]

    def frame(self) -> pd.DataFrame:
        """The weekly time series recorded so far."""
        df = pd.DataFrame({k: v[: self._row] for k, v in self.columns.items()})
        return df.astype({k: "int64" for k in TIMESERIES_COLUMNS if k.startswith("n_") or k == "week"})


def _rate(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def _mean(values: np.ndarray | list[float]) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def _finite_mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else float("nan")


def summarise(world: World, recorder: Recorder) -> dict[str, float]:
    """The run's outcomes, by their public names."""
    s = world.students
    sc = world.scenario
    ev = sc.evaluation
    finished = (s.week_graduated >= 0) | (s.week_left >= 0)
    finished_cohorts = (s.enrol_week + world.calendar.programme_weeks - 1) <= world.week
    observed = finished_cohorts & (s.stage != NOT_ENROLLED)
    grads = np.flatnonzero(s.week_graduated >= 0)
    n_grads = len(grads)
    dropped = int(np.count_nonzero(observed & (s.stage == DROPPED_OUT)))
    n_obs = int(np.count_nonzero(observed))

    def employment(snapshot: np.ndarray, jobs_only: bool) -> float:
        seen = snapshot[snapshot > 0]
        ok = seen == EMPLOYED if jobs_only else (seen == EMPLOYED) | (seen == FURTHER_STUDY)
        return _rate(np.count_nonzero(ok), len(seen))

    hosted_at_decision = grads[(s.host_at_decision[grads] >= 0) & ~s.further_study[grads]]
    retained_by = s.host_at_decision[hosted_at_decision[s.offered_by_host[hosted_at_decision]]]
    employed_at_grad = int(np.count_nonzero(
        (s.stage_at_graduation == EMPLOYED) | (s.stage_at_graduation == FURTHER_STUDY)))
    ent = world.enterprises
    apprentice_years = ent.total_apprentice_weeks.sum() / 52.0
    net = ent.total_benefit_yuan + ent.total_hiring_savings_yuan - ent.total_cost_yuan
    retaining = np.zeros(ent.n, dtype=bool)
    retaining[retained_by] = True
    first_year = ent.first_year_net_cost_per_apprentice
    total_cost = world.ledger.total_spent
    summary: dict[str, float] = {
        "n_students": float(s.n),
        "n_enrolled": float(np.count_nonzero(s.stage != NOT_ENROLLED)),
        "n_graduates": float(n_grads),
        "completion_rate": _rate(np.count_nonzero(observed & (s.week_graduated >= 0)), n_obs),
        "dropout_rate": _rate(dropped, n_obs),
        "early_termination_rate": _rate(world.counters.terminations, world.counters.placements),
        "placement_rate": _rate(np.count_nonzero(s.ever_placed & finished), np.count_nonzero(finished)),
        "certificate_pass_rate": _rate(np.count_nonzero(s.certificates[grads] >= 1), n_grads),
        "mean_certificates_per_graduate": _mean(s.certificates[grads]),
        "exam_pass_rate_per_sitting": _rate(world.counters.exam_passes, world.counters.exam_sittings),
        "mean_composite_score": _mean(composite_score(s, ev, grads)),
        "mean_theory": _mean(s.theory[grads]),
        "mean_practical_skill": _mean(s.practical_skill[grads]),
        "mean_professionalism": _mean(s.professionalism[grads]),
        "employment_rate_at_graduation": employment(s.stage_at_graduation, jobs_only=False),
        "employment_rate_6m": employment(s.stage_at_6m, jobs_only=False),
        "employment_rate_12m": employment(s.stage_at_12m, jobs_only=False),
        "job_employment_rate_at_graduation": employment(s.stage_at_graduation, jobs_only=True),
        "job_employment_rate_6m": employment(s.stage_at_6m, jobs_only=True),
        "job_employment_rate_12m": employment(s.stage_at_12m, jobs_only=True),
        "further_study_rate": _rate(np.count_nonzero(s.stage_at_graduation == FURTHER_STUDY), n_grads),
        "host_retention_rate": _rate(len(retained_by), len(hosted_at_decision)),
        "enterprise_participation_rate": _mean(world.counters.participation_years),
        "enterprise_satisfaction": _rate(ent.satisfaction_sum.sum(), ent.satisfaction_count.sum()),
        "mean_mentees_per_school_mentor": _mean(recorder.mentees_per_school_mentor),
        "mean_apprentices_per_enterprise_mentor": _mean(recorder.apprentices_per_enterprise_mentor),
        "mean_school_mentor_workload": _finite_mean(recorder.recorded("school_mentor_workload")),
        "mean_enterprise_mentor_workload": _finite_mean(recorder.recorded("enterprise_mentor_workload")),
        "total_cost_yuan": total_cost,
        "cost_per_graduate_yuan": _rate(total_cost, n_grads),
        "cost_per_employed_graduate_yuan": _rate(total_cost, employed_at_grad),
        "enterprise_net_benefit_yuan_per_apprentice": _rate(net.sum(), apprentice_years),
        "enterprise_first_year_net_cost_yuan_per_apprentice": _mean(first_year[~np.isnan(first_year)]),
        "share_of_retaining_hosts_in_net_benefit": _rate(np.count_nonzero(retaining & (net > 0)),
                                                         np.count_nonzero(retaining)),
        "tax_relief_yuan": world.counters.tax_relief_yuan,
        "hiring_savings_yuan": world.counters.hiring_savings_yuan,
        "money_in_yuan": float(world.ledger.paid_in.sum()),
        "balance_yuan": float(world.ledger.balance.sum()),
    }
    summary.update({f"spent_{k}_yuan": v for k, v in world.ledger.spent_by_use().items()})
    summary.update({f"spent_{k}_yuan": v for k, v in world.ledger.spent_by_source().items()})
    return summary


def student_records(world: World) -> pd.DataFrame:
    """One row per student: attributes, final skills, certificates, stage, employer, dates."""
    s = world.students
    employer = np.where(s.employer >= 0, s.employer.astype(str),
                        np.where(s.employer == OPEN_MARKET, "open_market", ""))
    return pd.DataFrame({
        "student": np.arange(s.n),
        "cohort": s.cohort,
        "sector": s.sector,
        "ability": s.ability,
        "motivation": s.motivation,
        "theory": s.theory,
        "practical_skill": s.practical_skill,
        "professionalism": s.professionalism,
        "composite_score": composite_score(s, world.scenario.evaluation),
        "certificates": s.certificates,
        "stage": pd.Categorical.from_codes(s.stage, [STAGE_NAMES[i] for i in range(len(Stage))]),
        "ever_placed": s.ever_placed,
        "host_at_job_decision": s.host_at_decision,
        "early_terminations": s.n_terminations,
        "employer": employer,
        "enrol_week": s.enrol_week,
        "week_left": s.week_left,
        "week_graduated": s.week_graduated,
        "week_job_found": s.week_job_found,
        "stage_at_graduation": pd.Categorical.from_codes(s.stage_at_graduation, SNAPSHOT_NAMES),
        "stage_at_6m": pd.Categorical.from_codes(s.stage_at_6m, SNAPSHOT_NAMES),
        "stage_at_12m": pd.Categorical.from_codes(s.stage_at_12m, SNAPSHOT_NAMES),
    })


@dataclass
class RunResult:
    """Everything one run produced (no I/O has happened yet)."""

    scenario_name: str
    seed: int
    summary: dict[str, float]
    timeseries: pd.DataFrame
    students: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    wall_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


__all__ = ["TIMESERIES_COLUMNS", "Recorder", "RunResult", "student_records", "summarise"]
