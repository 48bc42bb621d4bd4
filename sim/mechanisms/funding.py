"""Funding: money in while a cohort is enrolled, weekly needs paid from their earmarked sources.

Money in. At the start of each academic year in which a cohort is enrolled (some
cohort's programme overlaps the coming 52 weeks) the school special fund and the
government pay in their yearly amounts; in a year with no cohort enrolled nothing is
paid in (budgets follow the students: no money arrives after the last cohort has
left). Enterprises pay their cost share as they host: each week, ``cost share per
apprentice-year / 52`` for each apprentice in a firm that week (the yearly bill's
total, settled weekly, so none of it arrives after the last apprentice has left).

Money out. Each week every use states its need (the training base's running cost and
its consumables for the practice hours of the students at school, ``training_base``;
allowances of the school mentors with mentees in the programme, substitutes for those
away in enterprise practice while mentees are at school (``mentor_development``),
the enterprise mentors' pay, visit travel, exam fees, the apprentice subsidy) and
the ledger pays it only from the sources earmarked for it (``funding.earmarks``), in
the order listed; the mechanisms scale what they do by the share paid.

The apprentice subsidy follows the enterprise new-style apprenticeship's rule (MOHRSS &
MOF 2021): only in an ``enterprise_apprenticeship`` programme (its apprentices are
employees; the education ministry's school-based pilots enrol students, who are not
eligible), paid to the host when its trainee completes (graduates while placed with it):
``apprentice_subsidy_yuan_per_year`` per trainee-year the trainee spent with that host,
``apprentice_subsidy_certificate_bonus_yuan_per_year`` more if the trainee holds a skill
certificate (Wuhan's rule: 4,000 yuan a year completed without a certificate, 5,000 with
an intermediate one; nothing if not completed). What the ledger cannot pay is not paid
(``enterprises.week_subsidy_yuan`` holds what each host received this week).

Public cost. The school special fund and the government's funds are public money, and
so is the education-surcharge credit (tax expenditure, ``tax_credit``); the firms' cost
sharing is not. ``public_cost_yuan`` adds them, with its cost per graduate and per
employed graduate; the firms' own spending (cost sharing, and the gross cost of training
in their accounts) is reported beside it.

Enterprise mentors' allowance. The national guidelines on the enterprise new-style
apprenticeship (2018, 2021) have the firm set and pay its mentors' allowance, so by
default (``funding.firms_pay_mentor_allowance``) each host pays the allowance of its
mentors with apprentices on site this week: a cost in its own accounts
(``enterprises.week_mentor_allowance_yuan``, booked by enterprise_accounts), never
short for lack of programme money. The salary subsidy (Li (2026) §6.3) stays a
programme use. The share of the enterprise mentors' pay actually paid, which effort
and the sessions at school follow, is ``(firm part + programme part x share the
ledger paid) / (firm part + programme part)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.batch import Batch
from sim.engine.calendar import ProgrammeCalendar
from sim.engine.compiled import compile_loops
from sim.engine.declarations import StateField, Unit, rate
from sim.engine.ledger import SOURCES, USES, Ledger
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import EMPLOYED, ENTERPRISE, FURTHER_STUDY, SCHOOL
from sim.engine.sums import block_sums, programme_sums
from sim.engine.world import RunTotals, World
from sim.mechanisms import certification, training_base
from sim.mechanisms.mentor_development import away_in_practice
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario

MONTHS_PER_WEEK = 12.0 / WEEKS_PER_YEAR


def new_ledger(scenario: Scenario) -> Ledger:
    """An empty ledger paying each use from the scenario's earmarked sources."""
    return Ledger(scenario.funding.earmarks.model_dump())


def cohort_enrolled_this_year(world: World) -> bool:
    """True if some cohort's programme overlaps the 52 weeks starting this week."""
    s = world.students
    if s.n == 0:
        return False
    starts_before_year_end = s.enrol_week < world.week + WEEKS_PER_YEAR
    ends_after_year_start = world.graduation_week() >= world.week
    return bool(np.any(starts_before_year_end & ends_after_year_start))


