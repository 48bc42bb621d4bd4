"""Funding: yearly money in, weekly needs paid in priority order.

At each year start the school special fund and the government pay in their yearly
amounts and enterprises pay their cost share for the apprentice-years hosted since the last bill. Each
week every use states its need (training-base running costs for students at school,
allowances of the mentors with mentees in the programme (school) or apprentices on site
(enterprise), visit travel, exam fees, the per-apprentice subsidy) and the ledger
says what share it could pay; the mechanisms scale what they do by that share.
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import Unit, rate
from sim.engine.ledger import SOURCES, USES, ByUse
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import EMPLOYED, ENTERPRISE, FURTHER_STUDY, SCHOOL
from sim.engine.world import RunTotals, World
from sim.mechanisms import certification
from sim.scenario.schema import WEEKS_PER_YEAR

MONTHS_PER_WEEK = 12.0 / WEEKS_PER_YEAR


def active_enterprise_mentors(world: World) -> np.ndarray:
    """Mask of filled enterprise-mentor posts with at least one apprentice in the firm this week."""
    s = world.students
    at_firm = (s.location == ENTERPRISE) & (s.enterprise_mentor >= 0)
    has = np.bincount(s.enterprise_mentor[at_firm], minlength=world.enterprise_mentors.n) > 0
    return has & world.enterprise_mentors.active(world.week)


def school_mentors_with_apprentices(world: World) -> np.ndarray:
    """Mask of school-mentor posts with at least one mentee placed in a firm this week."""
    s = world.students
    away = (s.location == ENTERPRISE) & (s.school_mentor >= 0)
    return np.bincount(s.school_mentor[away], minlength=world.school_mentors.n) > 0


def pay_in_yearly(world: World) -> None:
    """Budgets arrive at the start of each academic year."""
    if not world.calendar.is_year_start(world.week):
        return
    p = world.scenario.funding
    world.ledger.pay_in("school_special_fund", p.school_special_fund_yuan_per_year)
    world.ledger.pay_in("government", p.government_yuan_per_year)
    hosted_weeks = float(world.enterprises.total_apprentice_weeks.sum())
    unbilled_years = (hosted_weeks - world.counters.apprentice_weeks_billed) / WEEKS_PER_YEAR
    world.counters.apprentice_weeks_billed = hosted_weeks
    world.ledger.pay_in("enterprise_cost_sharing", p.enterprise_cost_sharing_yuan_per_apprentice_year
                        * unbilled_years)


def weekly_needs(world: World) -> ByUse:
    """What each use of the programme's money needs this week, yuan."""
    sc = world.scenario
    s = world.students
    at_school = int(np.count_nonzero(s.location == SCHOOL))
    at_firm = int(np.count_nonzero(s.location == ENTERPRISE))
    sm_active = world.school_mentors.active(world.week)
    mentoring = np.bincount(s.school_mentor[s.in_programme() & (s.school_mentor >= 0)],
                            minlength=world.school_mentors.n) > 0
    em_active = active_enterprise_mentors(world) if sc.programme.dual_mentor else np.zeros(0, bool)
    visiting = school_mentors_with_apprentices(world) & sm_active
    em_pay = sc.enterprise_mentors.remuneration_yuan_per_month + \
        sc.incentives.enterprise_mentor_salary_subsidy_yuan_per_month
    exam_fees = 0.0
    if world.calendar.is_exam_week(world.week):
        exam_fees = int(np.count_nonzero(certification.eligible(world))) * sc.certification.exam_fee_yuan
    return ByUse(
        training_base=at_school * sc.funding.training_base_yuan_per_student_week,
        school_mentor_remuneration=np.count_nonzero(sm_active & mentoring)
        * sc.school_mentors.remuneration_yuan_per_month * MONTHS_PER_WEEK,
        enterprise_mentor_remuneration=np.count_nonzero(em_active) * em_pay * MONTHS_PER_WEEK,
        contact_visits=np.count_nonzero(visiting) * sc.contact.school_mentor_visits_per_month
        * MONTHS_PER_WEEK * sc.contact.cost_yuan_per_visit,
        exam_fees=exam_fees,
        apprentice_subsidy=at_firm * sc.incentives.apprentice_subsidy_yuan_per_year / WEEKS_PER_YEAR,
    )


def pay_weekly_needs(world: World) -> None:
    """Pay this week's needs; record the share of each use that was funded."""
    pay_in_yearly(world)
    world.this_week.funded = world.ledger.pay_out(weekly_needs(world))


def _cost_per_employed_graduate(world: World, totals: RunTotals) -> float:
    at_graduation = world.students.stage_at_graduation
    employed = int(np.count_nonzero((at_graduation == EMPLOYED) | (at_graduation == FURTHER_STUDY)))
    return rate(world.ledger.total_spent, employed)


def _spent_on(use: str) -> Outcome:
    label = use.replace("_", " ")
    return Outcome(f"spent_{use}_yuan", f"Spent on {label}", f"Programme money paid out for {label}, whole run.",
                   Unit.YUAN, lambda world, totals: world.ledger.spent_by_use()[use])


def _spent_from(source: str) -> Outcome:
    label = source.replace("_", " ")
    return Outcome(f"spent_{source}_yuan", f"Spent from {label}",
                   f"Programme money paid out of the {label}, whole run.", Unit.YUAN,
                   lambda world, totals: world.ledger.spent_by_source()[source])


MECHANISM = Mechanism(
    name="funding",
    step=pay_weekly_needs,
    reads=("enterprise_mentors.vacant_until", "enterprises.total_apprentice_weeks", "school_mentors.vacant_until",
           "students.attempts", "students.certificates", "students.enrol_week", "students.enterprise_mentor",
           "students.location", "students.school_mentor", "students.stage"),
    writes=("counters.apprentice_weeks_billed", "ledger", "this_week.funded"),
    outcomes=(
        Outcome("total_cost_yuan", "Programme cost", "Programme money paid out, all uses, whole run.", Unit.YUAN,
                lambda world, totals: world.ledger.total_spent, headline=True),
        Outcome("cost_per_graduate_yuan", "Cost per graduate", "Programme cost per graduate.", Unit.YUAN,
                lambda world, totals: rate(world.ledger.total_spent, len(totals.graduates)), headline=True),
        Outcome("cost_per_employed_graduate_yuan", "Cost per employed graduate",
                "Programme cost per graduate employed (or in further study) at graduation.", Unit.YUAN,
                _cost_per_employed_graduate, headline=True),
        Outcome("money_in_yuan", "Money paid in", "Money paid into the programme by all sources, whole run.",
                Unit.YUAN, lambda world, totals: float(world.ledger.paid_in.sum())),
        Outcome("balance_yuan", "Balance", "Programme money not spent at the end of the run.", Unit.YUAN,
                lambda world, totals: float(world.ledger.balance.sum())),
        *(_spent_on(use) for use in USES),
        *(_spent_from(source) for source in SOURCES),
    ),
)
