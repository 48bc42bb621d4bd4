"""Means with t-distribution confidence intervals, per group and for paired differences."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> dict[str, float]:
    """Mean, standard deviation, count and t confidence interval of the finite values.

    Args:
        values: Observations (NaN and infinities are left out: a failed run or an
            undefined outcome such as a cost per graduate with no graduate).
        confidence: Coverage of the interval.

    Returns:
        ``mean``, ``sd`` (n - 1 in the denominator), ``n`` and ``ci_low``, ``ci_high``;
        the interval is NaN with fewer than two values.
    """
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    n = int(array.size)
    if n == 0:
        return {"mean": math.nan, "sd": math.nan, "n": 0, "ci_low": math.nan, "ci_high": math.nan}
    mean = float(array.mean())
    if n == 1:
        return {"mean": mean, "sd": math.nan, "n": 1, "ci_low": math.nan, "ci_high": math.nan}
    sd = float(array.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return {"mean": mean, "sd": sd, "n": n, "ci_low": mean - half, "ci_high": mean + half}


def summarise(per_run: pd.DataFrame, by: str, outcomes: Sequence[str],
              confidence: float = CONFIDENCE) -> pd.DataFrame:
    """One row per group and outcome: mean, sd, n, ci_low, ci_high.

    Args:
        per_run: One row per run, with the grouping column and the outcome columns.
        by: The grouping column (kept in order of first appearance).
        outcomes: Outcome columns to summarise.
        confidence: Coverage of the intervals.
    """
    rows = []
    for group, runs in per_run.groupby(by, sort=False):
        for outcome in outcomes:
            rows.append({by: group, "outcome": outcome, **mean_ci(runs[outcome].to_numpy(), confidence)})
    return pd.DataFrame(rows, columns=[by, "outcome", "mean", "sd", "n", "ci_low", "ci_high"])


def paired_differences(per_run: pd.DataFrame, by: str, outcomes: Sequence[str],
                       confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Each group minus the first, paired by replication: mean difference and its CI.

    Replication ``k`` of every group is paired with replication ``k`` of the first; a
    pair is used only when both values are finite.

    Returns:
        One row per (group after the first, outcome): ``baseline``, ``mean``
        (of the differences), ``sd``, ``n`` (pairs), ``ci_low``, ``ci_high``.
    """
    columns = [by, "baseline", "outcome", "mean", "sd", "n", "ci_low", "ci_high"]
    rows = [{by: group, "baseline": baseline, "outcome": outcome, **mean_ci(difference, confidence)}
            for group, baseline, outcome, difference in paired_by_replication(per_run, by, outcomes)]
    return pd.DataFrame(rows, columns=columns)


def paired_by_replication(per_run: pd.DataFrame, by: str, outcomes: Sequence[str]
                          ) -> Iterator[tuple[object, object, str, np.ndarray]]:
    """(group, first group, outcome, group - first per shared replication) for every group after the first."""
    groups = list(dict.fromkeys(per_run[by]))
    if len(groups) < 2:
        return
    first = per_run[per_run[by] == groups[0]].set_index("rep")
    for group in groups[1:]:
        other = per_run[per_run[by] == group].set_index("rep")
        reps = first.index.intersection(other.index)
        for outcome in outcomes:
            yield (group, groups[0], outcome,
                   other.loc[reps, outcome].to_numpy(float) - first.loc[reps, outcome].to_numpy(float))
