"""Enterprise accounts: what hosting apprentices costs and returns each firm, weekly.

One formula (``week_accounts``) books every week and is the one a firm's ex-ante
expectation applies to the planned skill path (``participation``). Cost of an
apprentice-week in the firm: the apprentice's pay + consumables + the mentor hours given
x their hourly cost, plus the allowance the firm pays its own enterprise mentors
(funding); the hours its mentors give to co-developing the curriculum (``curriculum``)
cost the firm their hourly cost too (its books, not an apprentice's own accounts). The
pay follows the programme's kind (``apprentice_pay_yuan_per_week``): an intern of a
school-based programme gets ``internship_pay_share_of_post_wage`` of the
post's wage (the 2021 internship rules, Art. 18, set at least 80%), an employee of an
enterprise apprenticeship the post's wage. Returns: the apprentice's productive work
(``productive_time_share x practical skill / 100 x skilled_output_yuan_per_week``:
productivity relative to a skilled worker, after Muehlemann & Wolter 2014).

Public support comes apart from the weekly formula, as the rules pay it: the apprentice
subsidy when a trainee completes (``funding``, enterprise apprenticeships only), the
education-surcharge credit of certified firms on their qualifying investment
(``tax_credit``). A firm's books for the year since its last review hold its training
costs, its productive returns and the subsidies it received; its participation decision
(``participation``) adds the credit and a title's worth by their rules and the hiring
savings once per expected hire. The hosts' gross cost and the apprentices' productive
output are also summed over the run, for the net cost per apprentice-year and the
net-to-gross cost ratio BIBB's surveys report (net cost = gross cost - productive
returns; BIBB counts no public support among the returns). A firm's whole balance
(returns, support, a title's worth and hiring savings less costs) is reported apart,
per placement hosted.

Also kept: each firm's first year of hosting (the 52 weeks from the week it first
hosted; the BIBB first-year net cost), and each apprentice's output, cost and weeks with
its current host (the host's rating of its productive contribution, ``evaluation``; the
trainee-years the completion subsidy pays for, ``funding``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import Population, StateField, Unit, mean_of, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE, NO_ONE
from sim.engine.sums import block_sums
from sim.engine.world import RunTotals, World
from sim.mechanisms import tax_credit
from sim.mechanisms.labour_market import retaining_hosts
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario

Amount = np.ndarray | float


class WeekAccounts(NamedTuple):
    """A week of hosting, yuan: what it cost and what the apprentices produced."""

    cost: Amount
    output: Amount


def apprentice_pay_yuan_per_week(scenario: Scenario) -> float:
    """What a host pays an apprentice per enterprise week, yuan, by the programme's kind.

    An intern (school-based): the share of the post's wage the internship rules set (2021,
    Art. 18: at least 80% of the same post's wage). An employee (enterprise
    apprenticeship): the post's wage.
    """
    pp = scenario.participation
    if scenario.programme.kind == "enterprise_apprenticeship":
        return pp.post_wage_yuan_per_week
    return pp.internship_pay_share_of_post_wage * pp.post_wage_yuan_per_week


def pay_and_consumables_yuan(scenario: Scenario) -> float:
    """What an apprentice-week costs its host beside mentor time, yuan: the apprentice's pay and consumables."""
    return apprentice_pay_yuan_per_week(scenario) + scenario.participation.consumables_yuan_per_apprentice_week


def week_accounts(scenario: Scenario, apprentices: Amount, mentor_hours: Amount, practical_skill_points: Amount,
                  allowance_yuan: Amount) -> WeekAccounts:
    """The accounts' one formula: a week of hosting, yuan.

    Linear in the apprentices, so it books a firm's week (``apprentices`` on site, their
    mentors' hours, the sum of their practical skill, the allowance the firm paid its
    mentors) and one apprentice's week (1, its own hours and skill, its share of the
    allowance) alike::

        cost   = apprentices x (pay + consumables) + mentor_hours x hourly cost + allowance
        output = productive_time_share x practical_skill_points / 100 x skilled output
    """
    return accounts_of_week(WeekPrices.of(scenario), apprentices, mentor_hours, practical_skill_points,
                            allowance_yuan)


