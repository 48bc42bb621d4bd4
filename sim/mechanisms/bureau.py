"""The city education bureau's rules: how it divides its special fund, and which firms it certifies.

Why this module: a city file names the bureau's instruments (docs/city.md, section 1.1:
``bureau.special_fund_allocation``, ``bureau.certification``); these are the rules they
stand for, as pure functions of what a year of the city's programmes and firms did, so
that the city's run (issue 18, "The city", item 6; docs/city.md section 5.1) applies them
at each year start and a planner can read them in one place. No state, no randomness.

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


__all__ = ["allocate_special_fund", "certify", "school_totals"]
