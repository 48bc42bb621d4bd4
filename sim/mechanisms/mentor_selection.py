"""Selecting mentors (Li (2026), section 5.1) and filling posts that fall vacant.

The selection rules act on a candidate pool whose experience varies. A candidate's
years of teaching (school) or of frontline work (enterprise) are exponential with mean
``TEACHING_YEARS_MEAN`` / ``FRONTLINE_YEARS_MEAN``, so a share ``p = exp(-min / mean)``
of candidates meets the rule's minimum (``min_teaching_years``, ``min_frontline_years``).
Skill rises with experience and levels off: a mentor with ``y`` years falls short of
an experienced one by ``novice_gap x exp(-y / scale)`` (teaching quality for school
mentors, technical skill for enterprise mentors). So a stricter rule brings abler
mentors from a smaller eligible pool.

A post is filled by the first eligible candidate: first those at hand (the school's
``candidates_per_post`` teachers; a firm's workers in the apprentice post, shared
among its mentor posts), then outside candidates, each of whom takes one
``replacement_delay_weeks`` to recruit. At set-up (the preparation stage of Li (2026) §5.1) a post
with an eligible candidate at hand is filled from the start, one without waits for the
outside rounds; a post vacated later stays empty for one delay, plus the outside
rounds if no one at hand qualifies. The number of candidates seen until the first
eligible one is geometric with success ``p``, drawn from one uniform per post.

Every draw comes from a named stream per attribute: element ``i`` belongs to post ``i``
whatever the number of posts (common random numbers across mentor ratios). A
dual-qualified school mentor (enterprise practice) has more practical skill; enterprise
mentors are technically strong but often "can do but cannot teach" (low pedagogical
skill, not related to their frontline years).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from sim.engine.declarations import SET_UP, StateField
from sim.engine.mechanism import Mechanism
from sim.engine.streams import RandomStreams
from sim.scenario.schema import Scenario

ATTRIBUTE_SD = 0.1
"""Spread of mentors' 0-1 attributes (quality, skills) around their means; assumption."""
TEACHING_YEARS_MEAN = 8.0
"""Mean years of teaching of the teachers a school can choose from (exponential); assumption."""
FRONTLINE_YEARS_MEAN = 6.0
"""Mean years of frontline work of a firm's workers in the apprentice post (exponential); assumption."""
TEACHING_EXPERIENCE_YEARS = 2.0
"""Years in which a teacher's novice shortfall shrinks by a factor e; assumption (returns to teaching
experience come mostly in the first few years, then level off)."""
FRONTLINE_EXPERIENCE_YEARS = 3.0
"""Years in which a worker's novice shortfall in technical skill shrinks by a factor e; assumption."""


def share_noise(mean: np.ndarray | float, normal: np.ndarray) -> np.ndarray:
    """A 0-1 attribute around ``mean`` from standard normal draws ``normal`` (kept within 0.02-1)."""
    return np.clip(mean + ATTRIBUTE_SD * normal, 0.02, 1.0)


ParamOf = Callable[[str], "float | np.ndarray"]
"""A mentor parameter by name: one run's scalar, or one value per post of several runs."""
DrawOf = Callable[[str, str], np.ndarray]
"""``(kind, attribute) -> draws``: the posts' ``uniform`` or ``normal`` draws of one attribute's stream."""


def _stream_draws(streams: RandomStreams, purpose: str, week: int, n: int) -> DrawOf:
    """The draws of one run's streams ``{purpose}.{attribute}`` in ``week`` for ``n`` posts."""
    def draw(kind: str, attribute: str) -> np.ndarray:
        name = f"{purpose}.{attribute}"
        return streams.normal(name, week, n) if kind == "normal" else streams.uniform(name, week, n)
    return draw


def eligible_share(min_years: float, mean_years: float) -> float:
    """Share of candidates with at least ``min_years`` of experience (exponential, mean ``mean_years``)."""
    return math.exp(-min_years / mean_years)


