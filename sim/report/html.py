"""The self-contained HTML report of a ``run``, ``compare`` or ``sweep`` folder.

``write_report(DIR)`` writes ``DIR/report.html``: one file with inline CSS, the charts
embedded as base64 PNG, no scripts and no external URL, so it opens offline and can be
mailed on. It holds the question each scenario answers, what differs between the
scenarios, the outcome tables with 95% confidence intervals, the charts, the
sensitivity ranking of a sweep, and the provenance (versions, seeds, scenario hashes,
dates). The page is laid out for a laptop screen and for print (A4).
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import jinja2
import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from sim.atomic import atomic_write
from sim.report.charts import CHARTS_DIR, PNG_DPI, STYLE, figures_for, save_figure
from sim.report.data import (
    KEY_OUTCOMES,
    Outcome,
    ResultsFolder,
    ScenarioInfo,
    chart_outcomes,
    load_folder,
    outcome_info,
    sensitivity_ranking,
)

REPORT_FILE = "report.html"
TEMPLATE = "report.html"
CSS_PX_PER_INCH = 110
"""Charts are shown at their size in inches, so every chart's text has the same size on the page."""
MAX_POINT_ROWS = 40
"""A grid sweep with more points than this (and every sampled design) shows outcome ranges, not points."""
POINT_OUTCOMES = 5
"""Outcomes in a sweep's table of points."""

CAPTIONS = {
    "stages": "How many students are at school, in an apprenticeship, employed, in further study, unemployed "
              "or dropped out, week by week.",
    "distributions": "Spread of the final scores: the violin shows the shape, the dark box the middle half "
                     "and the white line the median.",
    "employment": "Share of graduates employed (or in further study) at graduation, 6 and 12 months later, "
                  "and share of hosted apprentices their host enterprise kept.",
    "differences": "Each scenario minus the first, replication by replication (common random numbers). A "
                   "filled marker: the 95% interval excludes zero, so the difference is unlikely to be noise.",
    "cost_effectiveness": "Money spent per graduate in work against the employment rate: lower and further "
                          "right is better.",
    "money": "Cumulative spending, split by who paid (left) and what it paid for (right).",
    "workload": "Guidance hours demanded per hour available; above the dashed line mentors are overloaded.",
    "heatmap": "Mean outcome for each combination of two parameters (averaged over the other parameters).",
    "sobol": "Share of the outcome's variance due to each parameter alone (S1) and with its interactions (ST).",
    "morris": "Morris elementary effects: far right parameters matter most; high ones act non-linearly or "
              "through interactions.",
}
RESPONSE_CAPTION = ("Mean outcome (line) and its 95% confidence band as the parameter changes; each dot is one "
                    "run.")

_KIND_TITLES = {"run": "Simulation run", "compare": "Scenario comparison", "sweep": "Parameter sweep"}


def write_report(out_dir: str | os.PathLike[str], *, resimulate: bool = True) -> Path:
    """Write ``DIR/report.html`` for an output folder of ``talentsim run``, ``compare`` or ``sweep``.

    Args:
        out_dir: The folder (its kind is recognised by the files in it).
        resimulate: For a comparison, re-run replication 0 of each scenario for the
            time-series and distribution charts (see :func:`sim.report.data.load_folder`).

    Returns:
        The path of the report.

    Raises:
        sim.report.data.ReportError: The folder is missing, empty or not an output folder.
        sim.errors.OutputError: The report could not be written (a full disk, no permission);
            an earlier report is kept.
    """
    folder = load_folder(out_dir, resimulate=resimulate)
    return _write_html(folder.path, render_report(folder))


def write_charts_and_report(out_dir: str | os.PathLike[str], *,
                            resimulate: bool = True) -> tuple[list[Path], Path]:
    """Write ``DIR/charts/*.png|svg`` and ``DIR/report.html``, reading the folder and drawing each chart once.

    For commands that want both (``compare``, ``sweep``): the same as
    ``charts_for_<kind>(DIR)`` followed by ``write_report(DIR)``, in about half the time.

    Returns:
        The chart files written and the report's path.

    Raises:
        sim.report.data.ReportError: The folder is missing, empty or not an output folder.
        sim.errors.OutputError: A chart or the report could not be written (a full disk, no
            permission); each file is written whole or not at all.
    """
    folder = load_folder(out_dir, resimulate=resimulate)
    figures = figures_for(folder)
    paths = [path for name, fig in figures.items() for path in save_figure(fig, folder.path / CHARTS_DIR / name)]
    return paths, _write_html(folder.path, render_report(folder, figures))


