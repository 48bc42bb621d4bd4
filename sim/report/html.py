"""The self-contained HTML report of a ``run``, ``compare`` or ``sweep`` folder.

``write_report(DIR)`` writes ``DIR/report.html``: one file with inline CSS, the charts
embedded as base64 PNG, no scripts and no external URL, so it opens offline and can be
mailed on. It holds the question each scenario answers, what differs between the
scenarios, the outcome tables with 95% confidence intervals, the charts, the
sensitivity ranking of a sweep, and the provenance (versions, seeds, scenario hashes,
dates). The page is laid out for a laptop screen and for print (A4).

Language: ``lang`` (``en`` or ``zh``; None: the current language of ``sim.i18n``) sets
every word of the page and its charts, ``<html lang>`` (``zh-CN``), the number format
(Babel's ``zh_Hans_CN``) and the money unit (万元, 亿元 from 10,000 万元 up, two decimals).
The template's words are ``_("...")`` message ids; the captions below are marked with
``N_`` and translated when shown.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import jinja2
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from sim.atomic import atomic_write
from sim.engine.declarations import Unit
from sim.i18n import N_, current_language, install_jinja, unit_text, use_language, yuan_scale
from sim.i18n import _ as gettext
from sim.i18n import format_number as locale_number
from sim.outcomes import unit as registry_unit
from sim.report.charts import CHARTS_DIR, figures_for, png_base64, save_figure
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
from sim.report.fonts import embed_font, has_cjk

REPORT_FILE = "report.html"
TEMPLATE = "report.html"
CSS_PX_PER_INCH = 110
"""Charts are shown at their size in inches, so every chart's text has the same size on the page."""
MAX_POINT_ROWS = 40
"""A grid sweep with more points than this (and every sampled design) shows outcome ranges, not points."""
POINT_OUTCOMES = 5
"""Outcomes in a sweep's table of points."""

CAPTIONS = {
    "stages": N_("How many students are at school, in an apprenticeship, employed, in further study, unemployed "
                 "or dropped out, week by week."),
    "distributions": N_("Spread of the final scores: the violin shows the shape, the dark box the middle half "
                        "and the white line the median."),
    "employment": N_("Share of graduates employed (or in further study) at graduation, 6 and 12 months later, "
                     "and share of hosted apprentices their host enterprise kept."),
    "differences": N_("Each scenario minus the first, replication by replication (common random numbers). A "
                      "filled marker: the 95% interval excludes zero, so the difference is unlikely to be noise."),
    "cost_effectiveness": N_("Money spent per graduate in work against the employment rate: lower and further "
                             "right is better."),
    "money": N_("Cumulative spending, split by who paid (left) and what it paid for (right)."),
    "shortfalls": N_("Each use of the programme's money is paid only from the sources earmarked for it: week by "
                     "week, the share of its need they paid (dark: went short; blank: nothing was needed)."),
    "workload": N_("Guidance hours demanded per hour available; above the dashed line mentors are overloaded."),
    "training_market": N_("Each year's placement rounds as BIBB counts a training market: places offered (filled "
                          "and left unfilled) against demand (applicants placed and left unplaced), by sector; "
                          "above 1, more places than applicants."),
    "heatmap": N_("Mean outcome for each combination of two parameters (averaged over the other parameters)."),
    "sobol": N_("Share of the outcome's variance due to each parameter alone (S1) and with its interactions (ST)."),
    "morris": N_("Morris elementary effects: far right parameters matter most; high ones act non-linearly or "
                 "through interactions."),
}
"""Each chart's caption (message ids)."""
RESPONSE_CAPTION = N_("Mean outcome (line) and its 95% confidence band as the parameter changes; each dot is one "
                      "run.")

_KIND_TITLES = {"run": N_("Simulation run"), "compare": N_("Scenario comparison"), "sweep": N_("Parameter sweep")}
_DISTRIBUTIONS = {"unif": N_("unif"), "norm": N_("norm"), "triang": N_("triang"), "lognorm": N_("lognorm")}
"""SALib's names of the distributions a sampled sweep draws from (message ids)."""


