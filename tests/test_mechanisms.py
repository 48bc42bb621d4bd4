"""Unit tests, one group per mechanism, with known answers where the rule gives one."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from sim.engine.batch import Batch
from sim.engine.calendar import HALF_YEAR_WEEKS, build_calendar
from sim.engine.ledger import SOURCES, USES, ByUse, Ledger
from sim.engine.population import NO_ONE, Location, Stage
from sim.engine.streams import RandomStreams, stream_key
from sim.mechanisms import certification
from sim.mechanisms.attrition import after_detection, request_attrition, weekly_probability
from sim.mechanisms.certification import hold_exams, pass_probability
from sim.mechanisms.contact import placement_knowledge, problems_caught
from sim.mechanisms.enterprise_accounts import book_enterprise_week, codevelopment_hours_by_firm
from sim.mechanisms.enterprise_pool import apprentice_capacity, post_staff_shares
from sim.mechanisms.evaluation import composite_score
from sim.mechanisms.funding import mentors_away_teaching, school_mentor_posts
from sim.mechanisms.incentives import (
    best_by_mentees,
    holds_honour,
    honours_count,
    mentor_effort,
    update_mentor_effort,
)
from sim.mechanisms.labour_market import _host_decisions, host_bar
from sim.mechanisms.learning import SCHOOL_WEEK_HOURS, _grow, learn, school_week_shares
from sim.mechanisms.matching import deferred_acceptance, placement_preferences
from sim.mechanisms.mentor_development import away_in_practice, train_mentors, turn_over_mentors
from sim.mechanisms.mentor_selection import (
    TEACHING_EXPERIENCE_YEARS,
    candidates_before_eligible,
    eligible_share,
    filled_from,
    outside_rounds,
    workers_at_hand,
)
from sim.mechanisms.mentoring import share_of_need
from sim.mechanisms.participation import (
    decide_participation,
    ex_ante_net_cost_per_week,
    expected_net_cost,
    participation_probability,
)
from sim.mechanisms.placement import free_places, place_apprentices
from sim.mechanisms.training_base import practice_hours_per_school_week
from sim.model import TalentModel, build_world, resolve_scenario, run_one
from sim.scenario.schema import CalendarParams

S, A, E = Location.SCHOOL, Location.AWAY, Location.ENTERPRISE
BASIC, SKILL, INTERN = Stage.BASIC, Stage.SKILL, Stage.INTERNSHIP

SMALL = {"intake.cohort_size": 60, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 6}


def small_world(seed: int = 1, **overrides):
    return build_world(resolve_scenario(None, {**SMALL, **overrides}), seed)


# --------------------------------------------------------------------------- calendar


def _expected(halves: list[tuple[str, Stage]], teach: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Location and stage by week from a literal half-year plan ('S' school, 'E' enterprise)."""
    loc, stage = [], []
    for where, what in halves:
        for w in range(HALF_YEAR_WEEKS):
            loc.append(E if where == "E" else (S if w < teach else A))
            stage.append(what)
    return np.array(loc), np.array(stage)


@pytest.mark.parametrize(("schedule", "halves"), [
    ("2+1", [("S", BASIC), ("S", BASIC), ("S", SKILL), ("S", SKILL), ("E", INTERN), ("E", INTERN)]),
    ("1.5+1.5", [("S", BASIC), ("S", BASIC), ("S", SKILL), ("E", SKILL), ("E", INTERN), ("E", INTERN)]),
    ("alternating", [("S", BASIC), ("E", SKILL), ("S", SKILL), ("E", SKILL), ("S", SKILL), ("E", INTERN)]),
])
def test_calendar_patterns_by_week(schedule, halves):
    cal = build_calendar(CalendarParams(schedule=schedule, programme_years=3, teaching_weeks_per_semester=20))
    loc, stage = _expected(halves)
    assert cal.programme_weeks == 156
    np.testing.assert_array_equal(cal.location, loc)
    np.testing.assert_array_equal(cal.stage, stage)
    # an unplaced apprentice follows the school timetable in enterprise periods
    school_loc, _ = _expected([("S", BASIC)] * 6)
    np.testing.assert_array_equal(cal.fallback_location, school_loc)


def test_two_plus_one_spot_weeks():
    cal = build_calendar(CalendarParams(schedule="2+1", programme_years=3, teaching_weeks_per_semester=20))
    assert [cal.location[w] for w in (0, 19, 20, 25, 26, 45, 46, 103, 104, 130, 155)] == \
        [S, S, A, A, S, S, A, A, E, E, E]
    assert [cal.stage[w] for w in (0, 51, 52, 103, 104, 155)] == [BASIC, BASIC, SKILL, SKILL, INTERN, INTERN]


def test_two_plus_one_two_year_programme():
    cal = build_calendar(CalendarParams(schedule="2+1", programme_years=2, teaching_weeks_per_semester=18))
    loc, stage = _expected([("S", BASIC), ("S", SKILL), ("E", INTERN), ("E", INTERN)], teach=18)
    np.testing.assert_array_equal(cal.location, loc)
    np.testing.assert_array_equal(cal.stage, stage)


def test_school_only_ends_with_internship():
    cal = build_calendar(CalendarParams(schedule="school_only", programme_years=3, teaching_weeks_per_semester=20,
                                        internship_weeks=12))
    loc, stage = _expected([("S", BASIC), ("S", BASIC)] + [("S", SKILL)] * 4)
    loc[144:] = E
    stage[144:] = INTERN
    np.testing.assert_array_equal(cal.location, loc)
    np.testing.assert_array_equal(cal.stage, stage)
    assert (cal.fallback_location[144:] == S).all()
    assert np.count_nonzero(cal.stage == INTERN) == 12


def test_custom_blocks_by_week():
    blocks = [{"weeks": 30, "location": "school", "stage": "basic"},
              {"weeks": 10, "location": "holiday", "stage": "basic"},
              {"weeks": 40, "location": "enterprise", "stage": "skill"},
              {"weeks": 10, "location": "enterprise", "stage": "internship"}]
    cal = build_calendar(CalendarParams(schedule="custom", programme_years=2, custom_blocks=blocks))
    assert cal.programme_weeks == 104
    exp_loc = np.array([S] * 30 + [A] * 10 + [E] * 50 + [A] * 14)
    exp_stage = np.array([BASIC] * 40 + [SKILL] * 40 + [INTERN] * 24)  # the last block's stage runs on
    exp_fallback = np.array([S] * 30 + [A] * 10 + [S] * 50 + [A] * 14)
    np.testing.assert_array_equal(cal.location, exp_loc)
    np.testing.assert_array_equal(cal.stage, exp_stage)
    np.testing.assert_array_equal(cal.fallback_location, exp_fallback)


@pytest.mark.parametrize(("teach", "exam_weeks"), [(20, {19, 45, 71, 97, 123, 149}), (16, {15, 41, 67, 93})])
def test_exam_weeks_close_each_semester(teach, exam_weeks):
    cal = build_calendar(CalendarParams(schedule="2+1", teaching_weeks_per_semester=teach))
    found = {w for w in range(max(exam_weeks) + 1) if cal.is_exam_week(w)}
    assert found == exam_weeks
    assert [cal.is_year_start(w) for w in (0, 1, 51, 52, 104)] == [True, False, False, True, True]
    assert [cal.is_half_year_start(w) for w in (0, 13, 26, 52, 53)] == [True, False, True, True, False]


# --------------------------------------------------------------------------- ledger


def needs(fill: float = 0.0, **by_use: float) -> ByUse:
    """A ByUse with the named uses set and every other use at ``fill``."""
    out = ByUse.filled(fill)
    for use, value in by_use.items():
        setattr(out, use, value)
    return out


def test_ledger_priority_order_when_short():
    ledger = Ledger()
    ledger.pay_in("government", 100.0)
    shares = ledger.pay_out(needs(training_base=60.0, school_mentor_remuneration=60.0,
                                  enterprise_mentor_remuneration=30.0, apprentice_subsidy=10.0))
    assert shares.training_base == pytest.approx(1.0)
    assert shares.school_mentor_remuneration == pytest.approx(40.0 / 60.0)
    assert shares.enterprise_mentor_remuneration == 0.0
    assert shares.apprentice_subsidy == 0.0
    assert shares.exam_fees == 1.0  # no need: fully "funded"
    assert ledger.balance.sum() == pytest.approx(0.0, abs=1e-9)
    assert ledger.spent_by_use()["training_base"] == pytest.approx(60.0)
    assert ledger.spent_by_use()["school_mentor_remuneration"] == pytest.approx(40.0)


def test_ledger_uses_are_in_documented_priority():
    assert USES[0] == "training_base" and USES[-1] == "apprentice_subsidy"
    ledger = Ledger()
    ledger.pay_in("school_special_fund", 50.0)
    shares = ledger.pay_out(ByUse.filled(20.0))
    assert [shares.get(u) for u in USES] == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0, 0.0, 0.0])


def test_by_use_has_no_default_for_a_misspelt_use():
    shares = ByUse.filled(1.0)
    with pytest.raises(AttributeError):
        shares.exam_fee  # noqa: B018  (misspelt: must fail, never read as "fully funded")
    with pytest.raises(AttributeError):
        shares.get("training")


def test_ledger_conservation_and_source_order():
    ledger = Ledger()  # every use may draw on every source, in SOURCES order
    ledger.pay_in("school_special_fund", 300.0)
    ledger.pay_in("government", 100.0)
    ledger.pay_out(needs(training_base=200.0))
    by_source = ledger.spent_by_source()
    assert by_source["school_special_fund"] == pytest.approx(200.0)  # the first listed source is drawn on first
    assert by_source["government"] == 0.0
    assert by_source["enterprise_cost_sharing"] == 0.0
    ledger.pay_in("enterprise_cost_sharing", 40.0)
    ledger.pay_out(needs(exam_fees=170.0, contact_visits=5.5))
    assert ledger.paid_in.sum() == pytest.approx(ledger.spent.sum() + ledger.balance.sum(), rel=1e-12)
    np.testing.assert_allclose(ledger.paid_in, ledger.spent.sum(axis=1) + ledger.balance, rtol=1e-12)
    assert ledger.total_spent == pytest.approx(375.5)
    assert (ledger.balance >= 0).all()
    assert len(SOURCES) == ledger.spent.shape[0]


def test_ledger_pays_a_use_only_from_its_earmarked_sources():
    ledger = Ledger({"training_base": ["government"], "exam_fees": ["school_special_fund"]})
    ledger.pay_in("school_special_fund", 100.0)
    shares = ledger.pay_out(needs(training_base=50.0, exam_fees=30.0, contact_visits=10.0))
    assert shares.training_base == 0.0  # the school fund holds 100, but the base is the government's to pay
    assert shares.exam_fees == 1.0
    assert shares.contact_visits == 0.0  # earmarked to no source: never paid
    assert ledger.balance[SOURCES.index("school_special_fund")] == pytest.approx(70.0)
    assert ledger.weeks_short.tolist() == [1, 0, 0, 0, 1, 0, 0]
    np.testing.assert_allclose(ledger.unpaid, [50.0, 0, 0, 0, 10.0, 0, 0])
    funded = ledger.week_funded_share()
    assert funded["training_base"] == 0.0 and funded["exam_fees"] == 1.0
    assert np.isnan(funded["school_mentor_remuneration"])  # no need this week