def _write_html(directory: Path, html: str) -> Path:
    """Write ``directory/report.html`` by a temporary file and ``os.replace`` (never half a file)."""
    return atomic_write(directory / REPORT_FILE, lambda handle: handle.write(html.encode("utf-8")))


def render_report(folder: ResultsFolder, figures: Mapping[str, Figure] | None = None) -> str:
    """The report of a loaded folder as HTML text.

    Args:
        folder: The loaded folder.
        figures: The charts to embed (default: every chart of the folder's kind).
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    figures = figures_for(folder) if figures is None else figures
    return env.get_template(TEMPLATE).render(**report_context(folder, figures))


def report_context(folder: ResultsFolder, figures: Mapping[str, Figure]) -> dict[str, Any]:
    """Everything the template shows, as plain values."""
    title = f"{_KIND_TITLES[folder.kind]}: {', '.join(folder.labels) or folder.path.name}"
    return {
        "title": title,
        "kind": folder.kind,
        "subtitle": folder.context(),
        "folder": folder.path.name,
        "scenarios": ([_scenario_block(folder.sweep, "description")] if folder.sweep else [])
                     + [_scenario_block(s) for s in folder.scenarios],
        "parameters": parameter_diff(folder),
        "varied": _varied_parameters(folder),
        "outcomes": _outcome_tables(folder),
        "points": _point_table(folder),
        "ranking": _ranking_table(folder),
        "charts": [_chart(name, fig) for name, fig in figures.items()],
        "provenance": _provenance(folder),
        "versions": sorted((str(k), str(v)) for k, v in (folder.manifest.get("versions") or {}).items()),
        "notes": folder.notes,
    }


# ---------------------------------------------------------------------------- numbers


def format_number(value: Any, outcome: Outcome | None = None, signed: bool = False) -> str:
    """A number for a table: rates as percent with one decimal, yuan as whole numbers, else 3-4 digits."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "–"
    number *= outcome.scale if outcome else 1.0
    if (outcome is not None and outcome.unit in ("%", "yuan")) or abs(number) >= 1000:
        digits = 1 if outcome is not None and outcome.unit == "%" else 0
        text = f"{number:,.{digits}f}"
    elif abs(number) >= 10:
        text = f"{number:,.1f}"
    else:
        text = f"{number:.3g}"
    if float(text.replace(",", "")) == 0:
        return text.lstrip("-")  # no "-0" from rounding noise
    return f"+{text}" if signed and number > 0 else text


def _cell(row: Mapping[str, Any] | None, info: Outcome, signed: bool = False) -> dict[str, Any]:
    """A table cell: the mean, its CI as text, and whether the CI excludes zero."""
    if row is None:
        return {"value": "–", "ci": "", "clear": False}
    low, high = float(row["ci_low"]), float(row["ci_high"])
    ci = f"[{format_number(low, info, signed)}, {format_number(high, info, signed)}]" if math.isfinite(low) else ""
    clear = signed and math.isfinite(low) and (low > 0 or high < 0)
    return {"value": format_number(row["mean"], info, signed), "ci": ci, "clear": clear}


def _lookup(table: pd.DataFrame | None) -> dict[tuple[str, str], dict[str, Any]]:
    if table is None or table.empty:
        return {}
    # The stub keys each record by Hashable; these tables' column labels are all strings.
    records = cast("list[dict[str, Any]]", table.to_dict("records"))
    return {(str(r["scenario"]), str(r["outcome"])): r for r in records}


# ---------------------------------------------------------------------------- sections


def _scenario_block(info: ScenarioInfo, field: str = "question") -> dict[str, Any]:
    return {"label": info.label, "question": info.question, "comment": info.comment, "file": info.file or "",
            "hash": info.hash or "", "field": field}


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested scenario dict as ``{dotted.key: value}`` (lists kept whole)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "–" if value is None else str(value)