def pay_in(batch: Batch, apprentices_at_firms: np.ndarray) -> None:
    """Every run's yearly budgets in a year with a cohort enrolled, and its firms' cost share for its apprentices."""
    if ProgrammeCalendar.is_year_start(batch.week):
        for world in batch.worlds:
            if cohort_enrolled_this_year(world):
                p = world.scenario.funding
                world.ledger.pay_in("school_special_fund", p.school_special_fund_yuan_per_year)
                world.ledger.pay_in("government", p.government_yuan_per_year)
    # the firms' cost share: each run's rate times its apprentices at firms (a float times a count, as alone)
    rates = np.array([w.scenario.funding.enterprise_cost_sharing_yuan_per_apprentice_year for w in batch.worlds])
    batch.ledgers.pay_in("enterprise_cost_sharing", rates * apprentices_at_firms / WEEKS_PER_YEAR)


def _allowance_per_mentor(world: World) -> float:
    """A month's allowance of an enterprise mentor its firm pays in ``world``'s run, yuan (0 if the programme pays)."""
    sc = world.scenario
    return sc.enterprise_mentors.remuneration_yuan_per_month if sc.funding.firms_pay_mentor_allowance else 0.0


def firm_paid_allowance(batch: Batch, em_active: np.ndarray) -> np.ndarray:
    """What each firm of the batch pays its own active mentors in allowance this week, yuan (0 if the programme pays).

    ``em_active``: the batch's active enterprise-mentor posts. A firm whose run's programme
    pays the allowance counts ``mentors x 0.0``: zero, as the run alone finds it.
    """
    n_firms = batch.enterprises.n
    if not em_active.any():
        return np.zeros(n_firms)
    firm = batch.held_to_global("enterprises", batch.enterprise_mentors.enterprise, em_active,
                                "enterprise_mentors")
    mentors = np.bincount(firm, minlength=n_firms)
    return mentors * batch.derived(_allowance_per_mentor, "enterprises") * MONTHS_PER_WEEK


def completion_subsidies(world: World) -> np.ndarray:
    """The apprentice subsidy each host claims this week for its trainees who complete, yuan (per firm).

    Nothing unless the programme is an enterprise apprenticeship; a trainee completes in
    its graduation week, still in the programme and placed.
    """
    sc = world.scenario
    ent = world.enterprises
    if sc.programme.kind != "enterprise_apprenticeship":
        return np.zeros(ent.n)
    s = world.students
    inc = sc.incentives
    completing = np.flatnonzero((world.graduation_week() == world.week) & s.in_programme() & (s.host >= 0))
    if len(completing) == 0:
        return np.zeros(ent.n)
    per_year = inc.apprentice_subsidy_yuan_per_year + \
        np.where(s.certificates[completing] > 0, inc.apprentice_subsidy_certificate_bonus_yuan_per_year, 0.0)
    weeks = np.where(s.accounts_host[completing] == s.host[completing], s.hosted_weeks[completing], 0)
    claim = per_year * weeks / WEEKS_PER_YEAR
    return np.bincount(s.host[completing], weights=claim, minlength=ent.n)


@dataclass(frozen=True, slots=True)
class SchoolMentorPosts:
    """Masks of the batch's school-mentor posts by where this week's mentees are (a post: any mentee there)."""

    in_programme: np.ndarray  # a mentee enrolled (the post's allowance is paid)
    at_school: np.ndarray  # a mentee at school (a post away in practice needs a substitute)
    at_firm: np.ndarray  # a mentee placed in a firm (visit travel)


def _mark_school_mentor_posts(school_mentor: np.ndarray, offsets: np.ndarray, in_programme: np.ndarray,
                              location: np.ndarray, school: int, enterprise: int, held_in_programme: np.ndarray,
                              held_at_school: np.ndarray, held_at_firm: np.ndarray) -> None:
    """Mark each student's school-mentor post (its local index plus its run's offset) in the masks (compiled).

    ``school_mentor_posts`` in one pass over the students where NumPy takes a gather, a
    ``bincount`` and a comparison for each mask; marks, so exact however found.
    """
    for i in range(len(school_mentor)):
        post = school_mentor[i]
        if post < 0:
            continue
        post += offsets[i]
        if in_programme[i]:
            held_in_programme[post] = True
        if location[i] == school:
            held_at_school[post] = True
        elif location[i] == enterprise:
            held_at_firm[post] = True