def test_ledger_draws_a_uses_sources_in_their_listed_order():
    ledger = Ledger({"training_base": ["enterprise_cost_sharing", "government", "school_special_fund"]})
    for source, yuan in (("enterprise_cost_sharing", 10.0), ("government", 20.0), ("school_special_fund", 100.0)):
        ledger.pay_in(source, yuan)
    shares = ledger.pay_out(needs(training_base=50.0))
    assert shares.training_base == 1.0
    spent = dict(zip(SOURCES, ledger.spent[:, USES.index("training_base")], strict=True))
    assert spent == pytest.approx({"enterprise_cost_sharing": 10.0, "government": 20.0, "school_special_fund": 20.0})
    assert ledger.weeks_short.sum() == 0


def test_the_schema_earmarks_every_use_and_names_the_ledgers_sources():
    from sim.scenario.schema import EarmarkParams

    assert tuple(EarmarkParams.model_fields) == USES
    default = EarmarkParams().model_dump()
    assert all(set(sources) <= set(SOURCES) and sources for sources in default.values())
    assert default["apprentice_subsidy"] == ["government"]  # the employment subsidy fund (2018 and 2021 guidelines)


def test_ledger_rejects_negative_payment():
    with pytest.raises(ValueError):
        Ledger().pay_in("government", -1.0)


# --------------------------------------------------------------------------- enterprise pool / placement


def test_apprentice_capacity_caps():
    cap = apprentice_capacity(np.array([5, 50, 50, 50]), np.array([100, 100, 1000, 99]),
                              np.array([30, 10, 1000, 50]), 0.10, 0.20)
    # min(offered, floor(10% staff), floor(20% post staff))
    np.testing.assert_array_equal(cap, [5, 2, 50, 9])


def _placement_world(seed=1, **overrides):
    world = small_world(seed, **{"enterprises.initial_participation_share": 1.0, **overrides})
    world.week = 104  # first week of the 2+1 enterprise year (cohort 0 enrolled at week 0)
    world.students.stage[:] = INTERN
    return world


@pytest.mark.parametrize("overrides", [
    {},
    {"enterprises.staff_median": 40.0, "enterprises.staff_log_sd": 0.2},  # the 10% / 20% caps bind
    {"enterprise_mentors.apprentices_per_mentor": 3, "enterprises.slots_offered_mean": 4.0},
    {"programme.dual_mentor": False, "intake.n_sectors": 2},
])
def test_placement_respects_capacity_and_fills_free_places(overrides):
    world = _placement_world(**overrides)
    ent = world.enterprises
    sc = world.scenario
    np.testing.assert_array_less(ent.capacity, np.floor(0.10 * ent.staff) + 1)
    np.testing.assert_array_less(ent.capacity, np.floor(0.20 * ent.post_staff) + 1)
    free_before = int(free_places(world).sum())
    place_apprentices(world)
    s = world.students
    hosted = np.bincount(s.host[s.host >= 0], minlength=ent.n)
    assert (hosted <= ent.capacity).all()
    assert int(hosted.sum()) == min(s.n, free_before)
    assert (s.location[s.host >= 0] == E).all()
    if sc.programme.dual_mentor:
        mentored = s.enterprise_mentor >= 0
        np.testing.assert_array_equal(mentored, s.host >= 0)
        per_mentor = np.bincount(s.enterprise_mentor[mentored], minlength=world.enterprise_mentors.n)
        assert per_mentor.max() <= sc.enterprise_mentors.apprentices_per_mentor
        np.testing.assert_array_equal(world.enterprise_mentors.enterprise[s.enterprise_mentor[mentored]],
                                      s.host[mentored])
    else:
        assert (s.enterprise_mentor == NO_ONE).all()


def test_placement_never_uses_a_vacant_mentor():
    world = _placement_world(**{"enterprise_mentors.apprentices_per_mentor": 2})
    em = world.enterprise_mentors
    vacant = np.arange(em.n) % 2 == 0
    em.vacant_until[vacant] = 10_000
    expected_free = np.minimum(
        world.enterprises.capacity,
        np.bincount(em.enterprise, weights=np.where(vacant, 0, 2), minlength=world.enterprises.n))
    place_apprentices(world)
    s = world.students
    assert not vacant[s.enterprise_mentor[s.enterprise_mentor >= 0]].any()
    assert np.count_nonzero(s.host >= 0) == min(s.n, int(expected_free.sum()))


def test_placement_prefers_own_sector():
    world = _placement_world(**{"intake.n_sectors": 3})
    s, ent = world.students, world.enterprises
    ent.sector[:] = [0, 0, 1, 1, 2, 2]
    s.sector[:] = 0  # everyone wants sector 0, whose two firms cannot take them all
    own_places = int(free_places(world)[:2].sum())
    assert own_places < s.n
    place_apprentices(world)
    placed = s.host >= 0
    fit = placed & (ent.sector[np.maximum(s.host, 0)] == s.sector)
    np.testing.assert_array_equal(s.sector_fit[placed], fit[placed])
    assert np.count_nonzero(fit) == own_places  # own-sector places all used first
    assert (free_places(world)[:2] == 0).all()
    assert np.count_nonzero(placed & ~fit) > 0  # the rest go to other sectors


def test_a_placement_round_is_the_student_optimal_stable_matching_of_its_rankings():
    world = _placement_world(**{"intake.n_sectors": 3, "enterprises.staff_median": 60.0})
    s, ent = world.students, world.enterprises
    ent.coordination[:] = np.linspace(0.0, 1.0, ent.n)  # the school knows some firms' posts
    needing = np.arange(s.n)
    composite = composite_score(s, world.scenario.evaluation)
    free = free_places(world)
    assert free.sum() < s.n  # places are short: who gets them is the matching's choice
    prefs, firm_rank, rows = placement_preferences(
        s.sector, composite, ent.sector, ent.post_level, ent.certified, free,
        expected_fit=placement_knowledge(world, np.arange(ent.n)))
    expected = deferred_acceptance(prefs, firm_rank, free, firm_rank_row=rows)
    place_apprentices(world)
    np.testing.assert_array_equal(s.host[needing], expected)
    # the best-scoring students of a sector have its own places
    for sector in range(3):
        own = (s.sector == sector) & (s.host >= 0) & (ent.sector[np.maximum(s.host, 0)] == sector)
        others = (s.sector == sector) & ~own
        if own.any() and others.any():
            assert composite[own].min() >= composite[others].max()


# --------------------------------------------------------------------------- mentoring