class WeekPrices(NamedTuple):
    """The prices ``week_accounts`` applies: scalars of one scenario, or per-agent arrays of a batch's runs."""

    pay_and_consumables_yuan: Amount  # per apprentice-week
    mentor_hourly_cost_yuan: Amount
    productive_time_share: Amount
    skilled_output_yuan_per_week: Amount

    @staticmethod
    def of(scenario: Scenario) -> WeekPrices:
        """The prices of one scenario."""
        pp = scenario.participation
        return WeekPrices(pay_and_consumables_yuan(scenario), scenario.enterprise_mentors.hourly_cost_yuan,
                          pp.productive_time_share, pp.skilled_output_yuan_per_week)

    @staticmethod
    def in_batch(batch: Batch, population: Population, idx: np.ndarray | None = None) -> WeekPrices:
        """Each run's prices for the agents ``idx`` of ``population`` (all when None).

        The prices that are parameters are read as parameters (``Batch.param`` keeps them
        while no scenario changes); the pay and consumables, which depend on the
        programme's kind, run by run.
        """
        if batch.n_runs == 1:
            return WeekPrices.of(batch.worlds[0].scenario)
        return WeekPrices(batch.value(lambda w: pay_and_consumables_yuan(w.scenario), population, idx),
                          batch.param("enterprise_mentors.hourly_cost_yuan", population, idx),
                          batch.param("participation.productive_time_share", population, idx),
                          batch.param("participation.skilled_output_yuan_per_week", population, idx))


def accounts_of_week(prices: WeekPrices, apprentices: Amount, mentor_hours: Amount, practical_skill_points: Amount,
                     allowance_yuan: Amount) -> WeekAccounts:
    """``week_accounts`` at given prices."""
    cost = apprentices * prices.pay_and_consumables_yuan + mentor_hours * prices.mentor_hourly_cost_yuan + \
        allowance_yuan
    output = prices.productive_time_share * practical_skill_points / 100.0 * prices.skilled_output_yuan_per_week
    return WeekAccounts(cost, output)


def _city_codevelopment_by_firm(batch: Batch) -> np.ndarray:
    """A city's firms' co-development hours this week: their mentors' hours for every programme that has some."""
    total = np.zeros(batch.enterprises.n)
    posts = [w.this_week.codevelopment.enterprise_mentor_posts for w in batch.worlds]
    if not any(len(p) for p in posts):
        return total
    # every pool mentor's firm, and each programme's pool's first post, as batch positions
    firm_of = batch.local_to_global("enterprises", batch.enterprise_mentors.enterprise, None, "enterprise_mentors")
    pool_start = batch.groups.group_starts("enterprise_mentors").tolist()
    for world, own, start in zip(batch.worlds, posts, pool_start, strict=True):
        if len(own):
            total += np.bincount(firm_of[own + start], minlength=batch.enterprises.n) \
                * world.this_week.codevelopment.enterprise_mentor_hours_per_post
    return total


def _codevelopment_by_firm(batch: Batch) -> np.ndarray:
    """``codevelopment_hours_by_firm`` of every run, end to end (each run with firms of its own).

    Most weeks no run's enterprise mentors co-develop (the curriculum has reached its
    target, or the programme has no dual mentoring): then every run's hours are zeros, found
    with one look at all runs' hours instead of one per run.
    """
    if batch.n_runs > 1 and not np.concatenate([w.this_week.codevelopment.enterprise_mentor_hours
                                                for w in batch.worlds]).any():
        return np.zeros(batch.enterprises.n)
    return batch.concatenated(codevelopment_hours_by_firm)


def _apprentices_own_weeks(batch: Batch, at_firm: np.ndarray, host: np.ndarray, apprentices: np.ndarray,
                           hours: np.ndarray, skill: np.ndarray, allowance: np.ndarray) -> WeekAccounts:
    """Each apprentice's own week with its host, at its programme's prices (its share of the mentors' allowance)."""
    return accounts_of_week(WeekPrices.in_batch(batch, "students", at_firm), 1.0, hours, skill,
                            allowance[host] / apprentices[host])


