"""Certification (the "1+X" system): exam sessions with retakes.

An exam session closes each semester's teaching weeks. Students in the skill or
internship stage, from ``first_exam_year`` on, sit the next of the X certificates they
do not yet hold (they are taken in order), unless they have used all
``max_attempts`` sittings of it. The pass probability is logistic in the exam score
``practical_weight x practical skill + (1 - practical_weight) x theory`` around the
certificate's pass mark. Sittings happen only as far as their fees are funded.
"""

from __future__ import annotations

import numpy as np

from sim.engine.population import INTERNSHIP, SKILL
from sim.engine.world import World
from sim.scenario.schema import WEEKS_PER_YEAR


def pass_probability(score: np.ndarray, threshold: np.ndarray | float, scale: float) -> np.ndarray:
    """Logistic pass probability of an exam score against a pass mark."""
    return 1.0 / (1.0 + np.exp(-(score - threshold) / scale))


def eligible(world: World) -> np.ndarray:
    """Mask of students who may sit an exam this session."""
    p = world.scenario.certification
    s = world.students
    programme_year = (world.week - s.enrol_week) // WEEKS_PER_YEAR + 1
    return ((s.stage == SKILL) | (s.stage == INTERNSHIP)) & (programme_year >= p.first_exam_year) \
        & (s.certificates < len(p.thresholds_points)) & (s.attempts < p.max_attempts)


def hold_exams(world: World) -> None:
    """Run this week's exam session, if there is one."""
    if not world.calendar.is_exam_week(world.week):
        return
    p = world.scenario.certification
    s = world.students
    u_sit = world.streams.uniform("certification.fee_funded", world.week, s.n)
    sitting = np.flatnonzero(eligible(world) & (u_sit < world.this_week.funded.get("exam_fees", 1.0)))
    if len(sitting) == 0:
        return
    score = p.practical_weight * s.practical_skill[sitting] + (1.0 - p.practical_weight) * s.theory[sitting]
    threshold = np.asarray(p.thresholds_points)[s.certificates[sitting]]
    u = world.streams.uniform("certification.exam", world.week, s.n)[sitting]
    passed = u < pass_probability(score, threshold, p.difficulty_scale_points)
    winners, losers = sitting[passed], sitting[~passed]
    s.certificates[winners] += 1
    s.attempts[winners] = 0
    s.attempts[losers] += 1
    world.counters.exam_sittings += len(sitting)
    world.counters.exam_passes += len(winners)
    world.events.add(world.week, winners, "exam_pass", "certificate")
    world.events.add(world.week, losers, "exam_fail", "certificate")
