"""The calendar phase: move each cohort along its programme plan.

Every enrolled cohort is at the same week of its programme, so the stage and the
planned location come from the calendar by cohort (a slice), not per student. A
student planned to be in the enterprise but without a host stays at school that week
(the school-only track).

``advance_calendar`` does a run's week cohort by cohort with NumPy. With numba installed
(``sim.engine.compiled``) the batch's week is one compiled pass over its students
instead (``calendar_week``), which gives the same stages, locations and events: every
student of a cohort has its cohort's enrolment week (intake draws them so, and no phase
writes ``enrol_week``), so a student's programme week is its cohort's.
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.compiled import compile_loops
from sim.engine.declarations import StateField
from sim.engine.mechanism import Mechanism
from sim.engine.population import AWAY, BASIC, ENTERPRISE, INTERNSHIP, NOT_ENROLLED, Stage
from sim.engine.world import World


def advance_calendar(world: World) -> None:
    """Set this week's stage and location for every student still in the programme."""
    s = world.students
    cal = world.calendar
    for c in range(world.scenario.intake.n_cohorts):
        sl = world.cohort(c)
        pw = world.cohort_programme_week(c)
        if pw < 0 or pw >= cal.programme_weeks:
            continue
        stage = s.stage[sl]
        active = (stage >= BASIC) & (stage <= INTERNSHIP)
        new_stage = cal.stage[pw]
        if pw > 0 and new_stage != cal.stage[pw - 1]:
            world.events.add(world.week, np.flatnonzero(active) + sl.start, "stage_change",
                             Stage(new_stage).name.lower())
        np.copyto(stage, new_stage, where=active)
        planned = cal.location[pw]
        if planned == ENTERPRISE and (pw == 0 or cal.location[pw - 1] != ENTERPRISE):
            s.reached_enterprise_period[sl] |= active
        # the planned location (a scalar unless some are in a firm), away for those not in the programme
        where = np.where(s.host[sl] >= 0, ENTERPRISE, cal.fallback_location[pw]) if planned == ENTERPRISE else planned
        s.location[sl] = np.where(active, where, AWAY)


def calendar_week(week: int, group: np.ndarray, enrol_week: np.ndarray, stage: np.ndarray, location: np.ndarray,
                  host: np.ndarray, reached: np.ndarray, changed: np.ndarray, plan_stage: np.ndarray,
                  plan_location: np.ndarray, plan_fallback: np.ndarray, plan_start: np.ndarray,
                  plan_weeks: np.ndarray) -> int:
    """``advance_calendar`` of every run, student by student (compiled); returns the students whose stage changed.

    Run ``g``'s calendar is ``plan_*[plan_start[g]:plan_start[g] + plan_weeks[g]]`` (the runs'
    plans end to end). ``changed[i]`` is set for a student in the programme whose cohort
    enters a new stage this week (the ``stage_change`` events, written by the caller).
    """
    n_changed = 0
    for i in range(len(stage)):
        run = group[i]
        pw = week - enrol_week[i]
        if pw < 0 or pw >= plan_weeks[run]:
            continue
        at = plan_start[run] + pw
        active = BASIC <= stage[i] <= INTERNSHIP
        planned = plan_location[at]
        if active:
            new_stage = plan_stage[at]
            if pw > 0 and new_stage != plan_stage[at - 1]:
                changed[i] = True
                n_changed += 1
            stage[i] = new_stage
            if planned == ENTERPRISE and (pw == 0 or plan_location[at - 1] != ENTERPRISE):
                reached[i] = True
            if planned == ENTERPRISE:
                location[i] = ENTERPRISE if host[i] >= 0 else plan_fallback[at]
            else:
                location[i] = planned
        else:
            location[i] = AWAY
    return n_changed


def advance_calendars(batch: Batch) -> None:
    """Set this week's stage and location of every run's students in the programme (``advance_calendar``)."""
    loops = compile_loops(calendar_week)
    if loops is None:
        for world in batch.worlds:
            advance_calendar(world)
        return
    s = batch.students
    worlds = batch.worlds
    plans = batch.plans()  # the runs' planned locations end to end, found once (Batch.plans)
    calendars = [w.calendar for w in worlds]
    changed = np.zeros(s.n, dtype=bool)
    n_changed = loops[0](batch.week, batch.groups.group_of("students"), s.enrol_week, s.stage, s.location, s.host,
                         s.reached_enterprise_period, changed, np.concatenate([c.stage for c in calendars]),
                         plans.location, np.concatenate([c.fallback_location for c in calendars]), plans.start,
                         plans.weeks)
    if n_changed == 0 or not any(w.events.enabled for w in worlds):
        return
    # the events, run by run and cohort by cohort as advance_calendar writes them
    for world, local in batch.by_run("students", np.flatnonzero(changed)):
        cohorts = np.searchsorted(world.cohort_starts, local, side="right") - 1
        for part in np.split(local, np.flatnonzero(np.diff(cohorts)) + 1):
            world.events.add(batch.week, part, "stage_change", Stage(world.students.stage[part[0]]).name.lower())


MECHANISM = Mechanism(
    name="schedule",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=advance_calendars,
    reads=("students.enrol_week", "students.host"),
    writes=("students.location", "students.reached_enterprise_period", "students.stage"),
    state=(
        StateField("students", "reached_enterprise_period", bool, False,
                   "was in the programme in the first week of the cohort's first enterprise period"),
        StateField("students", "stage", np.int8, NOT_ENROLLED, "Stage code (exactly one)"),
        StateField("students", "location", np.int8, AWAY, "Location code this week"),
    ),
)
