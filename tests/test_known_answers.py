"""Cases where the model reduces to something exact."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine.population import Stage
from sim.model import run_one

NO_EXITS = {
    "attrition.dropout_rate_per_year": 0.0,
    "attrition.termination_rate_per_year": 0.0,
    "attrition.apprentice_leave_rate_per_year": 0.0,
    "school_mentors.turnover_rate_per_year": 0.0,
    "enterprise_mentors.turnover_rate_per_year": 0.0,
}


@pytest.mark.parametrize(("schedule", "programme_years", "n_cohorts"), [
    ("2+1", 3, 3), ("1.5+1.5", 3, 2), ("alternating", 2, 2), ("school_only", 3, 1), ("2+1", 2, 3),
])
def test_deterministic_durations_give_exact_graduation_weeks(schedule, programme_years, n_cohorts):
    result = run_one(None, seed=11, **NO_EXITS, **{
        "intake.cohort_size": 40, "intake.n_cohorts": n_cohorts, "enterprises.count": 6,
        "calendar.schedule": schedule, "calendar.programme_years": programme_years,
        "simulation.horizon_years": n_cohorts - 1 + programme_years})
    students = result.students
    expected = 52 * students["cohort"].astype(int) + 52 * programme_years - 1
    np.testing.assert_array_equal(students["week_graduated"], expected)
    assert (students["week_left"] == -1).all()
    assert result.summary["completion_rate"] == 1.0
    assert result.summary["dropout_rate"] == 0.0
    assert result.summary["n_graduates"] == 40 * n_cohorts
    ts = result.timeseries
    last = ts.iloc[-1]
    assert last["n_dropped_out"] == 0
    assert last["n_employee"] + last["n_further_study"] + last["n_unemployed"] == 40 * n_cohorts
    # a cohort is in the programme from its intake week until it graduates (recorded after graduation)
    in_programme = ts["n_basic"] + ts["n_skill"] + ts["n_internship"]
    weeks = ts["week"].to_numpy()
    cohorts_in = sum(((weeks >= 52 * c) & (weeks < 52 * c + 52 * programme_years - 1)).astype(int)
                     for c in range(n_cohorts))
    np.testing.assert_array_equal(in_programme.to_numpy(), 40 * cohorts_in)


def test_custom_blocks_give_exact_weeks_in_each_stage():
    blocks = [{"weeks": 30, "location": "school", "stage": "basic"},
              {"weeks": 10, "location": "holiday", "stage": "basic"},
              {"weeks": 36, "location": "enterprise", "stage": "skill"},
              {"weeks": 14, "location": "school", "stage": "skill"},
              {"weeks": 12, "location": "enterprise", "stage": "internship"}]  # 102 of 104 weeks
    result = run_one(None, seed=5, events=True, **NO_EXITS, **{
        "intake.cohort_size": 50, "intake.n_cohorts": 1, "enterprises.count": 10,
        "calendar.schedule": "custom", "calendar.programme_years": 2, "calendar.custom_blocks": blocks,
        "simulation.horizon_years": 2})
    ts = result.timeseries
    n = 50
    assert (ts["n_basic"] == n).sum() == 40
    assert (ts["n_skill"] == n).sum() == 50
    assert (ts["n_internship"] == n).sum() == 12 + 2 - 1  # the last block's stage runs on; week 103 graduates
    assert ((ts["n_basic"] > 0) & (ts["n_basic"] < n)).sum() == 0
    at_school, at_firm = ts["n_at_school"].to_numpy(), ts["n_at_enterprise"].to_numpy()
    np.testing.assert_array_equal(at_school[:30], n)
    np.testing.assert_array_equal(at_school[30:40] + at_firm[30:40], 0)  # holiday
    np.testing.assert_array_equal(at_school[40:76] + at_firm[40:76], n)  # in a firm or on the school track
    np.testing.assert_array_equal(at_firm[76:90], 0)
    np.testing.assert_array_equal(at_school[76:90], n)
    np.testing.assert_array_equal(at_school[90:102] + at_firm[90:102], n)
    np.testing.assert_array_equal(at_school[102:] + at_firm[102:], 0)  # after the last block
    assert at_firm[40:76].min() > 0
    changes = result.events[result.events["event"] == "stage_change"]
    assert sorted(changes["week"].unique().tolist()) == [40, 90]
    assert (result.students["week_graduated"] == 103).all()


def test_all_further_study_gives_headline_one_and_job_only_zero():
    result = run_one(None, seed=3, **{
        "intake.cohort_size": 60, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 6,
        "labour_market.further_study_share_higher": 1.0, "labour_market.not_seeking_share": 0.0})
    summary = result.summary
    assert summary["n_graduates"] > 0
    assert summary["employment_rate_at_graduation"] == 1.0
    assert summary["job_employment_rate_at_graduation"] == 0.0
    assert summary["further_study_rate"] == 1.0
    assert summary["employment_rate_12m"] == 1.0
    assert summary["job_employment_rate_12m"] == 0.0
    grads = result.students[result.students["week_graduated"] >= 0]
    assert (grads["stage"] == "further_study").all()
    assert (grads["employer"] == "").all()


def test_enterprises_that_never_take_part_host_nobody():
    result = run_one(None, seed=4, **{
        "intake.cohort_size": 60, "intake.n_cohorts": 2, "simulation.horizon_years": 5, "enterprises.count": 8,
        "enterprises.initial_participation_share": 0.0, "participation.willingness_log_odds": -60.0,
        "participation.willingness_sd": 0.0})
    summary = result.summary
    assert summary["enterprise_participation_rate"] == 0.0
    assert summary["placement_rate"] == 0.0
    assert math.isnan(summary["host_retention_rate"])
    assert math.isnan(summary["enterprise_satisfaction"])
    assert summary["n_graduates"] > 0
    assert not result.students["ever_placed"].any()
    assert (result.students["host_at_job_decision"] == -1).all()
    ts = result.timeseries
    assert (ts["n_apprentice"] == 0).all() and (ts["n_at_enterprise"] == 0).all()
    assert (ts["n_participating_enterprises"] == 0).all()
    assert summary["spent_apprentice_subsidy_yuan"] == 0.0


def test_without_money_nothing_is_spent_and_no_exam_is_sat():
    result = run_one(None, seed=2, **{
        "intake.cohort_size": 40, "intake.n_cohorts": 1, "simulation.horizon_years": 3, "enterprises.count": 4,
        "funding.school_special_fund_yuan_per_year": 0.0, "funding.government_yuan_per_year": 0.0,
        "funding.enterprise_cost_sharing_yuan_per_apprentice_year": 0.0})
    summary = result.summary
    assert summary["total_cost_yuan"] == 0.0
    assert summary["money_in_yuan"] == 0.0
    assert summary["mean_certificates_per_graduate"] == 0.0  # no exam fee was ever paid


def test_single_cohort_stage_counts_follow_the_two_plus_one_calendar():
    result = run_one(None, seed=8, **NO_EXITS, **{
        "intake.cohort_size": 30, "intake.n_cohorts": 1, "simulation.horizon_years": 3, "enterprises.count": 4})
    ts = result.timeseries.set_index("week")
    assert (ts.loc[0:51, "n_basic"] == 30).all()
    assert (ts.loc[52:103, "n_skill"] == 30).all()
    assert (ts.loc[104:154, "n_internship"] == 30).all()
    assert ts.loc[155, ["n_basic", "n_skill", "n_internship"]].sum() == 0  # graduated in week 155
    students = result.students
    assert (students["stage_at_graduation"].isin([Stage.EMPLOYED.name.lower(), "further_study", "unemployed"])).all()