def parameter_diff(folder: ResultsFolder) -> dict[str, Any]:
    """The parameters whose values differ: between the scenarios, or (one scenario) from the defaults.

    Returns:
        ``columns`` (column names), ``rows`` (each: ``key``, ``unit``, ``description``,
        ``values`` as text, ``changed``: which values differ from the first column) and
        ``against`` (``scenarios`` or ``defaults``).
    """
    from sim.scenario import Scenario, scenario_to_dict
    from sim.scenario.params import param_index

    known = [s for s in folder.scenarios if s.resolved]
    if not known:
        return {"columns": [], "rows": [], "against": "none"}
    flats = [flatten(s.resolved) for s in known]
    columns = [s.label for s in known]
    against = "scenarios"
    if len(known) == 1:
        flats.insert(0, flatten(scenario_to_dict(Scenario())))
        columns.insert(0, "model default")
        against = "defaults"
    index = param_index()
    rows = []
    keys = list(dict.fromkeys(k for flat in flats for k in flat))
    for key in keys:
        if key in ("name", "question"):
            continue
        values = [flat.get(key) for flat in flats]
        if all(v == values[0] for v in values[1:]):
            continue
        info = index.get(key)
        rows.append({"key": key, "unit": info.unit if info and info.unit != "-" else "",
                     "description": info.description if info else "", "values": [_show(v) for v in values],
                     "changed": [i > 0 and v != values[0] for i, v in enumerate(values)]})
    return {"columns": columns, "rows": rows, "against": against}


def _varied_parameters(folder: ResultsFolder) -> list[dict[str, str]]:
    """A sweep's varied parameters: values or bounds and distribution."""
    from sim.scenario.params import param_index

    spec = (folder.manifest.get("sweep") or {}).get("parameters") or {}
    index = param_index()
    rows = []
    for key in folder.parameters:
        given = spec.get(key) or {}
        if given.get("levels") is not None:
            values = ", ".join(_show(v) for v in given["levels"])
        elif given.get("bounds") is not None:
            values = f"{given.get('distribution', 'unif')} {_show(given['bounds'])}"
        else:
            values = ""
        info = index.get(key)
        rows.append({"key": key, "values": values, "unit": info.unit if info and info.unit != "-" else "",
                     "description": info.description if info else ""})
    return rows