def _sum_of_apprentices(host: np.ndarray, apprentices: np.ndarray, own: WeekAccounts,
                        allowance: np.ndarray) -> WeekAccounts:
    """A city's firms' week: the sum of their apprentices' own weeks (a firm without any: its mentors' allowance)."""
    n = len(apprentices)
    cost = np.bincount(host, weights=np.broadcast_to(own.cost, host.shape), minlength=n)
    output = np.bincount(host, weights=np.broadcast_to(own.output, host.shape), minlength=n)
    return WeekAccounts(cost + np.where(apprentices > 0, 0.0, allowance), output)


def book_enterprise_week(batch: Batch) -> None:
    """Add this week's costs and returns to every host's accounts (and each apprentice's with its host)."""
    s = batch.students
    ent = batch.enterprises
    at_firm = np.flatnonzero(s.location == ENTERPRISE)
    host = batch.local_to_global("enterprises", s.host[at_firm], at_firm)
    # The allowance the firm paid its own mentors this week (funding: the 2018 and 2021 national
    # guidelines have the firm pay it; zero when funding.firms_pay_mentor_allowance is false).
    allowance = ent.week_mentor_allowance_yuan
    subsidy = ent.week_subsidy_yuan  # completion subsidies the firm received this week (funding)
    apprentices = np.bincount(host, minlength=ent.n).astype(float)
    per_week = batch.value(lambda w: float(tax_credit.qualifying_yuan(w.scenario, 1.0)), "enterprises")
    credit = tax_credit.credit_week(batch, np.asarray(apprentices * per_week))
    city = batch.shares_pool
    codeveloping = _city_codevelopment_by_firm(batch) if city else _codevelopment_by_firm(batch)
    if len(at_firm) == 0 and not allowance.any() and not subsidy.any() and not credit.any() \
            and not codeveloping.any():
        return
    mentored = s.enterprise_mentor[at_firm] >= 0
    hours = np.where(mentored, batch.param("enterprise_mentors.desired_hours_per_apprentice_week", "students",
                                           at_firm) * s.guidance_enterprise[at_firm], 0.0)
    skill = s.practical_skill[at_firm]
    own = None
    if not city:
        firm = accounts_of_week(WeekPrices.in_batch(batch, "enterprises"), apprentices,
                                np.bincount(host, weights=hours, minlength=ent.n),
                                np.bincount(host, weights=skill, minlength=ent.n), allowance)
    else:  # a firm of a city's pool: the sum of its apprentices' weeks, each at its own programme's prices
        own = _apprentices_own_weeks(batch, at_firm, host, apprentices, hours, skill, allowance)
        firm = _sum_of_apprentices(host, apprentices, own, allowance)
    # the firm's mentors' hours co-developing the curriculum (curriculum) are training staff time too
    cost = np.asarray(firm.cost) + codeveloping * batch.param("enterprise_mentors.hourly_cost_yuan", "enterprises")
    output = np.asarray(firm.output)
    ent.year_cost_yuan += cost
    ent.year_benefit_yuan += output + subsidy
    ent.year_apprentice_weeks += apprentices
    ent.total_cost_yuan += cost
    ent.total_benefit_yuan += output + subsidy + credit
    ent.total_apprentice_weeks += apprentices
    # what a holder counts the title worth, in its whole-run net benefit (runs without titles add nothing)
    if any(w.scenario.incentives.demonstration_unit_titles for w in batch.worlds):
        title_yuan = batch.value(lambda w: w.scenario.incentives.demonstration_unit_value_yuan
                                 if w.scenario.incentives.demonstration_unit_titles else 0.0, "enterprises")
        ent.total_benefit_yuan += np.where(ent.demonstration_unit, apprentices, 0.0) * title_yuan / WEEKS_PER_YEAR
    sizes = batch.groups.sizes("enterprises")  # each run's firms summed on their own, as alone
    for w, run_cost, run_output in zip(batch.firm_worlds(), block_sums(cost, sizes), block_sums(output, sizes),
                                       strict=True):
        w.counters.gross_training_cost_yuan += run_cost
        w.counters.productive_output_yuan += run_output
    # the first year of hosting: the 52 weeks from the week a firm first hosted (BIBB: no public support)
    week = batch.week
    ent.first_host_week[(ent.first_host_week < 0) & (apprentices > 0)] = week
    first = (ent.first_host_week >= 0) & (week < ent.first_host_week + WEEKS_PER_YEAR)
    ent.first_year_cost_yuan[first] += cost[first]
    ent.first_year_benefit_yuan[first] += output[first]
    ent.first_year_apprentice_weeks[first] += apprentices[first]
    # each apprentice's own week with its host (the allowance shared among the firm's apprentices on site)
    if len(at_firm):
        if own is None:
            own = _apprentices_own_weeks(batch, at_firm, host, apprentices, hours, skill, allowance)
        local_host = s.host[at_firm]
        new_host = s.accounts_host[at_firm] != local_host
        s.hosted_output_yuan[at_firm[new_host]] = 0.0
        s.hosted_cost_yuan[at_firm[new_host]] = 0.0
        s.hosted_weeks[at_firm[new_host]] = 0
        s.accounts_host[at_firm] = local_host
        s.hosted_output_yuan[at_firm] += own.output
        s.hosted_cost_yuan[at_firm] += own.cost
        s.hosted_weeks[at_firm] += 1
        if city:  # a city's programme counts its own apprentices' weeks with their hosts
            owner = batch.groups.group_of("students")[at_firm]
            own_cost = np.bincount(owner, weights=np.broadcast_to(own.cost, at_firm.shape), minlength=batch.n_runs)
            own_output = np.bincount(owner, weights=np.broadcast_to(own.output, at_firm.shape),
                                     minlength=batch.n_runs)
            for g, w in enumerate(batch.worlds):
                w.counters.gross_training_cost_yuan += float(own_cost[g])
                w.counters.productive_output_yuan += float(own_output[g])


