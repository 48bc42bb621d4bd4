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
from typing import Any, overload

import numpy as np
import pandas as pd

from sim.engine.batch import Batch
from sim.engine.calendar import build_calendar
from sim.engine.compiled import compile_loops
from sim.engine.declarations import Population
from sim.engine.ledger import SOURCES, USES
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
from sim.engine.sums import _block_sums, _sums_like_numpy, block_counts
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


COUNT_COLUMNS: frozenset[str] = frozenset(k for k in TIMESERIES_COLUMNS if k.startswith("n_") or k == "week")
"""The time-series columns that are whole numbers (int64 in ``Recorder.frame``)."""

COLUMN: dict[str, int] = {name: k for k, name in enumerate(TIMESERIES_COLUMNS)}
"""Each time-series column's position in a row of ``Recorder.table``."""


MENTOR_COUNT_COLUMNS = _MENTEES, _SCHOOL_MENTORS, _MENTORED, _MENTORING = range(4)
"""Columns of ``Recorder.mentor_counts``: students enrolled, school mentors active, apprentices mentored, their
enterprise mentors."""


class Recorder:
    """One run's pre-sized weekly time series plus the weekly counts the summary's mentor ratios need.

    The series is one (weeks x columns) table, the run's row of its batch's array
    (``Recorders``, which writes a week's rows of all runs at once: ``record_week``);
    ``columns`` are views of the table's columns.
    """

    __slots__ = ("_row", "columns", "mentor_counts", "table")

    def __init__(self, table: np.ndarray, mentor_counts: np.ndarray) -> None:
        """``table`` (weeks x time-series columns), ``mentor_counts`` (weeks x ``MENTOR_COUNT_COLUMNS``): views."""
        self.table = table
        self.columns = {name: self.table[:, k] for name, k in COLUMN.items()}
        self.mentor_counts = mentor_counts
        self._row = 0

    @property
    def mentees_per_school_mentor(self) -> list[float]:
        """Students enrolled per active school mentor, in each week recorded with both (a summary's mean)."""
        weeks = self.mentor_counts[: self._row]
        kept = (weeks[:, _MENTEES] > 0) & (weeks[:, _SCHOOL_MENTORS] > 0)
        return list((weeks[kept, _MENTEES] / weeks[kept, _SCHOOL_MENTORS]).tolist())

    @property
    def apprentices_per_enterprise_mentor(self) -> list[float]:
        """Mentored apprentices per enterprise mentor guiding them, in each week recorded with any."""
        weeks = self.mentor_counts[: self._row]
        kept = weeks[:, _MENTORED] > 0
        return list((weeks[kept, _MENTORED] / weeks[kept, _MENTORING]).tolist())

    def recorded(self, column: str) -> np.ndarray:
        """The weeks recorded so far of one column."""
        return self.columns[column][: self._row]

    def frame(self) -> pd.DataFrame:
        """The weekly time series recorded so far (counts and the week as int64).

        The count columns are converted before the frame is made (``DataFrame.astype`` on the
        frame costs ten times as much); like ``astype``, a count that is not a finite number raises.
        """
        data: dict[str, np.ndarray] = {}
        for name, values in self.columns.items():
            values = values[: self._row]
            if name in COUNT_COLUMNS:
                if not np.isfinite(values).all():
                    raise ValueError(f"the time-series column {name!r} has a value that is not a count")
                values = values.astype(np.int64)
            data[name] = values
        return pd.DataFrame(data)