def school_mentor_posts(batch: Batch) -> SchoolMentorPosts:
    """Which school-mentor posts of the batch have a mentee enrolled, at school and in a firm this week."""
    s = batch.students
    n_posts = batch.school_mentors.n
    in_programme = s.in_programme()
    loops = compile_loops(_mark_school_mentor_posts)
    if loops is not None:
        posts = SchoolMentorPosts(*(np.zeros(n_posts, dtype=bool) for _ in range(3)))
        loops[0](s.school_mentor, batch.groups.offsets("school_mentors", "students"), in_programme, s.location,
                 SCHOOL, ENTERPRISE, posts.in_programme, posts.at_school, posts.at_firm)
        return posts
    school_mentor = batch.local_to_global("school_mentors", s.school_mentor)  # once: three masks use it
    has_mentor = school_mentor >= 0

    def held(students: np.ndarray) -> np.ndarray:
        return np.bincount(school_mentor[students & has_mentor], minlength=n_posts) > 0

    return SchoolMentorPosts(held(in_programme), held(s.location == SCHOOL), held(s.location == ENTERPRISE))


def mentors_away_teaching(batch: Batch, posts: SchoolMentorPosts) -> np.ndarray:
    """Mask of filled school-mentor posts away in enterprise practice with a mentee at school this week."""
    sm = batch.school_mentors
    return posts.at_school & away_in_practice(sm, batch.week) & sm.active(batch.week)


@dataclass(frozen=True, slots=True)
class MentorCounts:
    """This week's mentor posts that cost the programme money, counted in every run (element ``g``: run ``g``)."""

    school_mentors_paid: np.ndarray  # filled posts with a mentee in the programme (their allowance)
    school_mentors_visiting: np.ndarray  # filled posts with a mentee placed in a firm (visit travel)
    school_mentors_away: np.ndarray  # filled posts away in enterprise practice with a mentee at school (substitutes)
    enterprise_mentors_active: np.ndarray  # filled posts with an apprentice on site (their pay; in a city, the
    # programme's share of each post by its apprentices: shared_mentor_posts)


def _programme_rates(world: World) -> tuple[float, float, float, float, float]:
    """A run's rates of the mentor and contact needs, yuan (its scenario's alone: ``Batch.derived_rows``).

    A school mentor's monthly allowance, a substitute's week, an enterprise mentor's monthly
    pay from programme money, visits a month and a visit's cost.
    """
    scenario = world.scenario
    em_pay = scenario.incentives.enterprise_mentor_salary_subsidy_yuan_per_month
    if not scenario.funding.firms_pay_mentor_allowance:
        em_pay += scenario.enterprise_mentors.remuneration_yuan_per_month
    return (scenario.school_mentors.remuneration_yuan_per_month,
            scenario.mentor_development.substitute_yuan_per_teacher_week, em_pay,
            scenario.contact.school_mentor_visits_per_month, scenario.contact.cost_yuan_per_visit)


def _exam_fees(world: World) -> float:
    """The exam fees of ``world``'s run this week, yuan (its students eligible to sit, in an exam week)."""
    if not world.calendar.is_exam_week(world.week):
        return 0.0
    return int(np.count_nonzero(certification.eligible(world))) * world.scenario.certification.exam_fee_yuan