def codevelopment_hours_by_firm(world: World) -> np.ndarray:
    """Hours each firm's mentors gave to co-developing the curriculum this week (``curriculum``)."""
    hours = world.this_week.codevelopment.enterprise_mentor_hours
    ent = world.enterprises
    if len(hours) != world.enterprise_mentors.n or not hours.any():
        return np.zeros(ent.n)
    return np.bincount(world.enterprise_mentors.enterprise, weights=hours, minlength=ent.n)


def first_year_net_cost(world: World) -> np.ndarray:
    """Each firm's training net cost (BIBB's) per apprentice-year in its first year of hosting, yuan (NaN before)."""
    ent = world.enterprises
    years = ent.first_year_apprentice_weeks / WEEKS_PER_YEAR
    return np.divide(ent.first_year_cost_yuan - ent.first_year_benefit_yuan, years,
                     out=np.full(ent.n, np.nan), where=years > 0)


def net_benefit_yuan(world: World) -> np.ndarray:
    """Each firm's whole-run balance: returns, support, a title's worth and hiring savings less costs, yuan."""
    ent = world.enterprises
    return ent.total_benefit_yuan + ent.total_hiring_savings_yuan - ent.total_cost_yuan


def _net_benefit_per_placement(world: World, totals: RunTotals) -> float:
    return rate(net_benefit_yuan(world).sum(), world.counters.placements)


def _apprentice_years(world: World, totals: RunTotals) -> float:
    """Years the run's apprentices spent with hosts (a city's programme: its own apprentices', by the weekly count)."""
    if world.pool_shared:
        return float(np.sum(totals.series["n_at_enterprise"])) / WEEKS_PER_YEAR
    return float(world.enterprises.total_apprentice_weeks.sum() / WEEKS_PER_YEAR)


def _net_cost_per_apprentice_year(world: World, totals: RunTotals) -> float:
    c = world.counters
    return rate(c.gross_training_cost_yuan - c.productive_output_yuan, _apprentice_years(world, totals))


def _retaining_hosts_in_net_benefit(world: World, totals: RunTotals) -> float:
    retaining = np.zeros(world.enterprises.n, dtype=bool)
    retaining[retaining_hosts(world, totals)] = True
    return rate(np.count_nonzero(retaining & (net_benefit_yuan(world) > 0)), np.count_nonzero(retaining))


def _first_year_net_cost(world: World, totals: RunTotals) -> float:
    first_year = first_year_net_cost(world)
    return mean_of(first_year[~np.isnan(first_year)])


