"""Mentor development: two-way training and turnover (seed 003, section 5.1).

Each year a share of school mentors practise in enterprises (closing part of the gap
to full practical skill and becoming dual-qualified) and a share of enterprise mentors
are trained in teaching methods (closing part of the gap to full pedagogical skill); vacant posts are not trained.
Each week a mentor leaves with the yearly turnover hazard; the post stays vacant for
``replacement_delay_weeks`` and is then filled by a newly selected mentor, who has not
had the training. Mentees keep their post and get no guidance while it is vacant.
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import StateField
from sim.engine.mechanism import Mechanism
from sim.engine.world import World
from sim.mechanisms.attrition import weekly_probability
from sim.mechanisms.mentor_selection import draw_enterprise_mentor_attributes, draw_school_mentor_attributes


def train_mentors(world: World) -> None:
    """Yearly two-way training, at each year start after the first."""
    if world.week == 0 or not world.calendar.is_year_start(world.week):
        return
    p = world.scenario.mentor_development
    sm = world.school_mentors
    practising = sm.active(world.week) & (world.streams.uniform("mentor_development.practice", world.week, sm.n)
                                          < p.school_mentor_practice_share_per_year)
    sm.practical_skill[practising] += p.practice_gain * (1.0 - sm.practical_skill[practising])
    sm.dual_qualified[practising] = True
    em = world.enterprise_mentors
    trained = em.active(world.week) & (world.streams.uniform("mentor_development.pedagogy", world.week, em.n)
                                       < p.enterprise_mentor_training_share_per_year)
    em.pedagogical_skill[trained] += p.pedagogy_gain * (1.0 - em.pedagogical_skill[trained])


def turn_over_mentors(world: World) -> None:
    """Weekly departures; the replacement's attributes are drawn when the post falls vacant."""
    sc = world.scenario
    week = world.week
    sm = world.school_mentors
    leaving = np.flatnonzero(sm.active(week) & (world.streams.uniform("mentor_turnover.school", week, sm.n)
                                                < weekly_probability(sc.school_mentors.turnover_rate_per_year,
                                                                     np.zeros(1))))  # the same for every post
    if len(leaving):
        # draws for posts 0..last leaver only (one stream per attribute: the first k draws do not depend on n)
        new = draw_school_mentor_attributes(sc, world.streams, "mentor_turnover.school_new", week, int(leaving[-1]) + 1)
        for name, values in new.items():
            getattr(sm, name)[leaving] = values[leaving]
        sm.vacant_until[leaving] = week + sc.school_mentors.replacement_delay_weeks
    em = world.enterprise_mentors
    if em.n == 0:
        return
    leaving = np.flatnonzero(em.active(week) & (world.streams.uniform("mentor_turnover.enterprise", week, em.n)
                                                < weekly_probability(sc.enterprise_mentors.turnover_rate_per_year,
                                                                     np.zeros(1))))
    if len(leaving):
        new = draw_enterprise_mentor_attributes(sc, world.streams, "mentor_turnover.enterprise_new", week,
                                                int(leaving[-1]) + 1)
        for name, values in new.items():
            getattr(em, name)[leaving] = values[leaving]
        em.vacant_until[leaving] = week + sc.enterprise_mentors.replacement_delay_weeks


def develop_mentors(world: World) -> None:
    """The mentor-development phase: training at year starts, turnover every week."""
    train_mentors(world)
    turn_over_mentors(world)


MECHANISM = Mechanism(
    name="mentor_development",
    step=develop_mentors,
    writes=("enterprise_mentors.frontline_years", "enterprise_mentors.pedagogical_skill",
            "enterprise_mentors.technical_skill", "enterprise_mentors.vacant_until", "school_mentors.dual_qualified",
            "school_mentors.practical_skill", "school_mentors.teaching_quality", "school_mentors.teaching_years",
            "school_mentors.vacant_until"),
    state=(
        StateField("school_mentors", "vacant_until", np.int32, -1, "week the post is filled again (-1: filled)"),
        StateField("enterprise_mentors", "vacant_until", np.int32, -1, "week the post is filled again (-1: filled)"),
    ),
    streams=("mentor_development.practice", "mentor_development.pedagogy", "mentor_turnover.school",
             "mentor_turnover.enterprise", "mentor_turnover.school_new.{attribute}",
             "mentor_turnover.enterprise_new.{attribute}"),
)