def weekly_needs(batch: Batch, counts: MentorCounts, subsidies: np.ndarray) -> np.ndarray:
    """What each use of each run's programme money needs this week, yuan (runs x uses; the firms' own payments aside).

    Column by column over the runs: each element is the same product of the same numbers
    as the run alone computes (an int count times a float rate, left to right).
    ``subsidies``: each run's completion subsidies claimed this week, yuan.
    """
    worlds = batch.worlds
    rates = batch.derived_rows(_programme_rates)
    needs = np.empty((len(worlds), len(USES)))
    needs[:, 0] = [training_base.practice_need_yuan(w) for w in worlds]
    needs[:, 1] = counts.school_mentors_paid * rates[:, 0] * MONTHS_PER_WEEK
    needs[:, 2] = counts.school_mentors_away * rates[:, 1]
    needs[:, 3] = counts.enterprise_mentors_active * rates[:, 2] * MONTHS_PER_WEEK
    needs[:, 4] = counts.school_mentors_visiting * rates[:, 3] * MONTHS_PER_WEEK * rates[:, 4]
    needs[:, 5] = [_exam_fees(w) for w in worlds]
    needs[:, 6] = subsidies
    return needs


def pay_weekly_needs(batch: Batch) -> None:
    """Take this week's money in, pay this week's needs; record the share of each use that was paid."""
    s = batch.students
    week = batch.week
    groups = batch.groups
    worlds = batch.worlds
    at_firm = s.location == ENTERPRISE
    # the mentor posts that cost money this week, found once over the batch and counted run by run
    sm_active = batch.school_mentors.active(week)
    posts = school_mentor_posts(batch)
    away = mentors_away_teaching(batch, posts)
    on_site = at_firm & (s.enterprise_mentor >= 0)
    enterprise_mentor = batch.held_to_global("enterprise_mentors", s.enterprise_mentor, on_site)
    apprentices_on_site = np.bincount(enterprise_mentor, minlength=batch.enterprise_mentors.n)
    em_active = (apprentices_on_site > 0) & batch.enterprise_mentors.active(week)
    city = batch.shares_pool
    if not city:  # in a city only dual-mentor programmes' apprentices have an enterprise mentor
        em_active &= np.asarray(batch.param("programme.dual_mentor", "enterprise_mentors"), dtype=bool)
    paid = batch.counts("school_mentors", sm_active & posts.in_programme)
    visiting = batch.counts("school_mentors", posts.at_firm & sm_active)
    away_by_run = batch.counts("school_mentors", away)
    by_firm = firm_paid_allowance(batch, em_active)  # every firm's, once over the batch
    if not city:
        em_by_run = batch.counts("enterprise_mentors", em_active)
        firm_parts = block_sums(by_firm, groups.sizes("enterprises"))  # each run's block summed as the run alone
    else:
        em_by_run = np.array(shared_mentor_posts(batch, on_site, apprentices_on_site, em_active))
        allowance_week = [_allowance_per_mentor(pool) * MONTHS_PER_WEEK for pool in batch.pools]  # each city's
        firm_parts = [posts * allowance_week[k]
                      for posts, k in zip(em_by_run.tolist(), groups.pool_of_group().tolist(), strict=True)]
        batch.enterprises.week_subsidy_yuan[:] = 0.0  # each programme adds what it paid its apprentices' hosts
    pay_in(batch, batch.counts("students", at_firm))
    # completion subsidies: only an enterprise apprenticeship's hosts claim any
    claims = [completion_subsidies(w) if w.scenario.programme.kind == "enterprise_apprenticeship" else None
              for w in worlds]
    needs = weekly_needs(batch, MentorCounts(paid, visiting, away_by_run, em_by_run),
                         np.array([0.0 if c is None else float(c.sum()) for c in claims]))
    shares = batch.ledgers.pay_out(needs)
    if not city:
        batch.enterprises.week_subsidy_yuan[:] = 0.0  # a run without claims: no subsidy (zero claims x its share)
    for g, world in enumerate(worlds):
        funded = shares[g]
        n_away = int(away_by_run[g])
        world.counters.teacher_weeks_in_practice += n_away
        world.counters.teacher_weeks_uncovered += n_away * (1.0 - funded.practice_substitutes)
        subsidies = claims[g]
        if subsidies is not None:
            if not city:
                world.enterprises.week_subsidy_yuan[:] = subsidies * funded.apprentice_subsidy
            else:
                world.enterprises.week_subsidy_yuan += subsidies * funded.apprentice_subsidy
        firm_part = firm_parts[g]
        if firm_part > 0.0:  # the firms' part of the enterprise mentors' pay is always paid
            programme_part = float(needs[g, 3])
            funded.enterprise_mentor_remuneration = \
                (firm_part + programme_part * funded.enterprise_mentor_remuneration) / (firm_part + programme_part)
        world.this_week.funded = funded
    batch.enterprises.week_mentor_allowance_yuan[:] = by_firm
    batch.enterprises.total_mentor_allowance_yuan += by_firm