class Recorders(Sequence[Recorder]):
    """The recorders of every run of a batch (element ``g``: run ``g``'s), their tables rows of one array.

    A week's rows of all runs are written with one assignment (``record``), not run by run;
    each run's ``Recorder`` views its row of the arrays, so it reads as a recorder of its own.
    """

    def __init__(self, runs: int, weeks: int) -> None:
        self.table = np.full((runs, weeks, len(TIMESERIES_COLUMNS)), np.nan)
        self.mentor_counts = np.zeros((runs, weeks, len(MENTOR_COUNT_COLUMNS)), dtype=np.int64)
        self._recorders = [Recorder(self.table[g], self.mentor_counts[g]) for g in range(runs)]
        self._row = 0

    def __len__(self) -> int:
        return len(self._recorders)

    @overload
    def __getitem__(self, g: int) -> Recorder: ...

    @overload
    def __getitem__(self, g: slice) -> list[Recorder]: ...

    def __getitem__(self, g: int | slice) -> Recorder | list[Recorder]:
        return self._recorders[g]

    def record(self, rows: np.ndarray, mentor_counts: np.ndarray) -> None:
        """Fill this week's row of every run (``rows[g]``, ``mentor_counts[g]``: run ``g``'s).

        A row has one value per time-series column (NaN where undefined); the counts are the
        ``MENTOR_COUNT_COLUMNS``.
        """
        self.table[:, self._row] = rows
        self.mentor_counts[:, self._row] = mentor_counts
        self._row += 1
        for recorder in self._recorders:
            recorder._row = self._row


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
    enrolled_scores: np.ndarray  # (3, students in the programme): their theory, practical skill, professionalism
    student_blocks: list[slice]
    school_mentor_blocks: list[slice]
    enterprise_mentor_blocks: list[slice]


def _count_students(starts: np.ndarray, stage: np.ndarray, location: np.ndarray, host: np.ndarray,
                    enterprise_mentor: np.ndarray, mentor_offset: np.ndarray, theory: np.ndarray,
                    practical_skill: np.ndarray, professionalism: np.ndarray, places: np.ndarray,
                    apprentices: np.ndarray, mentored: np.ndarray, mentoring: np.ndarray, in_programme: np.ndarray,
                    enrolled_scores: np.ndarray, mentor_seen_by: np.ndarray) -> None:
    """``count_week``'s student counts in one pass (compiled by numba when installed; whole numbers, exact).

    Run by run (``starts``: each run's block of students), adds to ``places[run, stage,
    location]``, ``apprentices[run]`` (in the programme with a host), ``mentored[run]`` (on
    site with an enterprise mentor) and ``mentoring[run]`` (enterprise-mentor posts with
    such an apprentice of the run); sets ``in_programme`` per student, and copies the three
    scores of the students in the programme, in order, to ``enrolled_scores`` (the values
    ``theory[in_programme]`` gathers, for the record's means). A mentored apprentice's post
    is its local index plus ``mentor_offset[run]`` (its run's block start; 0 for a city's
    pool, which every programme shares). ``mentor_seen_by[post]`` (-1 at first) is the last
    run that counted the post, so a post is counted once per run whose apprentices it
    guides, in a batch (posts are each run's own) as in a city.
    """
    k = 0
    for run in range(len(starts) - 1):
        for i in range(starts[run], starts[run + 1]):
            st = stage[i]
            loc = location[i]
            places[run, st, loc] += 1
            enrolled = BASIC <= st <= INTERNSHIP
            in_programme[i] = enrolled
            if enrolled:
                enrolled_scores[0, k] = theory[i]
                enrolled_scores[1, k] = practical_skill[i]
                enrolled_scores[2, k] = professionalism[i]
                k += 1
                if host[i] >= 0:
                    apprentices[run] += 1
            if loc == ENTERPRISE and enterprise_mentor[i] >= 0:
                mentored[run] += 1
                post = enterprise_mentor[i] + mentor_offset[run]
                if mentor_seen_by[post] != run:
                    mentor_seen_by[post] = run
                    mentoring[run] += 1


