"""The calendar phase: move each cohort along its programme plan.

Every enrolled cohort is at the same week of its programme, so the stage and the
planned location come from the calendar by cohort (a slice), not per student. A
student planned to be in the enterprise but without a host stays at school that week
(the school-only track).
"""

from __future__ import annotations

import numpy as np

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


MECHANISM = Mechanism(
    name="schedule",
    step=advance_calendar,
    reads=("students.enrol_week", "students.host"),
    writes=("students.location", "students.reached_enterprise_period", "students.stage"),
    state=(
        StateField("students", "reached_enterprise_period", bool, False,
                   "was in the programme in the first week of the cohort's first enterprise period"),
        StateField("students", "stage", np.int8, NOT_ENROLLED, "Stage code (exactly one)"),
        StateField("students", "location", np.int8, AWAY, "Location code this week"),
    ),
)