def shared_mentor_posts(batch: Batch, on_site: np.ndarray, apprentices_on_site: np.ndarray,
                        em_active: np.ndarray) -> list[float]:
    """Each programme's share of a city's active enterprise-mentor posts: whose apprentices each mentor guides.

    A mentor of a city's pool may guide apprentices of several programmes; each programme
    pays (and counts) the share of the post its own apprentices on site take up, so the
    programmes together pay every active post once. ``on_site``: mask of the batch's
    students on site with a mentor (their posts: local to their pool).
    """
    weight = np.where(em_active, 1.0 / np.maximum(apprentices_on_site, 1), 0.0)
    post = batch.local_to_global("enterprise_mentors", batch.students.enterprise_mentor)  # a batch position
    return programme_sums(post, on_site, batch.groups.group_of("students"), weight, batch.n_runs).tolist()


def _cost_per_employed_graduate(world: World, totals: RunTotals) -> float:
    return rate(world.ledger.total_spent, _employed_at_graduation(world))


PUBLIC_SOURCES = ("school_special_fund", "government")
"""The programme's sources that are public money (the firms' cost sharing is not)."""


def public_cost_yuan(world: World) -> float:
    """All public money the run used: programme funds from public sources and the tax credit, yuan."""
    spent = world.ledger.spent_by_source()
    if world.pool_shared:  # a city's tax expenditure is the pool's, counted once for the city (sim.city)
        return sum(spent[source] for source in PUBLIC_SOURCES)
    return sum(spent[source] for source in PUBLIC_SOURCES) + float(world.enterprises.total_tax_credit_yuan.sum())


def _employed_at_graduation(world: World) -> int:
    at_graduation = world.students.stage_at_graduation
    return int(np.count_nonzero((at_graduation == EMPLOYED) | (at_graduation == FURTHER_STUDY)))


def _label(name: str) -> str:
    return name.replace("_", " ")


def _spent_on(use: str) -> Outcome:
    return Outcome(f"spent_{use}_yuan", f"Spent on {_label(use)}", f"Programme money paid out for {_label(use)}, "
                   "whole run.", Unit.YUAN, lambda world, totals: world.ledger.spent_by_use()[use])


def _spent_from(source: str) -> Outcome:
    return Outcome(f"spent_{source}_yuan", f"Spent from {_label(source)}",
                   f"Programme money paid out of the {_label(source)}, whole run.", Unit.YUAN,
                   lambda world, totals: world.ledger.spent_by_source()[source])


def _weeks_short(use: str) -> Outcome:
    j = USES.index(use)
    return Outcome(f"weeks_short_{use}", f"Weeks {_label(use)} went short",
                   f"Weeks in which the sources earmarked for {_label(use)} paid less than its need.", Unit.WEEKS,
                   lambda world, totals: float(world.ledger.weeks_short[j]))


def _allowance(name: str, description: str) -> StateField:
    return StateField("enterprises", name, np.float64, 0.0, description)


