"""The city's open market: a searcher's job-finding rate falls as searchers outnumber vacancies.

Why this module: a single programme's graduates search an unlimited open market at one
fitted weekly rate (``labour_market.open_market_job_rate_per_week``, docs/model.md §7.17
and §11: "no competition between searchers, no sector demand"). In a city the graduates
of every programme compete for the vacancies of their sector, so a sector with twice the
graduates and the same demand must place each one more slowly. The labour-economics
literature summarises how hires depend on searchers ``U`` and vacancies ``V`` with an
aggregate matching function; Petrongolo & Pissarides (2001) survey the estimates and find
that a Cobb-Douglas function with constant returns fits well, ``M = A U^a V^(1-a)``, with
an elasticity of hires with respect to unemployment ``a`` of about 0.5 to 0.7 (their
summary of the aggregate estimates; see docs/city.md for how far it was checked). A searcher's
job-finding rate is then ``M / U = A (V / U)^(1 - a)``: it falls as the ratio of searchers
to vacancies ``r = U / V`` rises, with elasticity ``-(1 - a)``.

The scale ``A`` is not estimated anew: it is set so that at a reference ratio ``r_ref``
the rate is today's fitted one, ``f(r) = f_fitted x (r_ref / r)^(1 - a)``. So a city
whose sectors stand at the reference ratio finds jobs as fast as the calibrated single
programme (docs/calibration.md), and only a city's demand moves the rate. Where a city
gives no demand for a sector, the rate is today's (``vacancies=None``).

Used by the city's labour market (``labour_market._search``, when a city gives demand):
each week and sector, the searchers present and the vacancies not yet filled scale the
base rate ``labour_market.open_market_job_rate_per_week``; the composite score and
certificates still scale each searcher's hazard around it (docs/model.md §7.17).

Reference (docs/city.md, References): Petrongolo, B. & Pissarides, C. A. (2001). Looking into
the black box: a survey of the matching function. *Journal of Economic Literature*
39(2): 390-431.
"""

from __future__ import annotations

import numpy as np


def job_finding_rate_per_week(searchers: np.ndarray | float, vacancies: np.ndarray | float | None, *,
                              fitted_rate_per_week: float, reference_searchers_per_vacancy: float,
                              searcher_elasticity: float = 0.5) -> np.ndarray:
    """Each sector's weekly job-finding hazard of an open-market searcher (at composite 50, no certificate).

    ``f = fitted_rate_per_week x (reference_searchers_per_vacancy / r)^(1 - searcher_elasticity)``
    with ``r = searchers / vacancies``: the Cobb-Douglas matching function with constant
    returns (Petrongolo & Pissarides 2001), normalised to the fitted rate at the
    reference ratio.

    Conventions at the edges, so that the function is defined for every count a week can
    bring: a sector counts at least one searcher (the rate is the one a searcher meets,
    and they are there), so no searchers give the rate a lone searcher would meet, not
    infinity; no vacancies give 0 (no one can be hired); a sector whose demand the city
    does not give (NaN in ``vacancies``, or ``vacancies=None`` for all) keeps the fitted
    rate, as today.

    Args:
        searchers: searchers in each sector this week (a number or an array by sector).
        vacancies: vacancies open in each sector this week; None or NaN: not given.
        fitted_rate_per_week: today's fitted weekly rate
            (``labour_market.open_market_job_rate_per_week``, 0.055).
        reference_searchers_per_vacancy: the ratio of searchers to vacancies at which the
            fitted rate holds (the baseline's).
        searcher_elasticity: ``a``, the elasticity of hires with respect to searchers,
            in [0, 1); Petrongolo & Pissarides (2001) report 0.5 to 0.7. At 0 the rate
            falls in proportion to the ratio; near 1 it hardly depends on it.

    Returns:
        float array of the rate per week, shaped as ``searchers`` and ``vacancies``
        broadcast together.

    Raises:
        ValueError: a negative count, a non-positive rate or reference ratio, or an
            elasticity outside [0, 1).
    """
    if not fitted_rate_per_week > 0:
        raise ValueError(f"fitted_rate_per_week must be positive, found {fitted_rate_per_week}")
    if not reference_searchers_per_vacancy > 0:
        raise ValueError(f"reference_searchers_per_vacancy must be positive, found {reference_searchers_per_vacancy}")
    if not 0 <= searcher_elasticity < 1:
        raise ValueError(f"searcher_elasticity must be in [0, 1), found {searcher_elasticity}")
    u = np.asarray(searchers, dtype=float)
    if (u < 0).any():
        raise ValueError("searchers must be at least 0")
    if vacancies is None:
        return np.full(u.shape, fitted_rate_per_week)
    v = np.asarray(vacancies, dtype=float)
    if (v < 0).any():
        raise ValueError("vacancies must be at least 0 (or NaN where not given)")
    u, v = np.broadcast_arrays(u, v)
    given = ~np.isnan(v)
    ratio = np.divide(np.maximum(u, 1.0), v, out=np.full(u.shape, np.inf), where=given & (v > 0))
    rate = fitted_rate_per_week * (reference_searchers_per_vacancy / ratio) ** (1.0 - searcher_elasticity)
    return np.where(given, rate, fitted_rate_per_week)


__all__ = ["job_finding_rate_per_week"]
