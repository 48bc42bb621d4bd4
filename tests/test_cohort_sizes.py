"""Cohorts of different sizes (intake.cohort_sizes): a planned change of intake, as a city file's
cohort_sizes_from_year sets it (issue 18, item 1: an intake can double from a given year).
"""

from __future__ import annotations

import numpy as np
import pytest
from same_run import assert_same_run

import sim
from sim.mechanisms.mentor_selection import n_school_mentor_posts
from sim.model import build_world, run_batch
from sim.scenario import ScenarioError, resolve_scenario

SMALL = {"intake.cohort_size": 120, "enterprises.count": 20, "simulation.horizon_years": 5}


def test_equal_sizes_given_one_by_one_are_the_same_run() -> None:
    one = sim.run_one(None, seed=3, events=True, **SMALL)
    each = sim.run_one(None, seed=3, events=True, **SMALL, **{"intake.cohort_sizes": [120, 120, 120]})
    assert_same_run(one, each)


def test_a_doubled_intake_enrols_more_from_its_year_and_keeps_the_earlier_cohort() -> None:
    doubled = sim.run_one(None, seed=5, events=True, **SMALL, **{"intake.cohort_sizes": [120, 240, 240]})
    as_before = sim.run_one(None, seed=5, events=True, **SMALL)
    students = doubled.students
    assert np.bincount(students["cohort"]).tolist() == [120, 240, 240]
    assert doubled.summary["n_students"] == 600
    assert as_before.summary["n_students"] == 360
    # the first cohort's students start with the draws they have when nothing changes (common random numbers)
    before = build_world(resolve_scenario(None, SMALL), 5).students
    after = build_world(resolve_scenario(None, {**SMALL, "intake.cohort_sizes": [120, 240, 240]}), 5).students
    for name in ("sector", "ability", "motivation", "theory", "practical_skill", "professionalism"):
        assert getattr(after, name)[:120].tolist() == getattr(before, name)[:120].tolist(), name
    # each cohort enrols in its own year
    enrolled = doubled.events[doubled.events["event"] == "enrol"]
    assert sorted(enrolled.groupby("week").size().tolist()) == [120, 240, 240]


def test_school_mentors_are_hired_for_the_peak_enrolment() -> None:
    base = resolve_scenario(None, {**SMALL, "school_mentors.students_per_mentor": 20.0})
    grows = resolve_scenario(None, {**SMALL, "school_mentors.students_per_mentor": 20.0,
                                    "intake.cohort_sizes": [120, 240, 240]})
    assert n_school_mentor_posts(base) == 18  # 3 cohorts x 120 / 20
    assert n_school_mentor_posts(grows) == 30  # 120 + 240 + 240 at once / 20
    shrinking = resolve_scenario(None, {**SMALL, "intake.n_cohorts": 4, "calendar.programme_years": 2,
                                        "intake.cohort_sizes": [300, 100, 100, 100]})
    assert n_school_mentor_posts(shrinking) == 20  # two years together at most: 300 + 100


def test_a_world_knows_where_each_cohort_starts() -> None:
    world = build_world(resolve_scenario(None, {**SMALL, "intake.cohort_sizes": [120, 240, 60]}), 0)
    assert [world.cohort(c) for c in range(3)] == [slice(0, 120), slice(120, 360), slice(360, 420)]
    assert world.students.n == 420
    assert (world.students.cohort[world.cohort(1)] == 1).all()


def test_runs_with_different_cohort_sizes_batch_with_the_results_each_has_alone() -> None:
    scenarios = [resolve_scenario(None, {**SMALL, "intake.cohort_sizes": sizes})
                 for sizes in ([120, 120, 120], [120, 240, 240], [60, 120, 30])]
    together = run_batch(scenarios, [7, 8, 9], events=True)
    for scenario, seed, result in zip(scenarios, [7, 8, 9], together, strict=True):
        assert_same_run(result, sim.run_one(scenario, seed=seed, events=True))


@pytest.mark.parametrize("sizes", [[120, 240], [120, 240, 240, 240], [120, 0, 120]])
def test_sizes_that_do_not_name_every_cohort_are_refused(sizes: list[int]) -> None:
    with pytest.raises(ScenarioError, match=r"intake\.cohort_sizes"):
        resolve_scenario(None, {**SMALL, "intake.cohort_sizes": sizes})