def _count_week_compiled(batch: Batch, loops: tuple[Any, ...]) -> WeekCounts:
    """``count_week`` with the compiled loops: the same whole numbers (a city's pool counted as the NumPy path does)."""
    count_students, block_counts = loops
    s = batch.students
    groups = batch.groups
    starts = groups.starts
    em = batch.enterprise_mentors
    runs = batch.n_runs
    places = np.zeros((runs, len(Stage), 3), dtype=np.int64)
    apprentices = np.zeros(runs, dtype=np.int64)
    mentored = np.zeros(runs, dtype=np.int64)
    mentoring = np.zeros(runs, dtype=np.int64)
    in_prog = np.empty(s.n, dtype=bool)
    shared = batch.shares_pool
    mentor_offset = groups.group_starts("enterprise_mentors")  # a city's pool: its pool's first post
    enrolled_scores = np.empty((3, s.n))
    count_students(starts["students"], s.stage, s.location, s.host, s.enterprise_mentor, mentor_offset,
                   s.theory, s.practical_skill, s.professionalism, places, apprentices, mentored, mentoring, in_prog,
                   enrolled_scores, np.full(em.n, -1, dtype=np.int64))
    sm_active = batch.school_mentors.active(batch.week)
    em_active = em.active(batch.week)
    if shared:  # every programme sees the whole pool
        participating = _pool_counts(batch, "enterprises", batch.enterprises.participating)
        enterprise_mentors_active = _pool_counts(batch, "enterprise_mentors", em_active)
    else:
        participating = block_counts(batch.enterprises.participating, starts["enterprises"])
        enterprise_mentors_active = block_counts(em_active, starts["enterprise_mentors"])
    stages = places.sum(axis=2)
    return WeekCounts(
        stages=stages,
        locations=places.sum(axis=1),
        apprentices=apprentices,
        participating=participating,
        school_mentors_active=block_counts(sm_active, starts["school_mentors"]),
        enterprise_mentors_active=enterprise_mentors_active,
        mentored=mentored,
        mentoring=mentoring,
        in_programme=in_prog, sm_active=sm_active, em_active=em_active,
        enrolled_scores=enrolled_scores[:, :int(stages[:, BASIC:INTERNSHIP + 1].sum())],
        student_blocks=groups.blocks("students"), school_mentor_blocks=groups.blocks("school_mentors"),
        enterprise_mentor_blocks=groups.blocks("enterprise_mentors"))