def experience_shortfall(years: np.ndarray, novice_gap: float | np.ndarray, scale_years: float) -> np.ndarray:
    """How far short of an experienced mentor one with ``years`` of experience falls (0-1 units)."""
    return novice_gap * np.exp(-years / scale_years)


def candidates_before_eligible(u: np.ndarray, p: float) -> np.ndarray:
    """Candidates seen before the first eligible one (0, 1, ...): geometric with success ``p``.

    ``P(J >= j) = (1 - p)^j``, by inversion of the uniform draws ``u`` (float; inf when ``p = 0``).
    """
    if p >= 1.0:
        return np.zeros(len(u))
    if p <= 0.0:
        return np.full(len(u), np.inf)
    return np.floor(np.log1p(-u) / math.log1p(-p))


def outside_rounds(u: np.ndarray, p: float, at_hand: np.ndarray | int) -> np.ndarray:
    """Outside candidates recruited until an eligible one is found (0: someone at hand qualifies)."""
    return np.maximum(candidates_before_eligible(u, p) - np.asarray(at_hand) + 1, 0.0)


def log_ineligible_share(p: float) -> float:
    """``log(1 - p)`` for an eligible share ``0 < p < 1`` (what ``candidates_before_eligible`` divides by); NaN else."""
    return math.log1p(-p) if 0.0 < p < 1.0 else math.nan


def outside_rounds_of_runs(u: np.ndarray, p: float | np.ndarray, log_ineligible: float | np.ndarray,
                           at_hand: np.ndarray | float) -> np.ndarray:
    """``outside_rounds`` for posts of several runs: ``p``, ``log_ineligible`` and ``at_hand`` one per post or shared.

    Element by element the same operations as ``outside_rounds(u, p, at_hand)`` of each
    post's run alone (``log_ineligible``: ``log_ineligible_share(p)`` of the run, a scalar
    computed as the run alone computes it), so a batch's replacements wait as long as each
    run's would alone.
    """
    candidates = np.floor(np.log1p(-u) / log_ineligible)
    candidates = np.where(p >= 1.0, 0.0, np.where(p <= 0.0, np.inf, candidates))
    return np.maximum(candidates - np.asarray(at_hand) + 1, 0.0)


def filled_from(start_week: int, delay_weeks: float | np.ndarray, rounds: np.ndarray,
                horizon_weeks: float | np.ndarray) -> np.ndarray:
    """Week each post is filled: ``start + delay x rounds`` (capped at the horizon: not within the run)."""
    weeks = np.where(rounds > 0, np.minimum(rounds, horizon_weeks + 1) * delay_weeks, 0.0)
    return np.minimum(start_week + weeks, horizon_weeks).astype(np.int32)


def n_school_mentor_posts(scenario: Scenario) -> int:
    """Posts sized for the most students enrolled at once at the scenario's students-per-mentor ratio.

    At most ``programme_years`` yearly cohorts are in the programme together; with cohorts of
    different sizes the posts are sized for the largest such run of consecutive cohorts (the
    school hires for its peak enrolment at set-up).
    """
    sizes = np.asarray(scenario.intake.sizes(), dtype=np.int64)
    window = min(scenario.intake.n_cohorts, scenario.calendar.programme_years)
    concurrent = int(np.convolve(sizes, np.ones(window, dtype=np.int64), mode="valid").max())
    return max(1, math.ceil(concurrent / scenario.school_mentors.students_per_mentor))


