"""Mentor turnover over a batch: each run's replacements are those it draws alone, whatever its company.

``mentor_development`` draws the replacements of every run of a batch at once (each run's
draws from its own streams, the attributes from each leaver's own run's parameters). A
batch whose runs differ in every parameter the replacements read (the selection rules at
their edges: no minimum, so every candidate qualifies; a working life, so almost none
does; candidates at hand, delays, turnover, the attributes' means) must give every run
exactly what it gives alone.
"""

from __future__ import annotations

from same_run import assert_same_run

from sim.model import run_batch, run_one
from sim.scenario import resolve_scenario, with_overrides


def test_a_batch_whose_runs_differ_in_the_replacement_rules_equals_the_runs_alone() -> None:
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 60,
                                                        "school_mentors.turnover_rate_per_year": 0.5,
                                                        "enterprise_mentors.turnover_rate_per_year": 0.6})
    points = [
        base,
        with_overrides(base, {"school_mentors.min_teaching_years": 0.0,  # every candidate qualifies
                              "enterprise_mentors.min_frontline_years": 0.0,
                              "school_mentors.dual_qualified_share": 0.9,
                              "school_mentors.replacement_delay_weeks": 0}, "any candidate"),
        with_overrides(base, {"school_mentors.min_teaching_years": 45.0,  # almost no one qualifies
                              "enterprise_mentors.min_frontline_years": 40.0,
                              "school_mentors.candidates_per_post": 1,
                              "enterprise_mentors.replacement_delay_weeks": 9}, "strict"),
        with_overrides(base, {"school_mentors.candidates_per_post": 12, "school_mentors.teaching_quality_mean": 0.5,
                              "school_mentors.novice_quality_gap": 0.4, "enterprise_mentors.technical_skill_mean": 0.6,
                              "enterprise_mentors.pedagogical_skill_mean": 0.7,
                              "enterprise_mentors.novice_skill_gap": 0.1,
                              "school_mentors.turnover_rate_per_year": 1.5,
                              "incentives.career_development": True}, "other means"),
        base,  # the same point again: its draws are its seed's
    ]
    seeds = [3, 4, 5, 6, 7]
    batched = run_batch(points, seeds, events=True)
    for scenario, seed, b in zip(points, seeds, batched, strict=True):
        assert_same_run(run_one(scenario, seed, events=True), b)