def count_week(batch: Batch) -> WeekCounts:
    """Count this week's stages, places and active mentors of every run of ``batch``."""
    loops = compile_loops(_count_students, block_counts)
    if loops is not None:  # one pass over the students (sim.engine.compiled)
        return _count_week_compiled(batch, loops)
    s = batch.students
    runs = batch.n_runs
    groups = batch.groups
    in_prog = s.in_programme()
    sm_active = batch.school_mentors.active(batch.week)
    em_active = batch.enterprise_mentors.active(batch.week)
    mentored = (s.location == ENTERPRISE) & (s.enterprise_mentor >= 0)
    mentors = np.bincount(batch.held_to_global("enterprise_mentors", s.enterprise_mentor, mentored),
                          minlength=batch.enterprise_mentors.n) > 0
    if runs == 1:
        stages = np.bincount(s.stage, minlength=len(Stage))[None, :]
        locations = np.bincount(s.location, minlength=3)[None, :]
    else:  # (run, stage, location) triples counted at once; stages and locations are its sums (whole numbers)
        place = s.stage * 3 + s.location  # int8: at most 7 x 3 + 2
        both = np.bincount(groups.group_codes("students", len(Stage) * 3) + place,
                           minlength=runs * len(Stage) * 3).reshape(runs, len(Stage), 3)
        stages = both.sum(axis=2)
        locations = both.sum(axis=1)
    if not batch.shares_pool:
        participating = batch.counts("enterprises", batch.enterprises.participating)
        enterprise_mentors_active = batch.counts("enterprise_mentors", em_active)
        mentoring = batch.counts("enterprise_mentors", mentors)
    else:  # a city's pool: every programme sees the whole pool, and counts the mentors of its own apprentices
        participating = _pool_counts(batch, "enterprises", batch.enterprises.participating)
        enterprise_mentors_active = _pool_counts(batch, "enterprise_mentors", em_active)
        owner = groups.group_of("students")[mentored]
        pairs = np.unique(owner * batch.enterprise_mentors.n + s.enterprise_mentor[mentored])  # (programme, mentor)
        mentoring = np.bincount(pairs // max(batch.enterprise_mentors.n, 1), minlength=runs).astype(np.int64)
    return WeekCounts(
        stages=stages,
        locations=locations,
        apprentices=batch.counts("students", in_prog & (s.host >= 0)),
        participating=participating,
        school_mentors_active=batch.counts("school_mentors", sm_active),
        enterprise_mentors_active=enterprise_mentors_active,
        mentored=batch.counts("students", mentored),
        mentoring=mentoring,
        in_programme=in_prog, sm_active=sm_active, em_active=em_active,
        enrolled_scores=np.stack([s.theory[in_prog], s.practical_skill[in_prog], s.professionalism[in_prog]]),
        student_blocks=groups.blocks("students"), school_mentor_blocks=groups.blocks("school_mentors"),
        enterprise_mentor_blocks=groups.blocks("enterprise_mentors"))


def _block_means(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The mean of each run's block of ``values`` (run ``g``: ``sizes[g]`` values after run ``g - 1``'s); NaN if empty.

    Each block is summed on its own, by ``np.add.reduce`` over a contiguous slice, and divided
    by its size: exactly ``ndarray.mean`` of the run's values alone (the same pairwise sum over
    the same values in the same order; ``np.add.reduceat`` would sum differently). Compiled
    (``_block_sums``), the sums of all blocks take one call instead of one per run.
    """
    loops = compile_loops(_block_sums)
    if loops is not None and len(sizes) > 1 and values.dtype == np.float64 and _sums_like_numpy(loops[0]):
        sums = np.empty(len(sizes))
        loops[0](values, sizes, sums)
        return np.divide(sums, sizes, out=np.full(len(sizes), np.nan), where=sizes > 0)
    if len(sizes) == 1:  # a single run: its values are the block
        return np.array([np.add.reduce(values) / int(sizes[0]) if sizes[0] else np.nan])
    means = np.full(len(sizes), np.nan)
    stop = 0
    for g, n in enumerate(sizes.tolist()):
        start, stop = stop, stop + n
        if n:
            means[g] = np.add.reduce(values[start:stop]) / n
    return means


def _pool_counts(batch: Batch, population: Population, mask: np.ndarray) -> np.ndarray:
    """Each programme's count of its city's pool's agents ``mask`` marks (every programme sees its whole pool)."""
    per_pool = np.array([np.count_nonzero(mask[block]) for block in batch.groups.blocks(population)], dtype=np.int64)
    return per_pool[batch.groups.pool_of_group()]


