"""Exits: the one phase that applies structural changes requested during the week.

Early terminations first: the apprentice loses host and enterprise mentor, goes back
to the school-only track and, with ``dropout_after_termination``, leaves altogether.
Then dropouts: the student leaves the programme and frees any place they held.
"""

from __future__ import annotations

import numpy as np

from sim.engine.population import AWAY, BASIC, DROPPED_OUT, INTERNSHIP, NO_ONE
from sim.engine.world import World


def apply_exits(world: World) -> None:
    """Apply this week's requested terminations and dropouts."""
    s = world.students
    for who, reason in world.pending_terminations:
        who = who[(s.host[who] >= 0) & (s.stage[who] >= BASIC) & (s.stage[who] <= INTERNSHIP)]
        if len(who) == 0:
            continue
        world.events.add(world.week, who, "termination", reason, s.host[who])
        s.host[who] = NO_ONE
        s.enterprise_mentor[who] = NO_ONE
        s.offered_by_host[who] = False
        s.n_terminations[who] += 1
        s.location[who] = world.calendar.fallback_location[np.clip(world.week - s.enrol_week[who], 0,
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
        s.host[who] = NO_ONE
        s.enterprise_mentor[who] = NO_ONE
        s.offered_by_host[who] = False
        world.events.add(world.week, who, "dropout", reason)
    world.pending_dropouts.clear()
