"""Selecting mentors (seed 003, section 5.1) and filling posts that fall vacant.

School mentors need at least ``min_teaching_years`` of teaching; a share are
dual-qualified (have enterprise practice), which gives them more practical skill.
Enterprise mentors need at least ``min_frontline_years`` of frontline work; they are
technically strong but often "can do but cannot teach" (low pedagogical skill).
Replacements are drawn from the same selection rules, so turnover loses what two-way
training had built up.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.declarations import SET_UP, StateField
from sim.engine.mechanism import Mechanism
from sim.engine.streams import RandomStreams
from sim.scenario.schema import Scenario

ATTRIBUTE_SD = 0.1
"""Spread of mentors' 0-1 attributes (quality, skills) around their means; assumption."""
EXTRA_TEACHING_YEARS_MEAN = 8.0
"""Mean years of teaching beyond the selection minimum (exponential); assumption."""
EXTRA_FRONTLINE_YEARS_MEAN = 6.0
"""Mean years of frontline work beyond the selection minimum (exponential); assumption."""


def _share_noise(streams: RandomStreams, name: str, week: int, mean: np.ndarray | float, n: int) -> np.ndarray:
    return np.clip(mean + ATTRIBUTE_SD * streams.normal(name, week, n), 0.02, 1.0)


def n_school_mentor_posts(scenario: Scenario) -> int:
    """Posts sized for the steady-state enrolment at the scenario's students-per-mentor ratio."""
    concurrent = scenario.intake.cohort_size * min(scenario.intake.n_cohorts, scenario.calendar.programme_years)
    return max(1, math.ceil(concurrent / scenario.school_mentors.students_per_mentor))


def draw_school_mentor_attributes(scenario: Scenario, streams: RandomStreams, purpose: str, week: int,
                                  n: int) -> dict[str, np.ndarray]:
    """Attributes of ``n`` newly selected school mentors, one named stream per attribute.

    Element ``i`` belongs to post ``i`` whatever ``n`` is, so adding posts leaves the
    others' draws unchanged (common random numbers across mentor ratios).
    """
    p = scenario.school_mentors
    dual = streams.uniform(f"{purpose}.dual_qualified", week, n) < p.dual_qualified_share
    extra_years = EXTRA_TEACHING_YEARS_MEAN * -np.log1p(-streams.uniform(f"{purpose}.teaching_years", week, n))
    return {
        "teaching_years": p.min_teaching_years + extra_years,
        "dual_qualified": dual,
        "teaching_quality": _share_noise(streams, f"{purpose}.teaching_quality", week, p.teaching_quality_mean, n),
        "practical_skill": _share_noise(streams, f"{purpose}.practical_skill", week,
                                        np.where(dual, p.practical_skill_dual_qualified, p.practical_skill_other), n),
    }


def select_school_mentors(scenario: Scenario, streams: RandomStreams) -> dict[str, np.ndarray]:
    """The school's mentor pool at the start of the run: the set-up attributes, by name."""
    n = n_school_mentor_posts(scenario)
    return {**draw_school_mentor_attributes(scenario, streams, "school_mentors.selection", -1, n),
            "effort": np.full(n, scenario.school_mentors.base_effort)}


def draw_enterprise_mentor_attributes(scenario: Scenario, streams: RandomStreams, purpose: str, week: int,
                                      n: int) -> dict[str, np.ndarray]:
    """Attributes of ``n`` newly selected enterprise mentors, one named stream per attribute."""
    p = scenario.enterprise_mentors
    extra_years = EXTRA_FRONTLINE_YEARS_MEAN * -np.log1p(-streams.uniform(f"{purpose}.frontline_years", week, n))
    return {
        "frontline_years": p.min_frontline_years + extra_years,
        "technical_skill": _share_noise(streams, f"{purpose}.technical_skill", week, p.technical_skill_mean, n),
        "pedagogical_skill": _share_noise(streams, f"{purpose}.pedagogical_skill", week, p.pedagogical_skill_mean, n),
    }


def select_enterprise_mentors(scenario: Scenario, streams: RandomStreams,
                              capacity: np.ndarray) -> dict[str, np.ndarray]:
    """Enough mentors in each enterprise for its apprentice places: the set-up attributes, by name."""
    per_firm = np.ceil(capacity / scenario.enterprise_mentors.apprentices_per_mentor).astype(np.int64)
    enterprise = np.repeat(np.arange(len(capacity), dtype=np.int32), per_firm)
    n = len(enterprise)
    return {"enterprise": enterprise,
            **draw_enterprise_mentor_attributes(scenario, streams, "enterprise_mentors.selection", -1, n),
            "effort": np.full(n, scenario.enterprise_mentors.base_effort)}


MECHANISM = Mechanism(
    name="mentor_selection",
    step=None,
    state=(
        StateField("school_mentors", "teaching_years", np.float64, SET_UP, "years of teaching"),
        StateField("school_mentors", "dual_qualified", bool, SET_UP, "has enterprise practice (双师型)"),
        StateField("school_mentors", "teaching_quality", np.float64, SET_UP, "teaching quality, 0-1"),
        StateField("school_mentors", "practical_skill", np.float64, SET_UP, "practical skill, 0-1"),
        StateField("school_mentors", "effort", np.float64, SET_UP, "effort, 0-1 (base effort at selection)"),
        StateField("enterprise_mentors", "enterprise", np.int32, SET_UP, "the mentor's enterprise"),
        StateField("enterprise_mentors", "frontline_years", np.float64, SET_UP, "years of frontline work"),
        StateField("enterprise_mentors", "technical_skill", np.float64, SET_UP, "technical skill, 0-1"),
        StateField("enterprise_mentors", "pedagogical_skill", np.float64, SET_UP, "pedagogical skill, 0-1"),
        StateField("enterprise_mentors", "effort", np.float64, SET_UP, "effort, 0-1 (base effort at selection)"),
    ),
    streams=("school_mentors.selection.{attribute}", "enterprise_mentors.selection.{attribute}"),
)
