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

With numba installed the week runs in compiled loops (``learning_kernel``), one pass per
student with the same operations in the same order: the same numbers, in less time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import StateField, Unit, mean_of
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE, SCHOOL
from sim.engine.sums import block_sums
from sim.engine.world import World
from sim.mechanisms import learning_kernel
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


def school_week_shares(desired_hours_per_student_week: float | np.ndarray,
                       school_practice_hours_share: float | np.ndarray, guidance: np.ndarray | float,
                       capacity_share: float | np.ndarray = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Shares of the school week spent in class and in on-campus practice, given the guidance received.

    The guidance received takes ``desired_hours_per_student_week x guidance`` of the
    ``SCHOOL_WEEK_HOURS``; the remaining hours are split by ``school_practice_hours_share``,
    of which the training base hosts ``capacity_share`` (``training_base``: 1 unless its
    capacity is short); the practice hours it cannot host are taught in class.
    """
    mentoring = np.minimum(desired_hours_per_student_week * np.asarray(guidance, dtype=float), SCHOOL_WEEK_HOURS)
    rest = (SCHOOL_WEEK_HOURS - mentoring) / SCHOOL_WEEK_HOURS
    practice = school_practice_hours_share * capacity_share
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


def learn(batch: Batch) -> None:
    """Skill growth and motivation of every student at school or in a firm this week."""
    s = batch.students
    sm = batch.school_mentors
    school = np.flatnonzero(s.location == SCHOOL)
    firm = np.flatnonzero(s.location == ENTERPRISE)
    # element i: student i's draw, from its own run's stream (each run draws up to its last learner)
    shock = batch.normal("learning.shock", batch.week, school, firm)
    kernels = learning_kernel.compiled()
    if kernels is not None:  # the same operations, student by student in one pass (learning_kernel)
        _learn_compiled(batch, kernels, school, firm, shock)
        return
    if len(school):
        def at_school(value: Callable[[World], float]) -> float | np.ndarray:
            return batch.value(value, "students", school)
        week_luck = np.maximum(0.0, 1.0 + batch.param("learning.noise_sd", "students", school) * shock[school])
        f = _personal_factor(batch, school, week_luck)
        mentor = batch.local_to_global("school_mentors", s.school_mentor[school], school)
        g = s.guidance_school[school]
        q = sm.teaching_quality[mentor]
        cs = batch.param("learning.classroom_share", "students", school)
        desired = batch.param("school_mentors.desired_hours_per_student_week", "students", school)
        practice_share = batch.param("programme.school_practice_hours_share", "students", school)
        hosted = at_school(lambda w: w.this_week.practice.capacity_share)  # the share of the practice the base hosts
        in_class, in_practice = school_week_shares(desired, practice_share, g, hosted)
        theory_in = q * (cs + (1.0 - cs) * g) * in_class
        align = batch.spread(_programme_alignments(batch), "students", school)
        practice_quality = sm.practical_skill[mentor] * (0.5 + 0.5 * align)
        funded_base = at_school(lambda w: w.this_week.funded.training_base)
        practical_in = in_practice * funded_base * practice_quality * (0.5 + 0.5 * g)
        prof_in = SCHOOL_PROFESSIONALISM_INPUT * (0.5 + 0.5 * g)
        theory_rate = batch.param("learning.theory_points_per_week", "students", school)
        practical_rate = batch.param("learning.practical_skill_points_per_week", "students", school)
        # the plan: the full guidance a student needs and a funded training base (the timetable as the base hosts it)
        plan_class, plan_practice = school_week_shares(desired, practice_share, 1.0, hosted)
        planned = theory_rate * q * plan_class + practical_rate * practice_quality * plan_practice
        # the points each input is worth this week, computed once: the growth and the progress both use them
        theory_points = theory_rate * theory_in
        practical_points = practical_rate * practical_in
        received = theory_points + practical_points
        theory_points *= f
        practical_points *= f
        _grow(s.theory, school, theory_points)
        _grow(s.practical_skill, school, practical_points)
        _grow(s.professionalism, school,
              batch.param("learning.professionalism_points_per_week", "students", school) * prof_in * f)
        progress = _ratio(received, planned) * week_luck
        _update_motivation(batch, school, progress, misfit=np.zeros(len(school), dtype=bool))

    if len(firm):
        def at_firm(value: Callable[[World], float]) -> float | np.ndarray:
            return batch.value(value, "students", firm)
        week_luck = np.maximum(0.0, 1.0 + batch.param("learning.noise_sd", "students", firm) * shock[firm])
        f = _personal_factor(batch, firm, week_luck)
        host = batch.local_to_global("enterprises", s.host[firm], firm)
        ent = batch.enterprises
        post = 0.5 + ent.post_level[host]
        base = at_firm(lambda w: w.curriculum.alignment)  # contact.alignment, run by run
        gain = batch.param("contact.alignment_gain", "students", firm)
        firm_align = base + gain * ent.coordination[host] * (1.0 - base)
        mentor = batch.local_to_global("enterprise_mentors", s.enterprise_mentor[firm], firm)
        mentored = mentor >= 0
        em = batch.enterprise_mentors
        g = np.where(mentored, s.guidance_enterprise[firm], 0.0)
        safe = np.where(mentored, mentor, 0)
        quality = np.where(mentored, em.technical_skill[safe] * (0.3 + 0.7 * em.pedagogical_skill[safe]), 0.0) \
            if em.n else np.zeros(len(firm))
        ums = batch.param("learning.unmentored_practice_share", "students", firm)
        mentoring_in = ums + (1.0 - ums) * g * quality
        practical_in = post * (0.5 + 0.5 * firm_align) * mentoring_in
        prof_in = np.where(mentored, 0.6 + 0.4 * g, 0.6)
        school_q = sm.teaching_quality[batch.local_to_global("school_mentors", s.school_mentor[firm], firm)]
        _grow(s.theory, firm,
              batch.param("learning.theory_points_per_week", "students", firm) * ENTERPRISE_THEORY_INPUT * school_q * f)
        _grow(s.practical_skill, firm,
              batch.param("learning.practical_skill_points_per_week", "students", firm) * practical_in * f)
        _grow(s.professionalism, firm,
              batch.param("learning.professionalism_points_per_week", "students", firm) * prof_in * f)
        # the plan: a mentor giving the guidance needed (under dual mentoring: the scenario's mean mentor)
        planned_quality = np.where(mentored, quality, at_firm(_planned_mentor_quality))
        progress = _ratio(mentoring_in, ums + (1.0 - ums) * planned_quality) * week_luck
        _update_motivation(batch, firm, progress, misfit=~s.sector_fit[firm])


def _programme_alignments(batch: Batch) -> list[float]:
    """``contact.programme_alignment`` of every run, each run's mean coordination of its partners found at once.

    The mean of a run's participating firms' coordination (``contact.partner_coordination``:
    0 with none) is its sum, ``np.add.reduce``'s, over their count: ``block_sums`` sums every
    run's partners in one call instead of a masked mean per run and week. A city's
    programmes read the pool's mean, found once a week (``this_week.contact``).
    """
    if batch.n_runs == 1 or batch.shares_pool:
        return [programme_alignment(w) for w in batch.worlds]
    ent = batch.enterprises
    partners = np.flatnonzero(ent.participating)
    counts = np.diff(np.searchsorted(partners, batch.groups.starts["enterprises"])).tolist()
    sums = block_sums(ent.coordination[partners], counts)
    return [float(alignment(w, sums[g] / counts[g] if counts[g] else 0.0)) for g, w in enumerate(batch.worlds)]


def _school_parameters(world: World) -> tuple[float, ...]:
    """The run's scenario values the school week reads, in the column order of ``learning_kernel.school_week``.

    Columns 5 to 7 (this week's training-base capacity share, the programme's alignment and
    the funded share of the training base) change from week to week: 0 here, filled in by
    ``_school_table``.
    """
    sc = world.scenario
    p = sc.learning
    return (p.noise_sd, p.motivation_effect, p.classroom_share, sc.school_mentors.desired_hours_per_student_week,
            sc.programme.school_practice_hours_share, 0.0, 0.0, 0.0, p.theory_points_per_week,
            p.practical_skill_points_per_week, p.professionalism_points_per_week, p.motivation_progress_effect,
            p.motivation_misfit_effect, p.motivation_adjustment_per_week)


def _school_table(batch: Batch) -> np.ndarray:
    """Every run's row of values for ``learning_kernel.school_week`` this week (runs x columns)."""
    worlds = batch.worlds
    table = batch.derived_rows(_school_parameters).copy()
    table[:, 5] = [w.this_week.practice.capacity_share for w in worlds]
    table[:, 6] = _programme_alignments(batch)
    table[:, 7] = [w.this_week.funded.training_base for w in worlds]
    return table


def _firm_parameters(world: World) -> tuple[float, ...]:
    """The run's scenario values the enterprise week reads, in the column order of ``learning_kernel.firm_week``.

    Column 2 (the curriculum's alignment) changes from year to year: 0 here, filled in by ``_firm_table``.
    """
    p = world.scenario.learning
    return (p.noise_sd, p.motivation_effect, 0.0, world.scenario.contact.alignment_gain,
            p.unmentored_practice_share, p.theory_points_per_week, p.practical_skill_points_per_week,
            p.professionalism_points_per_week, _planned_mentor_quality(world), p.motivation_progress_effect,
            p.motivation_misfit_effect, p.motivation_adjustment_per_week)


def _firm_table(batch: Batch) -> np.ndarray:
    """Every run's row of values for ``learning_kernel.firm_week`` this week (runs x columns)."""
    table = batch.derived_rows(_firm_parameters).copy()
    table[:, 2] = [w.curriculum.alignment for w in batch.worlds]
    return table


def _learn_compiled(batch: Batch, kernels: tuple[Callable[..., None], Callable[..., None]], school: np.ndarray,
                    firm: np.ndarray, shock: np.ndarray) -> None:
    """``learn`` with the compiled loops of ``learning_kernel``: the same numbers (``exp`` still by NumPy)."""
    s = batch.students
    sm = batch.school_mentors
    group = batch.groups.group_of("students")
    # each run's block start of a population (a city's shared pool: its pool's; one city's pool starts at 0)
    starts = {p: batch.groups.group_starts(p) for p in ("school_mentors", "enterprises", "enterprise_mentors")}
    school_week, firm_week = kernels
    if len(school):
        ability = np.exp(batch.param("learning.ability_effect_per_sd", "students", school) * s.ability[school])
        school_week(school, group, _school_table(batch), shock, ability, s.motivation,
                    s.motivation_disposition, s.school_mentor, s.guidance_school, s.theory, s.practical_skill,
                    s.professionalism, sm.teaching_quality, sm.practical_skill, starts["school_mentors"],
                    SCHOOL_WEEK_HOURS, SCHOOL_PROFESSIONALISM_INPUT)
    if len(firm):
        ability = np.exp(batch.param("learning.ability_effect_per_sd", "students", firm) * s.ability[firm])
        ent = batch.enterprises
        em = batch.enterprise_mentors
        firm_week(firm, group, _firm_table(batch), shock, ability, s.motivation,
                  s.motivation_disposition, s.host, s.enterprise_mentor, s.guidance_enterprise, s.sector_fit,
                  s.school_mentor, s.theory, s.practical_skill, s.professionalism, ent.post_level, ent.coordination,
                  starts["enterprises"], em.technical_skill, em.pedagogical_skill, starts["enterprise_mentors"],
                  sm.teaching_quality, starts["school_mentors"], ENTERPRISE_THEORY_INPUT)


def _personal_factor(batch: Batch, idx: np.ndarray, week_luck: np.ndarray) -> np.ndarray:
    """Ability, motivation and this week's luck of the students ``idx``."""
    s = batch.students
    f = np.exp(batch.param("learning.ability_effect_per_sd", "students", idx) * s.ability[idx])
    f *= 1.0 + batch.param("learning.motivation_effect", "students", idx) \
        * (s.motivation[idx] - 0.5) / 0.5
    f *= week_luck
    return f


def _planned_mentor_quality(world: World) -> float:
    """The quality of the mentor planned for an apprentice: the mean mentor under dual mentoring, else none."""
    em_p = world.scenario.enterprise_mentors
    if not world.scenario.programme.dual_mentor:
        return 0.0
    return em_p.technical_skill_mean * (0.3 + 0.7 * em_p.pedagogical_skill_mean)


def _update_motivation(batch: Batch, idx: np.ndarray, progress: np.ndarray, misfit: np.ndarray) -> None:
    """Move motivation towards the student's disposition, shifted by this week's progress and fit."""
    s = batch.students
    disposition = s.motivation_disposition[idx]
    new = np.isnan(disposition)
    if new.any():  # a student's first week: the disposition is the motivation they enrolled with
        disposition[new] = s.motivation[idx[new]]
        s.motivation_disposition[idx[new]] = disposition[new]
    target = disposition + batch.param("learning.motivation_progress_effect", "students", idx) \
        * (progress - 1.0) - batch.param("learning.motivation_misfit_effect", "students", idx) \
        * misfit
    m = s.motivation[idx]
    m += batch.param("learning.motivation_adjustment_per_week", "students", idx) * (target - m)
    s.motivation[idx] = np.clip(m, 0.0, 1.0)


def _graduates_mean(attr: str, label: str) -> Outcome:
    return Outcome(f"mean_{attr}", label, f"Graduates' mean {label.lower()}, points 0-100.", Unit.POINTS,
                   lambda world, totals: mean_of(getattr(world.students, attr)[totals.graduates]))


MECHANISM = Mechanism(
    name="learning",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=learn,
    reads=("curriculum.alignment", "enterprise_mentors.pedagogical_skill", "enterprise_mentors.technical_skill",
           "enterprises.coordination", "enterprises.participating", "enterprises.post_level",
           "school_mentors.practical_skill", "school_mentors.teaching_quality", "students.ability",
           "students.enterprise_mentor", "students.guidance_enterprise", "students.guidance_school", "students.host",
           "students.location", "students.school_mentor", "students.sector_fit", "this_week.contact",
           "this_week.funded", "this_week.practice"),
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
