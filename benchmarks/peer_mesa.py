"""The talentsim model written the way a Mesa user would write it: one object per agent.

This is the *peer* the engine is benchmarked against (issue 5), and a readable
reference of the model. Every student, school mentor, enterprise mentor and
enterprise is a ``mesa.Agent`` with plain Python attributes (floats, ints, references
to other agents); ``PeerModel.step()`` is one simulated week, and each phase of the
week calls a method on every agent of a type with ``model.agents_by_type[...].do`` or
``shuffle_do``. Random numbers are drawn per agent from ``model.random`` (Python's
``random.Random``) and ``model.rng`` (NumPy), so the peer does *not* reproduce the
engine's random streams bit for bit; it reproduces the model's behaviour, which
``tests/test_peer_agreement.py`` checks statistically over replications.

What is shared with the engine: the scenario schema and its parameters
(``sim.scenario``), the calendar tables built from the scenario
(``sim.engine.calendar.build_calendar``: scenario data, not a mechanism), the
vocabulary of stages and locations (``Stage``, ``Location``), the ledger's sources and
uses in priority order (``sim.engine.ledger.SOURCES``, ``USES``), and the model's fixed
constants, imported from the modules that define them rather than copied: the time
units (``WEEKS_PER_YEAR``, ``HALF_YEAR_WEEKS``, ``WEEKS_PER_MONTH``,
``MONTHS_PER_WEEK``, the 6- and 12-month follow-up weeks) and the assumptions the
mechanisms document as module constants (post skill needs, contact rules, session
hours, learning inputs, mentor attribute spreads, the names of a host's satisfaction
parts, the education-surcharge rate), so a change to one of them changes both models.
No function of a mechanism is used. Everything else - intake, calendar stages, placement
as a stable matching with caps, mentor capacity and sector fit (fitting posts found by
coordination),
placements that run to their term when the host withdraws, the training base (practice
hours cut to its capacity, consumables paid by the hour), the funding ledger with
priorities (the apprentice subsidy paid at a trainee's completion in an enterprise
apprenticeship), incentives and effort, contact and coordination, the curriculum
co-developed by the mentors' hours, the mentoring share of hours, learning,
certification with retakes, attrition (dropout, the host ending a placement, the
apprentice leaving it; problems caught by visits), exits (dissolutions, then a new
placement, leaving school or the school-only track), the labour market (host offers,
further study, search, job loss, 6- and 12-month snapshots, the hiring decision once the
host has seen the apprentice work), the host's own satisfaction, participation decisions
at each firm's yearly review (the expected net cost per placement: the training net cost
per week from the firm's books or the ex-ante expectation from the planned skill path,
the expected tax credit, demonstration-unit titles and hiring savings per expected
hire), enterprise accounts with the education-surcharge credit of certified firms,
mentor development (school mentors away in enterprise practice, covered by a substitute
as far as one is paid) and turnover - is re-implemented here, agent by agent.

The phases of a week, in order (the mechanism names of the engine's
``sim.phases.WEEKLY_PHASES``): schedule, intake, participation, mentor development,
placement, training base, funding, incentives, contact, curriculum, mentoring, learning,
certification, attrition, exits, labour market, enterprise accounts; then record.

Usage (from the repository root, with ``benchmarks`` on ``sys.path``)::

    from peer_mesa import run_peer
    summary = run_peer(None, seed=1)  # the baseline scenario's defaults
    summary = run_peer("scenarios/funding_cut.yaml", seed=1, overrides={"intake.cohort_size": 300})
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import mesa

from sim.engine.calendar import HALF_YEAR_WEEKS, build_calendar
from sim.engine.ledger import SOURCES, USES
from sim.engine.population import OPEN_MARKET, Location, Stage
from sim.mechanisms.attrition import POST_NEED_BASE_POINTS, POST_NEED_PER_LEVEL_POINTS
from sim.mechanisms.contact import RULE_SESSIONS_PER_SEMESTER, RULE_VISITS_PER_MONTH
from sim.mechanisms.evaluation import HOST_PARTS
from sim.mechanisms.funding import MONTHS_PER_WEEK
from sim.mechanisms.labour_market import FOLLOW_UP_6M_WEEKS, FOLLOW_UP_12M_WEEKS
from sim.mechanisms.learning import ENTERPRISE_THEORY_INPUT, SCHOOL_PROFESSIONALISM_INPUT, SCHOOL_WEEK_HOURS
from sim.mechanisms.mentor_selection import (
    ATTRIBUTE_SD,
    FRONTLINE_EXPERIENCE_YEARS,
    FRONTLINE_YEARS_MEAN,
    TEACHING_EXPERIENCE_YEARS,
    TEACHING_YEARS_MEAN,
)
from sim.mechanisms.mentoring import HOURS_PER_SCHOOL_SESSION, WEEKS_PER_MONTH
from sim.mechanisms.tax_credit import EDUCATION_SURCHARGE_RATE
from sim.scenario import Scenario, apply_overrides, load_scenario, scenario_from_dict, scenario_to_dict
from sim.scenario.schema import WEEKS_PER_YEAR

VARIANTS = ("double_learning_rate", "no_mentor_capacity_limit")
"""Deliberately wrong versions of the model, used to show the agreement check can fail."""


def weekly_probability(rate_per_year: float, log_multiplier: float = 0.0) -> float:
    """Probability of an event within one week from a yearly hazard and a log-multiplier."""
    return -math.expm1(-(rate_per_year / WEEKS_PER_YEAR) * math.exp(log_multiplier))


def resolved(log_multiplier: float, caught: float) -> float:
    """Log-multiplier of a hazard once a share ``caught`` of what problems add to it is resolved."""
    if caught <= 0.0:
        return log_multiplier
    return math.log1p(math.expm1(log_multiplier) * (1.0 - caught))


def clip(x: float, lo: float, hi: float) -> float:
    """``x`` limited to ``[lo, hi]``."""
    return lo if x < lo else hi if x > hi else x


class Ledger:
    """The programme's money: balances by source, spending by source and use, shortfalls by use (yuan).

    Each use is paid only from the sources earmarked for it (``funding.earmarks``), the
    first listed drawn on first.
    """

    def __init__(self, earmarks: Mapping[str, list[str]]) -> None:
        self.earmarks = {use: list(earmarks.get(use, [])) for use in USES}
        self.balance = dict.fromkeys(SOURCES, 0.0)
        self.paid_in = dict.fromkeys(SOURCES, 0.0)
        self.spent = {(src, use): 0.0 for src in SOURCES for use in USES}
        self.weeks_short = dict.fromkeys(USES, 0)
        self.unpaid = dict.fromkeys(USES, 0.0)

    def pay_in(self, source: str, yuan: float) -> None:
        """Money arriving from one source."""
        self.balance[source] += yuan
        self.paid_in[source] += yuan

    def pay_out(self, needs: Mapping[str, float]) -> dict[str, float]:
        """Pay the needs in priority order, each from its earmarked sources in their order.

        Returns:
            The share of each use's need that was paid.
        """
        shares = {}
        for use in USES:
            need = needs.get(use, 0.0)
            if need <= 0.0:
                shares[use] = 1.0
                continue
            left = need
            for src in self.earmarks[use]:
                take = min(left, self.balance[src])
                if take > 0.0:
                    self.balance[src] -= take
                    self.spent[src, use] += take
                    left -= take
            if left > need * 1e-9:
                self.weeks_short[use] += 1
                self.unpaid[use] += left
            shares[use] = (need - left) / need
        return shares

    def total_spent(self) -> float:
        """Everything paid out so far."""
        return sum(self.spent.values())


class SchoolMentor(mesa.Agent):
    """An on-campus mentor post: teaches, guides mentees at school, visits their hosts."""

    def __init__(self, model: PeerModel) -> None:
        super().__init__(model)
        self.effort = model.scenario.school_mentors.base_effort
        p = model.scenario.school_mentors
        self.vacant_until = self.select(0, 0, p.min_teaching_years, p.candidates_per_post, p.replacement_delay_weeks)
        self.workload = 0.0
        self.codevelopment_hours = 0.0  # hours given to co-developing the curriculum this week
        self.practice_until = -1  # away in enterprise practice while the week is earlier
        self.honoured = False  # honoured this year
        self.mentees: list[Student] = []

    def select(self, week: int, first_delay: int, min_years: float, at_hand: int, delay: int) -> int:
        """Fill the post by the rule of Li (2026) §5.1; return the week it is filled (-1: at once, at set-up)."""
        years, outside = first_eligible_candidate(self.random, min_years, TEACHING_YEARS_MEAN, at_hand,
                                                  self.model.scenario.horizon_weeks)
        self.teaching_years = years
        self.draw_attributes()
        return filled_week(week, first_delay, outside, delay, self.model.scenario.horizon_weeks)

    def draw_attributes(self) -> None:
        """Attributes of a newly selected mentor: teaching quality grows with years of teaching."""
        p = self.model.scenario.school_mentors
        r = self.random
        self.dual_qualified = r.random() < p.dual_qualified_share
        quality = p.teaching_quality_mean - p.novice_quality_gap * math.exp(-self.teaching_years
                                                                             / TEACHING_EXPERIENCE_YEARS)
        self.teaching_quality = clip(quality + ATTRIBUTE_SD * r.gauss(0.0, 1.0), 0.02, 1.0)
        mean = p.practical_skill_dual_qualified if self.dual_qualified else p.practical_skill_other
        self.practical_skill = clip(mean + ATTRIBUTE_SD * r.gauss(0.0, 1.0), 0.02, 1.0)

    def is_active(self) -> bool:
        """The post is filled this week."""
        return self.vacant_until <= self.model.week

    def train(self) -> None:
        """Yearly enterprise practice for a share of filled posts: more practical skill, dual-qualified."""
        p = self.model.scenario.mentor_development
        if self.random.random() < p.school_mentor_practice_share_per_year and self.is_active():
            self.practical_skill += p.practice_gain * (1.0 - self.practical_skill)
            self.dual_qualified = True
            self.practice_until = self.model.week + p.practice_weeks_per_year  # away from teaching meanwhile

    def turn_over(self) -> None:
        """Leave with the weekly turnover hazard; the post stays vacant, then a new mentor starts."""
        p = self.model.scenario.school_mentors
        rate = p.turnover_rate_per_year * career_factor(self.model.scenario)
        if self.is_active() and self.random.random() < weekly_probability(rate):
            self.vacant_until = self.select(self.model.week, p.replacement_delay_weeks, p.min_teaching_years,
                                            p.candidates_per_post, p.replacement_delay_weeks)
            self.practice_until = -1
            self.honoured = False

    def set_effort(self, allowance_share_paid: float) -> None:
        """Effort from the base level and the incentives actually received."""
        sc = self.model.scenario
        self.effort = mentor_effort(sc, sc.school_mentors.base_effort, sc.school_mentors.remuneration_yuan_per_month,
                                    allowance_share_paid, self.honoured)

    def is_away(self) -> bool:
        """Away in enterprise practice this week."""
        return self.practice_until > self.model.week

    def away_teaching(self) -> bool:
        """Filled, away in enterprise practice, with a mentee at school: its hours need a substitute."""
        return self.is_active() and self.is_away() and any(m.location == Location.SCHOOL for m in self.mentees)

    def has_mentee_at_firm(self) -> bool:
        """Any of the mentees is in an enterprise this week (the mentor then visits)."""
        return any(m.location == Location.ENTERPRISE for m in self.mentees)

    def share_hours(self) -> None:
        """Share this week's guidance hours equally among the mentees at school."""
        sc = self.model.scenario
        at_school = [m for m in self.mentees if m.location == Location.SCHOOL]
        demand = sc.school_mentors.desired_hours_per_student_week * len(at_school)
        visit_hours = 0.0
        if self.has_mentee_at_firm():
            visit_hours = self.model.visits_per_month / WEEKS_PER_MONTH * sc.contact.hours_per_visit
        capacity = sc.school_mentors.guidance_hours_per_week * self.effort if self.is_active() else 0.0
        if self.is_away():  # in enterprise practice: its hours only through a substitute, as far as one is paid
            capacity *= self.model.funded["practice_substitutes"]
        other = visit_hours + self.codevelopment_hours
        supply = max(capacity - other, 0.0)
        share = clip(supply / demand, 0.0, 1.0) if demand > 0 else 1.0
        for m in at_school:
            m.guidance_school = share
        self.workload = (demand + other) / capacity if capacity > 0 else 0.0


