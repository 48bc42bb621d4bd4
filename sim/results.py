"""Results of one run: weekly time series, summary outcomes, per-student records, events.

The time series is pre-sized (one row per simulated week) and filled by the last phase
of each week; its columns are declared in ``sim.outcomes.SERIES``. The summary outcomes
are those of the registry (``sim.outcomes.OUTCOMES``), each computed once at the end by
the function its mechanism declares; their names are the public interface
(summary.json, comparisons, sweeps).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.batch import Batch
from sim.engine.calendar import build_calendar
from sim.engine.mechanism import Outcome
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
from sim.engine.world import PlacementRound, RunTotals, World
from sim.mechanisms.evaluation import composite_score
from sim.mechanisms.labour_market import FOLLOW_UP_12M_WEEKS
from sim.messages import text
from sim.outcomes import OUTCOMES, SERIES
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario

STAGE_NAMES = {int(s): s.name.lower() for s in Stage}
SNAPSHOT_NAMES = ["not_observed", *(STAGE_NAMES[i] for i in range(1, len(Stage)))]
"""Category names of the follow-up snapshots (code 0: not graduated or not yet reached)."""

TIMESERIES_COLUMNS: tuple[str, ...] = tuple(s.name for s in SERIES)
"""The weekly time-series columns, in order (declared in ``sim.outcomes.SERIES``)."""


class Recorder:
    """Pre-sized weekly time series plus the running means the summary needs."""

    __slots__ = ("_row", "apprentices_per_enterprise_mentor", "columns", "mentees_per_school_mentor")

    def __init__(self, weeks: int) -> None:
        self.columns = {name: np.full(weeks, np.nan) for name in TIMESERIES_COLUMNS}
        self._row = 0
        self.mentees_per_school_mentor: list[float] = []
        self.apprentices_per_enterprise_mentor: list[float] = []

    def record(self, world: World, counts: WeekCounts, g: int = 0) -> None:
        """Fill this week's row for ``world``, run ``g`` of the batch ``counts`` were counted over."""
        s = world.students
        c = self.columns
        r = self._row
        stages = counts.stages[g]
        apprentices = int(counts.apprentices[g])
        enrolled = int(stages[BASIC] + stages[SKILL] + stages[INTERNSHIP])
        c["week"][r] = world.week
        c["n_not_enrolled"][r] = stages[NOT_ENROLLED]
        c["n_student"][r] = enrolled - apprentices
        c["n_apprentice"][r] = apprentices
        c["n_employee"][r] = stages[EMPLOYED]
        c["n_further_study"][r] = stages[FURTHER_STUDY]
        c["n_unemployed"][r] = stages[UNEMPLOYED]
        c["n_dropped_out"][r] = stages[DROPPED_OUT]
        c["n_basic"][r] = stages[BASIC]
        c["n_skill"][r] = stages[SKILL]
        c["n_internship"][r] = stages[INTERNSHIP]
        c["n_at_school"][r] = counts.locations[g, SCHOOL]
        c["n_at_enterprise"][r] = counts.locations[g, ENTERPRISE]
        if enrolled:
            in_prog = counts.in_programme[counts.student_blocks[g]]
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
        for use, share in ledger.week_funded_share().items():
            c[f"funded_share_{use}"][r] = share
        c["n_participating_enterprises"][r] = counts.participating[g]
        n_sm_active = int(counts.school_mentors_active[g])
        n_em_active = int(counts.enterprise_mentors_active[g])
        c["n_active_school_mentors"][r] = n_sm_active
        c["n_active_enterprise_mentors"][r] = n_em_active
        if n_sm_active:
            sm_active = counts.sm_active[counts.school_mentor_blocks[g]]
            c["school_mentor_teaching_quality"][r] = world.school_mentors.teaching_quality[sm_active].mean()
        if n_em_active:
            em_active = counts.em_active[counts.enterprise_mentor_blocks[g]]
            c["enterprise_mentor_technical_skill"][r] = world.enterprise_mentors.technical_skill[em_active].mean()
        given = world.this_week.guidance
        sm_load = world.school_mentors.workload
        loaded = sm_load > 0
        c["school_mentor_workload"][r] = sm_load[loaded].mean() if loaded.any() else np.nan
        em_load = world.enterprise_mentors.workload
        loaded = em_load > 0
        c["enterprise_mentor_workload"][r] = em_load[loaded].mean() if loaded.any() else np.nan
        c["school_guidance_share"][r] = (given.school_mentor_supply_hours / given.school_mentor_demand_hours
                                         if given.school_mentor_demand_hours > 0 else np.nan)
        c["enterprise_guidance_share"][r] = (given.enterprise_mentor_supply_hours
                                             / given.enterprise_mentor_demand_hours
                                             if given.enterprise_mentor_demand_hours > 0 else np.nan)
        c["curriculum_alignment"][r] = world.curriculum.alignment
        if enrolled and n_sm_active:
            self.mentees_per_school_mentor.append(enrolled / n_sm_active)
        mentored = int(counts.mentored[g])
        if mentored:
            self.apprentices_per_enterprise_mentor.append(mentored / int(counts.mentoring[g]))
        self._row += 1

    def recorded(self, column: str) -> np.ndarray:
        """The weeks recorded so far of one column."""
        return self.columns[column][: self._row]

    def frame(self) -> pd.DataFrame:
        """The weekly time series recorded so far."""
        df = pd.DataFrame({k: v[: self._row] for k, v in self.columns.items()})
        return df.astype({k: "int64" for k in TIMESERIES_COLUMNS if k.startswith("n_") or k == "week"})


