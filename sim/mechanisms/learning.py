"""Learning: weekly growth of theory, practical skill and professionalism.

Growth = rate x input x personal factor x (1 - score/100): diminishing returns as a
score nears 100. The personal factor is ``exp(ability_effect x ability) x (1 +
motivation_effect x (motivation - 0.5) / 0.5)`` times a weekly multiplicative shock
``max(0, 1 + noise_sd x N(0, 1))`` (one normal draw per student-week). Inputs:

- at school: theory from classes and mentoring, weighted by the mentor's teaching
  quality; practical skill from the training base (only as far as its running cost is
  funded), the mentor's own practical skill and curriculum alignment;
- in the enterprise: practical skill from the post (higher technical level teaches
  more; seed 000) and alignment, plus the enterprise mentor's guidance x technical
  skill x pedagogical skill (seed 003: "can do but cannot teach"); an unmentored
  post teaches only ``unmentored_practice_share`` by doing; professionalism grows fastest
  at work.

Motivation drifts towards a target set by the support received and the fit of the
placement. Holidays change nothing.
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import Unit, mean_of
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE, SCHOOL
from sim.engine.world import World
from sim.mechanisms.contact import alignment, programme_alignment

ENTERPRISE_THEORY_INPUT = 0.1
"""Theory input during enterprise weeks (self-study, mentor visits), relative; assumption."""
SCHOOL_PROFESSIONALISM_INPUT = 0.4
"""Professionalism input of a school week relative to a full enterprise week; assumption."""


def personal_factor(world: World, idx: np.ndarray, shock: np.ndarray) -> np.ndarray:
    """Ability, motivation and this week's luck of the students ``idx``."""
    lp = world.scenario.learning
    s = world.students
    f = np.exp(lp.ability_effect_per_sd * s.ability[idx])
    f *= 1.0 + lp.motivation_effect * (s.motivation[idx] - 0.5) / 0.5
    f *= np.maximum(0.0, 1.0 + lp.noise_sd * shock[idx])
    return f


def _grow(score: np.ndarray, idx: np.ndarray, gain: np.ndarray) -> None:
    # score + gain x (1 - score / 100), capped at 100: one gather, the same operations in place
    x = score[idx]
    step = x / 100.0
    np.subtract(1.0, step, out=step)
    step *= gain
    step += x
    score[idx] = np.minimum(step, 100.0, out=step)


def learn(world: World) -> None:
    """Skill growth and motivation drift of every student at school or in a firm this week."""
    sc = world.scenario
    lp = sc.learning
    s = world.students
    sm = world.school_mentors
    school = np.flatnonzero(s.location == SCHOOL)
    firm = np.flatnonzero(s.location == ENTERPRISE)
    # draws for students 0..last learner: a stream's first k draws do not depend on how many follow
    last = max(school[-1] if len(school) else -1, firm[-1] if len(firm) else -1)
    shock = world.streams.normal("learning.shock", world.week, int(last) + 1)
    if len(school):
        f = personal_factor(world, school, shock)
        mentor = s.school_mentor[school]
        g = s.guidance_school[school]
        q = sm.teaching_quality[mentor]
        theory_in = q * (lp.classroom_share + (1.0 - lp.classroom_share) * g)
        practice = sc.programme.school_practice_hours_share * world.this_week.funded.training_base
        align = programme_alignment(world)
        practical_in = practice * sm.practical_skill[mentor] * (0.5 + 0.5 * g) * (0.5 + 0.5 * align)
        prof_in = SCHOOL_PROFESSIONALISM_INPUT * (0.5 + 0.5 * g)
        _grow(s.theory, school, lp.theory_points_per_week * theory_in * f)
        _grow(s.practical_skill, school, lp.practical_skill_points_per_week * practical_in * f)
        _grow(s.professionalism, school, lp.professionalism_points_per_week * prof_in * f)
        _drift_motivation(world, school, support=g, fit=np.ones(len(school)))

    if len(firm):
        f = personal_factor(world, firm, shock)
        host = s.host[firm]
        ent = world.enterprises
        post = 0.5 + ent.post_level[host]
        firm_align = alignment(world, ent.coordination[host])
        mentor = s.enterprise_mentor[firm]
        mentored = mentor >= 0
        em = world.enterprise_mentors
        g = np.where(mentored, s.guidance_enterprise[firm], 0.0)
        safe = np.where(mentored, mentor, 0)
        quality = np.where(mentored, em.technical_skill[safe] * (0.3 + 0.7 * em.pedagogical_skill[safe]), 0.0) \
            if em.n else np.zeros(len(firm))
        ums = lp.unmentored_practice_share
        practical_in = post * (0.5 + 0.5 * firm_align) * (ums + (1.0 - ums) * g * quality)
        prof_in = np.where(mentored, 0.6 + 0.4 * g, 0.6)
        school_q = sm.teaching_quality[s.school_mentor[firm]]
        _grow(s.theory, firm, lp.theory_points_per_week * ENTERPRISE_THEORY_INPUT * school_q * f)
        _grow(s.practical_skill, firm, lp.practical_skill_points_per_week * practical_in * f)
        _grow(s.professionalism, firm, lp.professionalism_points_per_week * prof_in * f)
        support = np.where(mentored, g, ums)
        _drift_motivation(world, firm, support=support, fit=s.sector_fit[firm].astype(float))


def _drift_motivation(world: World, idx: np.ndarray, support: np.ndarray, fit: np.ndarray) -> None:
    rate = world.scenario.learning.motivation_adjustment_per_week
    target = 0.35 + 0.45 * support + 0.2 * fit
    m = world.students.motivation
    m[idx] += rate * (target - m[idx])


def _graduates_mean(attr: str, label: str) -> Outcome:
    return Outcome(f"mean_{attr}", label, f"Graduates' mean {label.lower()}, points 0-100.", Unit.POINTS,
                   lambda world, totals: mean_of(getattr(world.students, attr)[totals.graduates]))


MECHANISM = Mechanism(
    name="learning",
    step=learn,
    reads=("enterprise_mentors.pedagogical_skill", "enterprise_mentors.technical_skill", "enterprises.coordination",
           "enterprises.participating", "enterprises.post_level", "school_mentors.practical_skill",
           "school_mentors.teaching_quality", "students.ability", "students.enterprise_mentor",
           "students.guidance_enterprise", "students.guidance_school", "students.host", "students.location",
           "students.school_mentor", "students.sector_fit", "this_week.funded"),
    writes=("students.motivation", "students.practical_skill", "students.professionalism", "students.theory"),
    streams=("learning.shock",),
    outcomes=(
        _graduates_mean("theory", "Theory"),
        _graduates_mean("practical_skill", "Practical skill"),
        _graduates_mean("professionalism", "Professionalism"),
    ),
)
