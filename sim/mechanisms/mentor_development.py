"""Mentor development: two-way training and turnover (Li (2026), section 5.1).

Each year a share of school mentors practise in enterprises (closing part of the gap
to full practical skill and becoming dual-qualified) and a share of enterprise mentors
are trained in teaching methods (closing part of the gap to full pedagogical skill); vacant posts are not trained.
A school mentor in enterprise practice is away from teaching for the first
``practice_weeks_per_year`` weeks of the year (``practice_until``): its guidance hours are
lost unless the school pays a substitute (``funding``'s use ``practice_substitutes``;
``mentoring`` reads the share paid).
Each week a mentor leaves with the yearly turnover hazard (times
``incentives.career_turnover_factor`` when mentoring counts towards promotion,
``incentives.career_development``); the post stays vacant for
``replacement_delay_weeks``, and for one more delay per outside candidate when no one at
hand meets the selection rule (``sim.mechanisms.mentor_selection``), and is then filled
by a newly selected mentor, who has not had the training. Mentees keep their post and
get no guidance while it is vacant.

Outcomes: the share of post-weeks left vacant, and the mean teaching quality (school)
and technical skill (enterprise) of the filled posts over the weeks, which show what a
selection rule buys and what it costs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from sim.engine.batch import Batch
from sim.engine.calendar import ProgrammeCalendar
from sim.engine.declarations import Population, StateField, Unit, finite_mean
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import SchoolMentors
from sim.engine.world import RunTotals, World
from sim.mechanisms.attrition import weekly_probability
from sim.mechanisms.mentor_selection import (
    FRONTLINE_YEARS_MEAN,
    TEACHING_YEARS_MEAN,
    DrawOf,
    eligible_share,
    enterprise_mentor_attributes,
    filled_from,
    log_ineligible_share,
    outside_rounds_of_runs,
    school_mentor_attributes,
    workers_at_hand,
)

NOT_AWAY = -1  # practice_until of a mentor not in enterprise practice (a marker, not a model quantity)


def away_in_practice(school_mentors: SchoolMentors, week: int) -> np.ndarray:
    """Mask of school-mentor posts whose mentor is away in enterprise practice in ``week``."""
    return school_mentors.practice_until > week


def train_mentors(world: World, enterprise_mentors: bool = True) -> None:
    """Yearly two-way training, at each year start after the first.

    ``enterprise_mentors`` False: the school mentors only (a city's programme: the pool's
    mentors are trained once, as the pool world's).
    """
    if world.week == 0 or not world.calendar.is_year_start(world.week):
        return
    p = world.scenario.mentor_development
    sm = world.school_mentors
    practising = sm.active(world.week) & (world.streams.uniform("mentor_development.practice", world.week, sm.n)
                                          < p.school_mentor_practice_share_per_year)
    sm.practical_skill[practising] += p.practice_gain * (1.0 - sm.practical_skill[practising])
    sm.dual_qualified[practising] = True
    sm.practice_until[practising] = world.week + p.practice_weeks_per_year  # away from teaching meanwhile
    if not enterprise_mentors:
        return
    em = world.enterprise_mentors
    trained = em.active(world.week) & (world.agent_uniform("mentor_development.pedagogy", world.week,
                                                           "enterprise_mentors")
                                       < p.enterprise_mentor_training_share_per_year)
    em.pedagogical_skill[trained] += p.pedagogy_gain * (1.0 - em.pedagogical_skill[trained])


def turn_over_mentors(batch: Batch) -> None:
    """Weekly departures; the replacement's attributes are drawn when the post falls vacant."""
    week = batch.week
    sm = batch.school_mentors
    draws = batch.uniform("mentor_turnover.school", week, population="school_mentors")
    leaving = np.flatnonzero(sm.active(week) & (draws < _leave_probability(batch, "school_mentors")))
    if len(leaving):
        _replace_school_mentors(batch, leaving)
    em = batch.enterprise_mentors
    if em.n == 0:
        return
    draws = batch.uniform("mentor_turnover.enterprise", week, population="enterprise_mentors")
    leaving = np.flatnonzero(em.active(week) & (draws < _leave_probability(batch, "enterprise_mentors")))
    if len(leaving):
        _replace_enterprise_mentors(batch, leaving)


def _career_factor(world: World) -> float:
    """Mentoring that counts towards promotion keeps mentors in their posts (incentives)."""
    inc = world.scenario.incentives
    return inc.career_turnover_factor if inc.career_development else 1.0


@functools.lru_cache(maxsize=64)
def _weekly_leave_probability(rate_per_year: float) -> float:
    """A post's chance of falling vacant in a week at a yearly turnover rate.

    A pure function of the rate: kept, not recomputed for every run and week.
    """
    return float(weekly_probability(rate_per_year, np.zeros(1))[0])


def _school_leave_probability(world: World) -> float:
    """A school mentor's chance of leaving this week (the same for every post of a run)."""
    return _weekly_leave_probability(world.scenario.school_mentors.turnover_rate_per_year * _career_factor(world))


def _enterprise_leave_probability(world: World) -> float:
    """An enterprise mentor's chance of leaving this week (the same for every post of a run)."""
    return _weekly_leave_probability(world.scenario.enterprise_mentors.turnover_rate_per_year
                                     * _career_factor(world))


def _leave_probability(batch: Batch, posts: Population) -> float | np.ndarray:
    """Each post's chance of leaving this week (``posts``: ``school_mentors`` or ``enterprise_mentors``), by its run.

    Found once, as a run alone finds it, when every run has the same turnover parameters
    (``Batch.param``: kept between weeks), else run by run.
    """
    rate = batch.param(f"{posts}.turnover_rate_per_year", posts)
    career = batch.param("incentives.career_development", posts)
    factor = batch.param("incentives.career_turnover_factor", posts)
    if isinstance(rate, np.ndarray) or isinstance(career, np.ndarray) or isinstance(factor, np.ndarray):
        return batch.value(_school_leave_probability if posts == "school_mentors" else _enterprise_leave_probability,
                           posts)
    return _weekly_leave_probability(rate * (factor if career else 1.0))  # rate x _career_factor


def _eligible_shares(batch: Batch, posts: Population, leaving: np.ndarray) -> tuple[float | np.ndarray,
                                                                                      float | np.ndarray]:
    """The eligible share of candidates for each of the posts ``leaving`` and its ``log_ineligible_share``, by run.

    Found once, as a run alone finds them, when every run has the same selection rule
    (``Batch.param``: kept between weeks), else run by run.
    """
    school = posts == "school_mentors"
    min_years = batch.param("school_mentors.min_teaching_years" if school
                            else "enterprise_mentors.min_frontline_years", posts, leaving)
    if not isinstance(min_years, np.ndarray):  # _school_eligible_share or _enterprise_eligible_share, once
        p = eligible_share(min_years, TEACHING_YEARS_MEAN if school else FRONTLINE_YEARS_MEAN)
        return p, log_ineligible_share(p)
    share, log_ineligible = (_school_eligible_share, _school_log_ineligible) if school else \
        (_enterprise_eligible_share, _enterprise_log_ineligible)
    return batch.value(share, posts, leaving), batch.value(log_ineligible, posts, leaving)


def _school_eligible_share(world: World) -> float:
    p = world.scenario.school_mentors
    return eligible_share(p.min_teaching_years, TEACHING_YEARS_MEAN)


def _enterprise_eligible_share(world: World) -> float:
    return eligible_share(world.scenario.enterprise_mentors.min_frontline_years, FRONTLINE_YEARS_MEAN)


def _school_log_ineligible(world: World) -> float:
    return log_ineligible_share(_school_eligible_share(world))


def _enterprise_log_ineligible(world: World) -> float:
    return log_ineligible_share(_enterprise_eligible_share(world))


def _batch_draws(batch: Batch, purpose: str, leaving: np.ndarray, population: Population) -> DrawOf:
    """The draws of the posts ``leaving`` (ascending batch positions), each from its run's (or the pool's) streams.

    Every attribute's stream draws as many per run (up to its last leaver): counted once.
    """
    sizes = batch.draw_sizes(population, leaving)

    def draw(kind: str, attribute: str) -> np.ndarray:
        name = f"{purpose}.{attribute}"
        if kind == "normal":
            return batch.normal(name, batch.week, population=population, sizes=sizes)[leaving]
        return batch.uniform(name, batch.week, None, population, sizes)[leaving]
    return draw


def _replace_school_mentors(batch: Batch, leaving: np.ndarray) -> None:
    """Draw the replacements of the school mentors ``leaving`` (ascending batch positions) and when they start.

    Over the whole batch at once: each run draws from its own streams for its posts up to
    its last leaver (as alone: the first draws of a stream do not depend on how many
    follow), and the attributes are computed element by element from each leaver's draws
    and its run's parameters (``Batch.param``), the operations of
    ``school_mentor_attributes`` and ``school_outside_rounds``, so every post gets the
    values it gets alone; only the per-run work left is positioning the run's streams.
    """
    week = batch.week
    sm = batch.school_mentors
    purpose = "mentor_turnover.school_new"

    def param(name: str) -> float | np.ndarray:
        return batch.param(f"school_mentors.{name}", "school_mentors", leaving)

    draw = _batch_draws(batch, purpose, leaving, "school_mentors")
    for name, values in school_mentor_attributes(param, draw).items():
        getattr(sm, name)[leaving] = values
    sm.practice_until[leaving] = NOT_AWAY  # the replacement has not been away
    rounds = outside_rounds_of_runs(draw("uniform", "candidates"), *_eligible_shares(batch, "school_mentors", leaving),
                                    param("candidates_per_post"))
    sm.vacant_until[leaving] = filled_from(week, param("replacement_delay_weeks"), 1 + rounds,
                                           batch.param("horizon_weeks", "school_mentors", leaving))


def _replace_enterprise_mentors(batch: Batch, leaving: np.ndarray) -> None:
    """Draw the replacements of the enterprise mentors ``leaving`` (ascending batch positions) and when they start.

    As ``_replace_school_mentors``; the candidates at hand are each post's firm's workers in
    the apprentice post, shared among the firm's posts (``workers_at_hand`` over the batch's
    firms: each run's posts count only its own firms' posts).
    """
    week = batch.week
    em = batch.enterprise_mentors
    purpose = "mentor_turnover.enterprise_new"

    def param(name: str) -> float | np.ndarray:
        return batch.param(f"enterprise_mentors.{name}", "enterprise_mentors", leaving)

    draw = _batch_draws(batch, purpose, leaving, "enterprise_mentors")
    for name, values in enterprise_mentor_attributes(param, draw).items():
        getattr(em, name)[leaving] = values
    firms = batch.local_to_global("enterprises", em.enterprise, None, "enterprise_mentors")
    at_hand = workers_at_hand(batch.enterprises.post_staff, firms, leaving)
    u = draw("uniform", "candidates")
    rounds = outside_rounds_of_runs(u, *_eligible_shares(batch, "enterprise_mentors", leaving), at_hand)
    em.vacant_until[leaving] = filled_from(week, param("replacement_delay_weeks"), 1 + rounds,
                                           batch.param("horizon_weeks", "enterprise_mentors", leaving))


def develop_mentors(batch: Batch) -> None:
    """The mentor-development phase: training at year starts, turnover every week."""
    if batch.week > 0 and ProgrammeCalendar.is_year_start(batch.week):  # every run's week (train_mentors' test)
        for world in batch.worlds:
            train_mentors(world, enterprise_mentors=not batch.shares_pool)
        for pool in batch.pools:  # a city's pool world: no school mentors, the pool's enterprise mentors
            train_mentors(pool)
    turn_over_mentors(batch)


def _vacancy_share(column: str, posts: str) -> Callable[[World, RunTotals], float]:
    """Share of post-weeks vacant: 1 - (active posts, mean over the weeks) / posts."""

    def compute(world: World, totals: RunTotals) -> float:
        n = getattr(world, posts).n
        active = totals.series[column]
        return 1.0 - float(np.mean(active)) / n if n and len(active) else float("nan")
    return compute


MECHANISM = Mechanism(
    name="mentor_development",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=develop_mentors,
    reads=("enterprise_mentors.enterprise", "enterprises.post_staff"),
    state=(
        StateField("school_mentors", "practice_until", np.int32, NOT_AWAY,
                   "week the mentor is back from enterprise practice (away while the week is earlier)"),
    ),
    writes=("enterprise_mentors.frontline_years", "enterprise_mentors.pedagogical_skill",
            "enterprise_mentors.technical_skill", "enterprise_mentors.vacant_until", "school_mentors.dual_qualified",
            "school_mentors.practical_skill", "school_mentors.practice_until", "school_mentors.teaching_quality",
            "school_mentors.teaching_years", "school_mentors.vacant_until"),
    streams=("mentor_development.practice", "mentor_development.pedagogy", "mentor_turnover.school",
             "mentor_turnover.enterprise", "mentor_turnover.school_new.{attribute}",
             "mentor_turnover.enterprise_new.{attribute}"),
    outcomes=(
        Outcome("school_mentor_vacancy_share", "School-mentor posts vacant",
                "Share of school-mentor post-weeks left vacant (leavers not yet replaced; posts no candidate "
                "meeting the selection rule has filled yet).", Unit.SHARE,
                _vacancy_share("n_active_school_mentors", "school_mentors")),
        Outcome("enterprise_mentor_vacancy_share", "Enterprise-mentor posts vacant",
                "Share of enterprise-mentor post-weeks left vacant.", Unit.SHARE,
                _vacancy_share("n_active_enterprise_mentors", "enterprise_mentors")),
        Outcome("mean_school_mentor_teaching_quality", "Teaching quality of school mentors",
                "Mean teaching quality (0-1) of the filled school-mentor posts, mean over the weeks.", Unit.INDEX,
                lambda world, totals: finite_mean(totals.series["school_mentor_teaching_quality"])),
        Outcome("mean_enterprise_mentor_technical_skill", "Technical skill of enterprise mentors",
                "Mean technical skill (0-1) of the filled enterprise-mentor posts, mean over the weeks.", Unit.INDEX,
                lambda world, totals: finite_mean(totals.series["enterprise_mentor_technical_skill"])),
    ),
)
