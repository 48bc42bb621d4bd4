"""Enterprise accounts: what hosting apprentices costs and returns each firm, weekly.

One formula (``week_accounts``) books every week and is the one a firm's ex-ante
expectation applies to the planned skill path (``participation``). Cost of an
apprentice-week in the firm: wage + consumables + the mentor hours given x their hourly
cost, plus the allowance the firm pays its own enterprise mentors (funding). Returns:
the apprentice's productive work (``productive_time_share x practical skill / 100 x
skilled_output_yuan_per_week``: productivity relative to a skilled worker, after
Muehlemann & Wolter 2014), the per-apprentice subsidy actually paid, and tax relief (a
share of the training investment credited against education surcharges; Caishui [2019]
No. 46). The hosts' gross cost and the apprentices' productive output are also summed
over the run, for the net-to-gross cost ratio BIBB's surveys report (net cost = gross
cost - productive returns; BIBB counts no public support among the returns). Hiring
savings are booked at graduation when a firm retains its apprentice
(labour_market). The balance since a firm's last review drives its participation. A
demonstration-unit holder's whole-run net benefit also counts the title's worth to it
(``demonstration_unit_value_yuan`` per apprentice-year hosted while it holds the
title); its yearly training net cost, like BIBB's, does not.

Also kept: each firm's first year of hosting (the 52 weeks from the week it first
hosted; the BIBB first-year net cost), and each apprentice's output and cost with its
current host (the host's rating of its productive contribution, ``evaluation``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.engine.declarations import StateField, Unit, mean_of, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE, NO_ONE
from sim.engine.world import RunTotals, World
from sim.mechanisms.labour_market import retaining_hosts
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario

Amount = np.ndarray | float


class WeekAccounts(NamedTuple):
    """A week of hosting, yuan: what it cost and what came back."""

    cost: Amount
    output: Amount
    subsidy: Amount
    tax_relief: Amount

    @property
    def benefit(self) -> Amount:
        """Productive output + subsidy + tax relief."""
        return self.output + self.subsidy + self.tax_relief


def week_accounts(scenario: Scenario, apprentices: Amount, mentor_hours: Amount, practical_skill_points: Amount,
                  subsidy_paid_share: float, allowance_yuan: Amount) -> WeekAccounts:
    """The accounts' one formula: a week of hosting, yuan.

    Linear in the apprentices, so it books a firm's week (``apprentices`` on site, their
    mentors' hours, the sum of their practical skill, the allowance the firm paid its
    mentors) and one apprentice's week (1, its own hours and skill, its share of the
    allowance) alike::

        cost       = apprentices x (wage + consumables) + mentor_hours x hourly cost + allowance
        output     = productive_time_share x practical_skill_points / 100 x skilled output
        subsidy    = apprentices x subsidy per year / 52 x share of the subsidy paid
        tax_relief = tax_relief_share x cost
    """
    pp = scenario.participation
    inc = scenario.incentives
    cost = apprentices * (pp.apprentice_wage_yuan_per_week + pp.consumables_yuan_per_apprentice_week) + \
        mentor_hours * scenario.enterprise_mentors.hourly_cost_yuan + allowance_yuan
    output = pp.productive_time_share * practical_skill_points / 100.0 * pp.skilled_output_yuan_per_week
    subsidy = apprentices * inc.apprentice_subsidy_yuan_per_year / WEEKS_PER_YEAR * subsidy_paid_share
    return WeekAccounts(cost, output, subsidy, inc.tax_relief_share * cost)


def book_enterprise_week(world: World) -> None:
    """Add this week's costs and returns to every host's accounts (and each apprentice's with its host)."""
    sc = world.scenario
    s = world.students
    ent = world.enterprises
    at_firm = np.flatnonzero(s.location == ENTERPRISE)
    # The allowance the firm paid its own mentors this week (funding: the 2018 and 2021 national
    # guidelines have the firm pay it; zero when funding.firms_pay_mentor_allowance is false).
    allowance = ent.week_mentor_allowance_yuan
    if len(at_firm) == 0 and not allowance.any():
        return
    host = s.host[at_firm]
    mentored = s.enterprise_mentor[at_firm] >= 0
    hours = np.where(mentored, sc.enterprise_mentors.desired_hours_per_apprentice_week
                     * s.guidance_enterprise[at_firm], 0.0)
    skill = s.practical_skill[at_firm]
    apprentices = np.bincount(host, minlength=ent.n).astype(float)
    paid = world.this_week.funded.apprentice_subsidy
    firm = week_accounts(sc, apprentices, np.bincount(host, weights=hours, minlength=ent.n),
                         np.bincount(host, weights=skill, minlength=ent.n), paid, allowance)
    cost = np.asarray(firm.cost)
    benefit = np.asarray(firm.benefit)
    ent.year_cost_yuan += cost
    ent.year_benefit_yuan += benefit
    ent.year_apprentice_weeks += apprentices
    ent.total_cost_yuan += cost
    ent.total_benefit_yuan += benefit
    ent.total_apprentice_weeks += apprentices
    inc = sc.incentives
    if inc.demonstration_unit_titles:  # what a holder counts the title worth, in its whole-run net benefit
        ent.total_benefit_yuan += np.where(ent.demonstration_unit, apprentices, 0.0) * \
            inc.demonstration_unit_value_yuan / WEEKS_PER_YEAR
    world.counters.tax_relief_yuan += float(np.sum(firm.tax_relief))
    world.counters.gross_training_cost_yuan += float(np.sum(cost))
    world.counters.productive_output_yuan += float(np.sum(firm.output))
    # the first year of hosting: the 52 weeks from the week a firm first hosted
    ent.first_host_week[(ent.first_host_week < 0) & (apprentices > 0)] = world.week
    first = (ent.first_host_week >= 0) & (world.week < ent.first_host_week + WEEKS_PER_YEAR)
    ent.first_year_cost_yuan[first] += cost[first]
    ent.first_year_benefit_yuan[first] += benefit[first]
    ent.first_year_apprentice_weeks[first] += apprentices[first]
    # each apprentice's own week with its host (the allowance shared among the firm's apprentices on site)
    if len(at_firm):
        own = week_accounts(sc, 1.0, hours, skill, paid, allowance[host] / apprentices[host])
        new_host = s.accounts_host[at_firm] != host
        s.hosted_output_yuan[at_firm[new_host]] = 0.0
        s.hosted_cost_yuan[at_firm[new_host]] = 0.0
        s.accounts_host[at_firm] = host
        s.hosted_output_yuan[at_firm] += own.output
        s.hosted_cost_yuan[at_firm] += own.cost


def first_year_net_cost(world: World) -> np.ndarray:
    """Each firm's training net cost per apprentice-year in its first year of hosting, yuan (NaN before)."""
    ent = world.enterprises
    years = ent.first_year_apprentice_weeks / WEEKS_PER_YEAR
    return np.divide(ent.first_year_cost_yuan - ent.first_year_benefit_yuan, years,
                     out=np.full(ent.n, np.nan), where=years > 0)


def net_benefit_yuan(world: World) -> np.ndarray:
    """Each firm's whole-run net benefit: returns + hiring savings - costs, yuan."""
    ent = world.enterprises
    return ent.total_benefit_yuan + ent.total_hiring_savings_yuan - ent.total_cost_yuan


def _net_benefit_per_apprentice(world: World, totals: RunTotals) -> float:
    apprentice_years = world.enterprises.total_apprentice_weeks.sum() / WEEKS_PER_YEAR
    return rate(net_benefit_yuan(world).sum(), apprentice_years)


def _retaining_hosts_in_net_benefit(world: World, totals: RunTotals) -> float:
    retaining = np.zeros(world.enterprises.n, dtype=bool)
    retaining[retaining_hosts(world, totals)] = True
    return rate(np.count_nonzero(retaining & (net_benefit_yuan(world) > 0)), np.count_nonzero(retaining))


def _first_year_net_cost(world: World, totals: RunTotals) -> float:
    first_year = first_year_net_cost(world)
    return mean_of(first_year[~np.isnan(first_year)])


def _gross_cost_per_apprentice(world: World, totals: RunTotals) -> float:
    apprentice_years = world.enterprises.total_apprentice_weeks.sum() / WEEKS_PER_YEAR
    return rate(world.counters.gross_training_cost_yuan, apprentice_years)


def _net_to_gross_cost_ratio(world: World, totals: RunTotals) -> float:
    c = world.counters
    return rate(c.gross_training_cost_yuan - c.productive_output_yuan, c.gross_training_cost_yuan)


def _accounts(name: str, description: str) -> StateField:
    return StateField("enterprises", name, np.float64, 0.0, description)


MECHANISM = Mechanism(
    name="enterprise_accounts",
    step=book_enterprise_week,
    reads=("enterprises.demonstration_unit", "enterprises.week_mentor_allowance_yuan", "students.enterprise_mentor",
           "students.guidance_enterprise", "students.host", "students.location", "students.practical_skill",
           "this_week.funded"),
    writes=("counters.gross_training_cost_yuan", "counters.productive_output_yuan", "counters.tax_relief_yuan",
            "enterprises.first_host_week", "enterprises.first_year_apprentice_weeks",
            "enterprises.first_year_benefit_yuan", "enterprises.first_year_cost_yuan",
            "enterprises.total_apprentice_weeks", "enterprises.total_benefit_yuan", "enterprises.total_cost_yuan",
            "enterprises.year_apprentice_weeks", "enterprises.year_benefit_yuan", "enterprises.year_cost_yuan",
            "students.accounts_host", "students.hosted_cost_yuan", "students.hosted_output_yuan"),
    state=(
        _accounts("year_cost_yuan", "this year's training cost, yuan"),
        _accounts("year_benefit_yuan", "this year's productive value + support, yuan"),
        _accounts("year_apprentice_weeks", "this year's apprentice-weeks hosted"),
        _accounts("total_cost_yuan", "training cost, whole run, yuan"),
        _accounts("total_benefit_yuan", "productive value + support, whole run, yuan"),
        _accounts("total_apprentice_weeks", "apprentice-weeks hosted, whole run"),
        _accounts("year_hiring_savings_yuan", "this year's savings from retaining own apprentices, yuan"),
        _accounts("total_hiring_savings_yuan", "savings from retaining own apprentices, whole run, yuan"),
        StateField("enterprises", "first_host_week", np.int32, -1, "week the firm first hosted an apprentice, or -1"),
        _accounts("first_year_cost_yuan", "training cost in the firm's first 52 weeks of hosting, yuan"),
        _accounts("first_year_benefit_yuan", "productive value + support in the firm's first 52 weeks of hosting"),
        _accounts("first_year_apprentice_weeks", "apprentice-weeks hosted in the firm's first 52 weeks of hosting"),
        StateField("students", "accounts_host", np.int32, NO_ONE, "the host the apprentice's own accounts are with"),
        StateField("students", "hosted_output_yuan", np.float64, 0.0,
                   "the apprentice's productive output with that host so far, yuan"),
        StateField("students", "hosted_cost_yuan", np.float64, 0.0,
                   "what the apprentice has cost that host so far (wage, consumables, mentor time, allowance), yuan"),
    ),
    outcomes=(
        Outcome("enterprise_net_benefit_yuan_per_apprentice", "Enterprise net benefit per apprentice-year",
                "Hosts' returns, support and hiring savings less training costs, per apprentice-year hosted.",
                Unit.YUAN, _net_benefit_per_apprentice, headline=True),
        Outcome("enterprise_first_year_net_cost_yuan_per_apprentice", "First-year net cost per apprentice",
                "Training net cost per apprentice-year in the 52 weeks from the week a firm first hosted (as "
                "BIBB measures it), mean over firms.", Unit.YUAN, _first_year_net_cost),
        Outcome("enterprise_gross_cost_yuan_per_apprentice", "Gross training cost per apprentice-year",
                "Hosts' gross cost of training (wage, consumables, mentor time, mentor allowance) per "
                "apprentice-year hosted, whole run.", Unit.YUAN, _gross_cost_per_apprentice),
        Outcome("enterprise_net_to_gross_cost_ratio", "Net to gross training cost",
                "Hosts' net cost of training (gross cost less the apprentices' productive output; subsidy and "
                "tax relief aside, as BIBB counts it) over their gross cost, whole run.", Unit.RATIO,
                _net_to_gross_cost_ratio),
        Outcome("share_of_retaining_hosts_in_net_benefit", "Retaining hosts in net benefit",
                "Share of the hosts that hired an apprentice whose whole-run net benefit is positive.",
                Unit.SHARE, _retaining_hosts_in_net_benefit),
        Outcome("tax_relief_yuan", "Tax relief to hosts", "Education-surcharge relief credited to hosts, whole run.",
                Unit.YUAN, lambda world, totals: world.counters.tax_relief_yuan),
    ),
)