@dataclass(frozen=True, slots=True)
class WeekCounts:
    """This week's counts of every run of a batch (row ``g``: run ``g``), made once over the batch's arrays.

    Counts are whole numbers, exact however they are summed; means stay with each run's
    ``Recorder.record``, over its own block, as the run alone computes them.
    """

    stages: np.ndarray  # (runs, stages)
    locations: np.ndarray  # (runs, locations)
    apprentices: np.ndarray  # students in the programme with a host
    participating: np.ndarray  # enterprises taking part
    school_mentors_active: np.ndarray
    enterprise_mentors_active: np.ndarray
    mentored: np.ndarray  # apprentices on site with an enterprise mentor
    mentoring: np.ndarray  # enterprise mentors with such an apprentice
    in_programme: np.ndarray  # per student of the batch
    sm_active: np.ndarray  # per school-mentor post of the batch
    em_active: np.ndarray  # per enterprise-mentor post of the batch
    student_blocks: list[slice]
    school_mentor_blocks: list[slice]
    enterprise_mentor_blocks: list[slice]


def count_week(batch: Batch) -> WeekCounts:
    """Count this week's stages, places and active mentors of every run of ``batch``."""
    s = batch.students
    runs = batch.n_runs
    groups = batch.groups
    in_prog = s.in_programme()
    sm_active = batch.school_mentors.active(batch.week)
    em_active = batch.enterprise_mentors.active(batch.week)
    mentored = (s.location == ENTERPRISE) & (s.enterprise_mentor >= 0)
    mentors = np.bincount(batch.local_to_global("enterprise_mentors", s.enterprise_mentor[mentored], mentored),
                          minlength=batch.enterprise_mentors.n) > 0
    if runs == 1:
        stages = np.bincount(s.stage, minlength=len(Stage))[None, :]
        locations = np.bincount(s.location, minlength=3)[None, :]
    else:  # (run, code) pairs counted at once
        student = groups.group_of("students")
        stages = np.bincount(student * len(Stage) + s.stage, minlength=runs * len(Stage)).reshape(runs, len(Stage))
        locations = np.bincount(student * 3 + s.location, minlength=runs * 3).reshape(runs, 3)
    return WeekCounts(
        stages=stages,
        locations=locations,
        apprentices=batch.counts("students", in_prog & (s.host >= 0)),
        participating=batch.counts("enterprises", batch.enterprises.participating),
        school_mentors_active=batch.counts("school_mentors", sm_active),
        enterprise_mentors_active=batch.counts("enterprise_mentors", em_active),
        mentored=batch.counts("students", mentored),
        mentoring=batch.counts("enterprise_mentors", mentors),
        in_programme=in_prog, sm_active=sm_active, em_active=em_active,
        student_blocks=groups.blocks("students"), school_mentor_blocks=groups.blocks("school_mentors"),
        enterprise_mentor_blocks=groups.blocks("enterprise_mentors"))


