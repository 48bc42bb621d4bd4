"""A tab's comparison: run through ``sim.compare`` on the app's pool, kept in the cache, shown as tables.

:func:`run_comparison` is what the page's Run button does, off the page's thread: look
the inputs up in the cache; if absent, run :func:`sim.experiments.compare.compare` into
the cache entry's folder with the tab's :class:`~sim.app.pool.TabBackend` and mark it
complete. :func:`draw_language` draws the report's charts and writes ``report.LANG.html``
in a language (in a worker process: it re-runs replication 0 of each scenario, as
``talentsim report`` does), once per language and entry. :func:`outcome_rows` and
:func:`comparison_warnings` are what the page shows, in the page's language.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.app.cache import ResultCache, cache_key
from sim.app.pool import RunPool
from sim.experiments.store import CSV_ENCODING
from sim.i18n import format_number, gettext, use_language
from sim.outcomes import BY_NAME, HEADLINE
from sim.results import horizon_warnings
from sim.scenario import Scenario

SHORTFALL_PREFIX = "weeks_short_"
"""Outcomes counting the weeks a use of the programme's money went short (``sim.mechanisms.funding``)."""


@dataclass(frozen=True)
class ComparisonResult:
    """A finished comparison, as the page shows it.

    Attributes:
        key: The cache key of its inputs.
        folder: Its ``talentsim compare`` folder in the cache.
        comparison: Per scenario and outcome: mean, sd, n, CI (``comparison.csv``).
        differences: Per variant and outcome: the paired difference from the reference (``differences.csv``).
        from_cache: True when it was found in the cache, not run.
    """

    key: str
    folder: Path
    comparison: pd.DataFrame
    differences: pd.DataFrame
    from_cache: bool

    @property
    def labels(self) -> list[str]:
        """The scenarios' labels, the reference first."""
        return list(dict.fromkeys(self.comparison["scenario"]))

    @property
    def n_failed(self) -> int:
        """Runs that raised or whose worker died (``manifest.json`` counts them; each is in ``runs.parquet``)."""
        manifest = json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))
        return int(manifest.get("failed", 0))


def _read(folder: Path, key: str, from_cache: bool) -> ComparisonResult:
    comparison = pd.read_csv(folder / "comparison.csv", encoding=CSV_ENCODING, dtype={"scenario": str})
    differences = pd.read_csv(folder / "differences.csv", encoding=CSV_ENCODING,
                              dtype={"scenario": str, "baseline": str})
    return ComparisonResult(key, folder, comparison, differences, from_cache)


def run_comparison(pool: RunPool, cache: ResultCache, scenarios: Sequence[Scenario], reps: int, master_seed: int,
                   cancel: threading.Event, on_run: Callable[[bool], None] | None = None) -> ComparisonResult:
    """The comparison of ``scenarios`` (the first the reference): from the cache, else run on ``pool`` and cached.

    Raises:
        sim.app.pool.Cancelled: The tab cancelled it (the runs finished so far stay in the
            entry's folder, and running the same setting again resumes from them).
        sim.errors.OutputError: The cache folder could not be written.
    """
    from sim.experiments.compare import compare

    key = cache_key(scenarios, master_seed, reps)
    found = cache.get(key)
    if found is not None:
        return _read(found, key, True)
    folder = cache.entry(key)
    compare(list(scenarios), reps, master_seed, out=folder, backend=pool.backend(cancel, on_run))
    cache.complete(key, {"scenarios": [scenario.name for scenario in scenarios], "reps": reps,
                         "master_seed": master_seed})
    return _read(folder, key, False)


def charts_folder(folder: Path, lang: str) -> Path:
    """Where an entry's charts in ``lang`` are (PNG and SVG)."""
    return folder / f"charts-{lang}"


def report_path(folder: Path, lang: str) -> Path:
    """An entry's report in ``lang`` (written last: its presence means the language is drawn)."""
    return folder / f"report.{lang}.html"


def draw_language(folder: str, lang: str) -> str:
    """Draw the charts and write the report of a comparison folder in ``lang``; return the report's path.

    A top-level function, so that the app's pool runs it in a worker process.
    """
    from sim.atomic import atomic_write
    from sim.report.charts import figures_for, save_figure
    from sim.report.data import load_folder
    from sim.report.html import render_report

    path = Path(folder)
    with use_language(lang):
        loaded = load_folder(path)
        figures = figures_for(loaded, lang)
        for name, figure in figures.items():
            save_figure(figure, charts_folder(path, lang) / name)
        html = render_report(loaded, figures, lang=lang).encode("utf-8")
    return str(atomic_write(report_path(path, lang), lambda handle: handle.write(html)))