def test_share_of_need_is_min_one_supply_over_demand():
    share = share_of_need(np.array([5.0, 10.0, 0.0, 3.0, 0.0]), np.array([10.0, 5.0, 0.0, 0.0, 4.0]))
    np.testing.assert_allclose(share, [0.5, 1.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("students_per_mentor", [8, 20, 40])
def test_school_guidance_share_known_answer(students_per_mentor):
    model = TalentModel(None, seed=3, mesa_agents=False, **{
        **SMALL, "intake.cohort_size": 80, "school_mentors.students_per_mentor": students_per_mentor,
        "school_mentors.turnover_rate_per_year": 0.0})
    model.step()
    model.step()  # week 1: everyone at school, no visits yet
    w = model.world
    s, sm, p = w.students, w.school_mentors, w.scenario.school_mentors
    load = np.bincount(s.school_mentor, minlength=sm.n)
    codevelopment = w.this_week.codevelopment.school_mentor_hours  # hours given to the curriculum
    expected = np.minimum(1.0, (p.guidance_hours_per_week * sm.effort - codevelopment)
                          / (p.desired_hours_per_student_week * load))
    np.testing.assert_allclose(s.guidance_school, expected[s.school_mentor])


def test_enterprise_visits_take_school_mentor_hours():
    # week 106: cohort 0 is in firms (its school mentors visit them), cohort 1 at school
    model = TalentModel(None, seed=3, mesa_agents=False, **{
        **SMALL, "intake.n_cohorts": 2, "enterprises.count": 12, "school_mentors.students_per_mentor": 30,
        "school_mentors.turnover_rate_per_year": 0.0, "contact.hours_per_visit": 6.0})
    for _ in range(107):
        model.step()
    w = model.world
    s, sm, sc = w.students, w.school_mentors, w.scenario
    assert w.week == 106
    at_school = (s.location == S) & (s.school_mentor >= 0)
    at_firm = s.location == E
    visiting = np.bincount(s.school_mentor[at_firm], minlength=sm.n) > 0
    assert visiting.any() and at_school.any()
    visit_hours = np.where(visiting, w.this_week.contact.visits_per_month * 12 / 52 * 6.0, 0.0)
    supply = np.maximum(sc.school_mentors.guidance_hours_per_week * sm.effort - visit_hours
                        - w.this_week.codevelopment.school_mentor_hours, 0.0)
    demand = sc.school_mentors.desired_hours_per_student_week * np.bincount(s.school_mentor[at_school],
                                                                            minlength=sm.n)
    expected = np.minimum(1.0, supply / np.maximum(demand, 1e-12))
    np.testing.assert_allclose(s.guidance_school[at_school], expected[s.school_mentor[at_school]])
    assert (s.guidance_school[at_school] < 1.0).any()


def _mean_guidance(key, value, weeks, attr):
    model = TalentModel(None, seed=5, mesa_agents=False, **{**SMALL, "enterprises.count": 12, key: value})
    for _ in range(weeks):
        model.step()
    s = model.world.students
    where = E if attr == "guidance_enterprise" else S
    here = (s.location == where) & s.in_programme()
    if attr == "guidance_enterprise":
        here &= s.enterprise_mentor >= 0
    assert here.any()
    return float(getattr(s, attr)[here].mean())


def test_more_students_per_mentor_means_less_guidance():
    school = [_mean_guidance("school_mentors.students_per_mentor", v, 3, "guidance_school") for v in (10, 20, 40)]
    assert school[0] > school[1] > school[2]
    firm = [_mean_guidance("enterprise_mentors.apprentices_per_mentor", v, 107, "guidance_enterprise")
            for v in (1, 4)]
    assert firm[0] > firm[1]


# --------------------------------------------------------------------------- curriculum co-development
# (issue "The headline comparison from mechanisms", item 6: co-developing the curriculum takes school and
# enterprise mentors' hours, and alignment builds up over years)

CODEVELOPMENT = {**SMALL, "intake.cohort_size": 150, "intake.n_cohorts": 2, "simulation.horizon_years": 5,
                 "enterprises.count": 15}


def _alignment_by_year(**overrides) -> list[float]:
    model = TalentModel(None, seed=2, mesa_agents=False, **{**CODEVELOPMENT, **overrides})
    by_year = [model.world.curriculum.alignment]
    for week in range(model.world.scenario.horizon_weeks):
        model.step()
        if (week + 1) % 52 == 0:
            by_year.append(model.world.curriculum.alignment)
    return by_year


def test_alignment_starts_at_the_schools_own_and_rises_over_years_towards_its_target():
    by_year = _alignment_by_year(**{"programme.curriculum_alignment": 0.8, "curriculum.initial_alignment": 0.4})
    assert by_year[0] == 0.4
    steps = np.diff(by_year)[:4]  # the years with students (the fifth is the second cohort's follow-up)
    assert (steps > 0).all(), by_year  # every year's hours build it further ...
    assert 0.4 < by_year[1] < by_year[-1] <= 0.8  # ... over years, never past the target
    assert steps[0] < 0.2  # a year's step is far short of the gap
    reached = _alignment_by_year(**{"programme.curriculum_alignment": 0.5, "curriculum.initial_alignment": 0.4})
    assert reached[-1] == 0.5 and reached[1] < 0.5  # reached in some year, then kept (the hours stop)
    # a target below the school's own curriculum: the target from the start, no hours
    assert _alignment_by_year(**{"programme.curriculum_alignment": 0.3}) == [0.3] * 6


def test_codevelopment_hours_come_out_of_school_mentors_guidance():
    hours_a_year = 104.0  # two hours a week
    shares = {}
    for hours in (0.0, hours_a_year):
        model = TalentModel(None, seed=3, mesa_agents=False, **{
            **SMALL, "intake.cohort_size": 80, "school_mentors.students_per_mentor": 20,
            "school_mentors.turnover_rate_per_year": 0.0, "curriculum.codevelopment_hours_per_mentor_year": hours})
        model.step()
        model.step()  # week 1: everyone at school, no visits
        w = model.world
        s, sm, p = w.students, w.school_mentors, w.scenario.school_mentors
        np.testing.assert_allclose(w.this_week.codevelopment.school_mentor_hours, hours / 52)
        load = np.bincount(s.school_mentor, minlength=sm.n)
        expected = np.minimum(1.0, (p.guidance_hours_per_week * sm.effort - hours / 52)
                              / (p.desired_hours_per_student_week * load))
        np.testing.assert_allclose(s.guidance_school, expected[s.school_mentor])
        shares[hours] = w.this_week.guidance.school_mentor_supply_hours
    assert shares[hours_a_year] < shares[0.0]


def test_a_higher_target_costs_more_mentor_hours():
    runs = {target: run_one(None, seed=1, students=False, **{**CODEVELOPMENT, "programme.curriculum_alignment":
                                                             target}).summary for target in (0.4, 0.5, 0.8)}
    assert runs[0.4]["codevelopment_hours"] == 0.0 and runs[0.4]["curriculum_alignment_reached"] == 0.4
    # 0.5 is reached in the run, and the hours stop; 0.8 is still being worked towards at the end
    assert 0 < runs[0.5]["codevelopment_hours"] < runs[0.8]["codevelopment_hours"]
    assert runs[0.5]["curriculum_alignment_reached"] == 0.5 < runs[0.8]["curriculum_alignment_reached"]


def test_firms_pay_their_mentors_codevelopment_hours():
    model = TalentModel(None, seed=3, mesa_agents=False, **{**CODEVELOPMENT, "simulation.horizon_years": 3})
    for _ in range(107):  # week 106: the first cohort in its hosts
        model.step()
    w = model.world
    hours = w.this_week.codevelopment.enterprise_mentor_hours
    assert hours.any() and w.curriculum.alignment < w.scenario.programme.curriculum_alignment
    by_firm = codevelopment_hours_by_firm(w)
    assert by_firm.sum() == pytest.approx(hours.sum())
    before = w.counters.gross_training_cost_yuan
    book_enterprise_week(Batch([w]))
    with_hours = w.counters.gross_training_cost_yuan - before
    w.this_week.codevelopment.enterprise_mentor_hours = np.zeros_like(hours)
    before = w.counters.gross_training_cost_yuan
    book_enterprise_week(Batch([w]))
    without = w.counters.gross_training_cost_yuan - before
    assert with_hours - without == pytest.approx(hours.sum() * w.scenario.enterprise_mentors.hourly_cost_yuan)


# --------------------------------------------------------------------------- learning


def test_grow_has_diminishing_returns_and_caps_at_100():
    score = np.array([0.0, 50.0, 90.0, 99.9, 100.0])
    before = score.copy()
    _grow(score, np.arange(5), np.full(5, 2.0))
    gains = score - before
    np.testing.assert_allclose(gains, 2.0 * (1 - before / 100.0))
    assert (np.diff(gains) < 0).all()
    big = np.array([50.0, 99.0])
    _grow(big, np.arange(2), np.array([1000.0, 1000.0]))
    np.testing.assert_array_equal(big, [100.0, 100.0])
    zero = np.array([10.0, 60.0])
    _grow(zero, np.arange(2), np.zeros(2))
    np.testing.assert_array_equal(zero, [10.0, 60.0])


def test_learning_zero_practice_input_gives_no_practical_growth_at_school():
    model = TalentModel(None, seed=2, mesa_agents=False, **{**SMALL, "programme.school_practice_hours_share": 0.0})
    model.step()
    s = model.world.students
    before = (s.theory.copy(), s.practical_skill.copy())
    for _ in range(5):
        model.step()
    assert (s.location == S).all()
    np.testing.assert_array_equal(s.practical_skill, before[1])
    assert (s.theory > before[0]).mean() > 0.9  # theory still grows


def test_learning_no_change_in_holiday():
    model = TalentModel(None, seed=2, mesa_agents=False, **SMALL)
    for _ in range(20):  # weeks 0..19 are teaching weeks
        model.step()
    s = model.world.students
    snap = [a.copy() for a in (s.theory, s.practical_skill, s.professionalism)]
    for _ in range(6):  # weeks 20..25: holiday
        model.step()
        assert (s.location[s.in_programme()] == A).all()
    for before, now in zip(snap, (s.theory, s.practical_skill, s.professionalism), strict=True):
        np.testing.assert_array_equal(now, before)
    model.step()  # week 26: school again
    assert (s.theory[s.in_programme()] > snap[0][s.in_programme()]).mean() > 0.9


def test_learn_direct_only_present_students_change():
    world = small_world(4)
    s = world.students
    s.stage[:] = BASIC
    s.school_mentor[:] = 0
    s.guidance_school[:] = 1.0
    s.location[:] = A
    s.location[:30] = S
    before = s.theory.copy()
    learn(Batch([world]))
    assert (s.theory[:30] >= before[:30]).all() and (s.theory[:30] > before[:30]).mean() > 0.9
    np.testing.assert_array_equal(s.theory[30:], before[30:])


def test_school_week_hours_are_shared_by_mentoring_class_and_practice():
    # 2 hours of guidance a week at full need, 30% of the rest in practice
    in_class, in_practice = school_week_shares(2.0, 0.3, np.array([0.0, 0.5, 1.0]))
    mentoring = np.array([0.0, 1.0, 2.0]) / SCHOOL_WEEK_HOURS
    np.testing.assert_allclose(in_class + in_practice + mentoring, 1.0)  # every hour is used once
    np.testing.assert_allclose(in_practice / (in_class + in_practice), 0.3)


def _one_school_week(practice_share, **overrides):
    world = small_world(4, **{"programme.school_practice_hours_share": practice_share, **overrides})
    s = world.students
    s.stage[:] = BASIC
    s.location[:] = S
    s.school_mentor[:] = 0
    s.guidance_school[:] = 1.0
    before = (s.theory.copy(), s.practical_skill.copy())
    learn(Batch([world]))
    return s.theory - before[0], s.practical_skill - before[1], before


def test_more_practice_is_less_theory_hour_for_hour():
    theory_lo, practical_lo, start = _one_school_week(0.2)
    theory_hi, practical_hi, start_hi = _one_school_week(0.5)
    np.testing.assert_array_equal(start[0], start_hi[0])  # same students, same draws
    grows = practical_lo > 0
    np.testing.assert_allclose(practical_hi[grows] / practical_lo[grows], 0.5 / 0.2)
    np.testing.assert_allclose(theory_hi / theory_lo, 0.5 / 0.8)


# --------------------------------------------------------------------------- the training base
# (issue "The headline comparison from mechanisms", item 6: on-campus practice uses the base's capacity and
# consumables in proportion to its hours)


def _first_school_week(**overrides):
    model = TalentModel(None, seed=3, mesa_agents=False, **{**SMALL, "intake.cohort_size": 80, **overrides})
    model.step()  # week 0: the first cohort enrols and is at school
    return model.world


def test_training_base_need_is_a_fixed_cost_and_consumables_for_the_practice_hours():
    fixed, per_hour = 10.0, 2.0
    needs = {}
    for share in (0.2, 0.4):
        w = _first_school_week(**{"programme.school_practice_hours_share": share,
                                  "funding.training_base_fixed_yuan_per_student_week": fixed,
                                  "funding.practice_consumables_yuan_per_practice_hour": per_hour})
        at_school = int(np.count_nonzero(w.students.location == S))
        hours = share * (SCHOOL_WEEK_HOURS - w.scenario.school_mentors.desired_hours_per_student_week)
        assert at_school == 80 and w.this_week.practice.hours_per_student == pytest.approx(hours)
        need = w.ledger.week_need[USES.index("training_base")]
        assert need == pytest.approx(at_school * (fixed + per_hour * hours))
        needs[share] = need - at_school * fixed
    assert needs[0.4] == pytest.approx(2 * needs[0.2])  # twice the practice, twice the consumables


def test_doubling_practice_doubles_the_training_base_spending_on_consumables():
    # no fixed cost and no attrition: over a whole run the base's spending follows the practice hours
    common = {**SMALL, "funding.training_base_fixed_yuan_per_student_week": 0.0,
              "attrition.dropout_rate_per_year": 0.0, "attrition.termination_rate_per_year": 0.0,
              "attrition.apprentice_leave_rate_per_year": 0.0}
    spent = {share: run_one(None, seed=2, students=False, **{**common,
                                                             "programme.school_practice_hours_share": share}).summary
             for share in (0.2, 0.4)}
    ratio = spent[0.4]["spent_training_base_yuan"] / spent[0.2]["spent_training_base_yuan"]
    assert ratio == pytest.approx(2.0, rel=0.02)
    assert spent[0.4]["weeks_short_training_base"] == spent[0.2]["weeks_short_training_base"] == 0


def test_a_base_too_small_cuts_every_students_practice_pro_rata_and_teaches_it_in_class():
    roomy = _first_school_week()
    demand = 80 * practice_hours_per_school_week(roomy.scenario)
    small = _first_school_week(**{"programme.training_base_capacity_hours_per_week": demand / 4})
    assert roomy.this_week.practice.capacity_share == 1.0
    assert small.this_week.practice.capacity_share == pytest.approx(0.25)
    assert small.this_week.practice.hours_per_student == pytest.approx(
        roomy.this_week.practice.hours_per_student / 4)
    # consumables for the hours practised only; the fixed cost for every student
    sc = small.scenario.funding
    assert small.ledger.week_need[USES.index("training_base")] == pytest.approx(
        80 * (sc.training_base_fixed_yuan_per_student_week
              + sc.practice_consumables_yuan_per_practice_hour * small.this_week.practice.hours_per_student))
    timetable = (small.scenario.school_mentors.desired_hours_per_student_week,
                 small.scenario.programme.school_practice_hours_share)
    in_class, in_practice = school_week_shares(*timetable, 1.0, 0.25)
    full_class, full_practice = school_week_shares(*timetable, 1.0)
    assert in_practice == pytest.approx(full_practice / 4)
    assert in_class + in_practice == pytest.approx(full_class + full_practice)  # the cut hours go to class
    assert small.counters.practice_hours_cut == pytest.approx(0.75 * demand)


def test_a_base_too_small_means_less_practical_skill_and_more_theory():
    e = {cap: run_one(None, seed=4, students=False, **{**SMALL, "programme.training_base_capacity_hours_per_week":
                                                       cap}).summary for cap in (18_000.0, 100.0)}
    assert e[18_000.0]["practice_hours_cut_share"] == 0.0 and e[18_000.0]["training_base_peak_use"] < 1.0
    assert 0.5 < e[100.0]["practice_hours_cut_share"] < 1.0 and e[100.0]["training_base_peak_use"] > 1.0
    assert e[100.0]["mean_practical_skill"] < e[18_000.0]["mean_practical_skill"] - 1.0
    assert e[100.0]["mean_theory"] > e[18_000.0]["mean_theory"]


def test_motivation_reverts_to_the_disposition_when_the_week_goes_as_planned():
    world = small_world(4, **{"learning.noise_sd": 0.0})  # luck 1: progress is the input ratio
    s = world.students
    s.stage[:] = BASIC
    s.location[:] = S
    s.school_mentor[:] = 0
    s.guidance_school[:] = 1.0  # the guidance planned, a funded base: progress 1
    s.motivation_disposition[:] = 0.6
    s.motivation[:] = 0.9
    rate = world.scenario.learning.motivation_adjustment_per_week
    learn(Batch([world]))
    np.testing.assert_allclose(s.motivation, 0.9 + rate * (0.6 - 0.9))
    s.motivation[:] = 0.6
    s.guidance_school[:] = 0.0  # no guidance: less progress than planned, motivation falls
    learn(Batch([world]))
    assert (s.motivation < 0.6).all()


def test_first_week_sets_the_disposition_to_the_enrolment_motivation():
    world = small_world(4)
    s = world.students
    s.stage[:] = BASIC
    s.location[:] = S
    s.school_mentor[:] = 0
    start = s.motivation.copy()
    assert np.isnan(s.motivation_disposition).all()
    learn(Batch([world]))
    np.testing.assert_array_equal(s.motivation_disposition, start)


# --------------------------------------------------------------------------- certification


def test_pass_probability_is_half_at_threshold():
    assert pass_probability(np.array([60.0]), 60.0, 5.0)[0] == pytest.approx(0.5)
    p = pass_probability(np.array([50.0, 55.0, 60.0, 65.0, 70.0]), 60.0, 5.0)
    assert (np.diff(p) > 0).all()
    assert p[0] + p[4] == pytest.approx(1.0)
    assert p[3] == pytest.approx(1.0 / (1.0 + np.exp(-1.0)))


def _exam_world(n=2000, **overrides):
    world = small_world(6, **{"intake.cohort_size": n, **overrides})
    world.students.stage[:] = SKILL
    return world


ANY_READINESS = {"certification.readiness_pass_probability": 0.0, "certification.retake_study_points": 0.0}
"""Entry rules that enter every eligible student (to test what happens at a sitting)."""


def _set_scores(world, value):
    s = world.students
    s.practical_skill[:] = value
    s.theory[:] = value


def _session(world, week):
    """Entries the week before, then the session in ``week`` (an exam week)."""
    world.week = week - 1
    hold_exams(world)
    world.week = week
    hold_exams(world)


def test_exam_pass_share_is_half_at_threshold():
    world = _exam_world(**{"certification.pass_mark_points": 60.0, "certification.n_certificates": 2,
                           "certification.pass_mark_step_points": 35.0})
    _set_scores(world, 60.0)  # expected pass probability 0.5: exactly at the default readiness bar
    _session(world, 71)  # first exam session of programme year 2
    share = world.students.certificates.mean()
    assert world.counters.exam_sittings == 2000
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 2000)


def test_no_exams_outside_exam_weeks_or_before_first_exam_year():
    world = _exam_world(n=100)
    _set_scores(world, 100.0)
    for week in (19, 45):  # exam weeks of programme year 1
        _session(world, week)
    for week in (70, 72):  # not exam weeks
        world.week = week
        hold_exams(world)
    assert world.counters.exam_sittings == 0


def test_nobody_sits_without_an_entry():
    world = _exam_world(n=100)
    _set_scores(world, 100.0)
    world.week = 71  # a session, but nobody was entered the week before
    hold_exams(world)
    assert world.counters.exam_sittings == 0


def test_mentor_enters_only_students_at_the_readiness_bar():
    bar, mark, scale = 0.7, 60.0, 5.0
    world = _exam_world(n=4, **{"certification.pass_mark_points": mark, "certification.n_certificates": 1,
                                "certification.readiness_pass_probability": bar})
    at_bar = mark + scale * np.log(bar / (1 - bar))  # pass probability exactly 0.7
    _set_scores(world, 0.0)
    world.students.practical_skill[:] = world.students.theory[:] = [at_bar - 0.01, at_bar + 0.01, mark, 90.0]
    world.week = 70
    hold_exams(world)
    np.testing.assert_array_equal(world.students.entered, [False, True, False, True])


def test_retake_follows_further_study():
    world = _exam_world(n=300, **{"certification.pass_mark_points": 60.0, "certification.n_certificates": 1,
                                  "certification.retake_study_points": 5.0})
    _set_scores(world, 62.0)
    _session(world, 71)
    s = world.students
    failed = (s.certificates == 0) & (s.attempts == 1)
    assert failed.any()
    np.testing.assert_allclose(s.score_at_failure[failed], 62.0)
    _set_scores(world, 66.0)  # 4 points of study: not enough for a retake
    _session(world, 97)
    assert world.counters.exam_sittings == 300  # only the first session's sittings
    s.practical_skill[:] = s.theory[:] = 67.0  # 5 points since the failure: entered again
    _session(world, 123)
    assert world.counters.exam_sittings == 300 + int(failed.sum())


def test_unfunded_session_postpones_the_sitting():
    world = _exam_world(n=200)
    _set_scores(world, 100.0)
    world.this_week.funded.exam_fees = 0.0
    _session(world, 71)
    s = world.students
    assert world.counters.exam_sittings == 0
    assert (s.attempts == 0).all() and (s.certificates == 0).all()  # nothing used up
    world.this_week.funded.exam_fees = 1.0
    _session(world, 97)  # entered again for the next session, and sits it
    assert world.counters.exam_sittings == 200


def test_eligible_counts_the_entered_students_funding_pays_for():
    world = _exam_world(n=100, **{"certification.pass_mark_points": 60.0, "certification.n_certificates": 1})
    _set_scores(world, 0.0)
    world.students.practical_skill[:40] = world.students.theory[:40] = 80.0
    world.week = 70
    hold_exams(world)  # entries
    world.week = 71
    assert certification.eligible(world).sum() == 40  # the fee need of the session


def test_exam_results_move_motivation():
    change = 0.05
    world = _exam_world(n=400, **{"certification.pass_mark_points": 60.0, "certification.n_certificates": 1,
                                  "certification.result_motivation_change": change})
    _set_scores(world, 60.0)
    s = world.students
    s.motivation[:] = 0.5
    _session(world, 71)
    passed = s.certificates == 1
    np.testing.assert_allclose(s.motivation[passed], 0.5 + change)
    np.testing.assert_allclose(s.motivation[~passed], 0.5 - change)


@pytest.mark.parametrize("max_attempts", [1, 2, 3])
def test_retakes_limited_by_max_attempts(max_attempts):
    world = _exam_world(n=200, **{"certification.pass_mark_points": 99.0, "certification.n_certificates": 1,
                                  "certification.max_attempts": max_attempts, **ANY_READINESS})
    _set_scores(world, 0.0)  # pass probability ~ 2e-9
    for week in (71, 97, 123, 149):
        _session(world, week)
    s = world.students
    assert world.counters.exam_sittings == 200 * max_attempts
    assert (s.attempts == max_attempts).all()
    assert (s.certificates == 0).all()


def test_certificates_taken_in_order():
    two = {"certification.n_certificates": 2, **ANY_READINESS}
    easy_then_hard = _exam_world(n=200, **{**two, "certification.pass_mark_points": 0.0,
                                           "certification.pass_mark_step_points": 200.0})
    hard_then_easy = _exam_world(n=200, **{**two, "certification.pass_mark_points": 200.0,
                                           "certification.pass_mark_step_points": -200.0})
    for world in (easy_then_hard, hard_then_easy):
        _set_scores(world, 100.0)
        for week in (71, 97, 123, 149):
            _session(world, week)
    assert (easy_then_hard.students.certificates == 1).all()  # never the hard second one
    assert (easy_then_hard.students.attempts == 3).all()
    assert (hard_then_easy.students.certificates == 0).all()  # the easy second one is out of reach


def test_an_unready_student_is_never_entered():
    world = _exam_world(n=200, **{"certification.pass_mark_points": 200.0, "certification.n_certificates": 1})
    _set_scores(world, 100.0)
    for week in (71, 97, 123, 149):
        _session(world, week)
    assert world.counters.exam_sittings == 0


# --------------------------------------------------------------------------- attrition


def test_weekly_probability_closed_form():
    x = np.array([-2.0, 0.0, 0.5, 1.2, 3.0])
    for rate in (0.0, 0.03, 0.5, 5.0):
        np.testing.assert_allclose(weekly_probability(rate, x), 1 - np.exp(-rate / 52 * np.exp(x)), rtol=1e-12)
    assert weekly_probability(52.0, np.zeros(1))[0] == pytest.approx(1 - np.exp(-1.0))


@pytest.mark.parametrize("guidance", [1.0, 0.0])
def test_dropout_requests_follow_the_hazard(guidance):
    n = 4000
    world = small_world(8, **{"intake.cohort_size": n, "attrition.dropout_rate_per_year": 5.0})
    s = world.students
    s.stage[:] = BASIC
    s.location[:] = S
    s.guidance_school[:] = guidance
    s.motivation[:] = 0.8  # no motivation penalty
    world.week = 10
    request_attrition(Batch([world]))
    n_left = sum(len(who) for who, _ in world.pending_dropouts)
    p = 1 - np.exp(-5.0 / 52 * np.exp(world.scenario.attrition.support_effect * (1 - guidance)))
    assert abs(n_left / n - p) < 4 * np.sqrt(p * (1 - p) / n)


# --------------------------------------------------------------------------- contact (issue 10, "Contact rules hurt")
# visits catch problems early; coordination finds fitting posts for students placed outside their sector


def _visited_world(n=4000, seed=8, **overrides):
    world = small_world(seed, **{"intake.cohort_size": n, **overrides})
    s = world.students
    s.school_mentor[:] = np.arange(n) % world.school_mentors.n
    world.this_week.contact.visits_per_month = 2.0
    world.week = 10
    return world


def test_problems_caught_known_answer():
    world = _visited_world(n=100)
    who = np.arange(100)
    c = world.scenario.contact
    noticed = 1 - np.exp(-2.0 * c.problem_warning_weeks / (52 / 12))  # at least one Poisson visit in the warning
    np.testing.assert_allclose(problems_caught(Batch([world]), who), c.problem_resolution_share * noticed, rtol=1e-12)
    world.school_mentors.vacant_until[world.students.school_mentor[:10]] = 10_000  # those posts are vacant
    caught = problems_caught(Batch([world]), who)
    assert (caught[world.school_mentors.vacant_until[world.students.school_mentor] > 10] == 0).all()
    world.this_week.contact.visits_per_month = 0.0
    assert (problems_caught(Batch([world]), who) == 0).all()


def test_after_detection_removes_the_caught_share_of_the_excess_hazard():
    x = np.log(np.array([1.0, 3.0, 3.0, 3.0]))
    caught = np.array([0.5, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(np.exp(after_detection(x, caught)), [1.0, 3.0, 2.0, 1.0], rtol=1e-12)


def test_visited_apprentices_leave_at_the_reduced_hazard():
    n = 4000
    world = _visited_world(n, **{"programme.dual_mentor": False, "attrition.dropout_rate_per_year": 5.0,
                                 "attrition.termination_rate_per_year": 5.0})
    s = world.students
    s.stage[:] = INTERN
    s.location[:] = E
    s.host[:] = np.arange(n) % world.enterprises.n
    s.sector_fit[:] = True
    s.motivation[:] = 0.8  # no motivation penalty
    s.practical_skill[:] = 0.0  # the whole post need is a gap
    request_attrition(Batch([world]))
    p_ = world.scenario.attrition
    caught = problems_caught(Batch([world]), np.arange(n))[0]
    eta = p_.support_effect * (1 - world.scenario.learning.unmentored_practice_share)
    p = 1 - np.exp(-5.0 / 52 * (1 + np.expm1(eta) * (1 - caught)))
    n_left = sum(len(who) for who, _ in world.pending_dropouts)
    assert abs(n_left / n - p) < 4 * np.sqrt(p * (1 - p) / n)
    gap = 30.0 + 40.0 * world.enterprises.post_level[s.host]
    q = np.mean(1 - np.exp(-5.0 / 52 * (1 + np.expm1(p_.termination_skill_gap_effect * gap) * (1 - caught))))
    n_ended = sum(len(who) for who, _ in world.pending_terminations)
    assert abs(n_ended / n - q) < 4 * np.sqrt(q * (1 - q) / n)


@pytest.mark.parametrize("coordination", [0.0, 1.0])
def test_knowledge_finds_fitting_posts_with_the_firms_known_best_first(coordination):
    world = _placement_world(**{"intake.n_sectors": 3, "contact.placement_fit_gain": 1.0})
    s, ent = world.students, world.enterprises
    ent.sector[:] = [0, 0, 1, 1, 2, 2]
    s.sector[:] = 0  # everyone wants sector 0, whose two firms cannot take them all
    ent.coordination[:] = 0.0
    ent.coordination[4] = coordination  # the school knows firm 4's posts (or no firm's)
    place_apprentices(world)
    cross = (s.host >= 0) & (ent.sector[np.maximum(s.host, 0)] != s.sector)
    assert cross.any()
    # fitting posts are found exactly where the school knows the firm (knowledge 1 there, 0 elsewhere)
    np.testing.assert_array_equal(s.sector_fit[cross], s.host[cross] == 4 if coordination else False)
    if coordination:  # firm 4 is offered first in every round of the pass over any sector
        per_firm = np.bincount(s.host[cross], minlength=ent.n)
        assert per_firm[4] == per_firm.max() > 0


# --------------------------------------------------------------------------- labour market


def test_host_offers_respect_vacancies_bar_and_rank():
    world = small_world(9, **{"labour_market.further_study_share_higher": 0.0, "labour_market.not_seeking_share": 0.0})
    s, ent = world.students, world.enterprises
    s.stage[:] = INTERN
    s.host[:] = np.arange(s.n) % ent.n
    value = np.linspace(30.0, 90.0, s.n)
    s.theory[:] = value
    s.practical_skill[:] = value
    s.professionalism[:] = value  # composite == value
    vacancies = np.array([0, 1, 2, 3, 100, 5], dtype=np.int32)
    ent.vacancies[:] = vacancies
    world.week = 155 - 16
    _host_decisions(world, slice(0, s.n))
    offered = s.offered_by_host
    bar = host_bar(world, s.host)
    assert (value[offered] >= bar[offered]).all()
    for firm in range(ent.n):
        mine = s.host == firm
        eligible = mine & (value >= bar)
        n_off = np.count_nonzero(mine & offered)
        assert n_off == min(vacancies[firm], np.count_nonzero(eligible))
        if n_off and np.count_nonzero(eligible & ~offered):
            assert value[mine & offered].min() >= value[eligible & ~offered].max()  # best first
    np.testing.assert_array_equal(ent.vacancies, vacancies - np.bincount(s.host[offered], minlength=ent.n))
    assert world.counters.host_offers == np.count_nonzero(offered)
    assert (s.host_at_decision == s.host).all()


def test_host_offers_none_above_an_impossible_bar():
    world = small_world(9, **{"labour_market.host_hire_bar_points": 101.0})
    s = world.students
    s.stage[:] = INTERN
    s.host[:] = np.arange(s.n) % world.enterprises.n
    s.theory[:] = s.practical_skill[:] = s.professionalism[:] = 100.0
    world.enterprises.vacancies[:] = 100
    _host_decisions(world, slice(0, s.n))
    assert not s.offered_by_host.any()


# --------------------------------------------------------------------------- participation


def test_participation_probability_closed_form_and_monotone():
    world = small_world(10)
    ent = world.enterprises
    ent.participating[:] = False
    cost = np.linspace(-20_000, 40_000, ent.n)
    p = participation_probability(world, cost)
    pp = world.scenario.participation
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(ent.willingness - pp.net_cost_sensitivity_per_10k_yuan
                                                      * cost / 10_000))))
    same = participation_probability(world, np.full(ent.n, 5000.0))
    assert (participation_probability(world, np.full(ent.n, 0.0)) > same).all()


