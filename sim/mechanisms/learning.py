"""Learning: weekly growth of theory, practical skill and professionalism; motivation.

Growth = rate x input x personal factor x (1 - score/100): diminishing returns as a
score nears 100. The personal factor is ``exp(ability_effect x ability) x (1 +
motivation_effect x (motivation - 0.5) / 0.5)`` times a weekly multiplicative shock
``max(0, 1 + noise_sd x N(0, 1))`` (one normal draw per student-week). Inputs:

- at school: a school week has ``SCHOOL_WEEK_HOURS`` hours, shared by mentoring,
  classroom theory and on-campus practice. The guidance a student receives takes its
  hours (``desired_hours_per_student_week x g``); the rest of the week is split by
  ``school_practice_hours_share`` between practice and class. Theory input is the
  classroom share of the week, weighted by the mentor's teaching quality (and raised by
  guidance); practical input is the practice share of the week, as far as the training
  base can host it (``training_base``: practice hours beyond its capacity are taught in
  class) and its running cost is funded, weighted by the mentor's own practical skill,
  guidance and curriculum alignment. So more practice is less theory, one hour for one hour;
- in the enterprise: practical skill from the post (higher technical level teaches
  more; Chen, Zhang & Qi (n.d.) §2) and alignment, plus the enterprise mentor's guidance x technical
  skill x pedagogical skill (Li (2026) §3.2: "can do but cannot teach"); an unmentored
  post teaches only ``unmentored_practice_share`` by doing; professionalism grows fastest
  at work.

Motivation responds to experience and reverts to the student's own disposition (the
motivation drawn at intake), so it neither saturates nor forgets: each week at school or
in a firm it moves, at ``motivation_adjustment_per_week``, towards
``disposition + motivation_progress_effect x (progress - 1) - motivation_misfit_effect x
misfit``. *Progress* is this week's learning relative to what the programme plans: the
input received (guidance, a funded training base, a mentor in the post) over the input
with the planned guidance, base and mentor, times the week's luck; *misfit* marks a
placement outside the student's sector. Exam results move it too (``certification``).
Holidays change nothing.
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import StateField, Unit, mean_of
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE, SCHOOL
from sim.engine.world import World
from sim.mechanisms.contact import alignment, programme_alignment

SCHOOL_WEEK_HOURS = 28.0
"""Teaching hours in a school week, shared by mentoring, class and on-campus practice.

28 in secondary vocational schools, 40 teaching weeks a year: the Shenzhen education
bureau's school calendar 2022-23 ("周学时一般为28学时"), after the Ministry of Education's
teaching-plan rule for secondary vocational schools.
"""
ENTERPRISE_THEORY_INPUT = 0.07
"""Theory input of an enterprise week (self-study, mentor visits), relative to a school week wholly in class.

Assumption: the earlier 0.1 of a school week with 70% of its hours in class, re-expressed.
"""
SCHOOL_PROFESSIONALISM_INPUT = 0.4
"""Professionalism input of a school week relative to a full enterprise week; assumption."""


def personal_factor(world: World, idx: np.ndarray, week_luck: np.ndarray) -> np.ndarray:
    """Ability, motivation and this week's luck (``luck``) of the students ``idx``."""
    lp = world.scenario.learning
    s = world.students
    f = np.exp(lp.ability_effect_per_sd * s.ability[idx])
    f *= 1.0 + lp.motivation_effect * (s.motivation[idx] - 0.5) / 0.5
    f *= week_luck
    return f


def luck(world: World, idx: np.ndarray, shock: np.ndarray) -> np.ndarray:
    """This week's multiplicative learning shock ``max(0, 1 + noise_sd x N(0, 1))`` of the students ``idx``."""
    return np.maximum(0.0, 1.0 + world.scenario.learning.noise_sd * shock[idx])


