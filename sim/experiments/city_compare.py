"""Comparing city files over replications, with common random numbers (``talentsim compare CITY_A CITY_B``).

Replication ``k`` of every city runs with the same seed, so a programme, the pool's firms
and the sectors' searchers meet the same luck in every city (``sim.city``: streams keyed
by the programme's name, firms by sector and index within the sector). Each city's rows
(programmes, schools, the city: ``CityResult.summary_table``) are summarised over the
replications (mean and 95% confidence interval), and each city after the first is
compared with it row by row, paired by replication.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.city import city_outcome_names
from sim.errors import UserError
from sim.experiments.backends import Backend
from sim.experiments.compare import compare
from sim.experiments.stats import paired_differences, summarise
from sim.messages import text
from sim.scenario.city_loading import CitySource

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
    posterior_differences: pd.DataFrame | None = None
    """With ``posterior``: quantiles of each paired difference over the posterior draws (``sim.compare``'s, by the
    flat outcome names of ``CityResult.outcomes``); else None."""


def city_rows(outcomes: Mapping[str, Any], city: CitySource) -> list[dict[str, Any]]:
    """A run's outcomes (``CityResult.outcomes``) as its summary table's rows: each programme, school, the city."""
    schools = {programme.school for programme in city.plan.programmes}
    programmes = {programme.name: programme.school for programme in city.plan.programmes}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for key, value in outcomes.items():
        level, name, outcome = "city", "city", key
        for plural, names in (("programmes", programmes), ("schools", schools)):
            head = f"{plural}."
            if key.startswith(head):
                name = next((n for n in names if key.startswith(f"{head}{n}.")), "")
                if name:
                    level, outcome = plural[:-1], key[len(head) + len(name) + 1:]
                    break
        row = rows.setdefault((level, name), {"level": level, "name": name,
                                              "school": programmes.get(name, name if level == "school" else "")})
        row[outcome] = value
    order = {"programme": 0, "school": 1, "city": 2}
    return sorted(rows.values(), key=lambda row: order[row["level"]])


def compare_cities(paths: Sequence[str], reps: int, master_seed: int,
                   overrides: Mapping[str, Any] | None = None, backend: Backend | None = None,
                   posterior: str | os.PathLike[str] | None = None) -> CityComparison:
    """Run every city file ``reps`` times with the same seeds; summarise and pair each with the first, row by row.

    The runs are ``sim.experiments.compare``'s (each replication one city, on ``backend``:
    the results do not depend on it); this gives its outcomes back as the rows of each
    city's summary table. ``posterior``: a calibration folder whose draw ``k`` replication
    ``k`` of every city runs with (the calibrated keys set in every programme).

    Raises:
        UserError: a replication failed (its message names the city file and seed).
    """
    cities = [CitySource.read(path, overrides) for path in paths]  # all read before any run
    labels = [f"{index}:{city.name}" if [c.name for c in cities].count(city.name) > 1 else city.name
              for index, city in enumerate(cities)]
    result = compare(cities, reps, master_seed, backend=backend, posterior=posterior)
    failed = result.per_run[result.per_run["error"] != ""]
    if len(failed):
        first = failed.iloc[0]
        index = list(dict.fromkeys(result.per_run["scenario"])).index(first["scenario"])
        raise UserError(text("city.replication_failed", file=paths[index], seed=int(first["seed"]),
                             message=first["error"]))
    tables = []
    for index, (label, (_, runs)) in enumerate(zip(labels, result.per_run.groupby("scenario", sort=False),
                                                   strict=True)):
        known = set(city_outcome_names(cities[index].plan))  # not the posterior draw's parameters beside them
        for values in runs.to_dict("records"):
            outcomes = {str(k): v for k, v in values.items() if k in known}
            table = pd.DataFrame(city_rows(outcomes, cities[index]))
            table.insert(0, "rep", int(values["rep"]))
            table.insert(0, "city", label)
            tables.append(table)
    runs = pd.concat(tables, ignore_index=True)
    runs.loc[runs["level"] == "city", "name"] = "city"  # the cities' rows pair with each other, whatever their names
    names = [str(c) for c in runs.columns if c not in ("city", "rep", *LABELS)]
    comparison, differences = [], []
    for key, rows in runs.groupby(["level", "name"], sort=False):
        level, name = str(key[0]), str(key[1])
        summary = summarise(rows, "city", names)
        summary.insert(1, "level", level)
        summary.insert(2, "name", name)
        comparison.append(summary)
        paired = paired_differences(rows, "city", names)
        paired.insert(2, "level", level)
        paired.insert(3, "name", name)
        differences.append(paired)
    return CityComparison(runs, pd.concat(comparison, ignore_index=True), pd.concat(differences, ignore_index=True),
                          result.posterior_differences)


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
