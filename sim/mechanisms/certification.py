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

from sim.engine.declarations import StateField, Unit, mean_of, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import INTERNSHIP, SKILL
from sim.engine.world import RunTotals, World
from sim.scenario.schema import WEEKS_PER_YEAR


def pass_probability(score: np.ndarray, threshold: np.ndarray | float, scale: float) -> np.ndarray:
    """Logistic pass probability of an exam score against a pass mark."""
    return 1.0 / (1.0 + np.exp(-(score - threshold) / scale))


def eligible(world: World) -> np.ndarray:
    """Mask of students who may sit an exam this session."""
    p = world.scenario.certification
    s = world.students
    programme_year = world.programme_week() // WEEKS_PER_YEAR + 1
    return ((s.stage == SKILL) | (s.stage == INTERNSHIP)) & (programme_year >= p.first_exam_year) \
        & (s.certificates < len(p.thresholds_points)) & (s.attempts < p.max_attempts)


def hold_exams(world: World) -> None:
    """Run this week's exam session, if there is one."""
    if not world.calendar.is_exam_week(world.week):
        return
    p = world.scenario.certification
    s = world.students
    u_sit = world.streams.uniform("certification.fee_funded", world.week, s.n)
    sitting = np.flatnonzero(eligible(world) & (u_sit < world.this_week.funded.exam_fees))
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


def _certificate_pass_rate(world: World, totals: RunTotals) -> float:
    grads = totals.graduates
    return rate(np.count_nonzero(world.students.certificates[grads] >= 1), len(grads))


MECHANISM = Mechanism(
    name="certification",
    step=hold_exams,
    reads=("students.enrol_week", "students.practical_skill", "students.stage", "students.theory", "this_week.funded"),
    writes=("counters.exam_passes", "counters.exam_sittings", "students.attempts", "students.certificates"),
    state=(
        StateField("students", "certificates", np.int8, 0, "X certificates held"),
        StateField("students", "attempts", np.int8, 0, "sittings of the next certificate so far"),
    ),
    streams=("certification.fee_funded", "certification.exam"),
    outcomes=(
        Outcome("certificate_pass_rate", "Certificate pass rate",
                "Share of graduates holding at least one X certificate.", Unit.SHARE, _certificate_pass_rate,
                headline=True),
        Outcome("mean_certificates_per_graduate", "Certificates per graduate",
                "Mean number of X certificates a graduate holds.", Unit.COUNT,
                lambda world, totals: mean_of(world.students.certificates[totals.graduates])),
        Outcome("exam_pass_rate_per_sitting", "Exam pass rate per sitting",
                "Share of certificate exam sittings that passed.", Unit.SHARE,
                lambda world, totals: rate(world.counters.exam_passes, world.counters.exam_sittings)),
    ),
)