def school_week_shares(world: World, guidance: np.ndarray | float,
                       capacity_share: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Shares of the school week spent in class and in on-campus practice, given the guidance received.

    The guidance received takes ``desired_hours_per_student_week x guidance`` of the
    ``SCHOOL_WEEK_HOURS``; the remaining hours are split by ``school_practice_hours_share``,
    of which the training base hosts ``capacity_share`` (``training_base``: 1 unless its
    capacity is short); the practice hours it cannot host are taught in class.
    """
    sc = world.scenario
    mentoring = np.minimum(sc.school_mentors.desired_hours_per_student_week * np.asarray(guidance, dtype=float),
                           SCHOOL_WEEK_HOURS)
    rest = (SCHOOL_WEEK_HOURS - mentoring) / SCHOOL_WEEK_HOURS
    practice = sc.programme.school_practice_hours_share * capacity_share
    return (1.0 - practice) * rest, practice * rest


def _grow(score: np.ndarray, idx: np.ndarray, gain: np.ndarray) -> None:
    # score + gain x (1 - score / 100), capped at 100: one gather, the same operations in place
    x = score[idx]
    step = x / 100.0
    np.subtract(1.0, step, out=step)
    step *= gain
    step += x
    score[idx] = np.minimum(step, 100.0, out=step)


def _ratio(received: np.ndarray, planned: np.ndarray) -> np.ndarray:
    """Input received over input planned (1 where nothing is planned)."""
    return np.divide(received, planned, out=np.ones_like(received), where=planned > 0)


def learn(world: World) -> None:
    """Skill growth and motivation of every student at school or in a firm this week."""
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
        week_luck = luck(world, school, shock)
        f = personal_factor(world, school, week_luck)
        mentor = s.school_mentor[school]
        g = s.guidance_school[school]
        q = sm.teaching_quality[mentor]
        cs = lp.classroom_share
        hosted = world.this_week.practice.capacity_share  # the share of the timetable's practice the base hosts
        in_class, in_practice = school_week_shares(world, g, hosted)
        theory_in = q * (cs + (1.0 - cs) * g) * in_class
        align = programme_alignment(world)
        practice_quality = sm.practical_skill[mentor] * (0.5 + 0.5 * align)
        practical_in = in_practice * world.this_week.funded.training_base * practice_quality * (0.5 + 0.5 * g)
        prof_in = SCHOOL_PROFESSIONALISM_INPUT * (0.5 + 0.5 * g)
        # the plan: the full guidance a student needs and a funded training base (the timetable as the base hosts it)
        plan_class, plan_practice = school_week_shares(world, 1.0, hosted)
        planned = lp.theory_points_per_week * q * plan_class \
            + lp.practical_skill_points_per_week * practice_quality * plan_practice
        # the points each input is worth this week, computed once: the growth and the progress both use them
        theory_points = lp.theory_points_per_week * theory_in
        practical_points = lp.practical_skill_points_per_week * practical_in
        received = theory_points + practical_points
        theory_points *= f
        practical_points *= f
        _grow(s.theory, school, theory_points)
        _grow(s.practical_skill, school, practical_points)
        _grow(s.professionalism, school, lp.professionalism_points_per_week * prof_in * f)
        progress = _ratio(received, planned) * week_luck
        _update_motivation(world, school, progress, misfit=np.zeros(len(school), dtype=bool))

    if len(firm):
        week_luck = luck(world, firm, shock)
        f = personal_factor(world, firm, week_luck)
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
        mentoring_in = ums + (1.0 - ums) * g * quality
        practical_in = post * (0.5 + 0.5 * firm_align) * mentoring_in
        prof_in = np.where(mentored, 0.6 + 0.4 * g, 0.6)
        school_q = sm.teaching_quality[s.school_mentor[firm]]
        _grow(s.theory, firm, lp.theory_points_per_week * ENTERPRISE_THEORY_INPUT * school_q * f)
        _grow(s.practical_skill, firm, lp.practical_skill_points_per_week * practical_in * f)
        _grow(s.professionalism, firm, lp.professionalism_points_per_week * prof_in * f)
        # the plan: a mentor giving the guidance needed (under dual mentoring: the scenario's mean mentor)
        em_p = sc.enterprise_mentors
        mean_quality = em_p.technical_skill_mean * (0.3 + 0.7 * em_p.pedagogical_skill_mean)
        planned_quality = np.where(mentored, quality, mean_quality if sc.programme.dual_mentor else 0.0)
        progress = _ratio(mentoring_in, ums + (1.0 - ums) * planned_quality) * week_luck
        _update_motivation(world, firm, progress, misfit=~s.sector_fit[firm])


def _update_motivation(world: World, idx: np.ndarray, progress: np.ndarray, misfit: np.ndarray) -> None:
    """Move motivation towards the student's disposition, shifted by this week's progress and fit."""
    lp = world.scenario.learning
    s = world.students
    disposition = s.motivation_disposition[idx]
    new = np.isnan(disposition)
    if new.any():  # a student's first week: the disposition is the motivation they enrolled with
        disposition[new] = s.motivation[idx[new]]
        s.motivation_disposition[idx[new]] = disposition[new]
    target = disposition + lp.motivation_progress_effect * (progress - 1.0) - lp.motivation_misfit_effect * misfit
    m = s.motivation[idx]
    m += lp.motivation_adjustment_per_week * (target - m)
    s.motivation[idx] = np.clip(m, 0.0, 1.0)


def _graduates_mean(attr: str, label: str) -> Outcome:
    return Outcome(f"mean_{attr}", label, f"Graduates' mean {label.lower()}, points 0-100.", Unit.POINTS,
                   lambda world, totals: mean_of(getattr(world.students, attr)[totals.graduates]))


MECHANISM = Mechanism(
    name="learning",
    step=learn,
    reads=("curriculum.alignment", "enterprise_mentors.pedagogical_skill", "enterprise_mentors.technical_skill",
           "enterprises.coordination", "enterprises.participating", "enterprises.post_level",
           "school_mentors.practical_skill", "school_mentors.teaching_quality", "students.ability",
           "students.enterprise_mentor", "students.guidance_enterprise", "students.guidance_school", "students.host",
           "students.location", "students.school_mentor", "students.sector_fit", "this_week.funded",
           "this_week.practice"),
    writes=("students.motivation", "students.motivation_disposition", "students.practical_skill",
            "students.professionalism", "students.theory"),
    state=(
        StateField("students", "motivation_disposition", np.float64, np.nan,
                   "the motivation a student enrolled with, which motivation reverts to (NaN before the first week)"),
    ),
    streams=("learning.shock",),
    outcomes=(
        _graduates_mean("theory", "Theory"),
        _graduates_mean("practical_skill", "Practical skill"),
        _graduates_mean("professionalism", "Professionalism"),
    ),
)