def school_mentor_attributes(param: ParamOf, draw: DrawOf) -> dict[str, np.ndarray]:
    """The attributes of newly selected school mentors from their draws, one named stream per attribute.

    The selected mentor meets the rule: years = minimum + Exponential(``TEACHING_YEARS_MEAN``)
    (the pool's exponential beyond the minimum). ``param(name)``: a ``school_mentors``
    parameter (a scalar, or one per post of several runs); ``draw(kind, attribute)``: the
    posts' ``uniform`` or ``normal`` draws of that attribute's stream. The one rule for set-up
    and for a batch's replacements.
    """
    dual = draw("uniform", "dual_qualified") < param("dual_qualified_share")
    years = param("min_teaching_years") + TEACHING_YEARS_MEAN * -np.log1p(-draw("uniform", "teaching_years"))
    quality = param("teaching_quality_mean") - experience_shortfall(years, param("novice_quality_gap"),
                                                                    TEACHING_EXPERIENCE_YEARS)
    return {
        "teaching_years": years,
        "dual_qualified": dual,
        "teaching_quality": share_noise(quality, draw("normal", "teaching_quality")),
        "practical_skill": share_noise(np.where(dual, param("practical_skill_dual_qualified"),
                                                param("practical_skill_other")), draw("normal", "practical_skill")),
    }


def draw_school_mentor_attributes(scenario: Scenario, streams: RandomStreams, purpose: str, week: int,
                                  n: int) -> dict[str, np.ndarray]:
    """Attributes of ``n`` newly selected school mentors (``school_mentor_attributes`` of one run's streams).

    Element ``i`` belongs to post ``i`` whatever ``n`` is, so adding posts leaves the others' draws unchanged.
    """
    return school_mentor_attributes(functools.partial(getattr, scenario.school_mentors),
                                    _stream_draws(streams, purpose, week, n))


def school_outside_rounds(scenario: Scenario, streams: RandomStreams, purpose: str, week: int,
                          n: int) -> np.ndarray:
    """Outside recruitment rounds each of ``n`` school posts needs (0: an eligible teacher at hand)."""
    p = scenario.school_mentors
    return outside_rounds(streams.uniform(f"{purpose}.candidates", week, n),
                          eligible_share(p.min_teaching_years, TEACHING_YEARS_MEAN), p.candidates_per_post)


def select_school_mentors(scenario: Scenario, streams: RandomStreams) -> dict[str, np.ndarray]:
    """The school's mentor posts at the start of the run: the set-up attributes, by name."""
    n = n_school_mentor_posts(scenario)
    purpose = "school_mentors.selection"
    rounds = school_outside_rounds(scenario, streams, purpose, -1, n)
    return {**draw_school_mentor_attributes(scenario, streams, purpose, -1, n),
            "effort": np.full(n, scenario.school_mentors.base_effort),
            "vacant_until": np.where(rounds > 0, filled_from(0, scenario.school_mentors.replacement_delay_weeks,
                                                             rounds, scenario.horizon_weeks), -1).astype(np.int32)}


def enterprise_mentor_attributes(param: ParamOf, draw: DrawOf) -> dict[str, np.ndarray]:
    """The attributes of newly selected enterprise mentors from their draws (as ``school_mentor_attributes``)."""
    years = param("min_frontline_years") + FRONTLINE_YEARS_MEAN * -np.log1p(-draw("uniform", "frontline_years"))
    skill = param("technical_skill_mean") - experience_shortfall(years, param("novice_skill_gap"),
                                                                 FRONTLINE_EXPERIENCE_YEARS)
    return {
        "frontline_years": years,
        "technical_skill": share_noise(skill, draw("normal", "technical_skill")),
        "pedagogical_skill": share_noise(param("pedagogical_skill_mean"), draw("normal", "pedagogical_skill")),
    }


def draw_enterprise_mentor_attributes(scenario: Scenario, streams: RandomStreams, purpose: str, week: int,
                                      n: int) -> dict[str, np.ndarray]:
    """Attributes of ``n`` newly selected enterprise mentors (``enterprise_mentor_attributes`` of one run's streams)."""
    return enterprise_mentor_attributes(functools.partial(getattr, scenario.enterprise_mentors),
                                        _stream_draws(streams, purpose, week, n))