def _ordered_outcomes(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Key outcomes (in pipeline order) and the rest."""
    names = list(dict.fromkeys(names))
    key = [n for n in KEY_OUTCOMES if n in names]
    return key, [n for n in names if n not in key]


def _outcome_tables(folder: ResultsFolder) -> dict[str, Any]:
    """Per outcome: each scenario's mean [CI] and each difference from the first."""
    if folder.kind == "sweep" or folder.stats is None or folder.stats.empty:
        return {"columns": [], "key": [], "other": [], "single": True}
    stats, diffs = _lookup(folder.stats), _lookup(folder.differences)
    labels = [str(s) for s in dict.fromkeys(folder.stats["scenario"])]
    others = [s for s in labels[1:] if any(k[0] == s for k in diffs)]
    columns = [{"name": s, "difference": False} for s in labels]
    columns += [{"name": f"{s} − {labels[0]}", "difference": True} for s in others]

    def row(name: str) -> dict[str, Any]:
        info = outcome_info(name)
        cells = [_cell(stats.get((s, name)), info) for s in labels]
        cells += [_cell(diffs.get((s, name)), info, signed=True) for s in others]
        return {"name": name, "label": info.label, "unit": info.unit, "diff_unit": info.diff_unit, "cells": cells}

    key, rest = _ordered_outcomes(folder.stats["outcome"])
    single = bool((folder.stats["n"].fillna(0) <= 1).all())
    return {"columns": columns, "key": [row(n) for n in key], "other": [row(n) for n in rest], "single": single}


def _point_table(folder: ResultsFolder) -> dict[str, Any]:
    """A sweep's points (parameters and outcome means with CIs), or outcome ranges over many points."""
    results = folder.results
    if folder.kind != "sweep" or results is None or results.empty:
        return {"mode": "none"}
    from sim.experiments.stats import mean_ci

    ok = results[results["error"].fillna("") == ""] if "error" in results else results
    names = chart_outcomes([c for c in results.columns if c not in folder.parameters], POINT_OUTCOMES, ok,
                           preferred=KEY_OUTCOMES)
    infos = [outcome_info(n) for n in names]
    n_points = results["point"].nunique() if "point" in results else len(results)
    if folder.design == "grid" and n_points <= MAX_POINT_ROWS and "point" in results:
        rows = []
        for _, runs in ok.groupby("point"):
            values = [_show(runs[p].iloc[0]) for p in folder.parameters]
            cells = [_cell(mean_ci(runs[n].to_numpy()), i) for n, i in zip(names, infos, strict=True)]
            rows.append({"values": values, "cells": cells, "n": len(runs)})
        return {"mode": "points", "parameters": folder.parameters, "outcomes": infos, "rows": rows}
    means = ok.groupby("point")[names].mean() if "point" in ok else ok[names]
    rows = [{"label": i.label, "unit": i.unit, "min": format_number(means[n].min(), i),
             "median": format_number(means[n].median(), i), "max": format_number(means[n].max(), i)}
            for n, i in zip(names, infos, strict=True)]
    return {"mode": "ranges", "rows": rows, "n_points": n_points}


def _ranking_table(folder: ResultsFolder) -> dict[str, Any]:
    """Parameters (rows, most influential on the headline outcome first) by outcome (columns)."""
    ranking = sensitivity_ranking(folder)
    if ranking.empty:
        return {}
    outcomes = list(dict.fromkeys(ranking["outcome"]))
    measure = str(ranking["measure"].iloc[0])
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for r in ranking.to_dict("records"):
        scale = outcome_info(r["outcome"]).scale if measure == "mu_star" else 1.0
        conf = f"± {format_number(r['conf'] * scale)}" if math.isfinite(r["conf"]) else ""
        cells[(r["parameter"], r["outcome"])] = {"value": format_number(r["value"] * scale), "conf": conf,
                                                 "rank": int(r["rank"]), "detail": r["detail"]}
    parameters = list(dict.fromkeys(ranking["parameter"]))  # in the first outcome's order
    blank = {"value": "–", "conf": "", "rank": "", "detail": ""}
    return {"measure": measure, "outcomes": [outcome_info(o).label for o in outcomes],
            "rows": [{"parameter": p, "cells": [cells.get((p, o), blank) for o in outcomes]} for p in parameters]}


def _png_base64(fig: Figure) -> str:
    buffer = io.BytesIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": "talentsim"})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _chart(name: str, fig: Figure) -> dict[str, str]:
    title = fig.get_suptitle().split("\n")[0] if fig.get_suptitle() else name.replace("_", " ")
    caption = RESPONSE_CAPTION if name.startswith("response_") else CAPTIONS.get(name, "")
    width, height = fig.get_size_inches() * CSS_PX_PER_INCH
    return {"name": name, "title": title, "caption": caption, "png": _png_base64(fig), "width": round(width),
            "height": round(height)}


def _seed_rows(folder: ResultsFolder) -> list[tuple[str, str]]:
    """Replication seeds (one set: common random numbers share them), at most a dozen listed."""
    table = folder.per_run if folder.per_run is not None else folder.results
    if table is None or "seed" not in table:
        return []
    seeds = table.drop_duplicates("rep").sort_values("rep") if "rep" in table else table
    if folder.kind == "sweep":
        return [("run seeds", f"{table['seed'].nunique()} distinct, one per point and replication "
                              "(results.parquet, column seed)")]
    listed = [f"{int(r)}: {int(s)}" for r, s in zip(seeds["rep"], seeds["seed"], strict=True)][:12]
    more = f" … ({len(seeds)} in all)" if len(seeds) > 12 else ""
    return [("replication seeds", "; ".join(listed) + more)]


def _provenance(folder: ResultsFolder) -> list[tuple[str, str]]:
    """Label-value pairs: folder, dates, seeds, replications, model, hashes."""
    m = folder.manifest
    rows = [("folder", str(folder.path.resolve())), ("kind", f"talentsim {folder.kind}"),
            ("report written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))]
    if folder.created:
        rows.append(("experiment started", str(folder.created)))
    rows.append((folder.seed_name, str(folder.seed) if folder.seed is not None else "not recorded"))
    rows.append(("replications", f"{folder.reps}" + (" per point" if folder.kind == "sweep" else "")))
    if "common_random_numbers" in m:
        rows.append(("common random numbers", "yes" if m["common_random_numbers"] else "no"))
    rows += _seed_rows(folder)
    for key, label in (("model", "model"), ("runs", "runs"), ("failed", "failed runs"),
                       ("wall_seconds", "wall time (s)"), ("sweep_file", "sweep file")):
        if m.get(key) is not None:
            rows.append((label, _show(m[key])))
    if m.get("overrides"):
        rows.append(("overrides (--set)", _show(m["overrides"])))
    for info in folder.scenarios:
        rows.append((f"scenario {info.label}", f"{info.file or '(no file)'} · sha256 {info.hash or 'not recorded'}"))
    return rows