def record_week(batch: Batch, recorders: Sequence[Recorder]) -> None:
    """Fill this week's time-series row of every run of ``batch`` (``recorders[g]``: run ``g``'s)."""
    counts = count_week(batch)
    for g, (world, recorder) in enumerate(zip(batch.worlds, recorders, strict=True)):
        recorder.record(world, counts, g)


def run_totals(world: World, recorder: Recorder) -> RunTotals:
    """What the registry's outcome functions read besides the world (computed once)."""
    s = world.students
    finished_cohorts = world.graduation_week() <= world.week
    return RunTotals(
        graduates=np.flatnonzero(s.week_graduated >= 0),
        observed=finished_cohorts & (s.stage != NOT_ENROLLED),
        finished=(s.week_graduated >= 0) | (s.week_left >= 0),
        series={name: recorder.recorded(name) for name in TIMESERIES_COLUMNS},
        mentees_per_school_mentor=recorder.mentees_per_school_mentor,
        apprentices_per_enterprise_mentor=recorder.apprentices_per_enterprise_mentor,
    )


def summarise(world: World, recorder: Recorder, outcomes: tuple[Outcome, ...] = OUTCOMES) -> dict[str, float]:
    """The run's outcomes, by their public names, in registry order."""
    totals = run_totals(world, recorder)
    return {o.name: o.compute(world, totals) for o in outcomes}