def test_the_subsidy_follows_the_programme_kind_and_raises_participation():
    apprenticeship = {"enterprises.count": 2000, "programme.kind": "enterprise_apprenticeship"}
    plain = small_world(11, **{**apprenticeship, "incentives.apprentice_subsidy_yuan_per_year": 0.0,
                               "incentives.apprentice_subsidy_certificate_bonus_yuan_per_year": 0.0})
    subsidised = small_world(11, **apprenticeship)
    inc = subsidised.scenario.incentives
    per_week = (inc.apprentice_subsidy_yuan_per_year + inc.apprentice_subsidy_certificate_bonus_yuan_per_year) / 52
    assert ex_ante_net_cost_per_week(subsidised) == pytest.approx(ex_ante_net_cost_per_week(plain) - per_week)
    # a school-based programme's apprentices are students: no subsidy, whatever its amount
    school = small_world(11, **{"enterprises.count": 2000})
    school_unpaid = small_world(11, **{"enterprises.count": 2000, "incentives.apprentice_subsidy_yuan_per_year": 0.0})
    assert ex_ante_net_cost_per_week(school) == ex_ante_net_cost_per_week(school_unpaid)
    for world in (plain, subsidised):
        world.enterprises.participating[:] = False
        world.enterprises.review_week[:] = 0  # every firm reviews at the year start
        world.week = 52
        decide_participation(world)
    joined, joined_sub = plain.enterprises.participating, subsidised.enterprises.participating
    assert joined_sub.mean() > joined.mean() + 0.05
    assert not (joined & ~joined_sub).any()  # same luck per firm: a firm that joins unsubsidised joins subsidised


