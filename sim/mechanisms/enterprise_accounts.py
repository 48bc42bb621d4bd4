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

from sim.engine.population import ENTERPRISE
from sim.engine.world import World
from sim.mechanisms.mentoring import hours_given_by_enterprise


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
    subsidy = apprentices * sc.incentives.apprentice_subsidy_yuan_per_year / 52.0 * \
        world.this_week.funded.get("apprentice_subsidy", 1.0)
    tax_relief = sc.incentives.tax_relief_share * cost
    benefit = productive + subsidy + tax_relief
    ent.year_cost_yuan += cost
    ent.year_benefit_yuan += benefit
    ent.year_apprentice_weeks += apprentices
    ent.total_cost_yuan += cost
    ent.total_benefit_yuan += benefit
    ent.total_apprentice_weeks += apprentices
    world.counters.tax_relief_yuan += float(tax_relief.sum())