def workers_at_hand(post_staff: np.ndarray, enterprise: np.ndarray,
                    asked: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Candidates at hand for each enterprise-mentor post: its firm's post staff shared among the firm's posts.

    ``enterprise``: every post's firm; ``asked``: the posts whose candidates are wanted (all by default).
    """
    posts = np.bincount(enterprise, minlength=len(post_staff))
    firm = enterprise[asked]
    return np.maximum(1, post_staff[firm] // np.maximum(posts[firm], 1))


def enterprise_outside_rounds(scenario: Scenario, streams: RandomStreams, purpose: str, week: int,
                              at_hand: np.ndarray) -> np.ndarray:
    """Outside recruitment rounds each enterprise-mentor post needs (0: an eligible worker at hand)."""
    return outside_rounds(streams.uniform(f"{purpose}.candidates", week, len(at_hand)),
                          eligible_share(scenario.enterprise_mentors.min_frontline_years, FRONTLINE_YEARS_MEAN),
                          at_hand)


def select_enterprise_mentors(scenario: Scenario, streams: RandomStreams, capacity: np.ndarray,
                              post_staff: np.ndarray,
                              purpose: str = "enterprise_mentors.selection") -> dict[str, np.ndarray]:
    """Enough mentors in each enterprise for its apprentice places: the set-up attributes, by name.

    ``purpose``: the streams' prefix (a city's pool selects each sector's mentors from the
    sector's own streams, ``enterprise_mentors.<sector id>.selection``, as its firms are drawn).
    """
    per_firm = np.ceil(capacity / scenario.enterprise_mentors.apprentices_per_mentor).astype(np.int64)
    enterprise = np.repeat(np.arange(len(capacity), dtype=np.int32), per_firm)
    n = len(enterprise)
    rounds = enterprise_outside_rounds(scenario, streams, purpose, -1, workers_at_hand(post_staff, enterprise))
    return {"enterprise": enterprise,
            **draw_enterprise_mentor_attributes(scenario, streams, purpose, -1, n),
            "effort": np.full(n, scenario.enterprise_mentors.base_effort),
            "vacant_until": np.where(rounds > 0, filled_from(0, scenario.enterprise_mentors.replacement_delay_weeks,
                                                             rounds, scenario.horizon_weeks), -1).astype(np.int32)}


MECHANISM = Mechanism(
    name="mentor_selection",
    step=None,
    state=(
        StateField("school_mentors", "teaching_years", np.float64, SET_UP, "years of teaching"),
        StateField("school_mentors", "dual_qualified", bool, SET_UP, "has enterprise practice (双师型)"),
        StateField("school_mentors", "teaching_quality", np.float64, SET_UP, "teaching quality, 0-1"),
        StateField("school_mentors", "practical_skill", np.float64, SET_UP, "practical skill, 0-1"),
        StateField("school_mentors", "effort", np.float64, SET_UP, "effort, 0-1 (base effort at selection)"),
        StateField("school_mentors", "vacant_until", np.int32, SET_UP,
                   "week the post is filled (again); -1: filled from the start"),
        StateField("enterprise_mentors", "enterprise", np.int32, SET_UP, "the mentor's enterprise"),
        StateField("enterprise_mentors", "frontline_years", np.float64, SET_UP, "years of frontline work"),
        StateField("enterprise_mentors", "technical_skill", np.float64, SET_UP, "technical skill, 0-1"),
        StateField("enterprise_mentors", "pedagogical_skill", np.float64, SET_UP, "pedagogical skill, 0-1"),
        StateField("enterprise_mentors", "effort", np.float64, SET_UP, "effort, 0-1 (base effort at selection)"),
        StateField("enterprise_mentors", "vacant_until", np.int32, SET_UP,
                   "week the post is filled (again); -1: filled from the start"),
    ),
    streams=("school_mentors.selection.{attribute}", "enterprise_mentors.selection.{attribute}",
             # a city's pool: each sector's mentors from the sector's own streams (sim.city.build_pool)
             "enterprise_mentors.{sector}.selection.{attribute}"),
)
