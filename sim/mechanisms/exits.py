"""Exits: the one phase that applies structural changes requested during the week.

Dissolutions first: a placement ended early by the host (``host_ended``) or by the
apprentice, who leaves the placement and goes back to school (``apprentice_left``). The
apprentice loses host and enterprise mentor and goes back to the school track; then, as
after a dissolved training contract in Germany, where about half of those concerned sign
a new contract (BIBB Datenreport 2019, A5.6), a share
``new_placement_share_after_dissolution`` takes a new placement at the next round; of the
others, ``leave_school_share_without_new_placement`` leave school (assumption: no source
follows Chinese apprentices after a dissolution) and the rest stay on the school-only
track. Then dropouts: the student leaves the programme and frees any place they held; a
dropout while placed also dissolves the placement (reason ``dropout``). A host rates an
apprentice whose placement with it ends early (``evaluation``: it did not stay on).

Every dissolution is counted, and those within 52 weeks of the placement's start apart:
the share of placements dissolved in their first year is what compares with the German
early-termination rate (LQneu) restricted to the first year of the contract (see
``docs/calibration.md``).
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import StateField, Unit, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import AWAY, BASIC, DROPPED_OUT, INTERNSHIP
from sim.engine.world import RunTotals, World
from sim.mechanisms.evaluation import RATING_READS, RATING_WRITES, rate_by_hosts
from sim.mechanisms.placement import release
from sim.scenario.schema import WEEKS_PER_YEAR

DROPOUT_WHILE_PLACED = "dropout"
"""Reason of the dissolution of a placement whose apprentice left school."""


def count_dissolutions(world: World, who: np.ndarray) -> None:
    """Count the dissolution of the placements of ``who`` (hosted), and those in their first 52 weeks."""
    world.counters.dissolutions += len(who)
    first_year = world.week - world.students.placed_week[who] < WEEKS_PER_YEAR
    world.counters.dissolutions_first_year += int(np.count_nonzero(first_year))


def after_dissolution(world: World, who: np.ndarray) -> None:
    """What follows a dissolution: a new placement at the next round, leaving school, or the school-only track."""
    p = world.scenario.attrition
    u = world.streams.uniform("attrition.after_termination", world.week, int(who.max()) + 1)[who]
    without_new = u >= p.new_placement_share_after_dissolution
    # among those who take no new placement, the share leaving school (u rescaled to [0, 1) over them)
    leave_below = p.new_placement_share_after_dissolution + \
        (1.0 - p.new_placement_share_after_dissolution) * p.leave_school_share_without_new_placement
    quitting = who[without_new & (u < leave_below)]
    world.students.school_only[who[without_new & (u >= leave_below)]] = True
    if len(quitting):
        world.pending_dropouts.append((quitting, "after_termination"))


def apply_exits(world: World) -> None:
    """Apply this week's requested dissolutions and dropouts."""
    s = world.students
    for who, reason in world.pending_terminations:
        who = who[(s.host[who] >= 0) & (s.stage[who] >= BASIC) & (s.stage[who] <= INTERNSHIP)]
        if len(who) == 0:
            continue
        world.events.add(world.week, who, "termination", reason, s.host[who])
        rate_by_hosts(world, who, retained=np.zeros(len(who), dtype=bool))
        count_dissolutions(world, who)
        release(world, who, keep_job_offer=False)
        s.n_terminations[who] += 1
        s.location[who] = world.calendar.fallback_location[np.clip(world.week - s.enrol_week[who], 0,
                                                                   world.calendar.programme_weeks - 1)]
        world.counters.terminations += len(who)
        after_dissolution(world, who)
    world.pending_terminations.clear()
    for who, reason in world.pending_dropouts:
        who = who[(s.stage[who] >= BASIC) & (s.stage[who] <= INTERNSHIP)]  # still in the programme
        if len(who) == 0:
            continue
        s.stage[who] = DROPPED_OUT
        s.location[who] = AWAY
        s.week_left[who] = world.week
        hosted = who[s.host[who] >= 0]
        if len(hosted):
            world.events.add(world.week, hosted, "termination", DROPOUT_WHILE_PLACED, s.host[hosted])
            rate_by_hosts(world, hosted, retained=np.zeros(len(hosted), dtype=bool))
            count_dissolutions(world, hosted)
        release(world, who, keep_job_offer=False)
        world.events.add(world.week, who, "dropout", reason)
    world.pending_dropouts.clear()


def _dropout_rate(world: World, totals: RunTotals) -> float:
    dropped = int(np.count_nonzero(totals.observed & (world.students.stage == DROPPED_OUT)))
    return rate(dropped, int(np.count_nonzero(totals.observed)))


MECHANISM = Mechanism(
    name="exits",
    step=apply_exits,
    reads=("enterprises.satisfaction_retention_sum", "students.enrol_week", "students.placed_week", *RATING_READS),
    # an early leaver's staying-on part is 0: adding it leaves satisfaction_retention_sum as it was
    writes=(*(p for p in RATING_WRITES if p != "enterprises.satisfaction_retention_sum"), "counters.dissolutions",
            "counters.dissolutions_first_year", "counters.terminations", "enterprises.placements_ended",
            "pending_dropouts", "pending_terminations", "students.enterprise_mentor", "students.host",
            "students.location", "students.n_terminations", "students.offered_by_host", "students.school_only",
            "students.stage", "students.week_left"),
    state=(
        StateField("students", "n_terminations", np.int8, 0, "placements ended early by the host or the apprentice"),
        StateField("students", "week_left", np.int32, -1, "week of dropping out, or -1"),
        StateField("students", "school_only", bool, False,
                   "on the school-only track after a dissolution: not placed again"),
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
                "Share of placements dissolved within 52 weeks of their start, for any reason (the host ended it, "
                "the apprentice left it, or left school while placed): the first-year part of the German "
                "early-termination rate.", Unit.SHARE,
                lambda world, totals: rate(world.counters.dissolutions_first_year, world.counters.placements)),
        Outcome("dissolution_rate", "Placements dissolved",
                "Share of placements dissolved before their term at any time, for any reason.", Unit.SHARE,
                lambda world, totals: rate(world.counters.dissolutions, world.counters.placements)),
    ),
)