def _pool_means(batch: Batch, values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``_block_means`` of an enterprise-mentor quantity; in a city, its pool's one mean for every programme.

    ``values``: the marked mentors' values, block by block (run by run, or pool by pool);
    ``sizes``: each run's count of them (in a city: its pool's, ``_pool_counts``).
    """
    if not batch.shares_pool:
        return _block_means(values, sizes)
    groups = batch.groups  # each pool's count is its first programme's
    return _block_means(values, sizes[groups.pool_group_starts()[:-1]])[groups.pool_of_group()]


_SPENT_ON = np.array([COLUMN[f"spent_{use}_yuan"] for use in USES])
_SPENT_FROM = np.array([COLUMN[f"spent_{src}_yuan"] for src in SOURCES])
_FUNDED_SHARE = np.array([COLUMN[f"funded_share_{use}"] for use in USES])


def record_week(batch: Batch, recorders: Recorders) -> None:
    """Fill this week's time-series row of every run of ``batch`` (``recorders[g]``: run ``g``'s).

    The rows of all runs are made at once, column by column over the runs: counts over the
    batch's arrays (``count_week``), means over each run's own block, money from each run's
    ledger (``Batch.ledgers``, stacked: a sum over one axis of the stack adds the same numbers
    in the same order as the sum over that run's ledger alone).
    """
    counts = count_week(batch)
    worlds = batch.worlds
    rows = np.full((batch.n_runs, len(TIMESERIES_COLUMNS)), np.nan)
    stages = counts.stages
    enrolled = stages[:, BASIC] + stages[:, SKILL] + stages[:, INTERNSHIP]
    rows[:, COLUMN["week"]] = batch.week
    for name, stage in (("n_not_enrolled", NOT_ENROLLED), ("n_employee", EMPLOYED),
                        ("n_further_study", FURTHER_STUDY), ("n_unemployed", UNEMPLOYED),
                        ("n_dropped_out", DROPPED_OUT), ("n_basic", BASIC), ("n_skill", SKILL),
                        ("n_internship", INTERNSHIP)):
        rows[:, COLUMN[name]] = stages[:, stage]
    rows[:, COLUMN["n_student"]] = enrolled - counts.apprentices
    rows[:, COLUMN["n_apprentice"]] = counts.apprentices
    rows[:, COLUMN["n_at_school"]] = counts.locations[:, SCHOOL]
    rows[:, COLUMN["n_at_enterprise"]] = counts.locations[:, ENTERPRISE]
    # students in the programme are the enrolled ones (stages BASIC to INTERNSHIP), so each run's block is enrolled[g]
    for k, name in enumerate(("theory", "practical_skill", "professionalism")):
        rows[:, COLUMN[f"mean_{name}"]] = _block_means(counts.enrolled_scores[k], enrolled)
    ledgers = batch.ledgers  # every run's ledger, stacked (each run's Ledger views its row)
    spent = ledgers.spent  # (runs, sources, uses)
    rows[:, COLUMN["spent_yuan"]] = spent.reshape(len(worlds), -1).sum(axis=1)
    rows[:, _SPENT_ON] = spent.sum(axis=1)
    rows[:, _SPENT_FROM] = spent.sum(axis=2)
    rows[:, COLUMN["balance_yuan"]] = ledgers.balance.sum(axis=1)
    need = ledgers.week_need
    paid = ledgers.week_paid
    rows[:, _FUNDED_SHARE] = np.divide(paid, need, out=np.full(need.shape, np.nan), where=need > 0)
    rows[:, COLUMN["n_participating_enterprises"]] = counts.participating
    rows[:, COLUMN["n_active_school_mentors"]] = counts.school_mentors_active
    rows[:, COLUMN["n_active_enterprise_mentors"]] = counts.enterprise_mentors_active
    rows[:, COLUMN["school_mentor_teaching_quality"]] = _block_means(
        batch.school_mentors.teaching_quality[counts.sm_active], counts.school_mentors_active)
    rows[:, COLUMN["enterprise_mentor_technical_skill"]] = _pool_means(
        batch, batch.enterprise_mentors.technical_skill[counts.em_active], counts.enterprise_mentors_active)
    loaded = batch.school_mentors.workload > 0
    rows[:, COLUMN["school_mentor_workload"]] = _block_means(batch.school_mentors.workload[loaded],
                                                             batch.counts("school_mentors", loaded))
    loaded = batch.enterprise_mentors.workload > 0
    rows[:, COLUMN["enterprise_mentor_workload"]] = _pool_means(
        batch, batch.enterprise_mentors.workload[loaded],
        _pool_counts(batch, "enterprise_mentors", loaded) if batch.shares_pool
        else batch.counts("enterprise_mentors", loaded))
    guidance = [w.this_week.guidance for w in worlds]
    for column, supply, demand in (
            ("school_guidance_share", [g.school_mentor_supply_hours for g in guidance],
             [g.school_mentor_demand_hours for g in guidance]),
            ("enterprise_guidance_share", [g.enterprise_mentor_supply_hours for g in guidance],
             [g.enterprise_mentor_demand_hours for g in guidance])):
        asked = np.array(demand)
        rows[:, COLUMN[column]] = np.divide(supply, asked, out=np.full(len(asked), np.nan), where=asked > 0)
    rows[:, COLUMN["curriculum_alignment"]] = [w.curriculum.alignment for w in worlds]
    mentor_counts = np.stack([enrolled, counts.school_mentors_active, counts.mentored, counts.mentoring], axis=1)
    recorders.record(rows, mentor_counts)


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
    market each year (BIBB Datenreport 2022, chapter A1.1: new contracts, unfilled places and unplaced
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
