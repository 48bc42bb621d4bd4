"""Incentives: what raises mentor effort (Li (2026), sections 3.2 and 6).

A mentor's effort is a base level plus what incentives add: the allowance and salary
subsidy actually paid (so a fund that runs dry takes the effort back) and, for the few
who earn one, an honour. Effort scales the guidance hours a mentor gives.

Honours (with ``mentor_honours`` on) go to a stated share of mentors: at each year start
after the first, the ``honours_share`` of each kind of mentor with mentees whose mentees
(school mentors: their students in the programme; enterprise mentors: their apprentices)
have the highest mean composite score are honoured for the year, and only they add
``honours_effort``; a mentor who leaves takes it with it. So effort differs between
mentors. Career development acts through
another channel: mentoring that counts towards promotion keeps mentors in their posts
(``mentor_development`` multiplies their turnover hazard by ``career_turnover_factor``).
Enterprise incentives (per-apprentice subsidy, tax relief, the demonstration-unit title)
act through the participation decision instead.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import StateField
from sim.engine.mechanism import Mechanism
from sim.engine.population import MentorPosts
from sim.engine.sums import post_means, post_tallies
from sim.engine.world import World
from sim.mechanisms.evaluation import composite_score
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario


def mentor_effort(base: float | np.ndarray, allowance_yuan_per_month: float | np.ndarray,
                  paid_share: float | np.ndarray, per_1000_yuan: float | np.ndarray,
                  honours: float | np.ndarray = 0.0) -> float | np.ndarray:
    """Effort (0-1) of a mentor given the incentives actually received.

    ``paid_share``: the share of the allowance paid (one, or one per mentor); ``honours``: its
    honour's effort, if any; the parameters: one run's, or one per mentor of a batch's runs.
    """
    paid = allowance_yuan_per_month * paid_share
    effort = base + per_1000_yuan * paid / 1000.0 + honours
    if np.ndim(effort) == 0:  # one number (no honours): min and max give np.clip's result, NaN and -0.0 alike
        return float(min(max(effort, 0.0), 1.0))
    return np.clip(effort, 0.0, 1.0)


def honours_count(share: float, ranked: int) -> int:
    """How many of ``ranked`` mentors the ``share`` honours (rounded half up)."""
    return int(np.floor(share * ranked + 0.5))


def best_by_mentees(posts: MentorPosts, mentor_of: np.ndarray, scores: np.ndarray, share: float,
                    week: int) -> np.ndarray:
    """Mask of the ``share`` of filled posts with mentees whose mentees' mean score is highest.

    ``mentor_of`` and ``scores`` are the post and the composite score of each mentee; ties
    go to the lower post index.
    """
    n = posts.n
    honoured = np.zeros(n, dtype=bool)
    count = np.bincount(mentor_of, minlength=n)
    ranked = np.flatnonzero((count > 0) & posts.active(week))
    k = honours_count(share, len(ranked))
    if k == 0:
        return honoured
    mean = np.bincount(mentor_of, weights=scores, minlength=n)[ranked] / count[ranked]
    honoured[ranked[np.argsort(-mean, kind="stable")[:k]]] = True
    return honoured


def award_honours(world: World) -> None:
    """At each year start after the first, honour the best share of each kind of mentor for the year."""
    inc = world.scenario.incentives
    if not inc.mentor_honours or world.week == 0 or not world.calendar.is_year_start(world.week):
        return
    s = world.students
    evaluation = world.scenario.evaluation
    sm, em = world.school_mentors, world.enterprise_mentors
    mentees = np.flatnonzero(s.in_programme() & (s.school_mentor >= 0))
    sm.honoured[:] = best_by_mentees(sm, s.school_mentor[mentees], composite_score(s, evaluation, mentees),
                                     inc.honours_share, world.week)
    apprentices = np.flatnonzero(s.in_programme() & (s.enterprise_mentor >= 0))
    em.honoured[:] = best_by_mentees(em, s.enterprise_mentor[apprentices],
                                     composite_score(s, evaluation, apprentices), inc.honours_share, world.week)


def holds_honour(world: World, posts: MentorPosts, honoured: np.ndarray) -> np.ndarray:
    """Mask of posts whose mentor holds this year's honour: honoured, and not left since the year started.

    A post that fell vacant after the honours were given (at the year start) is filled
    again from a later week, so ``vacant_until`` is past the year start: the honour left
    with its mentor.
    """
    year_start = world.week - world.week % WEEKS_PER_YEAR
    return honoured & (posts.vacant_until <= year_start)


def update_mentor_effort(world: World, enterprise_mentors: bool = True) -> None:
    """Honours at year starts; this week's effort of every school and enterprise mentor.

    ``enterprise_mentors`` False: the school mentors only (a city's programme; the pool's
    mentors are ``pool_mentor_effort``'s).
    """
    if not enterprise_mentors:
        _school_mentor_effort(world)
        return
    award_honours(world)
    sc = world.scenario
    inc = sc.incentives
    funded = world.this_week.funded
    sm, em = world.school_mentors, world.enterprise_mentors
    honours_sm: float | np.ndarray = 0.0
    honours_em: float | np.ndarray = 0.0
    if inc.mentor_honours:
        honours_sm = inc.honours_effort * holds_honour(world, sm, sm.honoured)
        honours_em = inc.honours_effort * holds_honour(world, em, em.honoured)
    sm.effort[:] = school_mentor_effort(scenario_params(sc), funded.school_mentor_remuneration, honours_sm)
    em.effort[:] = enterprise_mentor_effort(scenario_params(sc), funded.enterprise_mentor_remuneration, honours_em)


ParamOf = Callable[[str], "float | np.ndarray"]
"""A parameter by its dotted path (``"incentives.effort_per_1000_yuan_month"``): one run's, or one per mentor."""


def scenario_params(sc: Scenario) -> ParamOf:
    """The parameters of the one scenario ``sc``, by dotted path."""
    return lambda path: operator.attrgetter(path)(sc)


def school_mentor_effort(param: ParamOf, paid_share: float | np.ndarray,
                         honours: float | np.ndarray = 0.0) -> float | np.ndarray:
    """``mentor_effort`` of a school mentor paid ``paid_share`` of its allowance, by its run's parameters ``param``.

    ``param``: one scenario's (``scenario_params``) or a batch's (``Batch.param``: a number when
    every run has the same, else one per mentor), so a batch finds the effort of all its
    runs' mentors at once, each as its run alone finds it.
    """
    return mentor_effort(param("school_mentors.base_effort"), param("school_mentors.remuneration_yuan_per_month"),
                         paid_share, param("incentives.effort_per_1000_yuan_month"), honours)


def enterprise_mentor_effort(param: ParamOf, paid_share: float | np.ndarray,
                             honours: float | np.ndarray = 0.0) -> float | np.ndarray:
    """``mentor_effort`` of an enterprise mentor paid ``paid_share`` of its allowance and salary subsidy (as above)."""
    return mentor_effort(
        param("enterprise_mentors.base_effort"),
        param("enterprise_mentors.remuneration_yuan_per_month")
        + param("incentives.enterprise_mentor_salary_subsidy_yuan_per_month"),
        paid_share, param("incentives.effort_per_1000_yuan_month"), honours)


def _school_mentor_effort(world: World) -> None:
    """Honours and this week's effort of the school mentors alone (a programme of a city)."""
    sc = world.scenario
    inc = sc.incentives
    sm = world.school_mentors
    honours_sm: float | np.ndarray = 0.0
    if inc.mentor_honours:
        if world.week > 0 and world.calendar.is_year_start(world.week):
            s = world.students
            mentees = np.flatnonzero(s.in_programme() & (s.school_mentor >= 0))
            sm.honoured[:] = best_by_mentees(sm, s.school_mentor[mentees],
                                             composite_score(s, sc.evaluation, mentees), inc.honours_share,
                                             world.week)
        honours_sm = inc.honours_effort * holds_honour(world, sm, sm.honoured)
    sm.effort[:] = school_mentor_effort(scenario_params(sc), world.this_week.funded.school_mentor_remuneration,
                                        honours_sm)


def pool_mentor_effort(batch: Batch) -> None:
    """Honours and effort of a city's enterprise mentors, once for the pool, from every programme's apprentices.

    A mentor is honoured among all the pool's mentors by the mean score of its apprentices
    (each scored by its own programme's weights); the share of its allowance it is paid is
    the mean of its apprentices' programmes' funded shares, by apprentice (the mean of all
    programmes' for a mentor without apprentices).
    """
    pool = batch.pool
    assert pool is not None
    sc = pool.scenario
    inc = sc.incentives
    em = pool.enterprise_mentors
    week = batch.week
    honours: float | np.ndarray = 0.0
    if inc.mentor_honours:
        if week > 0 and pool.calendar.is_year_start(week):
            mentor_of, scores = [], []
            for w in batch.worlds:
                s = w.students
                apprentices = np.flatnonzero(s.in_programme() & (s.enterprise_mentor >= 0))
                mentor_of.append(s.enterprise_mentor[apprentices])
                scores.append(composite_score(s, w.scenario.evaluation, apprentices))
            em.honoured[:] = best_by_mentees(em, np.concatenate(mentor_of), np.concatenate(scores),
                                             inc.honours_share, week)
        honours = inc.honours_effort * holds_honour(pool, em, em.honoured)
    shares = np.array([w.this_week.funded.enterprise_mentor_remuneration for w in batch.worlds])
    paid: float | np.ndarray
    if (shares == 1.0).all():  # every programme paid in full: every mean below is k ones over k, exactly 1
        paid = 1.0
    else:
        s = batch.students
        guided, paid_shares = post_tallies(s.enterprise_mentor, s.enterprise_mentor >= 0,
                                           batch.groups.group_of("students"), shares, em.n)
        paid = post_means(paid_shares, guided, float(shares.mean()))
    em.effort[:] = enterprise_mentor_effort(scenario_params(sc), paid, honours)


def update_efforts(batch: Batch) -> None:
    """The incentives phase: each run's mentors (a city: each programme's school mentors, then the pool's).

    Without honours a run's mentors of a kind all have one effort, so a batch whose runs give
    none finds every mentor's at once from its run's paid share and parameters (one number
    when the runs agree: the number each run alone writes into each of its posts).
    """
    worlds = batch.worlds
    if len(worlds) > 1 and not any(w.scenario.incentives.mentor_honours for w in worlds):
        batch.school_mentors.effort[:] = school_mentor_effort(
            lambda path: batch.param(path, "school_mentors"),
            batch.spread([w.this_week.funded.school_mentor_remuneration for w in worlds], "school_mentors"))
        if batch.shares_pool:
            _pools_mentor_effort(batch)
        elif batch.enterprise_mentors.n:
            batch.enterprise_mentors.effort[:] = enterprise_mentor_effort(
                lambda path: batch.param(path, "enterprise_mentors"),
                batch.spread([w.this_week.funded.enterprise_mentor_remuneration for w in worlds],
                             "enterprise_mentors"))
        return
    if not batch.shares_pool:
        for world in worlds:
            update_mentor_effort(world)
        return
    for world in worlds:
        update_mentor_effort(world, enterprise_mentors=False)
    _pools_mentor_effort(batch)


def _pools_mentor_effort(batch: Batch) -> None:
    """``pool_mentor_effort`` of each city of the batch, over the city's own batch (one city: the batch)."""
    for city in batch.cities or (batch,):
        pool_mentor_effort(city)


MECHANISM = Mechanism(
    name="incentives",
    spans_cities=True,  # a pool's mentors city by city (pool_mentor_effort)
    step=None,
    batch_step=update_efforts,
    reads=("enterprise_mentors.vacant_until", "school_mentors.vacant_until", "students.enterprise_mentor",
           "students.practical_skill", "students.professionalism", "students.school_mentor", "students.stage",
           "students.theory", "this_week.funded"),
    writes=("enterprise_mentors.effort", "enterprise_mentors.honoured", "school_mentors.effort",
            "school_mentors.honoured"),
    state=(
        StateField("school_mentors", "honoured", bool, False, "honoured this year (the best by their mentees)"),
        StateField("enterprise_mentors", "honoured", bool, False,
                   "honoured this year (the best by their apprentices)"),
    ),
)
