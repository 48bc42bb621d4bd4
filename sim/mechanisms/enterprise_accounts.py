"""Enterprise accounts: what hosting apprentices costs and returns each firm, weekly.

Cost per apprentice-week in the firm: wage + consumables + the mentor hours given x
their hourly cost. Returns: the apprentice's productive work (``productive_time_share x
practical skill / 100 x skilled_output_yuan_per_week``: productivity relative to a
skilled worker, after Muehlemann & Wolter 2014), the per-apprentice subsidy actually
paid, and tax relief (a share of the training investment credited against education
surcharges; Caishui [2019] No. 46). Hiring savings are booked at graduation when a firm
retains its apprentice (labour_market). The yearly balance drives participation.
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import StateField, Unit, mean_of, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE
from sim.engine.world import RunTotals, World
from sim.mechanisms.labour_market import retaining_hosts
from sim.mechanisms.mentoring import hours_given_by_enterprise
from sim.scenario.schema import WEEKS_PER_YEAR


def book_enterprise_week(world: World) -> None:
    """Add this week's costs and returns to every host's accounts."""
    sc = world.scenario
    s = world.students
    ent = world.enterprises
    at_firm = np.flatnonzero(s.location == ENTERPRISE)
    if len(at_firm) == 0:
        return
    pp = sc.participation
    host = s.host[at_firm]
    apprentices = np.bincount(host, minlength=ent.n).astype(float)
    mentor_cost = hours_given_by_enterprise(world) * sc.enterprise_mentors.hourly_cost_yuan
    cost = apprentices * (pp.apprentice_wage_yuan_per_week + pp.consumables_yuan_per_apprentice_week) + mentor_cost
    output = pp.productive_time_share * s.practical_skill[at_firm] / 100.0 * pp.skilled_output_yuan_per_week
    productive = np.bincount(host, weights=output, minlength=ent.n)
    subsidy = apprentices * sc.incentives.apprentice_subsidy_yuan_per_year / WEEKS_PER_YEAR * \
        world.this_week.funded.apprentice_subsidy
    tax_relief = sc.incentives.tax_relief_share * cost
    benefit = productive + subsidy + tax_relief
    ent.year_cost_yuan += cost
    ent.year_benefit_yuan += benefit
    ent.year_apprentice_weeks += apprentices
    ent.total_cost_yuan += cost
    ent.total_benefit_yuan += benefit
    ent.total_apprentice_weeks += apprentices
    world.counters.tax_relief_yuan += float(tax_relief.sum())


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
    first_year = world.enterprises.first_year_net_cost_per_apprentice
    return mean_of(first_year[~np.isnan(first_year)])


def _accounts(name: str, description: str) -> StateField:
    return StateField("enterprises", name, np.float64, 0.0, description)


MECHANISM = Mechanism(
    name="enterprise_accounts",
    step=book_enterprise_week,
    reads=("students.enterprise_mentor", "students.guidance_enterprise", "students.host", "students.location",
           "students.practical_skill", "this_week.funded"),
    writes=("counters.tax_relief_yuan", "enterprises.total_apprentice_weeks", "enterprises.total_benefit_yuan",
            "enterprises.total_cost_yuan", "enterprises.year_apprentice_weeks", "enterprises.year_benefit_yuan",
            "enterprises.year_cost_yuan"),
    state=(
        _accounts("year_cost_yuan", "this year's training cost, yuan"),
        _accounts("year_benefit_yuan", "this year's productive value + support, yuan"),
        _accounts("year_apprentice_weeks", "this year's apprentice-weeks hosted"),
        _accounts("total_cost_yuan", "training cost, whole run, yuan"),
        _accounts("total_benefit_yuan", "productive value + support, whole run, yuan"),
        _accounts("total_apprentice_weeks", "apprentice-weeks hosted, whole run"),
        _accounts("year_hiring_savings_yuan", "this year's savings from retaining own apprentices, yuan"),
        _accounts("total_hiring_savings_yuan", "savings from retaining own apprentices, whole run, yuan"),
    ),
    outcomes=(
        Outcome("enterprise_net_benefit_yuan_per_apprentice", "Enterprise net benefit per apprentice-year",
                "Hosts' returns, support and hiring savings less training costs, per apprentice-year hosted.",
                Unit.YUAN, _net_benefit_per_apprentice, headline=True),
        Outcome("enterprise_first_year_net_cost_yuan_per_apprentice", "First-year net cost per apprentice",
                "Training net cost per apprentice-year in the first year a firm hosted (as BIBB measures it), "
                "mean over firms.", Unit.YUAN, _first_year_net_cost),
        Outcome("share_of_retaining_hosts_in_net_benefit", "Retaining hosts in net benefit",
                "Share of the hosts that hired an apprentice whose whole-run net benefit is positive.",
                Unit.SHARE, _retaining_hosts_in_net_benefit),
        Outcome("tax_relief_yuan", "Tax relief to hosts", "Education-surcharge relief credited to hosts, whole run.",
                Unit.YUAN, lambda world, totals: world.counters.tax_relief_yuan),
    ),
)