MECHANISM = Mechanism(
    name="funding",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=pay_weekly_needs,
    reads=("enterprise_mentors.enterprise", "enterprise_mentors.vacant_until", "school_mentors.practice_until",
           "school_mentors.vacant_until",
           "students.attempts", "students.certificates", "students.enrol_week", "students.entered",
           "students.accounts_host", "students.enterprise_mentor", "students.host", "students.hosted_weeks",
           "students.location",
           "students.school_mentor", "students.stage", "this_week.practice"),
    writes=("counters.teacher_weeks_in_practice", "counters.teacher_weeks_uncovered",
            "enterprises.total_mentor_allowance_yuan", "enterprises.week_mentor_allowance_yuan",
            "enterprises.week_subsidy_yuan", "ledger", "this_week.funded"),
    state=(
        _allowance("week_mentor_allowance_yuan", "allowance the firm paid its own enterprise mentors this week, yuan"),
        _allowance("total_mentor_allowance_yuan", "allowance the firm paid its own mentors, whole run, yuan"),
        _allowance("week_subsidy_yuan", "apprentice subsidy the firm received this week for completing trainees, yuan"),
    ),
    outcomes=(
        Outcome("total_cost_yuan", "Programme cost", "Programme money paid out, all uses, whole run.", Unit.YUAN,
                lambda world, totals: world.ledger.total_spent, headline=True),
        Outcome("cost_per_graduate_yuan", "Cost per graduate", "Programme cost per graduate.", Unit.YUAN,
                lambda world, totals: rate(world.ledger.total_spent, len(totals.graduates)), headline=True),
        Outcome("cost_per_employed_graduate_yuan", "Cost per employed graduate",
                "Programme cost per graduate employed (or in further study) at graduation.", Unit.YUAN,
                _cost_per_employed_graduate, headline=True),
        Outcome("public_cost_yuan", "Public cost",
                "All public money the programme used, whole run: school special funds and government funds spent "
                "(subsidies included) and the education-surcharge credit (tax expenditure).", Unit.YUAN,
                lambda world, totals: public_cost_yuan(world), headline=True),
        Outcome("public_cost_per_graduate_yuan", "Public cost per graduate", "Public cost per graduate.",
                Unit.YUAN, lambda world, totals: rate(public_cost_yuan(world), len(totals.graduates))),
        Outcome("public_cost_per_employed_graduate_yuan", "Public cost per employed graduate",
                "Public cost per graduate employed (or in further study) at graduation.", Unit.YUAN,
                lambda world, totals: rate(public_cost_yuan(world), _employed_at_graduation(world))),
        Outcome("firms_training_cost_yuan", "Firms' spending on training",
                "What host firms spent: the gross cost of training in their accounts (pay, consumables, mentor "
                "time and allowance) and their cost-sharing payments into the programme, whole run.", Unit.YUAN,
                lambda world, totals: world.counters.gross_training_cost_yuan
                + float(world.ledger.paid_in[SOURCES.index("enterprise_cost_sharing")])),
        Outcome("money_in_yuan", "Money paid in",
                "Money paid into the programme by all sources, whole run (nothing once no cohort is enrolled).",
                Unit.YUAN, lambda world, totals: float(world.ledger.paid_in.sum())),
        Outcome("balance_yuan", "Balance", "Programme money not spent at the end of the run.", Unit.YUAN,
                lambda world, totals: float(world.ledger.balance.sum())),
        *(_spent_on(use) for use in USES),
        *(_spent_from(source) for source in SOURCES),
        Outcome("unpaid_need_yuan", "Needs left unpaid",
                "Programme needs, all uses, that their earmarked sources could not pay, whole run.", Unit.YUAN,
                lambda world, totals: float(world.ledger.unpaid.sum())),
        *(_weeks_short(use) for use in USES),
        Outcome("teacher_weeks_in_practice", "School mentors' weeks away in enterprise practice",
                "Weeks school mentors with mentees at school spent away in enterprise practice, whole run.",
                Unit.WEEKS, lambda world, totals: world.counters.teacher_weeks_in_practice),
        Outcome("teacher_weeks_in_practice_uncovered", "Weeks in practice without a substitute",
                "Of the school mentors' weeks away in enterprise practice, those no substitute was paid for (their "
                "guidance hours lost), whole run.", Unit.WEEKS,
                lambda world, totals: world.counters.teacher_weeks_uncovered),
        Outcome("mentor_allowance_paid_by_firms_yuan", "Mentor allowance paid by firms",
                "Allowance the hosts paid their own enterprise mentors (outside the programme's money), whole run.",
                Unit.YUAN, lambda world, totals: float(world.enterprises.total_mentor_allowance_yuan.sum())),
    ),
)