def write_report(out_dir: str | os.PathLike[str], *, resimulate: bool = True, lang: str | None = None) -> Path:
    """Write ``DIR/report.html`` for an output folder of ``talentsim run``, ``compare`` or ``sweep``.

    Args:
        out_dir: The folder (its kind is recognised by the files in it).
        resimulate: For a comparison, re-run replication 0 of each scenario for the
            time-series and distribution charts (see :func:`sim.report.data.load_folder`).
        lang: The report's language, ``en`` or ``zh`` (None: the current language).

    Returns:
        The path of the report.

    Raises:
        sim.report.data.ReportError: The folder is missing, empty or not an output folder.
        sim.errors.OutputError: The report could not be written (a full disk, no permission);
            an earlier report is kept.
    """
    with use_language(lang) as lang:
        folder = load_folder(out_dir, resimulate=resimulate)
        return _write_html(folder.path, render_report(folder, lang=lang))


def write_charts_and_report(out_dir: str | os.PathLike[str], *, resimulate: bool = True,
                            lang: str | None = None) -> tuple[list[Path], Path]:
    """Write ``DIR/charts/*.png|svg`` and ``DIR/report.html``, reading the folder and drawing each chart once.

    For commands that want both (``compare``, ``sweep``): the same as
    ``charts_for_<kind>(DIR)`` followed by ``write_report(DIR)``, in about half the time,
    both in ``lang`` (None: the current language).

    Returns:
        The chart files written and the report's path.

    Raises:
        sim.report.data.ReportError: The folder is missing, empty or not an output folder.
        sim.errors.OutputError: A chart or the report could not be written (a full disk, no
            permission); each file is written whole or not at all.
    """
    with use_language(lang) as lang:
        folder = load_folder(out_dir, resimulate=resimulate)
        figures = figures_for(folder, lang=lang)
        paths = [path for name, fig in figures.items()
                 for path in save_figure(fig, folder.path / CHARTS_DIR / name)]
        return paths, _write_html(folder.path, render_report(folder, figures, lang=lang))


def _write_html(directory: Path, html: str) -> Path:
    """Write ``directory/report.html`` by a temporary file and ``os.replace`` (never half a file)."""
    return atomic_write(directory / REPORT_FILE, lambda handle: handle.write(html.encode("utf-8")))