class EnterpriseMentor(mesa.Agent):
    """A master craftsman in one enterprise who guides up to a few apprentices."""

    def __init__(self, model: PeerModel, enterprise: Enterprise) -> None:
        super().__init__(model)
        self.enterprise = enterprise
        self.effort = model.scenario.enterprise_mentors.base_effort
        self.vacant_until = -1  # selected once the firm's posts exist (PeerModel.__init__)
        self.workload = 0.0
        self.codevelopment_hours = 0.0  # hours given to co-developing the curriculum this week
        self.honoured = False  # honoured this year
        self.apprentices: set[Student] = set()

    def select(self, week: int, first_delay: int) -> int:
        """Fill the post from the firm's workers in the post (shared among its mentor posts), else from outside."""
        p = self.model.scenario.enterprise_mentors
        at_hand = max(1, self.enterprise.post_staff // len(self.enterprise.mentors))
        years, outside = first_eligible_candidate(self.random, p.min_frontline_years, FRONTLINE_YEARS_MEAN, at_hand,
                                                  self.model.scenario.horizon_weeks)
        self.frontline_years = years
        self.draw_attributes()
        return filled_week(week, first_delay, outside, p.replacement_delay_weeks, self.model.scenario.horizon_weeks)

    def draw_attributes(self) -> None:
        """Attributes of a newly selected mentor: technically strong (more so with years), often weak at teaching."""
        p = self.model.scenario.enterprise_mentors
        r = self.random
        skill = p.technical_skill_mean - p.novice_skill_gap * math.exp(-self.frontline_years
                                                                       / FRONTLINE_EXPERIENCE_YEARS)
        self.technical_skill = clip(skill + ATTRIBUTE_SD * r.gauss(0.0, 1.0), 0.02, 1.0)
        self.pedagogical_skill = clip(p.pedagogical_skill_mean + ATTRIBUTE_SD * r.gauss(0.0, 1.0), 0.02, 1.0)

    def is_active(self) -> bool:
        """The post is filled this week."""
        return self.vacant_until <= self.model.week

    def free_places(self) -> int:
        """Apprentices this mentor can still take (none while the post is vacant)."""
        if not self.is_active():
            return 0
        if "no_mentor_capacity_limit" in self.model.variants:
            return 10**6
        return max(self.model.scenario.enterprise_mentors.apprentices_per_mentor - len(self.apprentices), 0)

    def train(self) -> None:
        """Yearly training in teaching methods for a share of filled posts."""
        p = self.model.scenario.mentor_development
        if self.random.random() < p.enterprise_mentor_training_share_per_year and self.is_active():
            self.pedagogical_skill += p.pedagogy_gain * (1.0 - self.pedagogical_skill)

    def turn_over(self) -> None:
        """Leave with the weekly turnover hazard; the post stays vacant, then a new mentor starts."""
        p = self.model.scenario.enterprise_mentors
        rate = p.turnover_rate_per_year * career_factor(self.model.scenario)
        if self.is_active() and self.random.random() < weekly_probability(rate):
            self.vacant_until = self.select(self.model.week, p.replacement_delay_weeks)
            self.honoured = False

    def set_effort(self, allowance_share_paid: float) -> None:
        """Effort from the base level and the incentives actually received."""
        sc = self.model.scenario
        allowance = sc.enterprise_mentors.remuneration_yuan_per_month + \
            sc.incentives.enterprise_mentor_salary_subsidy_yuan_per_month
        self.effort = mentor_effort(sc, sc.enterprise_mentors.base_effort, allowance, allowance_share_paid,
                                    self.honoured)

    def present_apprentices(self) -> list[Student]:
        """The apprentices working in the enterprise this week."""
        return [a for a in self.apprentices if a.location == Location.ENTERPRISE]

    def share_hours(self) -> None:
        """Share this week's guidance hours among the apprentices present.

        Workload: the hours asked (guidance and sessions at school) over the hours at full effort.
        """
        sc = self.model.scenario
        present = self.present_apprentices()
        demand = sc.enterprise_mentors.desired_hours_per_apprentice_week * len(present)
        capacity = sc.enterprise_mentors.guidance_hours_per_week * self.effort if self.is_active() else 0.0
        session_hours = self.model.sessions_per_semester * HOURS_PER_SCHOOL_SESSION / HALF_YEAR_WEEKS \
            if demand > 0 else 0.0
        other = session_hours + self.codevelopment_hours
        supply = max(capacity - other, 0.0)
        share = clip(supply / demand, 0.0, 1.0) if demand > 0 else 1.0
        for a in present:
            a.guidance_enterprise = share
        self.workload = (demand + other) / capacity if capacity > 0 else 0.0


def first_eligible_candidate(r: Any, min_years: float, mean_years: float, at_hand: int,
                             horizon_weeks: int) -> tuple[float, int]:
    """Look at candidates one by one - those at hand, then outside recruits - until one has ``min_years``.

    Returns the chosen candidate's years and how many outside candidates were recruited.
    Candidates' years are exponential with mean ``mean_years``. The search gives up after
    more outside rounds than the run has weeks (the post is then not filled in the run).
    """
    seen = 0
    while seen < at_hand + horizon_weeks + 1:
        years = r.expovariate(1.0 / mean_years)
        if years >= min_years:
            return years, max(0, seen - at_hand + 1)
        seen += 1
    return min_years + r.expovariate(1.0 / mean_years), horizon_weeks + 1


def filled_week(week: int, first_delay: int, outside: int, delay: int, horizon_weeks: int) -> int:
    """Week a post being filled from ``week`` starts: after ``first_delay``, then ``delay`` per outside recruit."""
    if first_delay == 0 and outside == 0:
        return -1 if week == 0 else week
    return min(week + first_delay + delay * outside, horizon_weeks)


def apprentice_pay(scenario: Scenario) -> float:
    """A host's pay to an apprentice per enterprise week: an intern's share of the post's wage, or the wage."""
    pp = scenario.participation
    if scenario.programme.kind == "enterprise_apprenticeship":
        return pp.post_wage_yuan_per_week
    return pp.internship_pay_share_of_post_wage * pp.post_wage_yuan_per_week


def week_accounts(scenario: Scenario, apprentices: float, mentor_hours: float, practical_skill_points: float,
                  allowance_yuan: float) -> tuple[float, float]:
    """A week of hosting, yuan: (cost, productive output).

    The one formula the accounts book and a firm's ex-ante expectation applies: for a
    firm's week (apprentices on site, their mentors' hours, the sum of their skill) or
    one apprentice's week. Public support (the completion subsidy, the tax credit) is
    booked apart, as the rules pay it.
    """
    pp = scenario.participation
    cost = apprentices * (apprentice_pay(scenario) + pp.consumables_yuan_per_apprentice_week) + \
        mentor_hours * scenario.enterprise_mentors.hourly_cost_yuan + allowance_yuan
    output = pp.productive_time_share * practical_skill_points / 100.0 * pp.skilled_output_yuan_per_week
    return cost, output


def qualifying_yuan(scenario: Scenario, apprentice_weeks: float) -> float:
    """Investment that qualifies for the surcharge credit: consumables and the firm's cost sharing, yuan."""
    return apprentice_weeks * (scenario.participation.consumables_yuan_per_apprentice_week
                               + scenario.funding.enterprise_cost_sharing_yuan_per_apprentice_year / WEEKS_PER_YEAR)


def mentor_effort(scenario: Scenario, base: float, allowance_yuan_per_month: float, share_paid: float,
                  honoured: bool) -> float:
    """A mentor's effort (0-1): base + allowance actually paid + its honour, if it holds one this year."""
    inc = scenario.incentives
    honours = inc.honours_effort if inc.mentor_honours and honoured else 0.0
    paid = allowance_yuan_per_month * share_paid
    return clip(base + inc.effort_per_1000_yuan_month * paid / 1000.0 + honours, 0.0, 1.0)


def career_factor(scenario: Scenario) -> float:
    """Factor on a mentor's turnover hazard: lower when mentoring counts towards promotion."""
    inc = scenario.incentives
    return inc.career_turnover_factor if inc.career_development else 1.0


def honour_the_best(mentors: list[Any], mentees_of: Any, share: float) -> None:
    """Honour the ``share`` (rounded half up) of the filled mentors with mentees whose mentees score best."""
    ranked = []
    for i, m in enumerate(mentors):
        m.honoured = False
        scores = [x.composite_score() for x in mentees_of(m) if x.in_programme()]
        if scores and m.is_active():
            ranked.append((-sum(scores) / len(scores), i, m))
    ranked.sort(key=lambda t: (t[0], t[1]))
    for _, _, m in ranked[: math.floor(share * len(ranked) + 0.5)]:
        m.honoured = True


class Enterprise(mesa.Agent):
    """A host enterprise: its places, mentors, vacancies, accounts and participation."""

    def __init__(self, model: PeerModel) -> None:
        super().__init__(model)
        sc = model.scenario
        p = sc.enterprises
        r = self.random
        self.sector = r.randrange(sc.intake.n_sectors)
        self.staff = max(10, round(p.staff_median * math.exp(p.staff_log_sd * r.gauss(0.0, 1.0))))
        k = p.post_staff_share_concentration
        share = 1.0 if p.post_staff_share >= 1.0 else r.betavariate(max(p.post_staff_share * k, 1e-12),
                                                                     max((1.0 - p.post_staff_share) * k, 1e-12))
        self.post_staff = max(1, round(share * self.staff))
        self.post_level = r.betavariate(p.post_level_alpha, p.post_level_beta)
        slots = 1 + int(model.rng.poisson(max(p.slots_offered_mean - 1.0, 0.0)))
        # Chinese internship rules: interns at most 10% of staff and 20% of the post's staff
        self.capacity = min(slots, math.floor(p.firm_intern_cap_share * self.staff + 1e-9),
                            math.floor(p.post_intern_cap_share * self.post_staff + 1e-9))
        self.willingness = sc.participation.willingness_log_odds + sc.participation.willingness_sd * r.gauss(0.0, 1.0)
        self.participating = r.random() < p.initial_participation_share
        self.certified = r.random() < sc.incentives.certified_enterprise_share  # may claim the surcharge credit
        self.vacancies = 0
        self.coordination = 0.0
        self.apprentices: set[Student] = set()
        self.mentors: list[EnterpriseMentor] = []
        self.year_cost = self.year_benefit = self.year_apprentice_weeks = 0.0
        self.total_cost = self.total_benefit = self.total_apprentice_weeks = 0.0
        self.week_mentor_allowance = self.total_mentor_allowance = 0.0  # paid to its own mentors (funding)
        self.week_subsidy = 0.0  # completion subsidies received this week (funding)
        self.total_hiring_savings = 0.0
        self.placements_ended = 0  # its placements that have ended (any way), whole run
        self.hires_from_placements = 0  # its apprentices it hired at graduation, whole run
        self.surcharge_left = 0.0  # this simulation year's education surcharges not yet offset
        self.tax_credit_pool = 0.0  # credit earned, not yet used
        self.total_tax_credit = 0.0  # credit used, whole run
        self.week_credit = 0.0
        self.satisfaction_sum = self.satisfaction_count = 0.0
        self.part_sums = dict.fromkeys(HOST_PARTS, 0.0)  # the host's ratings, part by part
        self.last_net_cost_per_apprentice_week: float | None = None
        self.first_host_week = -1  # the first year of hosting: 52 weeks from this week
        self.first_year_cost = self.first_year_benefit = self.first_year_apprentice_weeks = 0.0
        self.review_week = r.randrange(WEEKS_PER_YEAR)  # agreements signed and renewed through the year
        self.demonstration_unit = False

    # --- yearly decisions -------------------------------------------------------------
    def draw_vacancies(self) -> None:
        """Job vacancies for the coming year."""
        rate = self.model.scenario.enterprises.vacancy_rate_per_year
        self.vacancies = int(self.model.rng.poisson(rate * self.post_staff))

    def close_year(self) -> None:
        """At the review: the books since the last one as a training net cost per apprentice-week; start afresh.

        Costs less productive output and the subsidies received, per apprentice-week hosted
        (a firm that hosted no one keeps its last figure).
        """
        if self.year_apprentice_weeks > 0:
            self.last_net_cost_per_apprentice_week = (self.year_cost - self.year_benefit) / self.year_apprentice_weeks
        self.year_cost = self.year_benefit = self.year_apprentice_weeks = 0.0

    def surcharge_per_year(self) -> float:
        """The firm's education surcharges for a year (5% of its VAT), yuan: the cap on its credit."""
        return EDUCATION_SURCHARGE_RATE * self.model.scenario.participation.vat_yuan_per_employee_year * self.staff

    def expected_credit_per_placement(self, weeks: int) -> float:
        """Credit a certified firm expects per placement: its qualifying investment's credit, capped per place."""
        if not self.certified:
            return 0.0
        sc = self.model.scenario
        return min(sc.incentives.tax_credit_share * qualifying_yuan(sc, weeks),
                   self.surcharge_per_year() / max(self.capacity, 1))

    def credit_week(self) -> None:
        """The week's surcharge credit: reset the year's surcharges at a year start, add to the pool, use it."""
        model = self.model
        if model.week % WEEKS_PER_YEAR == 0:
            self.surcharge_left = self.surcharge_per_year()
        self.week_credit = 0.0
        if not self.certified:
            return
        on_site = sum(1 for a in self.apprentices if a.location == Location.ENTERPRISE)
        self.tax_credit_pool += model.scenario.incentives.tax_credit_share * qualifying_yuan(model.scenario, on_site)
        credit = min(self.tax_credit_pool, self.surcharge_left)
        self.tax_credit_pool -= credit
        self.surcharge_left -= credit
        self.total_tax_credit += credit
        self.week_credit = credit

    def satisfaction(self) -> float:
        """Mean satisfaction index of the apprentices rated here (0.5 before any)."""
        return self.satisfaction_sum / self.satisfaction_count if self.satisfaction_count > 0 else 0.5

    def rate(self, apprentice: Student, retained: bool) -> None:
        """Rate an apprentice whose placement here ends: skill fit, professionalism, contribution, staying on."""
        ev = self.model.scenario.evaluation
        need = POST_NEED_BASE_POINTS + POST_NEED_PER_LEVEL_POINTS * self.post_level
        parts = {
            "skill_fit": min(1.0, apprentice.practical_skill / max(need, 1e-9)),
            "professionalism": apprentice.professionalism / 100.0,
            "contribution": min(1.0, apprentice.hosted_output / apprentice.hosted_cost)
            if apprentice.hosted_cost > 0 else 0.0,
            "retention": 1.0 if retained else 0.0,
        }
        weights = {"skill_fit": ev.host_skill_fit_weight, "professionalism": ev.host_professionalism_weight,
                   "contribution": ev.host_contribution_weight, "retention": ev.host_retention_weight}
        self.satisfaction_sum += sum(weights[k] * parts[k] for k in HOST_PARTS) / sum(weights.values())
        self.satisfaction_count += 1.0
        for k in HOST_PARTS:
            self.part_sums[k] += parts[k]

    def earns_title(self, programme_mean_score: float) -> bool:
        """The school names the firm a demonstration unit: its apprentices outscore the programme's."""
        if not self.apprentices:
            return False
        mine = [a.composite_score() for a in self.apprentices]
        return sum(mine) >= programme_mean_score * len(mine)

    def decide_participation(self, fallback_per_week: float, programme_mean_score: float | None,
                             programme_hire_rate: float) -> None:
        """Review: join, stay or leave, logistic in willingness, inertia, expected net cost and satisfaction.

        The expected net cost per placement: training net cost per week (its own, else the
        fallback) x the planned weeks of a placement, less the expected credit, a title's
        worth over those weeks and the hiring saving per expected hire.
        """
        sc = self.model.scenario
        pp = sc.participation
        model = self.model
        model.counters["reviews"] += 1
        inc = sc.incentives
        if inc.demonstration_unit_titles:
            self.demonstration_unit = programme_mean_score is not None and self.earns_title(programme_mean_score)
            if self.demonstration_unit:
                model.counters["demonstration_unit_years"] += 1
        per_week = self.last_net_cost_per_apprentice_week
        if per_week is None:
            per_week = fallback_per_week
        weeks = model.weeks_per_placement
        net_cost = per_week * weeks - self.expected_credit_per_placement(weeks)
        if inc.demonstration_unit_titles and self.demonstration_unit:
            net_cost -= inc.demonstration_unit_value_yuan * weeks / WEEKS_PER_YEAR
        hires = self.hires_from_placements / self.placements_ended if self.placements_ended > 0 \
            else programme_hire_rate
        net_cost -= pp.hiring_cost_saved_yuan_per_hire * hires
        log_odds = (self.willingness + pp.stay_bonus_log_odds * self.participating
                    - pp.net_cost_sensitivity_per_10k_yuan * net_cost / 10_000.0
                    + pp.satisfaction_effect * (self.satisfaction() - 0.5))
        self.participating = self.random.random() < 1.0 / (1.0 + math.exp(-log_odds))
        if not self.participating:  # it takes no new apprentices; those it hosts stay to the term's end
            self.demonstration_unit = False

    # --- placement --------------------------------------------------------------------
    def places_offered(self) -> int:
        """Places the firm offers in all, hosted or not: its capacity, and under dual mentoring its active mentors'."""
        if not self.participating:
            return 0
        places = self.capacity
        if self.model.scenario.programme.dual_mentor:
            per_mentor = self.model.scenario.enterprise_mentors.apprentices_per_mentor
            places = min(places, per_mentor * sum(1 for m in self.mentors if m.is_active()))
        return places

    def free_places(self) -> int:
        """Places the firm can fill now: its capacity, and under dual mentoring its mentors' places."""
        if not self.participating:
            return 0
        free = max(self.capacity - len(self.apprentices), 0)
        if self.model.scenario.programme.dual_mentor:
            free = min(free, sum(m.free_places() for m in self.mentors))
        return free

    def take_apprentice(self, student: Student, fitting_post: bool) -> None:
        """Host a new apprentice (on a post that fits their training, or a misfit)."""
        self.apprentices.add(student)
        student.host = self
        student.sector_fit = fitting_post
        student.ever_placed = True
        student.placed_week = self.model.week
        student.location = Location.ENTERPRISE
        self.model.counters["placements"] += 1

    def placement_knowledge(self) -> float:
        """Chance that the school, knowing this firm's posts, finds one that fits a student of another sector."""
        return self.model.scenario.contact.placement_fit_gain * self.coordination

    def assign_mentor(self, student: Student) -> None:
        """Give a new apprentice the first mentor with a free place (the round's places guarantee one)."""
        mentor = next(m for m in self.mentors if m.free_places() > 0)
        mentor.apprentices.add(student)
        student.enterprise_mentor = mentor

    # --- weekly -----------------------------------------------------------------------
    def hosting_this_week(self) -> bool:
        """An apprentice is on site this week."""
        return any(a.location == Location.ENTERPRISE for a in self.apprentices)

    def update_coordination(self) -> None:
        """Coordination with the school follows the contact made (decays without apprentices)."""
        c = self.model.scenario.contact
        target = contact_target(self.model.visits_per_month, self.model.sessions_per_semester) \
            if self.hosting_this_week() else 0.0
        self.coordination += c.adjustment_rate_per_week * (target - self.coordination)

    def alignment(self) -> float:
        """Curriculum alignment of this firm's training, 0-1."""
        return alignment(self.model.scenario, self.model.curriculum_alignment, self.coordination)

    def book_week(self) -> None:
        """Costs (pay, consumables, mentor hours, allowance); returns (output) and support (subsidy, credit).

        The year's books hold costs, output and the subsidies received; the whole-run
        balance also the tax credit (and a title's worth). Each apprentice on site also
        keeps its own accounts with this host (its share of the allowance included; its
        weeks), which the host's rating of its contribution and the completion subsidy read.
        """
        model = self.model
        sc = model.scenario
        self.credit_week()
        present = [a for a in self.apprentices if a.location == Location.ENTERPRISE]
        codeveloping = sum(m.codevelopment_hours for m in self.mentors)
        if not present and self.week_mentor_allowance == 0.0 and self.week_subsidy == 0.0 \
                and self.week_credit == 0.0 and codeveloping == 0.0:
            return
        n = len(present)
        hours = {a: sc.enterprise_mentors.desired_hours_per_apprentice_week * a.guidance_enterprise
                 if a.enterprise_mentor is not None else 0.0 for a in present}
        cost, output = week_accounts(sc, n, sum(hours.values()), sum(a.practical_skill for a in present),
                                     self.week_mentor_allowance)
        cost += codeveloping * sc.enterprise_mentors.hourly_cost_yuan  # its mentors' time on the curriculum
        self.year_cost += cost
        self.year_benefit += output + self.week_subsidy
        self.year_apprentice_weeks += n
        self.total_cost += cost
        self.total_benefit += output + self.week_subsidy + self.week_credit
        self.total_apprentice_weeks += n
        model.counters["gross_training_cost_yuan"] += cost
        model.counters["productive_output_yuan"] += output
        inc = sc.incentives
        if inc.demonstration_unit_titles and self.demonstration_unit:  # the title's worth to the holder
            self.total_benefit += n * inc.demonstration_unit_value_yuan / WEEKS_PER_YEAR
        if self.first_host_week < 0 and n:
            self.first_host_week = model.week
        if self.first_host_week >= 0 and model.week < self.first_host_week + WEEKS_PER_YEAR:
            self.first_year_cost += cost
            self.first_year_benefit += output  # BIBB's first-year net cost: no public support
            self.first_year_apprentice_weeks += n
        for a in present:
            own_cost, own_output = week_accounts(sc, 1.0, hours[a], a.practical_skill, self.week_mentor_allowance / n)
            if a.accounts_host is not self:
                a.accounts_host = self
                a.hosted_output = a.hosted_cost = 0.0
                a.hosted_weeks = 0
            a.hosted_output += own_output
            a.hosted_cost += own_cost
            a.hosted_weeks += 1

    def offer_jobs(self, cohort_apprentices: list[Student]) -> None:
        """Offer jobs to the best apprentices who reach the post's bar, while vacancies last."""
        lm = self.model.scenario.labour_market
        bar = lm.host_hire_bar_points + lm.host_bar_per_post_level_points * self.post_level
        candidates = [a for a in cohort_apprentices if a.composite_score() >= bar]
        candidates.sort(key=lambda a: -a.composite_score())
        for a in candidates[: max(self.vacancies, 0)]:
            a.offered_by_host = True
            self.vacancies -= 1
            self.model.counters["host_offers"] += 1


def contact_target(visits_per_month: float, sessions_per_semester: float) -> float:
    """Coordination a level of contact sustains (1 when both rules of Li (2026) §5.2 are met)."""
    return min(1.0, 0.5 * visits_per_month / RULE_VISITS_PER_MONTH
               + 0.5 * sessions_per_semester / RULE_SESSIONS_PER_SEMESTER)


def alignment(scenario: Scenario, base: float, coordination: float) -> float:
    """Alignment of teaching given coordination: the curriculum's alignment ``base`` moved towards 1 by contact."""
    return base + scenario.contact.alignment_gain * coordination * (1.0 - base)


class Student(mesa.Agent):
    """A student on the student - apprentice - employee path."""

    def __init__(self, model: PeerModel, cohort: int) -> None:
        super().__init__(model)
        p = model.scenario.intake
        r = self.random
        self.cohort = cohort
        self.enrol_week = cohort * WEEKS_PER_YEAR
        self.graduation_week = self.enrol_week + model.programme_weeks - 1
        self.sector = r.randrange(p.n_sectors)
        self.ability = p.ability_sd * r.gauss(0.0, 1.0)
        conc = p.motivation_concentration
        self.motivation = r.betavariate(p.motivation_mean * conc, (1.0 - p.motivation_mean) * conc)
        self.disposition = self.motivation  # what motivation reverts to
        self.luck = 1.0  # this week's multiplicative learning shock
        self.theory = clip(p.initial_theory_mean + p.initial_skill_sd * r.gauss(0.0, 1.0), 0.0, 100.0)
        self.practical_skill = clip(p.initial_practical_skill_mean + p.initial_skill_sd * r.gauss(0.0, 1.0),
                                    0.0, 100.0)
        self.professionalism = clip(p.initial_professionalism_mean + p.initial_skill_sd * r.gauss(0.0, 1.0),
                                    0.0, 100.0)
        self.stage = Stage.NOT_ENROLLED
        self.location = Location.AWAY
        self.school_mentor: SchoolMentor | None = None
        self.enterprise_mentor: EnterpriseMentor | None = None
        self.host: Enterprise | None = None
        self.sector_fit = False
        self.certificates = 0
        self.attempts = 0
        self.entered = False  # entered by a mentor for the coming exam session
        self.score_at_failure = -math.inf  # exam score at the last failed sitting of the next certificate
        self.guidance_school = 0.0
        self.guidance_enterprise = 0.0
        self.ever_placed = False
        self.reached_enterprise_period = False
        self.stage_at_initial_cutoff: Stage | None = None
        self.placed_week = -1  # week the current (or last) placement began
        self.school_only = False  # on the school-only track after a dissolution: not placed again
        self.n_terminations = 0
        self.offered_by_host = False
        self.host_at_decision: Enterprise | None = None
        self.further_study = False
        self.not_seeking = False
        self.employer: Enterprise | int | None = None  # OPEN_MARKET: a job on the open market
        self.week_job_found = -1
        self.week_left = -1
        self.week_graduated = -1
        self.stage_at_graduation: Stage | None = None
        self.stage_at_6m: Stage | None = None
        self.stage_at_12m: Stage | None = None
        self.termination_requested = False  # the host ends the placement
        self.leave_requested = False  # the apprentice leaves the placement
        self.dropout_requested = False
        self.accounts_host: Enterprise | None = None  # the host its own accounts are with
        self.hosted_output = self.hosted_cost = 0.0
        self.hosted_weeks = 0

    def in_programme(self) -> bool:
        """Enrolled and not yet graduated or dropped out."""
        return Stage.BASIC <= self.stage <= Stage.INTERNSHIP

    def programme_week(self) -> int:
        """Weeks since enrolment."""
        return self.model.week - self.enrol_week

    def composite_score(self) -> float:
        """The weighted composite score (Li (2026) §5.3: theory, skill, professionalism), 0-100."""
        ev = self.model.scenario.evaluation
        return (ev.theory_weight * self.theory + ev.practical_skill_weight * self.practical_skill
                + ev.professionalism_weight * self.professionalism)

    # --- calendar ---------------------------------------------------------------------
    def follow_calendar(self) -> None:
        """This week's stage and location from the programme plan (school if planned at a firm but unplaced)."""
        pw = self.programme_week()
        model = self.model
        if not 0 <= pw < model.programme_weeks:
            return
        if not self.in_programme():
            self.location = Location.AWAY
            return
        self.stage = model.cal_stage[pw]
        planned = model.cal_location[pw]
        if planned == Location.ENTERPRISE and (pw == 0 or model.cal_location[pw - 1] != Location.ENTERPRISE):
            self.reached_enterprise_period = True
        if planned == Location.ENTERPRISE and self.host is None:
            planned = model.cal_fallback[pw]
        self.location = planned

    def enrol(self, mentor: SchoolMentor) -> None:
        """Start the basic stage at school with a school mentor."""
        self.stage = Stage.BASIC
        self.location = Location.SCHOOL
        self.school_mentor = mentor
        mentor.mentees.append(self)

    # --- learning ---------------------------------------------------------------------
    def personal_factor(self) -> float:
        """Ability, motivation and this week's luck (one normal draw)."""
        lp = self.model.scenario.learning
        f = math.exp(lp.ability_effect_per_sd * self.ability)
        f *= 1.0 + lp.motivation_effect * (self.motivation - 0.5) / 0.5
        self.luck = max(0.0, 1.0 + lp.noise_sd * self.random.gauss(0.0, 1.0))
        return f * self.luck

    def learn(self) -> None:
        """Grow theory, practical skill and professionalism with diminishing returns; update motivation."""
        if self.location == Location.AWAY:
            return
        model = self.model
        sc = model.scenario
        lp = sc.learning
        f = self.personal_factor() * model.learning_rate_factor
        misfit = False
        if self.location == Location.SCHOOL:
            mentor = self.school_mentor
            g = self.guidance_school
            cs = lp.classroom_share
            in_class, in_practice = self.school_week_shares(g, model.practice_hosted)
            theory_in = mentor.teaching_quality * (cs + (1.0 - cs) * g) * in_class
            practice_quality = mentor.practical_skill * (0.5 + 0.5 * model.school_alignment)
            practical_in = in_practice * model.funded["training_base"] * practice_quality * (0.5 + 0.5 * g)
            prof_in = SCHOOL_PROFESSIONALISM_INPUT * (0.5 + 0.5 * g)
            plan_class, plan_practice = self.school_week_shares(1.0, model.practice_hosted)  # full guidance, funded
            planned = (lp.theory_points_per_week * mentor.teaching_quality * plan_class
                       + lp.practical_skill_points_per_week * practice_quality * plan_practice)
            received = lp.theory_points_per_week * theory_in + lp.practical_skill_points_per_week * practical_in
        else:  # in the enterprise
            host = self.host
            mentor = self.enterprise_mentor
            ums = lp.unmentored_practice_share
            if mentor is not None:
                g = self.guidance_enterprise
                quality = planned_quality = mentor.technical_skill * (0.3 + 0.7 * mentor.pedagogical_skill)
                prof_in = 0.6 + 0.4 * g
            else:
                g = quality = 0.0
                em = sc.enterprise_mentors
                planned_quality = em.technical_skill_mean * (0.3 + 0.7 * em.pedagogical_skill_mean) \
                    if sc.programme.dual_mentor else 0.0
                prof_in = 0.6
            received = ums + (1.0 - ums) * g * quality
            planned = ums + (1.0 - ums) * planned_quality
            post = 0.5 + host.post_level
            practical_in = post * (0.5 + 0.5 * host.alignment()) * received
            theory_in = ENTERPRISE_THEORY_INPUT * self.school_mentor.teaching_quality
            misfit = not self.sector_fit
        self.theory = grow(self.theory, lp.theory_points_per_week * theory_in * f)
        self.practical_skill = grow(self.practical_skill, lp.practical_skill_points_per_week * practical_in * f)
        self.professionalism = grow(self.professionalism, lp.professionalism_points_per_week * prof_in * f)
        progress = (received / planned if planned > 0 else 1.0) * self.luck
        target = self.disposition + lp.motivation_progress_effect * (progress - 1.0) \
            - lp.motivation_misfit_effect * misfit
        self.motivation = clip(self.motivation + lp.motivation_adjustment_per_week * (target - self.motivation),
                               0.0, 1.0)

    def school_week_shares(self, guidance: float, hosted: float = 1.0) -> tuple[float, float]:
        """Shares of the school week in class and in practice: mentoring takes its hours, the rest is split.

        ``hosted``: the share of the timetable's practice the training base can host; the rest is class.
        """
        sc = self.model.scenario
        mentoring = min(sc.school_mentors.desired_hours_per_student_week * guidance, SCHOOL_WEEK_HOURS)
        rest = (SCHOOL_WEEK_HOURS - mentoring) / SCHOOL_WEEK_HOURS
        practice = sc.programme.school_practice_hours_share * hosted
        return (1.0 - practice) * rest, practice * rest

    # --- certification ----------------------------------------------------------------
    def exam_score(self) -> float:
        """Practical skill and theory, weighted as the exam weighs them."""
        p = self.model.scenario.certification
        return p.practical_weight * self.practical_skill + (1.0 - p.practical_weight) * self.theory

    def enter_for_exam(self) -> None:
        """The week before a session: the mentor enters the student if ready and, after a failure, studied since."""
        p = self.model.scenario.certification
        score = self.exam_score()
        threshold = p.thresholds_points[min(self.certificates, len(p.thresholds_points) - 1)]
        expected = 1.0 / (1.0 + math.exp(-(score - threshold) / p.difficulty_scale_points))
        self.entered = (self.in_programme() and expected >= p.readiness_pass_probability
                        and score >= self.score_at_failure + p.retake_study_points)

    def may_sit_exam(self) -> bool:
        """Entered, skill or internship stage, exam year reached, certificates left, sittings left."""
        p = self.model.scenario.certification
        return (self.entered and self.stage in (Stage.SKILL, Stage.INTERNSHIP)
                and self.programme_week() // WEEKS_PER_YEAR + 1 >= p.first_exam_year
                and self.certificates < len(p.thresholds_points) and self.attempts < p.max_attempts)

    def sit_exam(self) -> None:
        """Sit the next certificate if entered and the fee is funded (else postponed); the entry then lapses."""
        sits = self.may_sit_exam()
        self.entered = False
        if not sits or self.random.random() >= self.model.funded["exam_fees"]:
            return
        p = self.model.scenario.certification
        score = self.exam_score()
        threshold = p.thresholds_points[self.certificates]
        passed = self.random.random() < 1.0 / (1.0 + math.exp(-(score - threshold) / p.difficulty_scale_points))
        self.model.counters["exam_sittings"] += 1
        change = p.result_motivation_change
        if passed:
            self.certificates += 1
            self.attempts = 0
            self.score_at_failure = -math.inf
            self.motivation = min(self.motivation + change, 1.0)
            self.model.counters["exam_passes"] += 1
        else:
            self.attempts += 1
            self.score_at_failure = score
            self.motivation = max(self.motivation - change, 0.0)

    # --- attrition and exits ----------------------------------------------------------
    def consider_leaving(self) -> None:
        """Request a dropout; at a firm also the host ending the placement or the apprentice leaving it.

        Poor support, misfit and low motivation raise dropout; a skill gap the host's ending;
        poor support and misfit the apprentice's leaving.
        """
        if not self.in_programme():
            return
        sc = self.model.scenario
        p = sc.attrition
        at_firm = self.location == Location.ENTERPRISE
        if at_firm:
            support = self.guidance_enterprise if self.enterprise_mentor is not None \
                else sc.learning.unmentored_practice_share
        else:
            support = self.guidance_school
        misfit = 1.0 if at_firm and not self.sector_fit else 0.0
        caught = self.problems_caught() if at_firm else 0.0
        log_m = (p.support_effect * (1.0 - support) + p.fit_effect * misfit
                 + p.motivation_effect * max(0.0, 0.5 - self.motivation))
        if self.random.random() < weekly_probability(p.dropout_rate_per_year, resolved(log_m, caught)):
            self.dropout_requested = True
        if at_firm:
            need = POST_NEED_BASE_POINTS + POST_NEED_PER_LEVEL_POINTS * self.host.post_level
            gap = max(0.0, need - self.practical_skill)
            if self.random.random() < weekly_probability(p.termination_rate_per_year,
                                                         resolved(p.termination_skill_gap_effect * gap, caught)):
                self.termination_requested = True
            log_leave = p.support_effect * (1.0 - support) + p.fit_effect * misfit
            if self.random.random() < weekly_probability(p.apprentice_leave_rate_per_year,
                                                         resolved(log_leave, caught)):
                self.leave_requested = True

    def problems_caught(self) -> float:
        """Share of what problems add to this apprentice's hazards that the school mentor's visits catch and resolve.

        A problem shows ``problem_warning_weeks`` before it ends the placement; visits come
        at the rate made this week; at least one in that time notices it, and the two
        mentors resolve ``problem_resolution_share`` of what is noticed. No visits while
        the school mentor's post is vacant.
        """
        c = self.model.scenario.contact
        visits = self.model.visits_per_month
        if visits <= 0.0 or self.school_mentor is None or not self.school_mentor.is_active():
            return 0.0
        return c.problem_resolution_share * (1.0 - math.exp(-visits * c.problem_warning_weeks / WEEKS_PER_MONTH))

    def leave_host(self) -> None:
        """Lose host and enterprise mentor (dissolution, dropout, the term's end or graduation); the host counts it."""
        if self.host is not None:
            self.host.apprentices.discard(self)
            self.host.placements_ended += 1
        if self.enterprise_mentor is not None:
            self.enterprise_mentor.apprentices.discard(self)
        self.host = None
        self.enterprise_mentor = None

    def count_dissolution(self) -> None:
        """Count the early end of this apprentice's placement (and whether it fell in its first 52 weeks)."""
        c = self.model.counters
        c["dissolutions"] += 1
        if self.model.week - self.placed_week < WEEKS_PER_YEAR:
            c["dissolutions_first_year"] += 1

    def apply_exit_requests(self) -> None:
        """Apply this week's requests: a dissolution first (which may lead to a dropout), then a dropout.

        A dissolution (the host ended the placement, or the apprentice left it): the host
        rates the apprentice, who goes back to school; then a new placement at a later
        round, leaving school, or the school-only track. A dropout while placed dissolves
        the placement too (the host rates it).
        """
        if self.termination_requested or self.leave_requested:
            self.termination_requested = self.leave_requested = False
            if self.host is not None and self.in_programme():
                self.host.rate(self, retained=False)
                self.count_dissolution()
                self.leave_host()
                self.offered_by_host = False
                self.n_terminations += 1
                pw = min(max(self.programme_week(), 0), self.model.programme_weeks - 1)
                self.location = self.model.cal_fallback[pw]
                self.model.counters["terminations"] += 1
                p = self.model.scenario.attrition
                u = self.random.random()
                new = p.new_placement_share_after_dissolution
                if u >= new:  # no new placement: leave school, or stay on the school-only track
                    if u < new + (1.0 - new) * p.leave_school_share_without_new_placement:
                        self.dropout_requested = True
                    else:
                        self.school_only = True
        if self.dropout_requested:
            self.dropout_requested = False
            if self.in_programme():
                self.stage = Stage.DROPPED_OUT
                self.location = Location.AWAY
                self.week_left = self.model.week
                if self.host is not None:
                    self.host.rate(self, retained=False)
                    self.count_dissolution()
                self.leave_host()
                self.offered_by_host = False

    # --- labour market ----------------------------------------------------------------
    def choose_path(self) -> None:
        """When the search starts: a bachelor's, not seeking work for a year, or the labour market."""
        lm = self.model.scenario.labour_market
        study = {"secondary": lm.further_study_share_secondary, "higher": lm.further_study_share_higher,
                 "undergraduate": lm.further_study_share_undergraduate}[self.model.scenario.programme.level]
        u = self.random.random()
        if u < study:
            self.further_study = True
        elif u < study + lm.not_seeking_share:
            self.not_seeking = True

    def is_searching(self) -> bool:
        """Final-year students past the search start without an offer, and unemployed graduates.

        A hosted apprentice waits for its host's decision before it searches.
        """
        week = self.model.week
        pw = self.programme_week()
        if self.stage == Stage.UNEMPLOYED:
            searching = True
        else:
            awaiting = self.host is not None and pw < self.model.decision_programme_week
            searching = (self.in_programme() and pw >= self.model.search_programme_week and not awaiting
                         and not self.offered_by_host and not self.further_study and self.week_job_found < 0)
        if searching and self.not_seeking:
            searching = self.week_graduated >= 0 and week > self.week_graduated + FOLLOW_UP_12M_WEEKS
        return searching

    def work_week(self) -> None:
        """Search the open market (hazard rising with the composite score and certificates); lose a job."""
        lm = self.model.scenario.labour_market
        if self.is_searching():
            log_m = lm.composite_effect_per_point * (self.composite_score() - 50.0) + \
                lm.certificate_effect * self.certificates
            if self.random.random() < -math.expm1(-lm.open_market_job_rate_per_week * math.exp(log_m)):
                self.week_job_found = self.model.week
                self.employer = OPEN_MARKET
                if self.stage == Stage.UNEMPLOYED:
                    self.stage = Stage.EMPLOYED
        if self.stage == Stage.EMPLOYED and self.random.random() < weekly_probability(lm.job_loss_rate_per_year):
            self.stage = Stage.UNEMPLOYED
            self.employer = None
            self.week_job_found = -1

    def graduate(self) -> None:
        """Leave the programme: retained by the host, employed, in further study or unemployed."""
        model = self.model
        if self.offered_by_host:
            self.employer = self.host_at_decision
            self.week_job_found = model.week
            saving = model.scenario.participation.hiring_cost_saved_yuan_per_hire
            self.employer.hires_from_placements += 1
            self.employer.total_hiring_savings += saving
            model.counters["hiring_savings_yuan"] += saving
        if self.host is not None:  # the host rates the graduate it trained
            self.host.rate(self, retained=self.offered_by_host and self.host_at_decision is self.host)
        if self.week_job_found >= 0:
            self.stage = Stage.EMPLOYED
        elif self.further_study:
            self.stage = Stage.FURTHER_STUDY
        else:
            self.stage = Stage.UNEMPLOYED
        self.location = Location.AWAY
        self.week_graduated = model.week
        self.leave_host()
        self.stage_at_graduation = self.stage


def grow(score: float, gain: float) -> float:
    """A score after a weekly gain with diminishing returns near 100."""
    return min(100.0, score + gain * (1.0 - score / 100.0))


class PeerModel(mesa.Model):
    """The per-agent Mesa version of the model; ``step()`` simulates one week.

    Args:
        scenario: the validated scenario.
        seed: the run's seed (seeds ``self.random`` and ``self.rng``).
        variants: names from ``VARIANTS``, deliberately wrong mechanisms (for tests).
    """

    def __init__(self, scenario: Scenario, seed: int, variants: frozenset[str] = frozenset()) -> None:
        super().__init__(seed=seed)
        unknown = set(variants) - set(VARIANTS)
        if unknown:
            raise ValueError(f"unknown variants {sorted(unknown)}; known: {VARIANTS}")
        self.scenario = scenario
        self.variants = frozenset(variants)
        self.learning_rate_factor = 2.0 if "double_learning_rate" in self.variants else 1.0
        cal = build_calendar(scenario.calendar)
        self.cal_stage = [Stage(int(x)) for x in cal.stage]
        self.cal_location = [Location(int(x)) for x in cal.location]
        self.cal_fallback = [Location(int(x)) for x in cal.fallback_location]
        self.teaching_weeks = cal.teaching_weeks
        self.programme_weeks = cal.programme_weeks
        # a placement's planned term: the plan's enterprise weeks
        self.weeks_per_placement = sum(1 for where in self.cal_location if where == Location.ENTERPRISE)
        self.week = 0
        self.ledger = Ledger(scenario.funding.earmarks.model_dump())
        self.counters = dict.fromkeys(("placements", "terminations", "dissolutions", "dissolutions_first_year",
                                       "terms_ended_host_withdrew", "exam_sittings", "exam_passes", "host_offers",
                                       "hiring_savings_yuan", "gross_training_cost_yuan", "productive_output_yuan",
                                       "reviews", "demonstration_unit_years", "teacher_weeks_in_practice",
                                       "teacher_weeks_uncovered"), 0.0)
        self.search_programme_week, self.decision_programme_week = self.labour_market_weeks()
        self.funded = dict.fromkeys(USES, 1.0)
        self.practice_hosted = 1.0  # share of the timetable's practice hours the training base hosts this week
        self.practice_hours_each = 0.0  # practice hours each student at school has this week
        self.practice_planned = self.practice_cut = self.practice_peak = 0.0  # whole run, student practice hours
        self.visits_per_month = 0.0
        self.sessions_per_semester = 0.0
        self.school_alignment = 0.0
        # the curriculum starts as the school wrote it (or at the target, if that is lower)
        self.curriculum_alignment = min(scenario.curriculum.initial_alignment, scenario.programme.curriculum_alignment)
        self.codevelopment_hours = 0.0  # whole run, school and enterprise mentors
        self.participation_years: list[float] = []
        self.mentees_per_school_mentor: list[float] = []
        self.apprentices_per_enterprise_mentor: list[float] = []
        self.school_mentor_workload: list[float] = []
        self.enterprise_mentor_workload: list[float] = []
        self.active_school_mentors: list[int] = []
        self.active_enterprise_mentors: list[int] = []
        self.school_mentor_quality: list[float] = []
        self.enterprise_mentor_skill: list[float] = []

        self.enterprises = [Enterprise(self) for _ in range(scenario.enterprises.count)]
        per_mentor = scenario.enterprise_mentors.apprentices_per_mentor
        for firm in self.enterprises:
            firm.mentors = [EnterpriseMentor(self, firm) for _ in range(math.ceil(firm.capacity / per_mentor))]
            for m in firm.mentors:
                m.vacant_until = m.select(0, 0)
        sizes = scenario.intake.sizes()  # students of each cohort (intake.cohort_sizes, else cohort_size each)
        together = min(scenario.intake.n_cohorts, scenario.calendar.programme_years)
        concurrent = max(sum(sizes[c:c + together]) for c in range(len(sizes) - together + 1))
        n_posts = max(1, math.ceil(concurrent / scenario.school_mentors.students_per_mentor))
        self.school_mentors = [SchoolMentor(self) for _ in range(n_posts)]
        self.cohorts = [[Student(self, c) for _ in range(size)] for c, size in enumerate(sizes)]
        self.running = True

    @property
    def students(self) -> mesa.agent.AgentSet:
        """All students (a Mesa AgentSet)."""
        return self.agents_by_type[Student]

    def step(self) -> None:
        """Simulate one week: the phases in their fixed order, then record."""
        by_type = self.agents_by_type
        students = by_type[Student]
        students.do("follow_calendar")  # schedule
        self.enrol_cohort()  # intake
        self.decide_participation()  # participation
        self.develop_mentors()  # mentor development
        self.place_apprentices()  # placement
        self.use_training_base()  # training base
        self.pay_weekly_needs()  # funding
        self.set_mentor_effort()  # incentives
        self.make_contact()  # contact
        self.codevelop_curriculum()  # curriculum
        by_type[SchoolMentor].do("share_hours")  # mentoring
        if EnterpriseMentor in by_type:
            by_type[EnterpriseMentor].do("share_hours")
        self.school_alignment = self.programme_alignment()
        students.shuffle_do("learn")  # learning
        if self.is_exam_week():  # certification
            students.do("sit_exam")
        if self.is_exam_week(self.week + 1):
            students.do("enter_for_exam")
        students.do("consider_leaving")  # attrition
        students.do("apply_exit_requests")  # exits
        self.run_labour_market()  # labour market
        by_type[Enterprise].do("book_week")  # enterprise accounts
        self.record()
        self.week += 1
        if self.week >= self.scenario.horizon_weeks:
            self.running = False

    # --- calendar helpers -------------------------------------------------------------
    def is_year_start(self) -> bool:
        """First week of an academic year."""
        return self.week % WEEKS_PER_YEAR == 0

    def is_exam_week(self, week: int | None = None) -> bool:
        """The last teaching week of a semester (this week, or ``week``)."""
        return (self.week if week is None else week) % HALF_YEAR_WEEKS == self.teaching_weeks - 1

    # --- intake -----------------------------------------------------------------------
    def enrol_cohort(self) -> None:
        """At a year start, enrol that year's cohort; new students go to the least-loaded mentor posts."""
        c = self.week // WEEKS_PER_YEAR
        if not self.is_year_start() or c >= len(self.cohorts):
            return
        new = self.cohorts[c]
        if self.scenario.intake.enrol_to_committed_places:  # the firms' places, shared by overlapping cohorts
            in_firm = [0] * WEEKS_PER_YEAR
            for pw, where in enumerate(self.cal_location):
                in_firm[pw % WEEKS_PER_YEAR] += where == Location.ENTERPRISE
            committed = sum(f.places_offered() for f in self.enterprises) // max(1, max(in_firm))
            new = new[:committed]
        posts = self.school_mentors
        load = {post: sum(1 for m in post.mentees if m.in_programme()) for post in posts}
        target = -(-(sum(load.values()) + len(new)) // len(posts))  # every post filled up to the same level
        i = 0
        for post in sorted(posts, key=load.__getitem__):  # least loaded first
            for _ in range(max(target - load[post], 0)):
                if i == len(new):
                    return
                new[i].enrol(post)
                i += 1

    # --- participation ----------------------------------------------------------------
    def planned_practical_skill(self) -> list[float]:
        """Practical skill after each programme week of an apprentice whose programme goes as planned.

        Average ability, the intake's mean motivation, no luck; all the guidance it needs,
        a funded training base, mentors of the scenario's mean attributes, a post of the
        mean technical level, the alignment the contact rules sustain.
        """
        sc = self.scenario
        lp = sc.learning
        sm, em, ep = sc.school_mentors, sc.enterprise_mentors, sc.enterprises
        dual = sc.programme.dual_mentor
        sessions = sc.contact.enterprise_mentor_school_sessions_per_semester if dual else 0.0
        align = alignment(sc, sc.programme.curriculum_alignment,  # the plan: the curriculum at its target
                          contact_target(sc.contact.school_mentor_visits_per_month, sessions))
        factor = 1.0 + lp.motivation_effect * (sc.intake.motivation_mean - 0.5) / 0.5
        mentoring = min(sm.desired_hours_per_student_week, SCHOOL_WEEK_HOURS)
        in_practice = sc.programme.school_practice_hours_share * (SCHOOL_WEEK_HOURS - mentoring) / SCHOOL_WEEK_HOURS
        mentor_practice = sm.dual_qualified_share * sm.practical_skill_dual_qualified + \
            (1.0 - sm.dual_qualified_share) * sm.practical_skill_other
        quality = em.technical_skill_mean * (0.3 + 0.7 * em.pedagogical_skill_mean) if dual else 0.0
        ums = lp.unmentored_practice_share
        post = 0.5 + ep.post_level_alpha / (ep.post_level_alpha + ep.post_level_beta)
        skill = sc.intake.initial_practical_skill_mean
        path = []
        for where in self.cal_location:
            if where == Location.SCHOOL:
                inputs = in_practice * mentor_practice * (0.5 + 0.5 * align)
            elif where == Location.ENTERPRISE:
                inputs = post * (0.5 + 0.5 * align) * (ums + (1.0 - ums) * quality)
            else:
                inputs = 0.0
            skill = grow(skill, lp.practical_skill_points_per_week * inputs * factor)
            path.append(skill)
        return path

    def ex_ante_net_cost_per_week(self) -> float:
        """Training net cost per apprentice-week a firm expects before anyone has hosted, yuan.

        The accounts' formula, week by week, on the planned skill of all the plan's
        enterprise weeks, less (enterprise apprenticeships) the completion subsidy with the
        certificate bonus, per week.
        """
        sc = self.scenario
        em = sc.enterprise_mentors
        dual = sc.programme.dual_mentor
        path = self.planned_practical_skill()
        firm_weeks = [pw for pw, where in enumerate(self.cal_location) if where == Location.ENTERPRISE]
        weeks = firm_weeks or [len(path) - 1]
        hours = em.desired_hours_per_apprentice_week if dual else 0.0
        allowance = em.remuneration_yuan_per_month * MONTHS_PER_WEEK / em.apprentices_per_mentor \
            if dual and sc.funding.firms_pay_mentor_allowance else 0.0
        net = []
        for pw in weeks:
            cost, output = week_accounts(sc, 1.0, hours, path[pw], allowance)
            net.append(cost - output)
        per_week = sum(net) / len(net)
        if sc.programme.kind == "enterprise_apprenticeship" and firm_weeks:
            inc = sc.incentives
            per_week -= (inc.apprentice_subsidy_yuan_per_year
                         + inc.apprentice_subsidy_certificate_bonus_yuan_per_year) / WEEKS_PER_YEAR
        return per_week

    def programme_hire_rate(self) -> float:
        """Hires per placement ended over all firms; the prior before any placement has ended."""
        ended = sum(f.placements_ended for f in self.enterprises)
        if ended == 0:
            return self.scenario.participation.prior_hire_rate
        return sum(f.hires_from_placements for f in self.enterprises) / ended

    def decide_participation(self) -> None:
        """Vacancies at year starts; each firm in its review week (after week 0) joins, stays or leaves."""
        if self.is_year_start():
            self.agents_by_type[Enterprise].do("draw_vacancies")
        if self.week > 0:
            reviewing = [f for f in self.enterprises if f.review_week == self.week % WEEKS_PER_YEAR]
            for f in reviewing:
                f.close_year()
            if reviewing:
                known = [f.last_net_cost_per_apprentice_week for f in self.enterprises
                         if f.last_net_cost_per_apprentice_week is not None]
                fallback = sum(known) / len(known) if known else self.ex_ante_net_cost_per_week()
                hosted = [a.composite_score() for f in self.enterprises for a in f.apprentices]
                mean_score = sum(hosted) / len(hosted) if hosted else None
                hire_rate = self.programme_hire_rate()
                self.random.shuffle(reviewing)
                for f in reviewing:
                    f.decide_participation(fallback, mean_score, hire_rate)
        if self.is_year_start():
            self.participation_years.append(sum(f.participating for f in self.enterprises) / len(self.enterprises))

    # --- mentor development -----------------------------------------------------------
    def develop_mentors(self) -> None:
        """Two-way training at year starts (after the first); turnover every week."""
        by_type = self.agents_by_type
        mentor_types = [t for t in (SchoolMentor, EnterpriseMentor) if t in by_type]
        if self.week > 0 and self.is_year_start():
            for t in mentor_types:
                by_type[t].do("train")
        for t in mentor_types:
            by_type[t].shuffle_do("turn_over")

    # --- placement --------------------------------------------------------------------
    def cohorts_in_placement_round(self) -> list[tuple[int, bool]]:
        """Cohorts whose enterprise period starts this week (True), or who are in one at a half-year start."""
        out = []
        half_start = self.week % HALF_YEAR_WEEKS == 0
        for c in range(len(self.cohorts)):
            pw = self.week - c * WEEKS_PER_YEAR
            if not 0 <= pw < self.programme_weeks or self.cal_location[pw] != Location.ENTERPRISE:
                continue
            period_start = pw == 0 or self.cal_location[pw - 1] != Location.ENTERPRISE
            if half_start or period_start:
                out.append((c, period_start))
        return out

    def end_terms_with_withdrawn_hosts(self, cohort: list[Student]) -> None:
        """At a new enterprise period: placements whose host no longer takes part end (their term is over)."""
        for s in cohort:
            if s.host is not None and not s.host.participating:
                self.counters["terms_ended_host_withdrew"] += 1
                s.leave_host()
                s.offered_by_host = False
                # back to the plan's fallback unless placed again in this round
                pw = min(max(s.programme_week(), 0), self.programme_weeks - 1)
                s.location = self.cal_fallback[pw]

    def place_apprentices(self) -> None:
        """Match students without a host to firms' free places: the student-optimal stable matching.

        Students rank firms by sector fit (own sector, then other sectors by the chance of a
        fitting post there), then post level; firms rank their own sector's students first,
        then by composite score. Under these rankings the stable matching is a serial
        dictatorship: each sector's students, best score first, take its firms' places in
        the students' order; then the students left, best first, take the places left.
        Students on the school-only track after a dissolution are not placed again.
        """
        needing = []
        for c, period_start in self.cohorts_in_placement_round():
            if period_start:
                self.end_terms_with_withdrawn_hosts(self.cohorts[c])
            needing += [s for s in self.cohorts[c] if s.in_programme() and s.host is None and not s.school_only]
        if not needing:
            return
        firms = list(self.enterprises)  # in index order: the last tie-break
        free = {f: f.free_places() for f in firms}
        best_first = sorted(needing, key=lambda s: -s.composite_score())  # stable: index order among equals
        by_post_level = sorted(firms, key=lambda f: -f.post_level)
        unplaced = []
        for sector in sorted({s.sector for s in needing}):
            queue = [s for s in best_first if s.sector == sector]
            places = [f for f in by_post_level if f.sector == sector for _ in range(free[f])]
            for student, firm in zip(queue, places, strict=False):
                free[firm] -= 1
                firm.take_apprentice(student, fitting_post=True)
            unplaced.extend(queue[len(places):])
        unplaced.sort(key=lambda s: -s.composite_score())
        known_first = sorted(by_post_level, key=lambda f: -f.placement_knowledge())
        places = [f for f in known_first for _ in range(free[f])]
        for student, firm in zip(unplaced, places, strict=False):
            firm.take_apprentice(student, fitting_post=self.random.random() < firm.placement_knowledge())
        if self.scenario.programme.dual_mentor:  # mentors for the new apprentices, in index order
            for student in needing:
                if student.host is not None:
                    student.host.assign_mentor(student)

    # --- training base, funding, incentives, contact ----------------------------------
    def use_training_base(self) -> None:
        """The timetable's practice hours of the students at school, cut pro rata to the base's capacity."""
        sc = self.scenario
        at_school = sum(1 for s in self.agents_by_type[Student] if s.location == Location.SCHOOL)
        each = sc.programme.school_practice_hours_share * \
            (SCHOOL_WEEK_HOURS - min(sc.school_mentors.desired_hours_per_student_week, SCHOOL_WEEK_HOURS))
        asked = at_school * each
        capacity = sc.programme.training_base_capacity_hours_per_week
        self.practice_hosted = min(1.0, capacity / asked) if asked > 0 else 1.0
        self.practice_hours_each = each * self.practice_hosted
        self.practice_planned += asked
        self.practice_cut += asked - asked * self.practice_hosted
        self.practice_peak = max(self.practice_peak, asked)

    def pay_in(self, at_firm: int) -> None:
        """Budgets at the start of a year with a cohort enrolled; the firms' share for this week's apprentices."""
        p = self.scenario.funding
        year_end = self.week + WEEKS_PER_YEAR
        if self.is_year_start() and any(c[0].enrol_week < year_end and c[0].graduation_week >= self.week
                                        for c in self.cohorts if c):
            self.ledger.pay_in("school_special_fund", p.school_special_fund_yuan_per_year)
            self.ledger.pay_in("government", p.government_yuan_per_year)
        if at_firm:
            self.ledger.pay_in("enterprise_cost_sharing",
                               p.enterprise_cost_sharing_yuan_per_apprentice_year * at_firm / WEEKS_PER_YEAR)

    def completion_subsidies(self) -> dict[Enterprise, float]:
        """The apprentice subsidy each host claims this week for its trainees completing (graduating while placed).

        Enterprise apprenticeships only: per trainee-year spent with that host, the subsidy
        plus the certificate bonus for a trainee holding a certificate.
        """
        sc = self.scenario
        claims: dict[Enterprise, float] = {}
        if sc.programme.kind != "enterprise_apprenticeship":
            return claims
        inc = sc.incentives
        for cohort in self.cohorts:
            if cohort[0].graduation_week != self.week:
                continue
            for s in cohort:
                if s.in_programme() and s.host is not None:
                    per_year = inc.apprentice_subsidy_yuan_per_year + \
                        (inc.apprentice_subsidy_certificate_bonus_yuan_per_year if s.certificates > 0 else 0.0)
                    claims[s.host] = claims.get(s.host, 0.0) + per_year * s.hosted_weeks / WEEKS_PER_YEAR
        return claims

    def pay_weekly_needs(self) -> None:
        """Each use states its need; the ledger pays it from its earmarked sources and says what share was paid.

        Each host pays its own active mentors' allowance (the 2018 and 2021 guidelines) unless
        ``funding.firms_pay_mentor_allowance`` is false; that part is always paid.
        """
        sc = self.scenario
        students = self.agents_by_type[Student]
        at_school = sum(1 for s in students if s.location == Location.SCHOOL)
        at_firm = sum(1 for s in students if s.location == Location.ENTERPRISE)
        self.pay_in(at_firm)
        active_sm = [m for m in self.school_mentors if m.is_active()]
        mentoring = sum(1 for m in active_sm if any(x.in_programme() for x in m.mentees))  # paid while mentoring
        teaching_em = 0
        firm_pays = sc.funding.firms_pay_mentor_allowance
        allowance = sc.enterprise_mentors.remuneration_yuan_per_month * MONTHS_PER_WEEK
        firm_part = 0.0
        for f in self.enterprises:
            teaching = sum(1 for m in f.mentors if m.is_active() and m.present_apprentices()) \
                if sc.programme.dual_mentor else 0
            teaching_em += teaching
            f.week_mentor_allowance = teaching * allowance if firm_pays else 0.0
            f.total_mentor_allowance += f.week_mentor_allowance
            firm_part += f.week_mentor_allowance
        visiting = sum(1 for m in active_sm if m.has_mentee_at_firm())
        away = sum(1 for m in self.school_mentors if m.away_teaching())
        claims = self.completion_subsidies()
        em_pay = sc.incentives.enterprise_mentor_salary_subsidy_yuan_per_month
        if not firm_pays:
            em_pay += sc.enterprise_mentors.remuneration_yuan_per_month
        needs = {
            "training_base": at_school * (sc.funding.training_base_fixed_yuan_per_student_week
                                          + sc.funding.practice_consumables_yuan_per_practice_hour
                                          * self.practice_hours_each),
            "school_mentor_remuneration": mentoring * sc.school_mentors.remuneration_yuan_per_month
            * MONTHS_PER_WEEK,
            "practice_substitutes": away * sc.mentor_development.substitute_yuan_per_teacher_week,
            "enterprise_mentor_remuneration": teaching_em * em_pay * MONTHS_PER_WEEK,
            "contact_visits": visiting * sc.contact.school_mentor_visits_per_month * MONTHS_PER_WEEK
            * sc.contact.cost_yuan_per_visit,
            "exam_fees": 0.0,
            "apprentice_subsidy": sum(claims.values()),
        }
        if self.is_exam_week():
            needs["exam_fees"] = sum(1 for s in students if s.may_sit_exam()) * sc.certification.exam_fee_yuan
        self.funded = self.ledger.pay_out(needs)
        self.counters["teacher_weeks_in_practice"] += away
        self.counters["teacher_weeks_uncovered"] += away * (1.0 - self.funded["practice_substitutes"])
        for f in self.enterprises:
            f.week_subsidy = claims.get(f, 0.0) * self.funded["apprentice_subsidy"]
        if firm_part > 0.0:  # the firms' part of the mentors' pay is always paid
            programme_part = needs["enterprise_mentor_remuneration"]
            paid = firm_part + programme_part * self.funded["enterprise_mentor_remuneration"]
            self.funded["enterprise_mentor_remuneration"] = paid / (firm_part + programme_part)

    def set_mentor_effort(self) -> None:
        """Honours at year starts after the first; mentor effort from the allowances paid and the honours held."""
        inc = self.scenario.incentives
        if inc.mentor_honours and self.week > 0 and self.is_year_start():
            honour_the_best(self.school_mentors, lambda m: m.mentees, inc.honours_share)
            honour_the_best([m for f in self.enterprises for m in f.mentors], lambda m: m.apprentices,
                            inc.honours_share)
        by_type = self.agents_by_type
        by_type[SchoolMentor].do("set_effort", self.funded["school_mentor_remuneration"])
        if EnterpriseMentor in by_type:
            by_type[EnterpriseMentor].do("set_effort", self.funded["enterprise_mentor_remuneration"])

    def make_contact(self) -> None:
        """Visits and sessions happen as far as funded; each host's coordination follows them."""
        sc = self.scenario
        self.visits_per_month = sc.contact.school_mentor_visits_per_month * self.funded["contact_visits"]
        self.sessions_per_semester = 0.0
        if sc.programme.dual_mentor:
            self.sessions_per_semester = sc.contact.enterprise_mentor_school_sessions_per_semester * \
                self.funded["enterprise_mentor_remuneration"]
        self.agents_by_type[Enterprise].do("update_coordination")

    def codevelop_curriculum(self) -> None:
        """Mentors with mentees give their co-development hours while the curriculum is below its target."""
        sc = self.scenario
        mentors: list[SchoolMentor | EnterpriseMentor] = [*self.school_mentors,
                                                          *(m for f in self.enterprises for m in f.mentors)]
        for m in mentors:
            m.codevelopment_hours = 0.0
        hours_a_year = sc.curriculum.codevelopment_hours_per_mentor_year
        if self.curriculum_alignment >= sc.programme.curriculum_alignment or hours_a_year <= 0.0:
            return
        giving: list[SchoolMentor | EnterpriseMentor] = [
            m for m in self.school_mentors if m.is_active() and any(x.in_programme() for x in m.mentees)]
        if sc.programme.dual_mentor:
            giving += [m for f in self.enterprises for m in f.mentors if m.is_active() and m.present_apprentices()]
        for m in giving:
            m.codevelopment_hours = hours_a_year / WEEKS_PER_YEAR
        hours = len(giving) * hours_a_year / WEEKS_PER_YEAR
        self.codevelopment_hours += hours
        gained = sc.curriculum.alignment_gain_per_1000_hours * hours / 1000.0 / sc.intake.n_sectors
        self.curriculum_alignment = min(sc.programme.curriculum_alignment, self.curriculum_alignment + gained)

    def programme_alignment(self) -> float:
        """Alignment of school teaching: from the mean coordination of the participating firms."""
        coordinated = [f.coordination for f in self.enterprises if f.participating]
        return alignment(self.scenario, self.curriculum_alignment,
                         sum(coordinated) / len(coordinated) if coordinated else 0.0)

    # --- labour market ----------------------------------------------------------------
    def labour_market_weeks(self) -> tuple[int, int]:
        """Programme weeks in which final-year students start searching, and in which hosts decide.

        Hosts decide when the search starts, but not before they have seen the apprentice
        work ``host_min_observation_weeks`` of the last enterprise period (at the latest in
        its last week).
        """
        lm = self.scenario.labour_market
        last = self.programme_weeks - 1
        search = max(last - lm.job_search_weeks_before_graduation, 0)
        firm_weeks = [pw for pw, where in enumerate(self.cal_location) if where == Location.ENTERPRISE]
        if not firm_weeks:
            return search, search
        end = start = firm_weeks[-1]
        while start > 0 and self.cal_location[start - 1] == Location.ENTERPRISE:
            start -= 1
        seen = min(start + lm.host_min_observation_weeks - 1, end)
        return search, min(max(search, seen), last)

    def run_labour_market(self) -> None:
        """Host decisions, search and job loss, graduation and the follow-up snapshots."""
        for cohort in self.cohorts:
            pw = self.week - cohort[0].enrol_week
            if pw == self.search_programme_week:
                for s in cohort:
                    if s.in_programme():
                        s.choose_path()
            if pw == self.decision_programme_week:
                current = [s for s in cohort if s.in_programme()]
                for s in current:
                    if s.host is not None:
                        s.host_at_decision = s.host
                for firm in self.enterprises:
                    firm.offer_jobs([s for s in current if s.host is firm and not s.further_study])
        self.agents_by_type[Student].do("work_week")
        for cohort in self.cohorts:
            grad_week = cohort[0].graduation_week
            if self.week == grad_week:
                for s in cohort:
                    if s.in_programme():
                        s.graduate()
            if self.week == grad_week + self.scenario.labour_market.initial_employment_cutoff_weeks:
                for s in cohort:
                    if s.week_graduated >= 0:
                        s.stage_at_initial_cutoff = s.stage
            if self.week in (grad_week + FOLLOW_UP_6M_WEEKS, grad_week + FOLLOW_UP_12M_WEEKS):
                for s in cohort:
                    if s.week_graduated >= 0:
                        if self.week == grad_week + FOLLOW_UP_6M_WEEKS:
                            s.stage_at_6m = s.stage
                        else:
                            s.stage_at_12m = s.stage

    # --- record and summary -----------------------------------------------------------
    def record(self) -> None:
        """This week's mentor ratios and workloads (what the summary averages over weeks)."""
        students = self.agents_by_type[Student]
        enrolled = sum(1 for s in students if s.in_programme())
        active_sm = sum(1 for m in self.school_mentors if m.is_active())
        if enrolled and active_sm:
            self.mentees_per_school_mentor.append(enrolled / active_sm)
        mentors = [m for f in self.enterprises for m in f.mentors]
        with_apprentices = [len(m.present_apprentices()) for m in mentors]
        if any(with_apprentices):
            self.apprentices_per_enterprise_mentor.append(
                sum(with_apprentices) / sum(1 for n in with_apprentices if n))
        loads = [m.workload for m in self.school_mentors if m.workload > 0]
        if loads:
            self.school_mentor_workload.append(sum(loads) / len(loads))
        active = [m for m in self.school_mentors if m.is_active()]
        self.active_school_mentors.append(len(active))
        if active:
            self.school_mentor_quality.append(sum(m.teaching_quality for m in active) / len(active))
        active_em = [m for m in mentors if m.is_active()]
        self.active_enterprise_mentors.append(len(active_em))
        if active_em:
            self.enterprise_mentor_skill.append(sum(m.technical_skill for m in active_em) / len(active_em))
        loads = [m.workload for m in mentors if m.workload > 0]
        if loads:
            self.enterprise_mentor_workload.append(sum(loads) / len(loads))

    def summary(self) -> dict[str, float]:
        """The outcomes under the same names as ``sim.results.summarise``."""
        return summarise_peer(self)


def _rate(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("nan")


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def summarise_peer(model: PeerModel) -> dict[str, float]:
    """The run's outcomes (the same names and definitions as the engine's summary)."""
    students = list(model.agents_by_type[Student])
    last_week = model.week - 1
    grads = [s for s in students if s.week_graduated >= 0]
    observed = [s for s in students if s.graduation_week <= last_week and s.stage != Stage.NOT_ENROLLED]
    finished = [s for s in students if s.week_graduated >= 0 or s.week_left >= 0]
    n_grads = len(grads)
    c = model.counters

    def employment(snapshot: str, jobs_only: bool) -> float:
        seen = [getattr(s, snapshot) for s in students if getattr(s, snapshot) is not None]
        ok = (Stage.EMPLOYED,) if jobs_only else (Stage.EMPLOYED, Stage.FURTHER_STUDY)
        return _rate(sum(1 for x in seen if x in ok), len(seen))

    hosted_at_decision = [s for s in grads if s.host_at_decision is not None and not s.further_study]
    retained_by = [s.host_at_decision for s in hosted_at_decision if s.offered_by_host]
    employed_at_grad = sum(1 for s in grads if s.stage_at_graduation in (Stage.EMPLOYED, Stage.FURTHER_STUDY))
    firms = model.enterprises
    apprentice_years = sum(f.total_apprentice_weeks for f in firms) / WEEKS_PER_YEAR
    net = {f: f.total_benefit + f.total_hiring_savings - f.total_cost for f in firms}
    tax_credit = sum(f.total_tax_credit for f in firms)
    public_cost = sum(model.ledger.spent[src, use] for src in ("school_special_fund", "government")
                      for use in USES) + tax_credit
    retaining = set(retained_by)
    first_year = [(f.first_year_cost - f.first_year_benefit) / (f.first_year_apprentice_weeks / WEEKS_PER_YEAR)
                  for f in firms if f.first_year_apprentice_weeks > 0]
    rated = sum(f.satisfaction_count for f in firms)
    total_cost = model.ledger.total_spent()
    summary = {
        "n_students": float(len(students)),
        "n_enrolled": float(sum(1 for s in students if s.stage != Stage.NOT_ENROLLED)),
        "n_still_enrolled": float(sum(1 for s in students if s.in_programme())),
        "n_dropped_out": float(sum(1 for s in students if s.stage == Stage.DROPPED_OUT)),
        "n_graduates": float(n_grads),
        "completion_rate": _rate(sum(1 for s in observed if s.week_graduated >= 0), len(observed)),
        "dropout_rate": _rate(sum(1 for s in observed if s.stage == Stage.DROPPED_OUT), len(observed)),
        "early_termination_rate": _rate(c["dissolutions_first_year"], c["placements"]),
        "dissolution_rate": _rate(c["dissolutions"], c["placements"]),
        "terms_ended_host_withdrew": c["terms_ended_host_withdrew"],
        "placement_rate": _rate(sum(1 for s in finished if s.ever_placed), len(finished)),
        "never_placed_share": _rate(sum(1 for s in finished if s.reached_enterprise_period and not s.ever_placed),
                                    sum(1 for s in finished if s.reached_enterprise_period)),
        "certificate_pass_rate": _rate(sum(1 for s in grads if s.certificates >= 1), n_grads),
        "mean_certificates_per_graduate": _mean([s.certificates for s in grads]),
        "exam_pass_rate_per_sitting": _rate(c["exam_passes"], c["exam_sittings"]),
        "mean_composite_score": _mean([s.composite_score() for s in grads]),
        "mean_theory": _mean([s.theory for s in grads]),
        "mean_practical_skill": _mean([s.practical_skill for s in grads]),
        "mean_professionalism": _mean([s.professionalism for s in grads]),
        "employment_rate_at_graduation": employment("stage_at_graduation", jobs_only=False),
        "initial_employment_rate": employment("stage_at_initial_cutoff", jobs_only=False),
        "employment_rate_6m": employment("stage_at_6m", jobs_only=False),
        "employment_rate_12m": employment("stage_at_12m", jobs_only=False),
        "job_employment_rate_at_graduation": employment("stage_at_graduation", jobs_only=True),
        "job_employment_rate_6m": employment("stage_at_6m", jobs_only=True),
        "job_employment_rate_12m": employment("stage_at_12m", jobs_only=True),
        "further_study_rate": _rate(sum(1 for s in grads if s.stage_at_graduation == Stage.FURTHER_STUDY), n_grads),
        "host_retention_rate": _rate(len(retained_by), len(hosted_at_decision)),
        "enterprise_participation_rate": _mean(model.participation_years),
        "enterprise_satisfaction": _rate(sum(f.satisfaction_sum for f in firms), rated),
        **{f"enterprise_satisfaction_{k}": _rate(sum(f.part_sums[k] for f in firms), rated) for k in HOST_PARTS},
        "demonstration_unit_share": _rate(c["demonstration_unit_years"], c["reviews"]),
        "mean_mentees_per_school_mentor": _mean(model.mentees_per_school_mentor),
        "mean_apprentices_per_enterprise_mentor": _mean(model.apprentices_per_enterprise_mentor),
        "mean_school_mentor_workload": _mean(model.school_mentor_workload),
        "mean_enterprise_mentor_workload": _mean(model.enterprise_mentor_workload),
        "school_mentor_vacancy_share": 1.0 - _rate(_mean(model.active_school_mentors), len(model.school_mentors)),
        "enterprise_mentor_vacancy_share": 1.0 - _rate(_mean(model.active_enterprise_mentors),
                                                       sum(len(f.mentors) for f in firms)),
        "mean_school_mentor_teaching_quality": _mean(model.school_mentor_quality),
        "mean_enterprise_mentor_technical_skill": _mean(model.enterprise_mentor_skill),
        "total_cost_yuan": total_cost,
        "cost_per_graduate_yuan": _rate(total_cost, n_grads),
        "cost_per_employed_graduate_yuan": _rate(total_cost, employed_at_grad),
        "public_cost_yuan": public_cost,
        "public_cost_per_graduate_yuan": _rate(public_cost, n_grads),
        "public_cost_per_employed_graduate_yuan": _rate(public_cost, employed_at_grad),
        "firms_training_cost_yuan": c["gross_training_cost_yuan"] + model.ledger.paid_in["enterprise_cost_sharing"],
        "enterprise_net_benefit_yuan_per_placement": _rate(sum(net.values()), c["placements"]),
        "enterprise_net_cost_yuan_per_apprentice_year": _rate(c["gross_training_cost_yuan"]
                                                              - c["productive_output_yuan"], apprentice_years),
        "enterprise_first_year_net_cost_yuan_per_apprentice": _mean(first_year),
        "enterprise_gross_cost_yuan_per_apprentice": _rate(c["gross_training_cost_yuan"], apprentice_years),
        "enterprise_net_to_gross_cost_ratio": _rate(c["gross_training_cost_yuan"] - c["productive_output_yuan"],
                                                    c["gross_training_cost_yuan"]),
        "share_of_retaining_hosts_in_net_benefit": _rate(sum(1 for f in retaining if net[f] > 0), len(retaining)),
        "tax_credit_yuan": tax_credit,
        "tax_credit_carried_yuan": sum(f.tax_credit_pool for f in firms),
        "hiring_savings_yuan": c["hiring_savings_yuan"],
        "practice_hours_cut_share": _rate(model.practice_cut, model.practice_planned),
        "curriculum_alignment_reached": model.curriculum_alignment,
        "codevelopment_hours": model.codevelopment_hours,
        "training_base_peak_use": _rate(model.practice_peak,
                                        model.scenario.programme.training_base_capacity_hours_per_week),
        "money_in_yuan": sum(model.ledger.paid_in.values()),
        "balance_yuan": sum(model.ledger.balance.values()),
    }
    for use in USES:
        summary[f"spent_{use}_yuan"] = sum(model.ledger.spent[src, use] for src in SOURCES)
    for src in SOURCES:
        summary[f"spent_{src}_yuan"] = sum(model.ledger.spent[src, use] for use in USES)
    summary["unpaid_need_yuan"] = sum(model.ledger.unpaid.values())
    for use in USES:
        summary[f"weeks_short_{use}"] = model.ledger.weeks_short[use]
    summary["teacher_weeks_in_practice"] = c["teacher_weeks_in_practice"]
    summary["teacher_weeks_in_practice_uncovered"] = c["teacher_weeks_uncovered"]
    summary["mentor_allowance_paid_by_firms_yuan"] = sum(f.total_mentor_allowance for f in firms)
    return {k: float(v) for k, v in summary.items()}


def resolve(scenario: Scenario | str | os.PathLike[str] | None,
            overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A validated scenario from an object, a YAML path or None (the defaults), plus dotted overrides."""
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        return scenario_from_dict(apply_overrides(scenario_to_dict(scenario), overrides, "<overrides>"))
    return load_scenario(scenario, overrides)


def run_peer(scenario: Scenario | str | os.PathLike[str] | None, seed: int, *,
             overrides: Mapping[str, Any] | None = None, variants: frozenset[str] | set[str] = frozenset(),
             ) -> dict[str, float]:
    """Run the per-agent peer model to the horizon and return its summary outcomes.

    Args:
        scenario: a Scenario, a scenario YAML path, or None for the defaults.
        seed: the run's seed.
        overrides: parameter values by dotted key, applied to the scenario.
        variants: deliberately changed mechanisms (``VARIANTS``), to test the agreement check.

    Returns:
        The outcomes by the names of ``sim.results.summarise``.
    """
    model = PeerModel(resolve(scenario, overrides), seed, frozenset(variants))
    while model.running:
        model.step()
    return model.summary()
