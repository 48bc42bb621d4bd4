"""Comparing city files over replications, with common random numbers (``talentsim compare CITY_A CITY_B``).

Replication ``k`` of every city runs with the same seed, so a programme, the pool's firms
and the sectors' searchers meet the same luck in every city (``sim.city``: streams keyed
by the programme's name, firms by sector and index within the sector). Each city's rows
(programmes, schools, the city: ``CityResult.summary_table``) are summarised over the
replications (mean and 95% confidence interval), and each city after the first is
compared with it row by row, paired by replication.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.city import run_city
from sim.errors import UserError
from sim.experiments.backends import Backend, RunError, SerialBackend
from sim.experiments.seeds import replication_seeds
from sim.experiments.stats import paired_differences, summarise
from sim.messages import text
from sim.scenario.city_loading import load_city

CITY_HEADLINE = ("placement_rate", "employment_rate_6m", "certificate_pass_rate", "enterprise_participation_rate",
                 "practice_hours_cut_share", "public_cost_yuan", "tax_expenditure_yuan", "city_subsidy_yuan",
                 "special_fund_paid_yuan", "searchers_per_vacancy_met")
"""The city row's outcomes ``format_city_table`` prints (every outcome is in the CSV files)."""

LABELS = ("level", "name", "school")


@dataclass
class CityComparison:
    """Per run rows, their summaries by city and row, and the paired differences against the first city."""

    runs: pd.DataFrame
    comparison: pd.DataFrame
    differences: pd.DataFrame


def city_rows(task: tuple[str, Mapping[str, Any] | None, int]) -> pd.DataFrame:
    """One replication of a city file: its summary table (a backend's task: the file, its overrides, the seed)."""
    path, overrides, seed = task
    return run_city(load_city(path, overrides, overrides_source="--set"), seed, students=False).summary_table()


def compare_cities(paths: Sequence[str], reps: int, master_seed: int,
                   overrides: Mapping[str, Any] | None = None, backend: Backend | None = None) -> CityComparison:
    """Run every city file ``reps`` times with the same seeds; summarise and pair each with the first.

    ``backend``: where the replications run (``sim.experiments.backends``; None: here, one
    after another); each is one city, seeded by its replication, so the results do not
    depend on it.

    Raises:
        UserError: a replication failed (its message names the city file and seed).
    """
    plans = [load_city(path, overrides, overrides_source="--set") for path in paths]  # all read before any run
    labels = [f"{index}:{plan.name}" if [p.name for p in plans].count(plan.name) > 1 else plan.name
              for index, plan in enumerate(plans)]
    seeds = replication_seeds(master_seed, reps)
    tasks = [(str(path), dict(overrides) if overrides else None, seed) for path in paths for seed in seeds]
    found: dict[tuple[str, int], pd.DataFrame] = {}
    with backend if backend is not None else SerialBackend() as running:
        for task, result in running.map(city_rows, tasks):
            if isinstance(result, RunError):
                raise UserError(text("city.replication_failed", file=task[0], seed=task[2], message=result.message))
            found[(task[0], task[2])] = result
    tables = []
    for label, path in zip(labels, paths, strict=True):
        for rep, seed in enumerate(seeds):
            table = found[(str(path), seed)].copy()
            table.insert(0, "rep", rep)
            table.insert(0, "city", label)
            tables.append(table)
    runs = pd.concat(tables, ignore_index=True)
    runs.loc[runs["level"] == "city", "name"] = "city"  # the cities' rows pair with each other, whatever their names
    outcomes = [c for c in runs.columns if c not in ("city", "rep", *LABELS)]
    comparison, differences = [], []
    for key, rows in runs.groupby(["level", "name"], sort=False):
        level, name = str(key[0]), str(key[1])
        summary = summarise(rows, "city", outcomes)
        summary.insert(1, "level", level)
        summary.insert(2, "name", name)
        comparison.append(summary)
        paired = paired_differences(rows, "city", outcomes)
        paired.insert(2, "level", level)
        paired.insert(3, "name", name)
        differences.append(paired)
    return CityComparison(runs, pd.concat(comparison, ignore_index=True), pd.concat(differences, ignore_index=True))


def format_city_table(result: CityComparison) -> str:
    """The city rows' headline outcomes: each city's mean, and each later city's paired difference with its CI."""
    city_rows = result.comparison[result.comparison["level"] == "city"]
    diffs = result.differences[result.differences["level"] == "city"]
    lines = []
    for outcome in CITY_HEADLINE:
        means = city_rows[city_rows["outcome"] == outcome]
        if means.empty:
            continue
        parts = [f"{row.city}: {row.mean:,.4g}" for row in means.itertuples()]
        for row in diffs[diffs["outcome"] == outcome].itertuples():
            parts.append(f"{row.city} - {row.baseline}: {row.mean:+,.4g} [{row.ci_low:+,.4g}, {row.ci_high:+,.4g}]")
        lines.append(f"  {outcome:<32} " + "   ".join(parts))
    return "\n".join(lines)


__all__ = ["CITY_HEADLINE", "CityComparison", "compare_cities", "format_city_table"]