def chart_files(folder: Path, lang: str) -> list[Path]:
    """The PNG charts of an entry in ``lang`` (empty until :func:`draw_language` has drawn them)."""
    return sorted(charts_folder(folder, lang).glob("*.png"))


@dataclass(frozen=True)
class Cell:
    """One cell of the outcome table: a value, its 95% CI, and for a difference whether the CI excludes zero."""

    value: str
    ci: str
    sign: int = 0
    """+1 or -1 when a difference's interval lies above or below zero; 0 otherwise (and for means)."""


def _cell(row: pd.Series | None, name: str, difference: bool) -> Cell:
    from sim.report.html import format_number as report_number
    from sim.report.html import shown_outcome

    if row is None:
        return Cell("–", "")
    info = shown_outcome(name, [row["mean"], row["ci_low"], row["ci_high"]])
    low, high = float(row["ci_low"]), float(row["ci_high"])
    ci = (f"[{report_number(low, info, difference)}, {report_number(high, info, difference)}]"
          if math.isfinite(low) and math.isfinite(high) else "")
    sign = (1 if low > 0 else -1 if high < 0 else 0) if difference and math.isfinite(low) else 0
    return Cell(report_number(row["mean"], info, difference), ci, sign)


@dataclass(frozen=True)
class OutcomeRow:
    """One headline outcome: its label and unit, each scenario's mean, each variant's difference."""

    outcome: str
    label: str
    unit: str
    means: list[Cell]
    differences: list[Cell]


def outcome_rows(result: ComparisonResult, lang: str) -> list[OutcomeRow]:
    """The headline outcomes of a comparison, in ``lang``: means with CIs, paired differences with CIs."""
    from sim.report.html import shown_outcome

    labels = result.labels
    present = set(result.comparison["outcome"])
    means = {(r.scenario, r.outcome): r for r in result.comparison.itertuples(index=False)}
    diffs = {(r.scenario, r.outcome): r for r in result.differences.itertuples(index=False)}
    rows: list[OutcomeRow] = []
    with use_language(lang):
        for name in (o for o in HEADLINE if o in present):
            info = shown_outcome(name, result.comparison.loc[result.comparison["outcome"] == name, "mean"])
            rows.append(OutcomeRow(
                name, info.label, info.unit,
                [_cell(_series(means.get((label, name))), name, False) for label in labels],
                [_cell(_series(diffs.get((label, name))), name, True) for label in labels[1:]]))
    return rows


def _series(row: Any) -> pd.Series | None:
    return None if row is None else pd.Series(row._asdict())


def outcome_table(result: ComparisonResult, lang: str) -> pd.DataFrame:
    """The page's outcome table as a DataFrame in ``lang`` (for the CSV download)."""
    labels = result.labels
    with use_language(lang):
        columns = [gettext("Outcome"), gettext("Unit")]
        for label in labels:
            columns += [label, gettext("95% CI")]
        for label in labels[1:]:
            heading = gettext("{variant} minus {reference}").format(variant=label, reference=labels[0])
            columns += [heading, gettext("95% CI")]
    records = []
    for row in outcome_rows(result, lang):
        cells = [row.label, row.unit]
        for cell in [*row.means, *row.differences]:
            cells += [cell.value, cell.ci]
        records.append(cells)
    table = pd.DataFrame(records)
    table.columns = pd.Index(columns)
    return table


def comparison_warnings(scenarios: Sequence[Scenario], result: ComparisonResult, lang: str) -> list[str]:
    """What the page warns about, in ``lang``: a horizon too short to observe an outcome, money that went short."""
    warnings = list(dict.fromkeys(w for scenario in scenarios for w in horizon_warnings(scenario, lang)))
    short = result.comparison[result.comparison["outcome"].str.startswith(SHORTFALL_PREFIX)
                              & (result.comparison["mean"] > 0)]
    with use_language(lang):
        for row in short.itertuples(index=False):
            outcome = BY_NAME.get(str(row.outcome))
            label = gettext(outcome.label) if outcome is not None else str(row.outcome)
            warnings.append(gettext("{scenario}: money went short: {outcome}: {weeks} weeks on average over the "
                                    "replications").format(scenario=row.scenario, outcome=label,
                                                           weeks=format_number(row.mean, lang, 1)))
    return warnings