def test_the_subsidy_is_paid_at_completion_by_trainee_years_and_certificate():
    from sim.mechanisms.funding import completion_subsidies
    world = small_world(12, **{"programme.kind": "enterprise_apprenticeship"})
    s = world.students
    world.week = int(world.graduation_week()[0])
    s.stage[:] = INTERN
    completing = np.flatnonzero(world.graduation_week() == world.week)[:3]
    s.host[completing] = [0, 0, 1]
    s.accounts_host[completing] = s.host[completing]  # the weeks counted are those with the current host
    s.hosted_weeks[completing] = [52, 26, 52]
    s.accounts_host[completing] = [0, 0, 1]  # the weeks were with the completing host
    s.certificates[completing] = [1, 0, 0]
    inc = world.scenario.incentives
    claims = completion_subsidies(world)
    year, bonus = inc.apprentice_subsidy_yuan_per_year, inc.apprentice_subsidy_certificate_bonus_yuan_per_year
    assert claims[0] == pytest.approx((year + bonus) + year / 2)
    assert claims[1] == pytest.approx(year)
    assert claims[2:].sum() == 0.0
    world.week -= 1  # nobody completes the week before
    assert completion_subsidies(world).sum() == 0.0
    school = small_world(12)
    school.week = world.week + 1
    school.students.stage[:] = INTERN
    school.students.host[completing] = [0, 0, 1]
    assert completion_subsidies(school).sum() == 0.0


def test_a_hire_saving_counts_once_per_expected_hire():
    world = small_world(13, **{"enterprises.count": 4})
    ent = world.enterprises
    firms = np.arange(ent.n)
    ent.last_net_cost_per_apprentice_week[:] = 100.0
    saving = world.scenario.participation.hiring_cost_saved_yuan_per_hire
    weeks = int(np.count_nonzero(world.calendar.location == E))
    prior = world.scenario.participation.prior_hire_rate
    np.testing.assert_allclose(expected_net_cost(world, firms), 100.0 * weeks - saving * prior)
    ent.placements_ended[:] = [4, 2, 0, 0]
    ent.hires_from_placements[:] = [2, 2, 0, 0]
    mean = 4 / 6  # the programme's mean for the firms without their own rate
    np.testing.assert_allclose(expected_net_cost(world, firms),
                               100.0 * weeks - saving * np.array([0.5, 1.0, mean, mean]))
    # the same hire rate and weekly cost: a longer placement costs more, the saving per hire does not grow
    longer = small_world(13, **{"enterprises.count": 4, "calendar.schedule": "1.5+1.5"})
    longer.enterprises.last_net_cost_per_apprentice_week[:] = 100.0
    more_weeks = int(np.count_nonzero(longer.calendar.location == E))
    assert more_weeks > weeks
    np.testing.assert_allclose(expected_net_cost(longer, firms), 100.0 * more_weeks - saving * prior)


# --------------------------------------------------------------------------- incentives


def test_mentor_effort_known_values():
    assert mentor_effort(0.5, 1000.0, 1.0, 0.15) == pytest.approx(0.65)
    assert mentor_effort(0.5, 1000.0, 0.5, 0.15) == pytest.approx(0.575)
    assert mentor_effort(0.5, 1000.0, 0.0, 0.15) == pytest.approx(0.5)
    assert mentor_effort(0.5, 0.0, 1.0, 0.15, 0.1) == pytest.approx(0.6)
    np.testing.assert_allclose(mentor_effort(0.5, 0.0, 1.0, 0.15, np.array([0.0, 0.1])), [0.5, 0.6])
    assert mentor_effort(0.9, 5000.0, 1.0, 0.15) == 1.0
    efforts = [mentor_effort(0.5, a, 1.0, 0.15) for a in (0, 500, 1000, 2000)]
    assert efforts == sorted(efforts) and efforts[0] < efforts[-1]


