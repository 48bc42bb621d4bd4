"""Intake: one cohort enrols at the start of each academic year.

All cohorts are drawn at set-up (they are contiguous index ranges, cohort by cohort),
and a cohort's students turn from NOT_ENROLLED to BASIC in its intake week. Drawing
everyone up front, by index, keeps each student's attributes identical across
scenarios that share a seed (common random numbers).

Enrolling to the places firms commit (招生即招工, ``enrol_to_committed_places``): a cohort
enrols only as many students as the participating firms commit places for it in its
intake week. Their places (``placement.places_offered``: the internship caps and, under
dual mentoring, their active mentors' places) are shared by the cohorts whose enterprise
periods overlap (``overlapping_cohorts``: the largest number of yearly cohorts the
calendar puts in a firm in the same week), so each cohort is committed that share. The
first students of the cohort's index range enrol (their attributes are random, so which
ones is luck); the rest are never admitted and stay not enrolled.
"""

from __future__ import annotations

import numpy as np

from sim.engine.calendar import ProgrammeCalendar
from sim.engine.declarations import SET_UP, StateField, Unit
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import BASIC, ENTERPRISE, NO_ONE, NOT_ENROLLED, SCHOOL
from sim.engine.streams import RandomStreams
from sim.engine.world import RunTotals, World
from sim.mechanisms.placement import places_offered
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario


def _beta_from_mean(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, n)


def draw_students(scenario: Scenario, streams: RandomStreams) -> dict[str, np.ndarray]:
    """The drawn attributes of every student of every cohort (not yet enrolled), by name."""
    p = scenario.intake
    n = scenario.n_students
    cohort = np.repeat(np.arange(p.n_cohorts, dtype=np.int16), p.sizes())
    g = streams.generator

    def skill(mean: float, name: str) -> np.ndarray:
        return np.clip(mean + p.initial_skill_sd * g(f"intake.{name}").standard_normal(n), 0.0, 100.0)

    return {
        "cohort": cohort,
        "enrol_week": (cohort.astype(np.int32) * WEEKS_PER_YEAR),
        "sector": g("intake.sector").integers(0, p.n_sectors, n).astype(np.int16),
        "ability": p.ability_sd * g("intake.ability").standard_normal(n),
        "motivation": _beta_from_mean(g("intake.motivation"), p.motivation_mean, p.motivation_concentration, n),
        "theory": skill(p.initial_theory_mean, "theory"),
        "practical_skill": skill(p.initial_practical_skill_mean, "practical_skill"),
        "professionalism": skill(p.initial_professionalism_mean, "professionalism"),
    }


def overlapping_cohorts(calendar: ProgrammeCalendar) -> int:
    """The largest number of yearly cohorts the calendar puts in a firm in the same week (at least 1)."""
    firm = calendar.location == ENTERPRISE
    if not firm.any():
        return 1
    weeks = len(firm)
    years = -(-weeks // WEEKS_PER_YEAR)
    padded = np.zeros(years * WEEKS_PER_YEAR, dtype=np.int64)
    padded[:weeks] = firm
    return max(1, int(padded.reshape(years, WEEKS_PER_YEAR).sum(axis=0).max()))


def committed_places(world: World) -> int:
    """Places the participating firms commit to the cohort enrolling this week."""
    return int(places_offered(world).sum()) // overlapping_cohorts(world.calendar)


def enrol_cohort(world: World) -> None:
    """At a year start, enrol that year's cohort (to the places firms commit, if so) and give each a school mentor."""
    if not world.calendar.is_year_start(world.week):
        return
    c = world.week // WEEKS_PER_YEAR
    if c >= world.scenario.intake.n_cohorts:
        return
    s = world.students
    sl = world.cohort(c)
    if world.scenario.intake.enrol_to_committed_places:
        sl = slice(sl.start, sl.start + min(sl.stop - sl.start, committed_places(world)))
    s.stage[sl] = BASIC
    s.location[sl] = SCHOOL
    new = np.arange(sl.start, sl.stop)
    s.school_mentor[sl] = assign_school_mentors(world, len(new))
    world.events.add(world.week, new, "enrol", "intake")


def assign_school_mentors(world: World, n_new: int) -> np.ndarray:
    """Mentor posts for ``n_new`` students, filling the least-loaded posts first."""
    s = world.students
    n_posts = world.school_mentors.n
    enrolled = s.in_programme() & (s.school_mentor >= 0)
    load = np.bincount(s.school_mentor[enrolled], minlength=n_posts)
    target = -(-(load.sum() + n_new) // n_posts)  # ceiling division: an equal share each
    order = np.argsort(load, kind="stable").astype(np.int32)  # least loaded first
    free = np.maximum(target - load[order], 0)
    return np.repeat(order, free)[:n_new]


def _n_enrolled(world: World, totals: RunTotals) -> float:
    return float(np.count_nonzero(world.students.stage != NOT_ENROLLED))


MECHANISM = Mechanism(
    name="intake",
    step=enrol_cohort,
    reads=("enterprise_mentors.enterprise", "enterprise_mentors.vacant_until", "enterprises.capacity",
           "enterprises.participating"),
    writes=("students.location", "students.school_mentor", "students.stage"),
    state=(
        StateField("students", "cohort", np.int16, SET_UP, "0-based cohort"),
        StateField("students", "enrol_week", np.int32, SET_UP, "week of enrolment"),
        StateField("students", "sector", np.int16, SET_UP, "major / industry sector"),
        StateField("students", "ability", np.float64, SET_UP, "ability, standardised"),
        StateField("students", "motivation", np.float64, SET_UP, "motivation, 0-1"),
        StateField("students", "theory", np.float64, SET_UP, "theory, points 0-100"),
        StateField("students", "practical_skill", np.float64, SET_UP, "practical skill, points 0-100"),
        StateField("students", "professionalism", np.float64, SET_UP, "professionalism, points 0-100"),
        StateField("students", "school_mentor", np.int32, NO_ONE, "school-mentor post, or NO_ONE"),
    ),
    streams=("intake.sector", "intake.ability", "intake.motivation", "intake.theory", "intake.practical_skill",
             "intake.professionalism"),
    outcomes=(
        Outcome("n_students", "Students", "Students in all cohorts of the run, enrolled or not yet.",
                Unit.PERSONS, lambda world, totals: float(world.students.n)),
        Outcome("n_enrolled", "Students enrolled", "Students whose cohort has enrolled by the end of the run.",
                Unit.PERSONS, _n_enrolled),
        # Counted so that a horizon ending before a cohort finishes is visible (issue 10).
        Outcome("n_still_enrolled", "Students still enrolled",
                "Students still in the programme in the last week simulated (neither graduated nor dropped out); "
                "more than 0 when the horizon ends before a cohort finishes.",
                Unit.PERSONS, lambda world, totals: float(np.count_nonzero(world.students.in_programme()))),
    ),
)
