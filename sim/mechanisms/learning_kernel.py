"""Learning's week in one pass over the students, compiled with numba when it is installed (optional).

Why: a small run's learning is some sixty NumPy passes over the students at school or in
a firm (gathers, temporaries, a call each), about a fifth of a batch's time (issue 17,
docs/performance.md "Many small runs: batches"). These loops do the same work student by
student in one pass, reading each student's inputs once.

Bit for bit the NumPy path (``learning.learn``, which stays the reference and the default
without numba): every student gets exactly the IEEE operations of the NumPy expressions,
in the same order (``a * b * c`` is ``(a * b) * c``; ``a * b`` is ``b * a``), with no
fast-math (numba's default: no reassociation, no fused multiply-add). The one
transcendental function, ``exp`` of the personal factor, is computed by NumPy before the
loop. ``np.maximum``, ``np.minimum`` and ``np.clip`` are written as comparisons that keep
a NaN, as NumPy's do. A parameter that differs between runs comes from the run's row of a
table (``values[run, column]``), exactly the value ``Batch.param`` spreads to the run's
students. ``tests/test_learning_kernel.py`` compares both paths run by run and batched.

``compiled()`` gives the compiled loops, or None (NumPy then) when numba is missing or
the environment variable ``TALENTSIM_NUMBA`` is ``0`` (``sim.engine.compiled``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.engine.compiled import compile_loops


def school_week(idx: np.ndarray, group: np.ndarray, values: np.ndarray, shock: np.ndarray, ability_factor: np.ndarray,
                motivation: np.ndarray, disposition: np.ndarray, school_mentor: np.ndarray, guidance: np.ndarray,
                theory: np.ndarray, practical: np.ndarray, professionalism: np.ndarray,
                teaching_quality: np.ndarray, mentor_practical_skill: np.ndarray, mentor_starts: np.ndarray,
                week_hours: float, professionalism_input: float) -> None:
    """The week of the students ``idx`` at school: ``learning.learn``'s school branch, student by student.

    ``values`` columns (one row per run): 0 noise_sd, 1 motivation_effect, 2 classroom_share,
    3 desired hours per student-week, 4 school practice hours share, 5 share of the practice
    the base hosts, 6 programme alignment, 7 funded share of the training base, 8-10 theory,
    practical and professionalism points per week, 11 motivation progress effect, 12
    motivation misfit effect, 13 motivation adjustment per week. ``ability_factor[k]`` is
    ``exp(ability_effect x ability)`` of student ``idx[k]``; ``week_hours`` is
    ``SCHOOL_WEEK_HOURS``, ``professionalism_input`` ``SCHOOL_PROFESSIONALISM_INPUT``.
    """
    n_mentors = len(teaching_quality)
    for k in range(len(idx)):
        i = idx[k]
        run = group[i]
        v = values[run]
        # week_luck = np.maximum(0.0, 1.0 + noise_sd x shock)
        luck = 1.0 + v[0] * shock[i]
        if luck <= 0.0:
            luck = 0.0
        # _personal_factor
        m0 = motivation[i]
        f = ability_factor[k]
        f = f * (1.0 + v[1] * (m0 - 0.5) / 0.5)
        f = f * luck
        # the school mentor (local index + the run's block start; a negative one as NumPy indexes it)
        mentor = school_mentor[i]
        if mentor >= 0:
            mentor = mentor + mentor_starts[run]
        if mentor < 0:
            mentor = mentor + n_mentors
        g = guidance[i]
        q = teaching_quality[mentor]
        # school_week_shares(desired, practice_share, g, hosted)
        hours = v[3] * g
        if hours > week_hours:
            hours = week_hours
        rest = (week_hours - hours) / week_hours
        practice = v[4] * v[5]
        in_class = (1.0 - practice) * rest
        in_practice = practice * rest
        theory_in = q * (v[2] + (1.0 - v[2]) * g) * in_class
        practice_quality = mentor_practical_skill[mentor] * (0.5 + 0.5 * v[6])
        practical_in = in_practice * v[7] * practice_quality * (0.5 + 0.5 * g)
        prof_in = professionalism_input * (0.5 + 0.5 * g)
        # school_week_shares(desired, practice_share, 1.0, hosted): the plan
        plan_hours = v[3] * 1.0
        if plan_hours > week_hours:
            plan_hours = week_hours
        plan_rest = (week_hours - plan_hours) / week_hours
        plan_class = (1.0 - practice) * plan_rest
        plan_practice = practice * plan_rest
        planned = v[8] * q * plan_class + v[9] * practice_quality * plan_practice
        theory_points = v[8] * theory_in
        practical_points = v[9] * practical_in
        received = theory_points + practical_points
        theory_points = theory_points * f
        practical_points = practical_points * f
        # _grow: score + gain x (1 - score / 100), capped at 100
        x = theory[i]
        step = (1.0 - x / 100.0) * theory_points + x
        if step > 100.0:
            step = 100.0
        theory[i] = step
        x = practical[i]
        step = (1.0 - x / 100.0) * practical_points + x
        if step > 100.0:
            step = 100.0
        practical[i] = step
        gain = v[10] * prof_in * f
        x = professionalism[i]
        step = (1.0 - x / 100.0) * gain + x
        if step > 100.0:
            step = 100.0
        professionalism[i] = step
        # _ratio(received, planned) x week_luck
        ratio = 1.0
        if planned > 0.0:
            ratio = received / planned
        progress = ratio * luck
        # _update_motivation, misfit False (its term is misfit_effect x 0.0, subtracted as NumPy does)
        d = disposition[i]
        if d != d:
            d = m0
            disposition[i] = d
        target = d + v[11] * (progress - 1.0) - v[12] * 0.0
        m = m0 + v[13] * (target - m0)
        if not m > 0.0 and m == m:  # np.clip(m, 0.0, 1.0): a NaN stays NaN
            m = 0.0
        if not m < 1.0 and m == m:
            m = 1.0
        motivation[i] = m


def firm_week(idx: np.ndarray, group: np.ndarray, values: np.ndarray, shock: np.ndarray, ability_factor: np.ndarray,
              motivation: np.ndarray, disposition: np.ndarray, host: np.ndarray, enterprise_mentor: np.ndarray,
              guidance: np.ndarray, sector_fit: np.ndarray, school_mentor: np.ndarray, theory: np.ndarray,
              practical: np.ndarray, professionalism: np.ndarray, post_level: np.ndarray, coordination: np.ndarray,
              enterprise_starts: np.ndarray, technical_skill: np.ndarray, pedagogical_skill: np.ndarray,
              enterprise_mentor_starts: np.ndarray, teaching_quality: np.ndarray, school_mentor_starts: np.ndarray,
              enterprise_theory_input: float) -> None:
    """The week of the students ``idx`` in a firm: ``learning.learn``'s enterprise branch, student by student.

    ``values`` columns (one row per run): 0 noise_sd, 1 motivation_effect, 2 the
    curriculum's alignment, 3 contact's alignment gain, 4 unmentored practice share, 5-7
    theory, practical and professionalism points per week, 8 the planned mentor's
    quality, 9 motivation progress effect, 10 motivation misfit effect, 11 motivation
    adjustment per week. ``enterprise_theory_input`` is ``ENTERPRISE_THEORY_INPUT``.
    """
    n_firms = len(post_level)
    n_em = len(technical_skill)
    n_sm = len(teaching_quality)
    for k in range(len(idx)):
        i = idx[k]
        run = group[i]
        v = values[run]
        luck = 1.0 + v[0] * shock[i]
        if luck <= 0.0:
            luck = 0.0
        m0 = motivation[i]
        f = ability_factor[k]
        f = f * (1.0 + v[1] * (m0 - 0.5) / 0.5)
        f = f * luck
        h = host[i]
        if h >= 0:
            h = h + enterprise_starts[run]
        if h < 0:
            h = h + n_firms
        post = 0.5 + post_level[h]
        base = v[2]
        firm_align = base + v[3] * coordination[h] * (1.0 - base)
        mentor = enterprise_mentor[i]
        if mentor >= 0:
            mentor = mentor + enterprise_mentor_starts[run]
        mentored = mentor >= 0
        g = 0.0
        quality = 0.0
        prof_in = 0.6
        if mentored:
            g = guidance[i]
            quality = technical_skill[mentor] * (0.3 + 0.7 * pedagogical_skill[mentor]) if n_em else 0.0
            prof_in = 0.6 + 0.4 * g
        ums = v[4]
        mentoring_in = ums + (1.0 - ums) * g * quality
        practical_in = post * (0.5 + 0.5 * firm_align) * mentoring_in
        sm = school_mentor[i]
        if sm >= 0:
            sm = sm + school_mentor_starts[run]
        if sm < 0:
            sm = sm + n_sm
        school_q = teaching_quality[sm]
        gain = v[5] * enterprise_theory_input * school_q * f
        x = theory[i]
        step = (1.0 - x / 100.0) * gain + x
        if step > 100.0:
            step = 100.0
        theory[i] = step
        gain = v[6] * practical_in * f
        x = practical[i]
        step = (1.0 - x / 100.0) * gain + x
        if step > 100.0:
            step = 100.0
        practical[i] = step
        gain = v[7] * prof_in * f
        x = professionalism[i]
        step = (1.0 - x / 100.0) * gain + x
        if step > 100.0:
            step = 100.0
        professionalism[i] = step
        planned_quality = quality if mentored else v[8]
        planned = ums + (1.0 - ums) * planned_quality
        ratio = 1.0
        if planned > 0.0:
            ratio = mentoring_in / planned
        progress = ratio * luck
        d = disposition[i]
        if d != d:
            d = m0
            disposition[i] = d
        misfit = 0.0 if sector_fit[i] else 1.0
        target = d + v[9] * (progress - 1.0) - v[10] * misfit
        m = m0 + v[11] * (target - m0)
        if not m > 0.0 and m == m:
            m = 0.0
        if not m < 1.0 and m == m:
            m = 1.0
        motivation[i] = m


def compiled() -> tuple[Callable[..., None], Callable[..., None]] | None:
    """The compiled ``school_week`` and ``firm_week``, or None: numba missing, or ``TALENTSIM_NUMBA=0``."""
    loops = compile_loops(school_week, firm_week)
    return None if loops is None else (loops[0], loops[1])
