"""The city education bureau: its certified list, its special fund and its subsidy per apprentice, in a city's run.

Why this module: a city file names the bureau's instruments (docs/city.md, section 1.1:
``bureau.certification``, ``bureau.special_fund_allocation``,
``bureau.city_subsidy_yuan_per_apprentice_year``). The rules are pure functions of what a
year of the city's programmes and firms did, so a planner can read them in one place; the
phase (``act_for_the_city``, issue 18, item 6) applies them in a city's run, where the
pool world holds the bureau (``World.bureau``; nothing happens in a programme's own run):

* at each year start after the first, the certified list grows by the criteria from each
  firm's record (the most apprentices it hosted at once in each past year); a certified
  firm earns the education-surcharge credit (``tax_credit``) and, with
  ``placement_priority``, comes first among firms of the same sector fit in the placement
  rounds (``placement``);
* at each year start, the year's special fund is divided between the programmes by the
  rule and paid into each programme's school special fund (a public source);
* every week, each host is paid the city subsidy for each apprentice on site
  (``rate / 52``), public money that the firm counts among the subsidies it received (its
  books, and so its participation).

Shared training bases are applied by ``training_base`` (the base's capacity is shared pro
rata by the programmes using it). No randomness.

* :func:`allocate_special_fund` - a year's fund divided between programmes by the stated
  rule (per student, per apprentice, or by results), and :func:`school_totals`.
* :func:`certify` - the certified list (产教融合型企业) from each firm's record of hosting:
  firms are built first and certified after (NDRC & Ministry of Education 2019, 建设产教融合型
  企业实施办法（试行）, Art. 3: "先建后认"), by the city's criteria, up to its quota, the best
  hosts first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.engine.batch import Batch
from sim.engine.calendar import ProgrammeCalendar
from sim.engine.mechanism import Mechanism
from sim.engine.population import EMPLOYED, ENTERPRISE, FURTHER_STUDY
from sim.engine.sums import post_counts
from sim.scenario.schema import WEEKS_PER_YEAR


def allocate_special_fund(total_yuan: float, rule: str, students: Sequence[float], apprentices: Sequence[float],
                          results: Sequence[float]) -> np.ndarray:
    """Each programme's share of a year's special fund, yuan (the shares add up to ``total_yuan``).

    Args:
        total_yuan: the fund for the year.
        rule: ``per_student`` (in proportion to each programme's students in the programme),
            ``per_apprentice`` (to its apprentices placed with a host) or ``by_results`` (to
            its graduates employed or in further study 6 months after graduation, the year
            before).
        students: each programme's students in the programme (one per programme, in the city's order).
        apprentices: each programme's apprentices placed with a host.
        results: each programme's graduates employed or in further study 6 months after graduation.

    Returns:
        Yuan per programme. A rule whose counts are all 0 (no apprentices placed yet, no
        graduates followed up yet: a city's first years) divides per student, as
        ``bureau.special_fund_allocation`` states; with no students either, nothing is paid.
    """
    by_rule = {"per_student": students, "per_apprentice": apprentices, "by_results": results}
    if rule not in by_rule:
        raise ValueError(f"unknown special-fund rule {rule!r}; expected one of {', '.join(by_rule)}")
    weights = np.asarray(by_rule[rule], dtype=float)
    if weights.sum() <= 0:
        weights = np.asarray(students, dtype=float)
    if (weights < 0).any():
        raise ValueError("a programme's count is negative")
    if weights.sum() <= 0:
        return np.zeros(len(weights))
    return total_yuan * weights / weights.sum()


def school_totals(per_programme: Sequence[float], school_of: Sequence[str]) -> dict[str, float]:
    """Sums by school of per-programme amounts (``school_of[i]``: programme ``i``'s school), in first-seen order."""
    totals: dict[str, float] = {}
    for amount, school in zip(per_programme, school_of, strict=True):
        totals[school] = totals.get(school, 0.0) + float(amount)
    return totals


def certify(apprentices_by_year: np.ndarray, criteria: Mapping[str, float], already: np.ndarray) -> np.ndarray:
    """The certified list after a year: the firms on it before, and those that now meet the criteria, up to the quota.

    Args:
        apprentices_by_year: int array (years so far x firms): apprentices each firm
            hosted in each past year of the run, the earliest first.
        criteria: ``min_years_hosting`` (years with at least one apprentice),
            ``min_apprentices_per_year`` (mean apprentices over those years) and
            ``max_certified_share`` (the most of the pool on the list) - the keys of
            ``bureau.certification``.
        already: bool array (firms,): certified before; a certified firm stays certified
            (the national list is kept, not redrawn each year).

    Returns:
        bool array (firms,). New firms join, best hosts first (the most apprentices a
        year over their hosting years, then the lower index), while the list is below
        ``max_certified_share`` of the pool (rounded down); firms already on it count
        against the quota. A firm that has never hosted is not certified, whatever the
        criteria (built first, then certified).
    """
    hosted = np.asarray(apprentices_by_year)
    already = np.asarray(already, dtype=bool)
    n_firms = len(already)
    if hosted.ndim != 2 or hosted.shape[1] != n_firms:
        raise ValueError(f"apprentices_by_year must be years x {n_firms} firms, found shape {hosted.shape}")
    years_hosting = np.count_nonzero(hosted > 0, axis=0)
    mean_hosted = np.divide(hosted.sum(axis=0), years_hosting, out=np.zeros(n_firms), where=years_hosting > 0)
    eligible = ~already & (years_hosting >= criteria["min_years_hosting"]) & (years_hosting > 0) & \
        (mean_hosted >= criteria["min_apprentices_per_year"])
    room = int(np.floor(criteria["max_certified_share"] * n_firms + 1e-9)) - int(np.count_nonzero(already))
    certified = already.copy()
    if room <= 0:
        return certified
    candidates = np.flatnonzero(eligible)
    best_first = candidates[np.lexsort((candidates, -mean_hosted[candidates]))]
    certified[best_first[:room]] = True
    return certified


def act_for_the_city(batch: Batch) -> None:
    """The bureau's week in a city: its record of hosting, the certified list and the fund at year starts, subsidies."""
    pool = batch.pool
    bureau = pool.bureau if pool is not None else None
    if pool is None or bureau is None:
        return
    spec = bureau.spec
    ent = pool.enterprises
    week = batch.week
    s = batch.students
    if ProgrammeCalendar.is_year_start(week):
        if week > 0:
            bureau.hosted_by_year.append(bureau.peak_hosted.copy())
            bureau.peak_hosted[:] = 0
            if spec.certification.enabled:
                criteria = spec.certification.model_dump()
                ent.certified[:] = certify(np.array(bureau.hosted_by_year), criteria, ent.certified)
        if spec.special_fund_yuan_per_year > 0.0:
            _pay_special_fund(batch, spec.special_fund_yuan_per_year, spec.special_fund_allocation)
    hosted = post_counts(s.host, ent.n)
    np.maximum(bureau.peak_hosted, hosted, out=bureau.peak_hosted)
    if spec.city_subsidy_yuan_per_apprentice_year > 0.0:
        on_site = (s.location == ENTERPRISE) & (s.host >= 0)
        paid = np.bincount(s.host[on_site], minlength=ent.n) * \
            (spec.city_subsidy_yuan_per_apprentice_year / WEEKS_PER_YEAR)
        ent.week_subsidy_yuan += paid
        bureau.subsidy_paid_yuan += float(paid.sum())


def _pay_special_fund(batch: Batch, total_yuan: float, rule: str) -> None:
    """Divide the year's fund between the programmes by ``rule`` and pay each its share (its school special fund)."""
    assert batch.pool is not None and batch.pool.bureau is not None
    week = batch.week
    students: list[float] = []
    apprentices: list[float] = []
    results: list[float] = []
    for world in batch.worlds:
        st = world.students
        in_programme = st.in_programme()
        students.append(float(np.count_nonzero(in_programme)))
        apprentices.append(float(np.count_nonzero(in_programme & (st.host >= 0))))
        followed_up = (st.week_graduated >= 0) & (st.week_graduated + WEEKS_PER_YEAR // 2 >= week - WEEKS_PER_YEAR) \
            & (st.week_graduated + WEEKS_PER_YEAR // 2 < week)  # their 6-month follow-up fell in the past year
        results.append(float(np.count_nonzero(followed_up & np.isin(st.stage_at_6m, (EMPLOYED, FURTHER_STUDY)))))
    shares = allocate_special_fund(total_yuan, rule, students, apprentices, results)
    for world, amount in zip(batch.worlds, shares, strict=True):
        if amount > 0.0:
            world.ledger.pay_in("school_special_fund", float(amount))
    batch.pool.bureau.fund_paid_yuan += shares


MECHANISM = Mechanism(
    name="bureau",
    step=None,
    batch_step=act_for_the_city,
    reads=("students.host", "students.location", "students.stage", "students.stage_at_6m",
           "students.week_graduated"),
    writes=("enterprises.certified", "enterprises.week_subsidy_yuan", "ledger"),
)


__all__ = ["MECHANISM", "act_for_the_city", "allocate_special_fund", "certify", "school_totals"]
