"""Unit tests, one group per mechanism, with known answers where the rule gives one."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from sim.engine.calendar import HALF_YEAR_WEEKS, build_calendar
from sim.engine.ledger import SOURCES, USES, ByUse, Ledger
from sim.engine.population import NO_ONE, Location, Stage
from sim.engine.streams import RandomStreams, stream_key
from sim.mechanisms.attrition import request_attrition, weekly_probability
from sim.mechanisms.certification import hold_exams, pass_probability
from sim.mechanisms.enterprise_pool import apprentice_capacity
from sim.mechanisms.incentives import mentor_effort, update_mentor_effort
from sim.mechanisms.labour_market import _host_decisions, host_bar
from sim.mechanisms.learning import _grow, learn
from sim.mechanisms.mentor_development import train_mentors
from sim.mechanisms.mentoring import share_of_need
from sim.mechanisms.participation import decide_participation, ex_ante_net_cost, participation_probability
from sim.mechanisms.placement import _interleaved_places, free_places, place_apprentices
from sim.model import TalentModel, build_world, resolve_scenario
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
    assert [shares.get(u) for u in USES] == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0, 0.0])


def test_by_use_has_no_default_for_a_misspelt_use():
    shares = ByUse.filled(1.0)
    with pytest.raises(AttributeError):
        shares.exam_fee  # noqa: B018  (misspelt: must fail, never read as "fully funded")
    with pytest.raises(AttributeError):
        shares.get("training")


def test_ledger_conservation_and_source_shares():
    ledger = Ledger()
    ledger.pay_in("school_special_fund", 300.0)
    ledger.pay_in("government", 100.0)
    ledger.pay_out(needs(training_base=200.0))
    by_source = ledger.spent_by_source()
    assert by_source["school_special_fund"] == pytest.approx(150.0)
    assert by_source["government"] == pytest.approx(50.0)
    assert by_source["enterprise_cost_sharing"] == 0.0
    ledger.pay_in("enterprise_cost_sharing", 40.0)
    ledger.pay_out(needs(exam_fees=70.0, contact_visits=5.5))
    assert ledger.paid_in.sum() == pytest.approx(ledger.spent.sum() + ledger.balance.sum(), rel=1e-12)
    np.testing.assert_allclose(ledger.paid_in, ledger.spent.sum(axis=1) + ledger.balance, rtol=1e-12)
    assert ledger.total_spent == pytest.approx(275.5)
    assert (ledger.balance >= 0).all()
    assert len(SOURCES) == ledger.spent.shape[0]


def test_ledger_rejects_negative_payment():
    with pytest.raises(ValueError):
        Ledger().pay_in("government", -1.0)


# --------------------------------------------------------------------------- enterprise pool / placement


def test_apprentice_capacity_caps():
    cap = apprentice_capacity(np.array([5, 50, 50, 50]), np.array([100, 100, 1000, 99]),
                              np.array([30, 10, 1000, 50]), 0.10, 0.20)
    # min(offered, floor(10% staff), floor(20% post staff))
    np.testing.assert_array_equal(cap, [5, 2, 50, 9])


def test_interleaved_places_fill_firms_evenly():
    places = _interleaved_places(np.array([0, 1, 2]), np.array([10, 10, 2]), np.array([0.5, 0.1, 0.9]))
    assert list(places[:6]) == [1, 0, 2, 1, 0, 2]  # round robin in firm order
    counts = np.bincount(places[:7], minlength=3)
    assert counts.max() - counts.min() <= 1


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
    expected = np.minimum(1.0, p.guidance_hours_per_week * sm.effort / (p.desired_hours_per_student_week * load))
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
    supply = np.maximum(sc.school_mentors.guidance_hours_per_week * sm.effort - visit_hours, 0.0)
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
    learn(world)
    assert (s.theory[:30] >= before[:30]).all() and (s.theory[:30] > before[:30]).mean() > 0.9
    np.testing.assert_array_equal(s.theory[30:], before[30:])


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


def _set_scores(world, value):
    s = world.students
    s.practical_skill[:] = value
    s.theory[:] = value


def test_exam_pass_share_is_half_at_threshold():
    world = _exam_world(**{"certification.thresholds_points": [60.0, 95.0]})
    _set_scores(world, 60.0)
    world.week = 71  # first exam session of programme year 2
    hold_exams(world)
    share = world.students.certificates.mean()
    assert world.counters.exam_sittings == 2000
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 2000)


def test_no_exams_outside_exam_weeks_or_before_first_exam_year():
    world = _exam_world(n=100)
    _set_scores(world, 100.0)
    for week in (19, 45, 70, 72):  # weeks 19 and 45 are exam weeks of programme year 1
        world.week = week
        hold_exams(world)
    assert world.counters.exam_sittings == 0


@pytest.mark.parametrize("max_attempts", [1, 2, 3])
def test_retakes_limited_by_max_attempts(max_attempts):
    world = _exam_world(n=200, **{"certification.thresholds_points": [99.0],
                                  "certification.max_attempts": max_attempts})
    _set_scores(world, 0.0)  # pass probability ~ 2e-9
    for week in (71, 97, 123, 149):
        world.week = week
        hold_exams(world)
    s = world.students
    assert world.counters.exam_sittings == 200 * max_attempts
    assert (s.attempts == max_attempts).all()
    assert (s.certificates == 0).all()


def test_certificates_taken_in_order():
    easy_then_hard = _exam_world(n=200, **{"certification.thresholds_points": [0.0, 1000.0]})
    hard_then_easy = _exam_world(n=200, **{"certification.thresholds_points": [1000.0, 0.0]})
    for world in (easy_then_hard, hard_then_easy):
        _set_scores(world, 100.0)
        for week in (71, 97, 123, 149):
            world.week = week
            hold_exams(world)
    assert (easy_then_hard.students.certificates == 1).all()  # never the hard second one
    assert (easy_then_hard.students.attempts == 3).all()
    assert (hard_then_easy.students.certificates == 0).all()  # the easy second one is out of reach


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
    request_attrition(world)
    n_left = sum(len(who) for who, _ in world.pending_dropouts)
    p = 1 - np.exp(-5.0 / 52 * np.exp(world.scenario.attrition.support_effect * (1 - guidance)))
    assert abs(n_left / n - p) < 4 * np.sqrt(p * (1 - p) / n)


# --------------------------------------------------------------------------- labour market


def test_host_offers_respect_vacancies_bar_and_rank():
    world = small_world(9, **{"labour_market.further_study_share": 0.0, "labour_market.not_seeking_share": 0.0})
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


def test_subsidy_lowers_net_cost_and_raises_participation():
    plain = small_world(11, **{"enterprises.count": 2000})
    subsidised = small_world(11, **{"enterprises.count": 2000,
                                    "incentives.apprentice_subsidy_yuan_per_year": 5000.0})
    assert ex_ante_net_cost(subsidised) == pytest.approx(ex_ante_net_cost(plain) - 5000.0)
    for world in (plain, subsidised):
        world.enterprises.participating[:] = False
        world.week = 52
        decide_participation(world)
    joined, joined_sub = plain.enterprises.participating, subsidised.enterprises.participating
    assert joined_sub.mean() > joined.mean() + 0.05
    assert not (joined & ~joined_sub).any()  # same luck per firm: a firm that joins unsubsidised joins subsidised


# --------------------------------------------------------------------------- incentives


def test_mentor_effort_known_values():
    assert mentor_effort(0.5, 1000.0, 1.0, 0.15, 0.0, 0.0) == pytest.approx(0.65)
    assert mentor_effort(0.5, 1000.0, 0.5, 0.15, 0.0, 0.0) == pytest.approx(0.575)
    assert mentor_effort(0.5, 1000.0, 0.0, 0.15, 0.0, 0.0) == pytest.approx(0.5)
    assert mentor_effort(0.5, 0.0, 1.0, 0.15, 0.05, 0.05) == pytest.approx(0.6)
    assert mentor_effort(0.9, 5000.0, 1.0, 0.15, 0.0, 0.0) == 1.0
    efforts = [mentor_effort(0.5, a, 1.0, 0.15, 0.0, 0.0) for a in (0, 500, 1000, 2000)]
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


def test_stream_key_is_stable_crc32():
    assert stream_key("learning.shock") == zlib.crc32(b"learning.shock") == 1863658265