def horizon_warnings(scenario: Scenario, lang: str | None = None) -> list[str]:
    """Whole-sentence warnings for what a run of ``scenario`` cannot observe before its horizon.

    Cohort ``c`` enrols in week ``52 c`` and finishes in week ``52 c + P - 1`` (``P`` the
    programme's weeks); its 12-month follow-up is 52 weeks later. A cohort counts only
    if that week is inside the horizon (at most ``52 x horizon_years - 1``). Empty when
    every cohort finishes and is followed up. ``lang``: the language of the sentences
    (None: the current one; manifests keep them in English).
    """
    last_week = scenario.horizon_weeks - 1
    programme_weeks = build_calendar(scenario.calendar).programme_weeks
    n_cohorts = scenario.intake.n_cohorts
    finish = [c * WEEKS_PER_YEAR + programme_weeks - 1 for c in range(n_cohorts)]
    unfinished = sum(week > last_week for week in finish)
    unfollowed = sum(week <= last_week < week + FOLLOW_UP_12M_WEEKS for week in finish)
    fields = {"scenario": scenario.name, "horizon_years": scenario.simulation.horizon_years, "n_cohorts": n_cohorts}
    warnings = []
    if unfinished:
        warnings.append(text("horizon.cohorts_unfinished", lang, cohorts=unfinished,
                             needed_years=-(-(finish[-1] + 1) // WEEKS_PER_YEAR), **fields))
    if unfollowed:
        warnings.append(text("horizon.follow_up_cut", lang, cohorts=unfollowed,
                             needed_years=-(-(finish[-1] + 1 + FOLLOW_UP_12M_WEEKS) // WEEKS_PER_YEAR), **fields))
    return warnings


def scenarios_horizon_warnings(scenarios: Iterable[Scenario], lang: str | None = "en") -> list[str]:
    """The horizon warnings of several scenarios, each sentence once (English by default: for manifests)."""
    return list(dict.fromkeys(w for scenario in scenarios for w in horizon_warnings(scenario, lang)))


def _codes(values: np.ndarray) -> np.ndarray[tuple[int], np.dtype[np.int8]]:
    """Category codes (the int8 stage arrays, typed as such)."""
    return np.asarray(values, dtype=np.int8)


def training_market(world: World) -> pd.DataFrame:
    """BIBB's training-market indicators of the run, by year and sector (one row for each with a placement round).

    As the Federal Institute for Vocational Education and Training counts the training
    market each year (BIBB Datenreport, A1.1: new contracts, unfilled places and unplaced
    applicants at the cut-off date): ``places_filled``, the placements made with the
    sector's firms in the year's rounds; ``unfilled_places``, the free places the sector's
    participating firms still had after the year's last round; ``places_offered`` =
    filled + unfilled (BIBB's Angebot); ``placed_applicants``, the placements of the
    sector's own students in the year's rounds (with a firm of any sector);
    ``unplaced_applicants``, those who needed a place at the year's last round and have
    none; ``demand`` = placed + unplaced (BIBB's Nachfrage); ``supply_demand_ratio`` =
    offered / demand (BIBB's Angebots-Nachfrage-Relation, there x 100; NaN with no demand).
    A year is 52 weeks of the run from week 0; rounds open at enterprise periods and their
    half-year starts (``sim.mechanisms.placement``).
    """
    columns = ["year", "sector", "places_offered", "places_filled", "unfilled_places", "demand",
               "placed_applicants", "unplaced_applicants", "supply_demand_ratio"]
    rows = []
    by_year: dict[int, list[PlacementRound]] = {}
    for round_ in world.placement_rounds:
        by_year.setdefault(round_.week // WEEKS_PER_YEAR, []).append(round_)
    for year, rounds in by_year.items():
        filled = np.sum([r.places_filled for r in rounds], axis=0)
        placed = np.sum([r.placed_applicants for r in rounds], axis=0)
        unfilled, unplaced = rounds[-1].unfilled_places, rounds[-1].unplaced_applicants
        for sector in range(len(filled)):
            offered, demand = int(filled[sector] + unfilled[sector]), int(placed[sector] + unplaced[sector])
            rows.append((year, sector, offered, int(filled[sector]), int(unfilled[sector]), demand,
                         int(placed[sector]), int(unplaced[sector]), offered / demand if demand else float("nan")))
    return pd.DataFrame(rows, columns=columns)


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
        "stage": pd.Categorical.from_codes(_codes(s.stage), pd.Index([STAGE_NAMES[i] for i in range(len(Stage))])),
        "ever_placed": s.ever_placed,
        "host_at_job_decision": s.host_at_decision,
        "early_terminations": s.n_terminations,
        "employer": employer,
        "enrol_week": s.enrol_week,
        "week_left": s.week_left,
        "week_graduated": s.week_graduated,
        "week_job_found": s.week_job_found,
        "stage_at_graduation": pd.Categorical.from_codes(_codes(s.stage_at_graduation), pd.Index(SNAPSHOT_NAMES)),
        "stage_at_6m": pd.Categorical.from_codes(_codes(s.stage_at_6m), pd.Index(SNAPSHOT_NAMES)),
        "stage_at_12m": pd.Categorical.from_codes(_codes(s.stage_at_12m), pd.Index(SNAPSHOT_NAMES)),
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
    training_market: pd.DataFrame | None = None
    """BIBB's training-market indicators by year and sector (``training_market``)."""


__all__ = ["TIMESERIES_COLUMNS", "Recorder", "RunResult", "horizon_warnings", "scenarios_horizon_warnings",
           "student_records", "summarise", "training_market"]