def _gross_cost_per_apprentice(world: World, totals: RunTotals) -> float:
    return rate(world.counters.gross_training_cost_yuan, _apprentice_years(world, totals))


def _net_to_gross_cost_ratio(world: World, totals: RunTotals) -> float:
    c = world.counters
    return rate(c.gross_training_cost_yuan - c.productive_output_yuan, c.gross_training_cost_yuan)


def _accounts(name: str, description: str) -> StateField:
    return StateField("enterprises", name, np.float64, 0.0, description)


MECHANISM = Mechanism(
    name="enterprise_accounts",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=book_enterprise_week,
    reads=("enterprise_mentors.enterprise", "enterprises.certified", "enterprises.demonstration_unit",
           "enterprises.staff", "this_week.codevelopment",
           "enterprises.week_mentor_allowance_yuan", "enterprises.week_subsidy_yuan", "students.enterprise_mentor",
           "students.guidance_enterprise", "students.host", "students.location", "students.practical_skill"),
    writes=("counters.gross_training_cost_yuan", "counters.productive_output_yuan",
            "enterprises.surcharge_left_yuan", "enterprises.tax_credit_pool_yuan", "enterprises.total_tax_credit_yuan",
            "enterprises.first_host_week", "enterprises.first_year_apprentice_weeks",
            "enterprises.first_year_benefit_yuan", "enterprises.first_year_cost_yuan",
            "enterprises.total_apprentice_weeks", "enterprises.total_benefit_yuan", "enterprises.total_cost_yuan",
            "enterprises.year_apprentice_weeks", "enterprises.year_benefit_yuan", "enterprises.year_cost_yuan",
            "students.accounts_host", "students.hosted_cost_yuan", "students.hosted_output_yuan",
            "students.hosted_weeks"),
    state=(
        _accounts("year_cost_yuan", "this year's training cost, yuan"),
        _accounts("year_benefit_yuan", "this year's productive value + subsidies received, yuan"),
        _accounts("year_apprentice_weeks", "this year's apprentice-weeks hosted"),
        _accounts("total_cost_yuan", "training cost, whole run, yuan"),
        _accounts("total_benefit_yuan",
                  "productive value + subsidies + tax credit (+ a title's worth), whole run, yuan"),
        _accounts("total_apprentice_weeks", "apprentice-weeks hosted, whole run"),
        _accounts("total_hiring_savings_yuan", "savings from retaining own apprentices, whole run, yuan"),
        StateField("enterprises", "first_host_week", np.int32, -1, "week the firm first hosted an apprentice, or -1"),
        _accounts("first_year_cost_yuan", "training cost in the firm's first 52 weeks of hosting, yuan"),
        _accounts("first_year_benefit_yuan", "productive value in the firm's first 52 weeks of hosting, yuan"),
        _accounts("first_year_apprentice_weeks", "apprentice-weeks hosted in the firm's first 52 weeks of hosting"),
        StateField("students", "accounts_host", np.int32, NO_ONE, "the host the apprentice's own accounts are with"),
        StateField("students", "hosted_output_yuan", np.float64, 0.0,
                   "the apprentice's productive output with that host so far, yuan"),
        StateField("students", "hosted_cost_yuan", np.float64, 0.0,
                   "what the apprentice has cost that host so far (pay, consumables, mentor time, allowance), yuan"),
        StateField("students", "hosted_weeks", np.int32, 0, "enterprise weeks the apprentice has spent with that host"),
    ),
    outcomes=(
        Outcome("enterprise_net_benefit_yuan_per_placement", "Enterprise balance per placement",
                "Hosts' whole balance per placement hosted: productive returns, subsidies, tax credit, a title's "
                "worth and hiring savings (each hire's once) less training costs.",
                Unit.YUAN, _net_benefit_per_placement, headline=True),
        Outcome("enterprise_net_cost_yuan_per_apprentice_year", "Training net cost per apprentice-year",
                "Hosts' gross training cost less the apprentices' productive output, per apprentice-year hosted "
                "(BIBB's net cost: no subsidy, tax credit or hiring savings), whole run.", Unit.YUAN,
                _net_cost_per_apprentice_year),
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
    ),
)
