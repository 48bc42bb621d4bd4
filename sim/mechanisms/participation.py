"""Enterprise participation: each year a firm weighs net cost and joins, stays or leaves.

"Schools enthusiastic, enterprises cold" (seed 003): at each year start (after the
first) a firm takes part with probability ``logistic(willingness + stay_bonus x
already_in - net_cost_sensitivity x expected net cost per apprentice-year / 10,000
yuan + satisfaction_effect x (satisfaction - 0.5))``. The expected net cost is the
firm's own last year's (costs - returns per apprentice-year, see enterprise_accounts)
where it hosted, otherwise the mean of the firms that did, otherwise an estimate from
the parameters; the "demonstration unit" title lowers it by its value for satisfied
hosts. Subsidies and tax relief thus raise participation through the net cost. A firm
that leaves ends its apprenticeships (requests to the exits phase). Job vacancies for
the year are drawn here too.
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import StateField, Unit, mean_of
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.world import World
from sim.scenario.schema import WEEKS_PER_YEAR

EX_ANTE_SKILL_GAIN_POINTS = 25.0
"""Practical skill a firm expects an apprentice to have gained by the time it hosts one; assumption."""
TITLE_SATISFACTION_BAR = 0.5
"""Satisfaction a host needs to earn the demonstration-unit title; assumption."""


def ex_ante_net_cost(world: World) -> float:
    """Net cost per apprentice-year a firm expects before anyone has hosted, yuan."""
    sc = world.scenario
    pp = sc.participation
    mentor_hours = sc.enterprise_mentors.desired_hours_per_apprentice_week if sc.programme.dual_mentor else 0.0
    weekly_cost = pp.apprentice_wage_yuan_per_week + pp.consumables_yuan_per_apprentice_week + \
        mentor_hours * sc.enterprise_mentors.hourly_cost_yuan
    productivity = (sc.intake.initial_practical_skill_mean + EX_ANTE_SKILL_GAIN_POINTS) / 100.0
    weekly_return = pp.productive_time_share * productivity * pp.skilled_output_yuan_per_week + \
        sc.incentives.apprentice_subsidy_yuan_per_year / WEEKS_PER_YEAR + sc.incentives.tax_relief_share * weekly_cost
    return (weekly_cost - weekly_return) * WEEKS_PER_YEAR  # apprentices work through school holidays


def close_year(world: World) -> None:
    """Turn last year's accounts into net cost per apprentice-year and start new ones.

    The training net cost (costs less productive returns, subsidy and tax relief, as
    BIBB measures it) is kept as the firm's first-year figure the first time it hosts;
    the figure the firm decides on also subtracts what retaining its apprentices saved
    it in hiring costs.
    """
    ent = world.enterprises
    years = ent.year_apprentice_weeks / WEEKS_PER_YEAR
    hosted = years > 0
    per_year = np.where(hosted, years, 1.0)
    training_net_cost = (ent.year_cost_yuan - ent.year_benefit_yuan) / per_year
    first = hosted & np.isnan(ent.first_year_net_cost_per_apprentice)
    ent.first_year_net_cost_per_apprentice[first] = training_net_cost[first]
    net_cost = training_net_cost - ent.year_hiring_savings_yuan / per_year
    ent.last_net_cost_per_apprentice_year = np.where(hosted, net_cost, ent.last_net_cost_per_apprentice_year)
    ent.year_cost_yuan[:] = 0.0
    ent.year_benefit_yuan[:] = 0.0
    ent.year_apprentice_weeks[:] = 0.0
    ent.year_hiring_savings_yuan[:] = 0.0


def expected_net_cost(world: World) -> np.ndarray:
    """Each firm's expected net cost per apprentice-year, yuan."""
    own = world.enterprises.last_net_cost_per_apprentice_year
    known = ~np.isnan(own)
    fallback = float(own[known].mean()) if known.any() else ex_ante_net_cost(world)
    return np.where(known, own, fallback)


def participation_probability(world: World, net_cost_yuan: np.ndarray) -> np.ndarray:
    """Probability each firm takes part this year."""
    pp = world.scenario.participation
    ent = world.enterprises
    satisfaction = ent.satisfaction()
    log_odds = (ent.willingness + pp.stay_bonus_log_odds * ent.participating
                - pp.net_cost_sensitivity_per_10k_yuan * net_cost_yuan / 10_000.0
                + pp.satisfaction_effect * (satisfaction - 0.5))
    return 1.0 / (1.0 + np.exp(-log_odds))


def decide_participation(world: World) -> None:
    """Yearly: vacancies for the year, and (after the first year) join / stay / leave."""
    if not world.calendar.is_year_start(world.week):
        return
    ent = world.enterprises
    sc = world.scenario
    rng = world.streams.generator("labour_market.vacancies", world.week)
    ent.vacancies[:] = rng.poisson(sc.enterprises.vacancy_rate_per_year * ent.post_staff)
    if world.week > 0:
        close_year(world)
        net_cost = expected_net_cost(world)
        inc = sc.incentives
        if inc.demonstration_unit_titles:
            satisfied = ent.satisfaction_sum >= TITLE_SATISFACTION_BAR * np.maximum(ent.satisfaction_count, 1.0)
            net_cost = net_cost - np.where(satisfied & (ent.satisfaction_count > 0),
                                           inc.demonstration_unit_value_yuan, 0.0)
        u = world.streams.uniform("participation.decision", world.week, ent.n)
        was = ent.participating.copy()
        ent.participating[:] = u < participation_probability(world, net_cost)
        leaving = np.flatnonzero(was & ~ent.participating)
        if len(leaving):
            s = world.students
            left = np.isin(s.host, leaving) & s.in_programme()
            world.pending_terminations.append((np.flatnonzero(left), "enterprise_withdrew"))
    world.counters.participation_years.append(float(ent.participating.mean()))



MECHANISM = Mechanism(
    name="participation",
    step=decide_participation,
    reads=("enterprises.post_staff", "enterprises.satisfaction_count", "enterprises.satisfaction_sum",
           "enterprises.willingness", "students.host", "students.stage"),
    writes=("counters.participation_years", "enterprises.first_year_net_cost_per_apprentice",
            "enterprises.last_net_cost_per_apprentice_year", "enterprises.participating", "enterprises.vacancies",
            "enterprises.year_apprentice_weeks", "enterprises.year_benefit_yuan", "enterprises.year_cost_yuan",
            "enterprises.year_hiring_savings_yuan", "pending_terminations"),
    state=(
        StateField("enterprises", "vacancies", np.int32, 0, "job vacancies left this year"),
        StateField("enterprises", "last_net_cost_per_apprentice_year", np.float64, np.nan,
                   "the firm's last known net cost per apprentice-year, yuan; NaN before it hosted"),
        StateField("enterprises", "first_year_net_cost_per_apprentice", np.float64, np.nan,
                   "training net cost per apprentice-year in the first year the firm hosted, yuan; NaN before"),
    ),
    streams=("labour_market.vacancies", "participation.decision"),
    outcomes=(
        Outcome("enterprise_participation_rate", "Enterprise participation",
                "Share of the enterprise pool taking part, mean over the years.", Unit.SHARE,
                lambda world, totals: mean_of(world.counters.participation_years), headline=True),
    ),
)
