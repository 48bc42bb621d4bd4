"""Properties that must hold in every week of every run (Hypothesis draws the scenarios)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.population import Location, Stage
from sim.model import TalentModel

STAGE_COLUMNS = ("n_not_enrolled", "n_student", "n_apprentice", "n_employee", "n_further_study",
                 "n_unemployed", "n_dropped_out")
FEW = settings(max_examples=10, deadline=None, database=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow])


@st.composite
def small_scenarios(draw):
    programme_years = draw(st.sampled_from([2, 3]))
    n_cohorts = draw(st.integers(1, 2))
    money = draw(st.sampled_from([1.0, 0.05, 0.0]))  # 0.05 and 0 make the funds run dry
    overrides = {
        "intake.cohort_size": draw(st.integers(8, 60)),
        "intake.n_cohorts": n_cohorts,
        "intake.n_sectors": draw(st.integers(1, 4)),
        "calendar.programme_years": programme_years,
        "calendar.schedule": draw(st.sampled_from(["2+1", "1.5+1.5", "alternating", "school_only"])),
        "simulation.horizon_years": n_cohorts - 1 + programme_years + draw(st.integers(0, 1)),
        "programme.dual_mentor": draw(st.booleans()),
        "enterprises.count": draw(st.integers(1, 8)),
        "enterprises.slots_offered_mean": draw(st.sampled_from([2.0, 6.0, 20.0])),
        "enterprises.initial_participation_share": draw(st.sampled_from([0.0, 0.5, 1.0])),
        "participation.willingness_log_odds": draw(st.sampled_from([-3.0, 0.5, 3.0])),
        "school_mentors.students_per_mentor": draw(st.sampled_from([5.0, 20.0, 60.0])),
        "school_mentors.turnover_rate_per_year": draw(st.sampled_from([0.05, 2.0])),
        "enterprise_mentors.apprentices_per_mentor": draw(st.integers(1, 6)),
        "enterprise_mentors.turnover_rate_per_year": draw(st.sampled_from([0.1, 3.0])),
        "attrition.dropout_rate_per_year": draw(st.sampled_from([0.03, 0.6])),
        "attrition.termination_rate_per_year": draw(st.sampled_from([0.05, 1.0])),
        "funding.school_special_fund_yuan_per_year": 1_400_000.0 * money,
        "funding.government_yuan_per_year": 800_000.0 * money,
    }
    return draw(st.integers(0, 2**32 - 1)), overrides


def check_week(model: TalentModel, previous: dict[str, np.ndarray]) -> None:
    w = model.world
    s, ent, em, sc = w.students, w.enterprises, w.enterprise_mentors, w.scenario
    week = w.week

    # students conserved: one valid stage each, and the stage columns of this week's row add up to n
    assert np.isin(s.stage, [int(x) for x in Stage]).all()
    counts = np.bincount(s.stage, minlength=len(Stage))
    row = {k: v[model.recorder._row - 1] for k, v in model.recorder.columns.items()}
    assert row["week"] == week
    assert sum(row[c] for c in STAGE_COLUMNS) == s.n
    assert row["n_student"] + row["n_apprentice"] == counts[Stage.BASIC] + counts[Stage.SKILL] \
        + counts[Stage.INTERNSHIP] == row["n_basic"] + row["n_skill"] + row["n_internship"]
    assert (row["n_employee"], row["n_dropped_out"]) == (counts[Stage.EMPLOYED], counts[Stage.DROPPED_OUT])

    # no one leaves a final stage, nobody un-enrols, certificates are never lost
    was_final = previous["stage"] >= Stage.EMPLOYED
    assert (s.stage[was_final] >= Stage.EMPLOYED).all()
    assert (s.stage[previous["stage"] == Stage.DROPPED_OUT] == Stage.DROPPED_OUT).all()
    assert (s.stage[previous["stage"] != Stage.NOT_ENROLLED] != Stage.NOT_ENROLLED).all()
    assert (s.certificates >= previous["certificates"]).all()

    # where students are is consistent with what they are
    in_prog = s.in_programme()
    assert (s.location[~in_prog] == Location.AWAY).all()
    assert (s.host[s.location == Location.ENTERPRISE] >= 0).all()
    assert (s.host[~in_prog] < 0).all()
    assert (s.enterprise_mentor[s.host < 0] < 0).all()

    # capacity: no enterprise over its places, no enterprise mentor over apprentices_per_mentor
    hosted = np.bincount(s.host[s.host >= 0], minlength=ent.n)
    assert (hosted <= ent.capacity).all()
    mentored = s.enterprise_mentor >= 0
    if mentored.any():
        per_mentor = np.bincount(s.enterprise_mentor[mentored], minlength=em.n)
        assert per_mentor.max() <= sc.enterprise_mentors.apprentices_per_mentor
        np.testing.assert_array_equal(em.enterprise[s.enterprise_mentor[mentored]], s.host[mentored])
    if not sc.programme.dual_mentor:
        assert not mentored.any()

    # money in = money out + balance, and nothing negative
    ledger = w.ledger
    paid_in = ledger.paid_in.sum()
    assert abs(paid_in - ledger.spent.sum() - ledger.balance.sum()) <= 1e-6 * max(paid_in, 1.0)
    assert (ledger.balance >= -1e-9).all() and (ledger.spent >= 0).all()
    assert row["spent_yuan"] >= previous["spent"] - 1e-9

    # skills and shares stay in range
    for skill in (s.theory, s.practical_skill, s.professionalism):
        assert ((skill >= 0.0) & (skill <= 100.0)).all()
    for share in (s.guidance_school, s.guidance_enterprise, s.motivation, em.effort, w.school_mentors.effort,
                  ent.coordination):
        assert ((share >= 0.0) & (share <= 1.0)).all()

    # no negative durations, nothing dated in the future
    grad, left, job = s.week_graduated, s.week_left, s.week_job_found
    assert (grad[grad >= 0] >= s.enrol_week[grad >= 0]).all() and (grad <= week).all()
    assert (left[left >= 0] >= s.enrol_week[left >= 0]).all() and (left <= week).all()
    assert (job[job >= 0] >= s.enrol_week[job >= 0]).all() and (job <= week).all()
    assert not ((grad >= 0) & (left >= 0)).any()
    assert ((grad >= 0) == (s.stage_at_graduation > 0)).all()


@FEW
@given(small_scenarios())
def test_invariants_hold_every_week(case):
    seed, overrides = case
    model = TalentModel(None, seed=seed, mesa_agents=False, **overrides)
    s = model.world.students
    previous = {"stage": s.stage.copy(), "certificates": s.certificates.copy(), "spent": 0.0}
    while model.running:
        model.step()
        check_week(model, previous)
        previous = {"stage": s.stage.copy(), "certificates": s.certificates.copy(),
                    "spent": model.world.ledger.total_spent}
    ts = model.recorder.frame()
    assert len(ts) == model.scenario.horizon_weeks
    np.testing.assert_array_equal(ts[list(STAGE_COLUMNS)].sum(axis=1), np.full(len(ts), s.n))
    np.testing.assert_array_equal(ts["week"], np.arange(len(ts)))
    summary = model.summary()
    for key in ("completion_rate", "dropout_rate", "certificate_pass_rate", "employment_rate_at_graduation",
                "host_retention_rate", "enterprise_participation_rate", "placement_rate"):
        assert np.isnan(summary[key]) or 0.0 <= summary[key] <= 1.0, key
    if not np.isnan(summary["completion_rate"]):
        assert abs(summary["completion_rate"] + summary["dropout_rate"] - 1.0) < 1e-12
    assert abs(summary["money_in_yuan"] - summary["total_cost_yuan"] - summary["balance_yuan"]) \
        <= 1e-6 * max(summary["money_in_yuan"], 1.0)


@FEW
@given(st.integers(0, 2**32 - 1), st.sampled_from(["2+1", "1.5+1.5", "alternating"]))
def test_cohort_moves_together_through_the_calendar(seed, schedule):
    model = TalentModel(None, seed=seed, mesa_agents=False, **{
        "intake.cohort_size": 30, "intake.n_cohorts": 1, "simulation.horizon_years": 3,
        "enterprises.count": 4, "calendar.schedule": schedule})
    cal = model.world.calendar
    s = model.world.students
    while model.running:
        model.step()
        week = model.world.week
        active = s.in_programme()
        if week < cal.programme_weeks - 1:
            assert (s.stage[active] == cal.stage[week]).all()
            planned = cal.location[week]
            if planned != Location.ENTERPRISE:
                assert (s.location[active] == planned).all()
            else:
                placed = active & (s.host >= 0)
                assert (s.location[placed] == Location.ENTERPRISE).all()
                assert (s.location[active & ~placed] == cal.fallback_location[week]).all()
