"""The education-surcharge credit of certified industry-education integration enterprises.

Caishui [2019] No. 46 (Ministry of Finance and State Taxation Administration, 2019):
an enterprise on the certified list of industry-education integration enterprises
(产教融合型企业) credits 30% of its qualifying investment in vocational education against
the education surcharge (教育费附加, 3% of the VAT and consumption tax it pays) and the
local education surcharge (地方教育附加, 2%) of the same year; what the year's surcharges
cannot absorb is carried forward to later years. A firm not on the list credits nothing.

What qualifies. No. 46 counts investment in running or co-running vocational education
(training bases, equipment, materials, cash paid into a co-run programme). Of a host's
weekly accounts (``enterprise_accounts.week_accounts``) that is the training consumables
(equipment and materials) and the firm's cost-sharing payments into the programme's
funds; the apprentice's pay and the mentors' time and allowance are wages, and do not
qualify. The list itself is drawn at set-up (``enterprise_pool``: each firm is certified
with probability ``incentives.certified_enterprise_share``).

The cap. A firm's surcharges for a year are ``EDUCATION_SURCHARGE_RATE x VAT``, its VAT
being ``participation.vat_yuan_per_employee_year x staff``. The tax year is taken as the
simulation year (its weeks 0-51, 52-103, ...), an assumption: the academic and the
calendar year are four months apart, which matters only for when a carried credit is used.

Each week ``credit_week`` adds the week's credit to each certified firm's pool and
credits what the year's remaining surcharges allow; the rest stays in the pool. The
credit is tax expenditure: public money, counted in the public cost (``funding``).
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import StateField, Unit
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.world import World
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario

EDUCATION_SURCHARGE_RATE = 0.05
"""Education surcharge (3%) plus local education surcharge (2%) of the VAT and consumption tax paid.

State Council, Provisional Regulations on the Collection of Education Surcharges (1986, revised 2011: 3%);
Ministry of Finance, Caizong [2010] No. 98 (local education surcharge, 2%)."""


def surcharge_yuan_per_year(scenario: Scenario, staff: np.ndarray) -> np.ndarray:
    """Each firm's education surcharges for a year, yuan: the cap on the credit it can use that year."""
    return EDUCATION_SURCHARGE_RATE * scenario.participation.vat_yuan_per_employee_year * staff


def qualifying_yuan(scenario: Scenario, apprentice_weeks: np.ndarray | float) -> np.ndarray | float:
    """Qualifying investment of hosting ``apprentice_weeks``, yuan: consumables and the firm's cost-sharing payments."""
    return apprentice_weeks * qualifying_yuan_per_apprentice_week(
        scenario.participation.consumables_yuan_per_apprentice_week,
        scenario.funding.enterprise_cost_sharing_yuan_per_apprentice_year)


def qualifying_yuan_per_apprentice_week(consumables_yuan_per_week: float | np.ndarray,
                                        cost_sharing_yuan_per_year: float | np.ndarray) -> float | np.ndarray:
    """Qualifying investment of an apprentice-week hosted, yuan, from its run's prices (one, or one per firm)."""
    return consumables_yuan_per_week + cost_sharing_yuan_per_year / WEEKS_PER_YEAR


def _surcharge_yuan_per_employee_year(world: World) -> float:
    """A firm's education surcharges per employee and year in ``world``'s run, yuan (of its scenario alone)."""
    return EDUCATION_SURCHARGE_RATE * world.scenario.participation.vat_yuan_per_employee_year


def credit_week(batch: Batch, qualifying: np.ndarray) -> np.ndarray:
    """This week's credit of each firm, yuan, from its ``qualifying`` investment this week (yuan per firm).

    Resets the year's remaining surcharges at each simulation-year start; certified firms
    add the credit share of their qualifying investment to their pool (what earlier years
    could not use included) and credit as much of it as the year's surcharges still allow.
    ``qualifying`` and the result have one element per firm of the batch.
    """
    ent = batch.enterprises
    if batch.week % WEEKS_PER_YEAR == 0:
        ent.surcharge_left_yuan[:] = batch.derived(_surcharge_yuan_per_employee_year, "enterprises") * ent.staff
    if not ent.certified.any():
        return np.zeros(ent.n)
    ent.tax_credit_pool_yuan += np.where(ent.certified, batch.param("incentives.tax_credit_share", "enterprises")
                                         * qualifying, 0.0)
    credit = np.minimum(ent.tax_credit_pool_yuan, ent.surcharge_left_yuan)
    ent.tax_credit_pool_yuan -= credit
    ent.surcharge_left_yuan -= credit
    ent.total_tax_credit_yuan += credit
    return credit


def expected_credit_per_placement(batch: Batch, firms: np.ndarray, weeks: float | np.ndarray) -> np.ndarray:
    """The credit each of ``firms`` (batch positions) expects per placement it hosts, yuan (0 if not certified).

    The credit share of the placement's planned qualifying investment (``weeks``: its run's
    planned enterprise weeks, ``participation.planned_weeks_per_placement``), at most the
    firm's yearly surcharges spread over its places (a firm that fills its places can use no
    more than a year's surcharges a year). Each firm's prices are its run's (``Batch.param``).
    """
    ent = batch.enterprises
    certified = ent.certified[firms]
    if not certified.any():  # no firm on the list (the certified share is 0 unless a scenario sets it)
        return np.zeros(len(firms))

    def param(path: str) -> float | np.ndarray:
        return batch.param(path, "enterprises", firms)

    per_week = qualifying_yuan_per_apprentice_week(param("participation.consumables_yuan_per_apprentice_week"),
                                                   param("funding.enterprise_cost_sharing_yuan_per_apprentice_year"))
    full = param("incentives.tax_credit_share") * (weeks * per_week)  # qualifying_yuan of the planned weeks
    # the surcharge per employee first, then times the staff: surcharge_yuan_per_year's order of operations
    per_employee = EDUCATION_SURCHARGE_RATE * param("participation.vat_yuan_per_employee_year")
    cap = per_employee * ent.staff[firms] / np.maximum(ent.capacity[firms], 1)
    return np.where(certified, np.minimum(full, cap), 0.0)


MECHANISM = Mechanism(
    name="tax_credit",
    step=None,  # credit_week is called by enterprise_accounts, which books the qualifying investment
    state=(
        StateField("enterprises", "surcharge_left_yuan", np.float64, 0.0,
                   "education surcharges of this simulation year not yet offset by the credit, yuan"),
        StateField("enterprises", "tax_credit_pool_yuan", np.float64, 0.0,
                   "credit earned but not yet used (carried forward), yuan"),
        StateField("enterprises", "total_tax_credit_yuan", np.float64, 0.0, "credit used, whole run, yuan"),
    ),
    outcomes=(
        Outcome("tax_credit_yuan", "Education-surcharge credit to certified firms",
                "Education surcharges certified firms did not pay because of the Caishui [2019] No. 46 credit (tax "
                "expenditure, public money), whole run.", Unit.YUAN,
                lambda world, totals: float(world.enterprises.total_tax_credit_yuan.sum())),
        Outcome("tax_credit_carried_yuan", "Credit carried beyond the run",
                "Credit certified firms earned but could not use against their surcharges by the end of the run.",
                Unit.YUAN, lambda world, totals: float(world.enterprises.tax_credit_pool_yuan.sum())),
    ),
)