def test_effort_falls_to_base_when_unfunded():
    world = small_world(12, **{"incentives.enterprise_mentor_salary_subsidy_yuan_per_month": 1000.0})
    sc = world.scenario
    world.this_week.funded = ByUse.filled(1.0)
    update_mentor_effort(world)
    assert (world.school_mentors.effort > sc.school_mentors.base_effort).all()
    assert world.enterprise_mentors.effort == pytest.approx(
        sc.enterprise_mentors.base_effort + 0.15 * (sc.enterprise_mentors.remuneration_yuan_per_month + 1000) / 1000)
    world.this_week.funded = needs(school_mentor_remuneration=0.0, enterprise_mentor_remuneration=0.0, fill=1.0)
    update_mentor_effort(world)
    np.testing.assert_allclose(world.school_mentors.effort, sc.school_mentors.base_effort)
    np.testing.assert_allclose(world.enterprise_mentors.effort, sc.enterprise_mentors.base_effort)


# (issue "The headline comparison from mechanisms", item 6: honours go to a stated share of mentors ranked by their
# mentees' results; career development acts through its own channel, mentor turnover)


def test_honours_go_to_the_stated_share_of_mentors_whose_mentees_score_best():
    posts = small_world(12, **{"intake.cohort_size": 200}).school_mentors  # 10 posts
    assert posts.n == 10
    posts.vacant_until[:] = -1
    posts.vacant_until[3] = 1000  # a vacant post is not ranked
    mentor_of = np.array([0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9])
    scores = np.array([50, 70, 90, 80, 40, 99, 99, 10, 65, 65, 60, 55, 75, 20], dtype=float)
    honoured = best_by_mentees(posts, mentor_of, scores, 0.25, week=0)
    # ranked: posts 0-2 and 4-9 (9 posts with mentees, post 3 vacant): a quarter of 9 is 2 (2.25 rounds to 2)
    assert honours_count(0.25, 9) == 2 and honours_count(0.1, 15) == 2 and honours_count(0.1, 4) == 0
    assert np.flatnonzero(honoured).tolist() == [1, 8]  # means 85 and 75; post 3 (99) is vacant
    assert not best_by_mentees(posts, mentor_of, scores, 0.0, week=0).any()


def test_only_the_honoured_mentors_make_more_effort():
    model = TalentModel(None, seed=4, mesa_agents=False, **{**SMALL, "intake.cohort_size": 200,
                                                           "incentives.mentor_honours": True,
                                                           "incentives.honours_share": 0.1})
    for _ in range(53):  # week 52: the first honours, for the second year
        model.step()
    w = model.world
    sm, sc = w.school_mentors, w.scenario
    ranked = np.count_nonzero(np.bincount(w.students.school_mentor[w.students.in_programme()], minlength=sm.n)
                              * sm.active(52))
    assert sm.honoured.sum() == honours_count(0.1, ranked) > 0
    plain = mentor_effort(sc.school_mentors.base_effort, sc.school_mentors.remuneration_yuan_per_month,
                          w.this_week.funded.school_mentor_remuneration, sc.incentives.effort_per_1000_yuan_month)
    np.testing.assert_allclose(sm.effort[~sm.honoured], plain)
    np.testing.assert_allclose(sm.effort[sm.honoured], plain + sc.incentives.honours_effort)
    # the honoured are those whose mentees score best
    s = w.students
    mine = s.in_programme()
    mean = np.bincount(s.school_mentor[mine], weights=composite_score(s, sc.evaluation, mine), minlength=sm.n) / \
        np.maximum(np.bincount(s.school_mentor[mine], minlength=sm.n), 1)
    assert mean[sm.honoured].min() >= mean[~sm.honoured & sm.active(52)].max()


def test_a_mentor_who_leaves_takes_the_honour_with_it():
    world = small_world(12, **{"intake.cohort_size": 200})
    sm = world.school_mentors
    world.week = 60  # the honours were given at week 52
    sm.vacant_until[:] = -1
    sm.vacant_until[1] = 68  # left in week 60, refilled in week 68
    honoured = np.zeros(sm.n, dtype=bool)
    honoured[[0, 1]] = True
    assert holds_honour(world, sm, honoured).tolist() == [True] + [False] * (sm.n - 1)
    world.week = 70  # refilled: the new mentor was not honoured either
    assert not holds_honour(world, sm, honoured)[1]


def test_career_development_lowers_mentor_turnover_not_effort():
    counts = {}
    for career in (False, True):
        world = small_world(7, **{"incentives.career_development": career,
                                  "incentives.career_turnover_factor": 0.5,
                                  "school_mentors.turnover_rate_per_year": 2.0,
                                  "enterprise_mentors.turnover_rate_per_year": 2.0})
        world.this_week.funded = ByUse.filled(1.0)
        update_mentor_effort(world)
        effort = (world.school_mentors.effort.copy(), world.enterprise_mentors.effort.copy())
        left = 0
        for week in range(1, 53):
            world.week = week
            before = world.school_mentors.vacant_until.copy(), world.enterprise_mentors.vacant_until.copy()
            turn_over_mentors(Batch([world]))
            left += int(np.count_nonzero(world.school_mentors.vacant_until != before[0]))
            left += int(np.count_nonzero(world.enterprise_mentors.vacant_until != before[1]))
        counts[career] = (left, effort)
    assert counts[True][0] < 0.75 * counts[False][0]  # about half as many leave
    for on, off in zip(counts[True][1], counts[False][1], strict=True):
        np.testing.assert_array_equal(on, off)  # and nobody works harder for it


def test_honours_and_career_development_act_through_their_own_channels():
    common = {**MENTOR_SMALL_RUN, "school_mentors.students_per_mentor": 30.0}
    e = {}
    for label, overrides in (("none", {}), ("honours", {"incentives.mentor_honours": True}),
                             ("career", {"incentives.career_development": True})):
        e[label] = [run_one(None, seed=seed, students=False, **{**common, **overrides}).summary for seed in range(3)]

    def mean(label, outcome):
        return float(np.mean([r[outcome] for r in e[label]]))

    # career development: fewer vacant posts; honours: the same vacancies, more guidance from the honoured
    assert mean("career", "school_mentor_vacancy_share") < mean("none", "school_mentor_vacancy_share")
    assert mean("career", "enterprise_mentor_vacancy_share") < mean("none", "enterprise_mentor_vacancy_share")
    assert mean("honours", "school_mentor_vacancy_share") == mean("none", "school_mentor_vacancy_share")
    assert mean("honours", "mean_composite_score") > mean("none", "mean_composite_score")
    assert mean("honours", "mean_composite_score") != mean("career", "mean_composite_score")


MENTOR_SMALL_RUN = {**SMALL, "intake.cohort_size": 150, "intake.n_cohorts": 2, "simulation.horizon_years": 5,
                    "enterprises.count": 15}


# --------------------------------------------------------------------------- mentor selection (issue 10: rules act)


def test_eligible_share_and_candidate_search_known_answers():
    assert eligible_share(3.0, 8.0) == pytest.approx(np.exp(-3.0 / 8.0))
    assert eligible_share(0.0, 8.0) == 1.0
    u = np.random.default_rng(1).random(200_000)
    j = candidates_before_eligible(u, 0.4)
    for k in range(5):  # geometric: P(J >= k) = (1 - p)^k
        assert np.mean(j >= k) == pytest.approx(0.6**k, abs=0.005)
    assert j.mean() == pytest.approx(0.6 / 0.4, rel=0.02)
    np.testing.assert_array_equal(candidates_before_eligible(u[:5], 1.0), 0)
    assert np.isinf(candidates_before_eligible(u[:5], 0.0)).all()
    # candidates at hand are seen first: outside rounds only when none of them is eligible
    np.testing.assert_array_equal(outside_rounds(np.array([0.1, 0.5, 0.9, 0.99]), 0.5, 2), [0, 0, 2, 5])
    np.testing.assert_array_equal(outside_rounds(np.array([0.9, 0.9]), 0.5, np.array([1, 5])), [3, 0])


def test_filled_from_counts_one_delay_per_outside_round_within_the_horizon():
    np.testing.assert_array_equal(filled_from(10, 8, np.array([0.0, 1.0, 3.0, np.inf]), 100), [10, 18, 34, 100])
    np.testing.assert_array_equal(filled_from(10, 0, np.array([0.0, np.inf]), 100), [10, 10])  # no delay


def test_stricter_teaching_rule_abler_mentors_and_more_vacant_posts():
    lax = small_world(5, **{"school_mentors.min_teaching_years": 1.0, "school_mentors.students_per_mentor": 2})
    strict = small_world(5, **{"school_mentors.min_teaching_years": 6.0, "school_mentors.students_per_mentor": 2})
    a, b = lax.school_mentors, strict.school_mentors
    # the same candidates (common random numbers): 5 more years for every selected mentor ...
    np.testing.assert_allclose(b.teaching_years - a.teaching_years, 5.0)
    # ... so a smaller novice shortfall: quality up by gap x (exp(-y/2) - exp(-(y+5)/2)) where not clipped
    gap = 0.05
    expected = gap * (np.exp(-a.teaching_years / TEACHING_EXPERIENCE_YEARS)
                      - np.exp(-b.teaching_years / TEACHING_EXPERIENCE_YEARS))
    inside = (a.teaching_quality > 0.02) & (b.teaching_quality < 1.0)
    np.testing.assert_allclose((b.teaching_quality - a.teaching_quality)[inside], expected[inside], atol=1e-12)
    # ... from a smaller pool: every post waits at least as long, and some longer
    assert (b.vacant_until >= a.vacant_until).all() and (b.vacant_until > a.vacant_until).any()
    assert (a.vacant_until[a.vacant_until >= 0] % 8 == 0).all()  # whole outside rounds of 8 weeks


def test_many_teachers_at_hand_fill_every_post_from_the_start():
    world = small_world(5, **{"school_mentors.candidates_per_post": 1000, "school_mentors.students_per_mentor": 2})
    assert (world.school_mentors.vacant_until == -1).all()


def test_a_firms_post_staff_are_its_candidates_at_hand():
    np.testing.assert_array_equal(workers_at_hand(np.array([40, 7, 3]), np.array([0, 0, 0, 0, 1, 2])),
                                  [10, 10, 10, 10, 7, 3])
    np.testing.assert_array_equal(workers_at_hand(np.array([2]), np.array([0, 0, 0])), [1, 1, 1])  # at least one