def template_environment(lang: str | None = None) -> jinja2.Environment:
    """The Jinja2 environment of the report's templates, translating into ``lang`` (``sim.i18n.install_jinja``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    install_jinja(env, lang)
    return env


def render_report(folder: ResultsFolder, figures: Mapping[str, Figure] | None = None, *,
                  lang: str | None = None) -> str:
    """The report of a loaded folder as HTML text.

    Args:
        folder: The loaded folder.
        figures: The charts to embed (default: every chart of the folder's kind, in ``lang``).
        lang: The report's language (None: the current language).
    """
    with use_language(lang) as lang:
        figures = figures_for(folder, lang=lang) if figures is None else figures
        template = template_environment(lang).get_template(TEMPLATE)
        context = report_context(folder, figures)
        # the subset of the CJK font the page shows, embedded: Chinese renders on a machine without CJK fonts
        return embed_font(lambda css: template.render(**context, font_css=Markup(css)), lang)


def report_context(folder: ResultsFolder, figures: Mapping[str, Figure]) -> dict[str, Any]:
    """Everything the template shows, as plain values (its words in the current language)."""
    title = gettext("{kind}: {scenarios}").format(kind=gettext(_KIND_TITLES[folder.kind]),
                                                  scenarios=gettext(", ").join(folder.labels) or folder.path.name)
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


@dataclass(frozen=True)
class Shown(Outcome):
    """An outcome as one row of a report table shows it: label and units in the report's language.

    ``decimals`` fixes the digits after the point (money in 万元 / 亿元: 2); None picks
    them by unit and size (see :func:`format_number`).
    """

    decimals: int | None = None


def shown_outcome(name: str, values: Iterable[Any] = ()) -> Shown:
    """How a report table shows outcome ``name`` in the current language.

    Money in Chinese is shown in 万元 (亿元 when the largest of ``values`` reaches
    10,000 万元), with two decimals; in English in whole yuan.
    """
    info = outcome_info(name)
    lang = current_language()
    label, unit, diff_unit = gettext(info.label), unit_text(info.unit), unit_text(info.diff_unit)
    if registry_unit(name) is Unit.YUAN and lang != "en":
        finite = [abs(float(v)) for v in values if _is_number(v) and math.isfinite(float(v))]
        divisor, money = yuan_scale(max(finite, default=0.0), lang)
        return Shown(name, label, info.scale / divisor, money, money, decimals=2)
    return Shown(name, label, info.scale, unit, diff_unit)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def format_number(value: Any, outcome: Outcome | None = None, signed: bool = False) -> str:
    """A number for a table: rates as percent with one decimal, yuan as whole numbers, else 3-4 digits.

    Digits and separators follow the current language's locale (Babel); a :class:`Shown`
    outcome with ``decimals`` (money in 万元) gets exactly that many digits.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "–"
    number *= outcome.scale if outcome else 1.0
    decimals = outcome.decimals if isinstance(outcome, Shown) else None
    if decimals is not None:
        return locale_number(number, None, decimals, signed=signed)
    kind = registry_unit(outcome.name) if outcome is not None else None
    if kind in (Unit.SHARE, Unit.YUAN) or abs(number) >= 1000:
        return locale_number(number, None, 1 if kind is Unit.SHARE else 0, signed=signed)
    if abs(number) >= 10:
        return locale_number(number, None, 1, signed=signed)
    return locale_number(number, None, significant=3, signed=signed)


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
    label = info.label
    if info.label.startswith("sweep "):  # a sweep's own block (sim.report.data._load_sweep)
        label = gettext("sweep {name}").format(name=info.label.removeprefix("sweep "))
    lang = current_language()
    # a file's comment is shown as written: in a Chinese report only when it is in Chinese
    comment = info.comment if lang == "en" or has_cjk(info.comment) else ""
    return {"label": label, "question": info.question_in(lang), "comment": comment,
            "file": info.file or "", "hash": info.hash or "", "field": field}


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
        return gettext("yes") if value else gettext("no")
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
        columns.insert(0, gettext("model default"))
        against = "defaults"
    index = param_index()
    rows = []
    keys = list(dict.fromkeys(k for flat in flats for k in flat))
    for key in keys:
        if key in ("name", "question", "question_zh"):
            continue
        values = [flat.get(key) for flat in flats]
        if all(v == values[0] for v in values[1:]):
            continue
        info = index.get(key)
        rows.append({"key": key, "unit": unit_text(info.unit) if info and info.unit != "-" else "",
                     "description": gettext(info.description) if info else "", "values": [_show(v) for v in values],
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
            distribution = str(given.get("distribution", "unif"))
            values = gettext("{distribution} {bounds}").format(
                distribution=gettext(_DISTRIBUTIONS.get(distribution, distribution)), bounds=_show(given["bounds"]))
        else:
            values = ""
        info = index.get(key)
        rows.append({"key": key, "values": values, "unit": unit_text(info.unit) if info and info.unit != "-" else "",
                     "description": gettext(info.description) if info else ""})
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
    columns += [{"name": gettext("{scenario} − {reference}").format(scenario=s, reference=labels[0]),
                 "difference": True} for s in others]

    def row(name: str) -> dict[str, Any]:
        values = [r[k] for r in (stats.get((s, name)) for s in labels) if r for k in ("mean", "ci_low", "ci_high")]
        info = shown_outcome(name, values)
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
    infos = [shown_outcome(n, ok[n].to_numpy() if n in ok else ()) for n in names]
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
        scale = shown_outcome(r["outcome"]).scale if measure == "mu_star" else 1.0
        conf = f"± {format_number(r['conf'] * scale)}" if math.isfinite(r["conf"]) else ""
        cells[(r["parameter"], r["outcome"])] = {"value": format_number(r["value"] * scale), "conf": conf,
                                                 "rank": int(r["rank"]), "detail": r["detail"]}
    parameters = list(dict.fromkeys(ranking["parameter"]))  # in the first outcome's order
    blank = {"value": "–", "conf": "", "rank": "", "detail": ""}
    return {"measure": measure, "outcomes": [gettext(outcome_info(o).label) for o in outcomes],
            "rows": [{"parameter": p, "cells": [cells.get((p, o), blank) for o in outcomes]} for p in parameters]}


def _chart(name: str, fig: Figure) -> dict[str, str]:
    title = fig.get_suptitle().split("\n")[0] if fig.get_suptitle() else name.replace("_", " ")
    caption = gettext(RESPONSE_CAPTION if name.startswith("response_") else CAPTIONS.get(name, ""))
    width, height = fig.get_size_inches() * CSS_PX_PER_INCH
    return {"name": name, "title": title, "caption": caption, "png": png_base64(fig), "width": round(width),
            "height": round(height)}


def _seed_rows(folder: ResultsFolder) -> list[tuple[str, str]]:
    """Replication seeds (one set: common random numbers share them), at most a dozen listed."""
    table = folder.per_run if folder.per_run is not None else folder.results
    if table is None or "seed" not in table:
        return []
    seeds = table.drop_duplicates("rep").sort_values("rep") if "rep" in table else table
    if folder.kind == "sweep":
        return [(gettext("run seeds"), gettext("{n} distinct, one per point and replication "
                                               "(results.parquet, column seed)").format(n=table["seed"].nunique()))]
    listed = [f"{int(r)}: {int(s)}" for r, s in zip(seeds["rep"], seeds["seed"], strict=True)][:12]
    more = gettext(" … ({n} in all)").format(n=len(seeds)) if len(seeds) > 12 else ""
    return [(gettext("replication seeds"), "; ".join(listed) + more)]


def _provenance(folder: ResultsFolder) -> list[tuple[str, str]]:
    """Label-value pairs: folder, dates, seeds, replications, model, hashes."""
    m = folder.manifest
    _ = gettext
    rows = [(_("folder"), str(folder.path.resolve())), (_("kind"), f"talentsim {folder.kind}"),
            (_("report written"), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))]
    if folder.created:
        rows.append((_("experiment started"), str(folder.created)))
    seed_name = _("master seed") if folder.seed_name == "master seed" else _("seed")
    rows.append((seed_name, str(folder.seed) if folder.seed is not None else _("not recorded")))
    rows.append((_("replications"), (_("{n} per point") if folder.kind == "sweep" else "{n}").format(n=folder.reps)))
    if "common_random_numbers" in m:
        rows.append((_("common random numbers"), _("yes") if m["common_random_numbers"] else _("no")))
    rows += _seed_rows(folder)
    for key, label in (("model", N_("model")), ("runs", N_("runs")), ("failed", N_("failed runs")),
                       ("wall_seconds", N_("wall time (s)")), ("sweep_file", N_("sweep file"))):
        if m.get(key) is not None:
            rows.append((_(label), _show(m[key])))
    if m.get("overrides"):
        rows.append((_("overrides (--set)"), _show(m["overrides"])))
    for info in folder.scenarios:
        rows.append((_("scenario {name}").format(name=info.label),
                     _("{file} · sha256 {hash}").format(file=info.file or _("(no file)"),
                                                        hash=info.hash or _("not recorded"))))
    return rows
