"""Exits: the one phase that applies structural changes requested during the week.

Early terminations first: the apprentice loses host and enterprise mentor, goes back
to the school-only track and, with ``dropout_after_termination``, leaves altogether.
Then dropouts: the student leaves the programme and frees any place they held. A host
rates an apprentice whose placement with it ends early (``evaluation``: it did not stay
on), unless the host itself withdrew from the programme (reason ``enterprise_withdrew``).
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import StateField, Unit, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import AWAY, BASIC, DROPPED_OUT, INTERNSHIP
from sim.engine.world import RunTotals, World
from sim.mechanisms.evaluation import RATING_READS, RATING_WRITES, rate_by_hosts
from sim.mechanisms.placement import release

# reason of a termination requested because the host left the programme (participation)
WITHDREW = "enterprise_withdrew"


def apply_exits(world: World) -> None:
    """Apply this week's requested terminations and dropouts."""
    s = world.students
    for who, reason in world.pending_terminations:
        who = who[(s.host[who] >= 0) & (s.stage[who] >= BASIC) & (s.stage[who] <= INTERNSHIP)]
        if len(who) == 0:
            continue
        world.events.add(world.week, who, "termination", reason, s.host[who])
        if reason == WITHDREW:
            world.counters.withdrawal_terminations += len(who)
        else:
            rate_by_hosts(world, who, retained=np.zeros(len(who), dtype=bool))
        release(s, who, keep_job_offer=False)
        s.n_terminations[who] += 1
        s.location[who] = world.calendar.fallback_location[np.clip(world.programme_week()[who], 0,
                                                                   world.calendar.programme_weeks - 1)]
        world.counters.terminations += len(who)
        u = world.streams.uniform("attrition.after_termination", world.week, int(who.max()) + 1)[who]
        quitting = who[u < world.scenario.attrition.dropout_after_termination]
        if len(quitting):
            world.pending_dropouts.append((quitting, "after_termination"))
    world.pending_terminations.clear()
    for who, reason in world.pending_dropouts:
        who = who[(s.stage[who] >= BASIC) & (s.stage[who] <= INTERNSHIP)]  # still in the programme
        if len(who) == 0:
            continue
        s.stage[who] = DROPPED_OUT
        s.location[who] = AWAY
        s.week_left[who] = world.week
        hosted = who[s.host[who] >= 0]
        rate_by_hosts(world, hosted, retained=np.zeros(len(hosted), dtype=bool))
        release(s, who, keep_job_offer=False)
        world.events.add(world.week, who, "dropout", reason)
    world.pending_dropouts.clear()


def _dropout_rate(world: World, totals: RunTotals) -> float:
    dropped = int(np.count_nonzero(totals.observed & (world.students.stage == DROPPED_OUT)))
    return rate(dropped, int(np.count_nonzero(totals.observed)))


MECHANISM = Mechanism(
    name="exits",
    step=apply_exits,
    reads=("enterprises.satisfaction_retention_sum", "students.enrol_week", *RATING_READS),
    # an early leaver's staying-on part is 0: adding it leaves satisfaction_retention_sum as it was
    writes=(*(p for p in RATING_WRITES if p != "enterprises.satisfaction_retention_sum"), "counters.terminations",
            "counters.withdrawal_terminations", "pending_dropouts", "pending_terminations",
            "students.enterprise_mentor", "students.host", "students.location", "students.n_terminations",
            "students.offered_by_host", "students.stage", "students.week_left"),
    state=(
        StateField("students", "n_terminations", np.int8, 0, "apprenticeships ended early"),
        StateField("students", "week_left", np.int32, -1, "week of dropping out, or -1"),
    ),
    streams=("attrition.after_termination",),
    outcomes=(
        Outcome("dropout_rate", "Dropout rate",
                "Share of the students of finished cohorts who left the programme early.", Unit.SHARE,
                _dropout_rate, headline=True),
        # Every dropout, finished cohort or not: dropout_rate counts finished cohorts only (issue 10).
        Outcome("n_dropped_out", "Students who dropped out",
                "Students of every cohort, finished or not, who left the programme early by the end of the run.",
                Unit.PERSONS, lambda world, totals: float(np.count_nonzero(world.students.stage == DROPPED_OUT))),
        Outcome("early_termination_rate", "Early termination rate",
                "Apprenticeships ended early (by the host, or because it withdrew) per placement made.",
                Unit.SHARE, lambda world, totals: rate(world.counters.terminations, world.counters.placements)),
        Outcome("withdrawal_terminations", "Apprenticeships ended by a withdrawing firm",
                "Apprenticeships ended because the host left the programme at its yearly review, whole run.",
                Unit.COUNT, lambda world, totals: float(world.counters.withdrawal_terminations)),
    ),
)