def test_stricter_frontline_rule_more_skill_and_vacancies_at_replacement():
    def world(min_years):
        return small_world(8, **{"enterprise_mentors.min_frontline_years": min_years,
                                 "enterprise_mentors.turnover_rate_per_year": 1e4,  # every post leaves at once
                                 "enterprises.staff_median": 60.0, "enterprises.count": 40})
    lax, strict = world(1.0), world(20.0)
    a, b = lax.enterprise_mentors, strict.enterprise_mentors
    np.testing.assert_allclose(b.frontline_years - a.frontline_years, 19.0)
    assert (b.technical_skill >= a.technical_skill).all() and b.technical_skill.mean() > a.technical_skill.mean()
    assert (b.vacant_until >= a.vacant_until).all()  # a smaller pool: set-up waits at least as long
    left = a.active(3) & b.active(3)
    for w in (lax, strict):
        w.week = 3
        turn_over_mentors(Batch([w]))
    # a replacement takes one delay when a worker at hand qualifies, one more per outside recruit
    assert (a.vacant_until[left] >= 3 + 8).all() and (b.vacant_until[left] >= a.vacant_until[left]).all()
    assert np.mean(b.vacant_until[left] > 3 + 8) > np.mean(a.vacant_until[left] > 3 + 8) + 0.2


def test_post_staff_shares_vary_around_their_mean():
    from sim.engine.streams import RandomStreams as Streams
    sc = resolve_scenario(None, {"enterprises.count": 20_000})
    shares = post_staff_shares(sc, Streams(3), 20_000)
    assert shares.mean() == pytest.approx(0.3, abs=0.005)
    assert np.mean(shares > 0.5) == pytest.approx(0.18, abs=0.01)  # Beta(1.2, 2.8)
    alike = resolve_scenario(None, {"enterprises.count": 10, "enterprises.post_staff_share_concentration": 10_000})
    np.testing.assert_allclose(post_staff_shares(alike, Streams(3), 10), 0.3, atol=0.02)
    whole = resolve_scenario(None, {"enterprises.count": 10, "enterprises.post_staff_share": 1.0})
    np.testing.assert_array_equal(post_staff_shares(whole, Streams(3), 10), 1.0)


def test_both_internship_caps_bind_for_some_firms_at_the_defaults():
    ent = build_world(resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 10}), seed=1).enterprises
    firm_cap = np.floor(0.10 * ent.staff + 1e-9)
    post_cap = np.floor(0.20 * ent.post_staff + 1e-9)
    binding = np.minimum(firm_cap, post_cap) == ent.capacity
    assert (binding & (firm_cap < post_cap)).any(), "the 10% firm cap binds nowhere"
    assert (binding & (post_cap < firm_cap)).any(), "the 20% post cap binds nowhere"
    wider = build_world(resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 10,
                                                                     "enterprises.firm_intern_cap_share": 0.2}),
                        seed=1).enterprises
    assert (wider.capacity >= ent.capacity).all() and wider.capacity.sum() > ent.capacity.sum()


# --------------------------------------------------------------------------- mentor development


def test_two_way_training_moves_skills_toward_one():
    world = small_world(13, **{"mentor_development.school_mentor_practice_share_per_year": 1.0,
                               "mentor_development.enterprise_mentor_training_share_per_year": 1.0,
                               "mentor_development.practice_gain": 0.25,
                               "mentor_development.pedagogy_gain": 0.2})
    sm, em = world.school_mentors, world.enterprise_mentors
    practical, pedagogy = sm.practical_skill.copy(), em.pedagogical_skill.copy()
    for week in (0, 1, 51):  # no training outside year starts after the first
        world.week = week
        train_mentors(world)
    np.testing.assert_array_equal(sm.practical_skill, practical)
    world.week = 52
    train_mentors(world)
    np.testing.assert_allclose(sm.practical_skill, practical + 0.25 * (1 - practical))
    np.testing.assert_allclose(em.pedagogical_skill, pedagogy + 0.2 * (1 - pedagogy))
    assert sm.dual_qualified.all()
    for _ in range(30):
        world.week += 52
        train_mentors(world)
    assert (sm.practical_skill <= 1.0).all() and (sm.practical_skill > 0.99).all()
    assert (em.pedagogical_skill <= 1.0).all() and (em.pedagogical_skill > 0.99).all()


# (issue "The headline comparison from mechanisms", item 6: teachers' enterprise practice takes teaching hours or
# pays a substitute)

PRACTICE = {**SMALL, "intake.cohort_size": 80, "intake.n_cohorts": 2, "school_mentors.turnover_rate_per_year": 0.0,
            "mentor_development.school_mentor_practice_share_per_year": 1.0,
            "mentor_development.practice_weeks_per_year": 4}


def _in_practice(week: int, **overrides):
    model = TalentModel(None, seed=3, mesa_agents=False, **{**PRACTICE, **overrides})
    for _ in range(week + 1):
        model.step()
    return model.world


def test_school_mentors_in_practice_are_away_for_the_stated_weeks():
    w = _in_practice(52)  # the second year starts: every filled post practises (share 1)
    sm = w.school_mentors
    assert (sm.practice_until[sm.active(52)] == 56).all()
    assert (away_in_practice(w.school_mentors, w.week) == sm.active(52)).all()
    w = _in_practice(56)
    assert not away_in_practice(w.school_mentors, w.week).any()  # back after four weeks


def test_a_paid_substitute_keeps_the_guidance_and_costs_the_school_fund():
    paid = _in_practice(52)
    unpaid = _in_practice(52, **{"funding.earmarks.practice_substitutes": []})  # the school pays no substitute
    need = paid.ledger.week_need[USES.index("practice_substitutes")]
    away = int(np.count_nonzero(mentors_away_teaching(Batch([paid]), school_mentor_posts(Batch([paid])))))
    assert away > 0
    assert need == pytest.approx(away * paid.scenario.mentor_development.substitute_yuan_per_teacher_week)
    spent = paid.ledger.spent[SOURCES.index("school_special_fund"), USES.index("practice_substitutes")]
    assert spent == pytest.approx(need)  # one week's substitutes, from the school special fund
    assert unpaid.ledger.spent[:, USES.index("practice_substitutes")].sum() == 0.0
    at_school = (paid.students.location == S) & (paid.students.school_mentor >= 0)
    no_practice = _in_practice(52, **{"mentor_development.school_mentor_practice_share_per_year": 0.0})
    np.testing.assert_allclose(paid.students.guidance_school[at_school],  # the substitute gives the mentor's hours
                               no_practice.students.guidance_school[at_school])
    assert (unpaid.students.guidance_school[at_school] == 0.0).all()  # unpaid: the hours are lost
    assert unpaid.counters.teacher_weeks_uncovered == unpaid.counters.teacher_weeks_in_practice == away
    assert paid.counters.teacher_weeks_uncovered == 0.0


def test_practice_without_substitutes_costs_skills_and_with_them_money():
    runs = {label: run_one(None, seed=5, students=False, **{**PRACTICE, **overrides}).summary
            for label, overrides in (("paid", {}), ("unpaid", {"funding.earmarks.practice_substitutes": []}))}
    paid, unpaid = runs["paid"], runs["unpaid"]
    assert paid["spent_practice_substitutes_yuan"] == pytest.approx(
        paid["teacher_weeks_in_practice"] * 2300.0)
    assert unpaid["spent_practice_substitutes_yuan"] == 0.0
    assert unpaid["teacher_weeks_in_practice_uncovered"] > 0
    assert unpaid["mean_composite_score"] < paid["mean_composite_score"]
    assert unpaid["public_cost_yuan"] < paid["public_cost_yuan"]


# --------------------------------------------------------------------------- random streams


def test_streams_same_name_and_week_same_draws():
    a, b = RandomStreams(42), RandomStreams(42)
    np.testing.assert_array_equal(a.uniform("attrition.dropout", 7, 50), b.uniform("attrition.dropout", 7, 50))
    np.testing.assert_array_equal(a.normal("learning.shock", 7, 50), a.normal("learning.shock", 7, 50))


def test_streams_differ_by_name_week_and_seed():
    st = RandomStreams(42)
    base = st.uniform("attrition.dropout", 7, 50)
    assert not np.allclose(base, st.uniform("attrition.termination", 7, 50))
    assert not np.allclose(base, st.uniform("attrition.dropout", 8, 50))
    assert not np.allclose(base, RandomStreams(43).uniform("attrition.dropout", 7, 50))


def test_streams_prefix_property():
    st = RandomStreams(7)
    for n_small in (1, 10, 99):
        np.testing.assert_array_equal(st.uniform("x", 3, 100)[:n_small], st.uniform("x", 3, n_small))
        np.testing.assert_array_equal(st.normal("y", 3, 100)[:n_small], st.normal("y", 3, n_small))


def test_streams_fill_writes_the_draws_they_return():
    # the batch writes each run's draws straight into its block (RandomStreams.fill): the same numbers
    st = RandomStreams(7)
    for n in (1, 10, 2100):
        block = np.full(n + 3, -1.0)
        st.fill("uniform", "x", 3, block[2:2 + n])
        np.testing.assert_array_equal(block[2:2 + n], st.uniform("x", 3, n))
        st.fill("normal", "y", 3, block[2:2 + n])
        np.testing.assert_array_equal(block[2:2 + n], st.normal("y", 3, n))
        assert block[0] == block[1] == block[-1] == -1.0


def test_stream_key_is_stable_crc32():
    assert stream_key("learning.shock") == zlib.crc32(b"learning.shock") == 1863658265


# --------------------------------------------------------------------------- the enterprise side (issue 10)
# host satisfaction, yearly reviews, the ex-ante expectation, the hiring-decision week


def test_host_rating_known_answer():
    from sim.mechanisms.attrition import post_need
    from sim.mechanisms.evaluation import HOST_PARTS, host_index, host_rating_parts, rate_by_hosts
    world = small_world(21)
    s, ent = world.students, world.enterprises
    who = np.array([0, 1])
    s.host[who] = [2, 2]
    need = float(post_need(world.enterprises.post_level[np.array([2])])[0])
    s.practical_skill[who] = [need / 2, need * 3]  # half the post's need; more than it
    s.professionalism[who] = [80.0, 40.0]
    s.theory[who] = [0.0, 100.0]  # theory enters no part
    s.hosted_output_yuan[who] = [300.0, 900.0]
    s.hosted_cost_yuan[who] = [600.0, 600.0]
    parts = host_rating_parts(world, who, retained=np.array([True, False]))
    np.testing.assert_allclose(parts, [[0.5, 1.0], [0.8, 0.4], [0.5, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(host_index(world.scenario.evaluation, parts), [0.7, 0.6])
    rate_by_hosts(world, who, retained=np.array([True, False]))
    assert ent.satisfaction_count[2] == 2 and ent.satisfaction()[2] == pytest.approx(0.65)
    for k, part in enumerate(HOST_PARTS):
        assert getattr(ent, f"satisfaction_{part}_sum")[2] == pytest.approx(parts[k].sum())
    weighted = resolve_scenario(None, {**SMALL, "evaluation.host_retention_weight": 0.75}).evaluation
    np.testing.assert_allclose(host_index(weighted, parts), [(0.5 + 0.8 + 0.5 + 3 * 1.0) / 6,
                                                             (1.0 + 0.4 + 1.0 + 0.0) / 6])


def test_every_firm_reviews_once_a_year_in_its_own_week():
    world = small_world(22, **{"enterprises.count": 300})
    ent = world.enterprises
    for week in range(0, 2 * 52 + 1):
        world.week = week
        decide_participation(world)
    assert world.counters.reviews == 2 * ent.n  # weeks 1-104: every firm twice
    assert ((ent.review_week >= 0) & (ent.review_week < 52)).all()
    assert len(np.unique(ent.review_week)) > 40  # spread over the year
    assert len(world.counters.participation_years) == 3  # weeks 0, 52 and 104


def test_a_leaving_firm_takes_no_one_new_and_its_apprentices_finish_their_term():
    from sim.mechanisms.placement import end_terms_with_withdrawn_hosts
    world = small_world(23, **{"participation.willingness_log_odds": -50.0})  # every firm leaves
    s, ent = world.students, world.enterprises
    s.stage[:] = INTERN
    s.host[:] = np.arange(s.n) % ent.n
    ent.participating[:] = True
    decide_participation(world)  # week 0: draws the review weeks, no review
    ent.review_week[:] = 30
    world.week = 30
    decide_participation(world)
    assert not ent.participating.any()
    assert world.pending_terminations == []  # the agreements run on
    np.testing.assert_array_equal(s.host, np.arange(s.n) % ent.n)
    assert (free_places(world) == 0).all()  # but no one new is placed
    # at the next enterprise period's round the placements end at term, not as dissolutions
    cohort = world.cohort(0)
    world.week = int(world.students.enrol_week[0]) + int(np.flatnonzero(world.calendar.location == E)[0])
    end_terms_with_withdrawn_hosts(world, 0)
    assert (s.host[cohort] == NO_ONE).all() and (s.host[cohort.stop:] >= 0).all()
    assert world.counters.terms_ended_host_withdrew == cohort.stop - cohort.start
    assert world.counters.dissolutions == 0
    assert ent.placements_ended.sum() == cohort.stop - cohort.start
    assert (s.location[cohort] != E).all()  # not at a firm without a host


def test_planned_skill_path_follows_the_learning_rule():
    from sim.mechanisms.participation import planned_practical_skill
    world = small_world(24)
    path = planned_practical_skill(world)
    assert len(path) == world.calendar.programme_weeks
    away = world.calendar.location == A
    np.testing.assert_array_equal(np.diff(path)[away[1:]], 0.0)  # holidays teach nothing
    assert (np.diff(path) >= 0).all() and path[-1] < 100.0
    # the closed form is the weekly rule x' = x + gain (1 - x / 100)
    gains = (path[1:] - path[:-1]) / (1.0 - path[:-1] / 100.0)
    x = path[0]
    for g in gains:
        x = min(100.0, x + g * (1.0 - x / 100.0))
    assert x == pytest.approx(path[-1])
    faster = planned_practical_skill(small_world(24, **{"learning.practical_skill_points_per_week": 4.8}))
    assert faster[-1] > path[-1]


def test_the_remembered_ex_ante_expectation_follows_a_parameter_set_on_a_running_model():
    # ex_ante_net_cost_per_week remembers its answer per (scenario, calendar): a changed value must be seen
    from sim.mechanisms.participation import _ex_ante_net_cost_per_week
    world = small_world(25)
    before = ex_ante_net_cost_per_week(world)
    assert ex_ante_net_cost_per_week(world) == before == _ex_ante_net_cost_per_week(world)
    world.scenario.participation.skilled_output_yuan_per_week *= 1.5  # a section's value
    after = ex_ante_net_cost_per_week(world)
    assert after == _ex_ante_net_cost_per_week(world) and after < before
    world.scenario.funding.earmarks.enterprise_mentor_remuneration = ["government"]  # a nested section's value
    world.scenario.enterprise_mentors.hourly_cost_yuan += 10.0
    assert ex_ante_net_cost_per_week(world) == _ex_ante_net_cost_per_week(world) > after


def test_ex_ante_expectation_is_the_accounts_formula_on_the_planned_path():
    from sim.mechanisms.enterprise_accounts import week_accounts
    from sim.mechanisms.funding import MONTHS_PER_WEEK
    from sim.mechanisms.participation import planned_practical_skill, planned_weeks_per_placement
    world = small_world(25)
    sc = world.scenario
    weeks = np.flatnonzero(world.calendar.location == E)
    np.testing.assert_array_equal(weeks, np.arange(104, 156))  # 2+1: the third year
    assert planned_weeks_per_placement(world.calendar) == 52
    skill = planned_practical_skill(world)[weeks]
    em = sc.enterprise_mentors
    pp = sc.participation
    allowance = em.remuneration_yuan_per_month * MONTHS_PER_WEEK / em.apprentices_per_mentor \
        if sc.funding.firms_pay_mentor_allowance else 0.0
    pay = pp.internship_pay_share_of_post_wage * pp.post_wage_yuan_per_week  # school-based: an intern's pay
    cost = pay + pp.consumables_yuan_per_apprentice_week + \
        em.desired_hours_per_apprentice_week * em.hourly_cost_yuan + allowance
    output = pp.productive_time_share * skill / 100.0 * pp.skilled_output_yuan_per_week
    assert ex_ante_net_cost_per_week(world) == pytest.approx(np.mean(cost - output))
    week = week_accounts(sc, 1.0, em.desired_hours_per_apprentice_week, skill, allowance)
    assert ex_ante_net_cost_per_week(world) == pytest.approx(np.mean(np.asarray(week.cost) - np.asarray(week.output)))
    # the formula is linear: a firm's week is the sum of its apprentices' weeks
    firm = week_accounts(sc, 3.0, 6.0, skill[:3].sum(), 90.0)
    each = [week_accounts(sc, 1.0, 2.0, x, 30.0) for x in skill[:3]]
    for k, total in enumerate(firm):
        assert total == pytest.approx(sum(float(w[k]) for w in each))
    # an employee of an enterprise apprenticeship is paid the post's wage
    employee = small_world(25, **{"programme.kind": "enterprise_apprenticeship"})
    employee_week = week_accounts(employee.scenario, 1.0, 0.0, 0.0, 0.0)
    assert employee_week.cost == pytest.approx(pp.post_wage_yuan_per_week + pp.consumables_yuan_per_apprentice_week)


def test_the_tax_credit_never_exceeds_the_surcharges_and_carries_forward():
    from sim.mechanisms.tax_credit import EDUCATION_SURCHARGE_RATE, credit_week
    world = small_world(26, **{"enterprises.count": 3, "incentives.certified_enterprise_share": 1.0,
                               "participation.vat_yuan_per_employee_year": 1000.0})
    ent = world.enterprises
    assert ent.certified.all()
    surcharge = EDUCATION_SURCHARGE_RATE * 1000.0 * ent.staff  # a year's cap of each firm
    share = world.scenario.incentives.tax_credit_share
    investment = surcharge / share * 0.75  # each week, credit worth three quarters of the year's cap
    credited = np.zeros(ent.n)
    for week in range(52):
        world.week = week
        credited += credit_week(Batch([world]), investment)
    np.testing.assert_allclose(credited, surcharge)  # capped by the year's surcharges
    np.testing.assert_allclose(ent.tax_credit_pool_yuan, 52 * share * investment - surcharge)  # the rest carried
    world.week = 52  # a new year: the carried credit is used against the new year's surcharges
    np.testing.assert_allclose(credit_week(Batch([world]), np.zeros(ent.n)), surcharge)
    # a firm not on the list credits nothing
    plain = small_world(26, **{"enterprises.count": 3})
    assert not plain.enterprises.certified.any()
    assert credit_week(Batch([plain]), np.full(3, 1e6)).sum() == 0.0


def test_hosts_decide_once_they_have_seen_the_apprentice_work():
    from sim.mechanisms.labour_market import host_decision_week, search_start_week
    for lead in (12, 16):
        lm = resolve_scenario(None, {"labour_market.job_search_weeks_before_graduation": lead}).labour_market
        two_plus_one = build_calendar(CalendarParams(schedule="2+1"))
        assert host_decision_week(two_plus_one, lm) == search_start_week(two_plus_one, lm) == 155 - lead
        alternating = build_calendar(CalendarParams(schedule="alternating"))  # final half-year from week 130
        assert host_decision_week(alternating, lm) == 155 - lead
        traditional = build_calendar(CalendarParams(schedule="school_only", internship_weeks=12))  # weeks 144-155
        assert host_decision_week(traditional, lm) == 144 + lm.host_min_observation_weeks - 1 == 151
        short = build_calendar(CalendarParams(schedule="school_only", internship_weeks=4))  # weeks 152-155
        assert host_decision_week(short, lm) == 155  # at the latest, the period's last week


# --------------------------------------------------------------------------- level, initial employment, places


def test_initial_employment_is_counted_at_its_cut_off():
    import sim
    base = {"intake.cohort_size": 120, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 12}
    at_graduation = sim.run_one("scenarios/baseline.yaml", seed=3, students=False,
                                **{**base, "labour_market.initial_employment_cutoff_weeks": 0}).summary
    assert at_graduation["initial_employment_rate"] == at_graduation["employment_rate_at_graduation"]
    at_six_months = sim.run_one("scenarios/baseline.yaml", seed=3, students=False,
                                **{**base, "labour_market.initial_employment_cutoff_weeks": 26}).summary
    assert at_six_months["initial_employment_rate"] == at_six_months["employment_rate_6m"]


def test_the_further_study_share_follows_the_programme_level():
    from sim.mechanisms.labour_market import further_study_share
    for level, key in (("secondary", "further_study_share_secondary"), ("higher", "further_study_share_higher"),
                       ("undergraduate", "further_study_share_undergraduate")):
        scenario = resolve_scenario(None, {"programme.level": level, f"labour_market.{key}": 0.37})
        assert further_study_share(scenario) == 0.37
    import sim
    shares = {level: sim.run_one("scenarios/baseline.yaml", seed=2, students=False, **{
        "intake.cohort_size": 400, "intake.n_cohorts": 1, "simulation.horizon_years": 4,
        "programme.level": level}).summary["further_study_rate"] for level in ("secondary", "higher")}
    assert shares["secondary"] > 0.4 > 0.3 > shares["higher"] > 0.1


def test_overlapping_cohorts_known_answers():
    from sim.mechanisms.intake import overlapping_cohorts
    assert overlapping_cohorts(build_calendar(CalendarParams(schedule="2+1"))) == 1  # the third year only
    assert overlapping_cohorts(build_calendar(CalendarParams(schedule="1.5+1.5"))) == 2  # years 2 and 3 overlap
    assert overlapping_cohorts(build_calendar(CalendarParams(schedule="alternating"))) == 3  # every year
    assert overlapping_cohorts(build_calendar(CalendarParams(schedule="school_only", internship_weeks=12))) == 1


def test_enrolling_to_committed_places_places_everyone_who_reaches_the_firms():
    import sim
    small = {"intake.cohort_size": 400, "intake.n_cohorts": 2, "simulation.horizon_years": 5,
             "enterprises.count": 12}
    free = sim.run_one("scenarios/baseline.yaml", seed=5, students=False, **small).summary
    committed = sim.run_one("scenarios/baseline.yaml", seed=5, students=False,
                            **{**small, "intake.enrol_to_committed_places": True}).summary
    assert free["never_placed_share"] > 0.2  # 12 firms cannot place 400 a year
    assert committed["n_enrolled"] < free["n_enrolled"]
    assert committed["never_placed_share"] < 0.05  # firms' places turned over (withdrawals, vacant mentors) aside
