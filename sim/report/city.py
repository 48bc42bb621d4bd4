"""The report of a city run folder (``talentsim run CITY_FILE``): the city view.

One self-contained page (``DIR/report.html``, charts embedded, no network requests) and the
charts as PNG and SVG in ``DIR/charts/``, in English or Chinese:

* tables of the programmes, the schools and the city (``city_summary.parquet``: the mean
  over the replications when there are several) for the outcomes a planner reads first;
* the city's training market by sector and year (BIBB's indicators: places offered and
  filled, unfilled places, demand, unplaced applicants, the supply-demand ratio; the
  sector's graduates, its vacancies where the city gives them, and vacancies per
  graduate), and a chart of places offered against demand in each sector;
* a chart of each programme's placement and employment rates, by school;
* the provenance (city file, seeds, versions).
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.atomic import atomic_write
from sim.i18n import current_language, translate
from sim.outcomes import label
from sim.report.charts import (
    CHARTS_DIR,
    _colour,
    _panels,
    _styled,
    _title,
    png_base64,
    save_figure,
    training_market_chart,
)

REPORT_FILE = "report.html"

SHOWN = ("n_students", "placement_rate", "employment_rate_6m", "certificate_pass_rate", "dropout_rate",
         "enterprise_participation_rate", "practice_hours_cut_share", "public_cost_yuan",
         "public_cost_per_graduate_yuan", "special_fund_paid_yuan")
"""The outcomes of the programme, school and city tables (every outcome is in ``city_summary.csv``)."""

CITY_ONLY = ("tax_expenditure_yuan", "city_subsidy_yuan", "certified_enterprises", "searchers_per_vacancy_met",
             "enterprise_net_benefit_yuan_per_placement")
"""The city's own figures, shown under its table."""


def is_city_folder(folder: str | os.PathLike[str]) -> bool:
    """True for a folder written by ``talentsim run`` on a city file."""
    return (Path(folder) / "city_summary.parquet").is_file()


def _read(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    summary = pd.read_parquet(folder / "city_summary.parquet")
    summary = summary[summary["replication"] == summary["replication"].min()]  # the mean (-1), or the one run
    market = pd.read_parquet(folder / "training_market.parquet")
    columns = [c for c in ("places_offered", "places_filled", "unfilled_places", "demand", "placed_applicants",
                           "unplaced_applicants", "graduates", "vacancies") if c in market]
    market = market.groupby(["year", "sector"], as_index=False)[columns].mean()
    market["supply_demand_ratio"] = np.divide(market["places_offered"], market["demand"],
                                              out=np.full(len(market), np.nan), where=market["demand"] > 0)
    if "graduates" in market:
        market["vacancies_per_graduate"] = np.divide(market["vacancies"], market["graduates"],
                                                     out=np.full(len(market), np.nan), where=market["graduates"] > 0)
    return manifest, summary, market


@_styled
def programmes_chart(summary: pd.DataFrame, *, context: str, lang: str | None = None) -> Figure:
    """Each programme's placement rate and employment rate 6 months after graduation, grouped by school."""
    rows = summary[summary["level"] == "programme"]
    fig, axes = _panels(1, ncols=1, size=(max(6.0, 0.7 * len(rows) + 2.0), 3.4))
    ax = axes[0]
    x = np.arange(len(rows))
    for i, outcome in enumerate(("placement_rate", "employment_rate_6m")):
        ax.bar(x + (i - 0.5) * 0.4, rows[outcome].to_numpy(dtype=float), width=0.4, color=_colour(i),
               label=translate(label(outcome), lang))
    ax.set_xticks(x)
    ax.set_xticklabels([str(n) for n in rows["name"]], rotation=35, ha="right", fontsize=7)
    ax.set_ylim(0, 1.05)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, frameon=False)
    _title(fig, translate("Placement and employment by programme", lang), context)
    return fig


def figures_for_city(folder: str | os.PathLike[str], lang: str | None = None) -> dict[str, Figure]:
    """The charts of a city folder by name (not written)."""
    manifest, summary, market = _read(Path(folder))
    context = context_line(manifest)
    names = _sector_names(manifest, lang)
    return {"city_training_market": training_market_chart({"city": market}, context=context, lang=lang,
                                                          sector_names=names),
            "city_programmes": programmes_chart(summary, context=context, lang=lang)}


def _sector_names(manifest: Mapping[str, Any], lang: str | None) -> list[str]:
    """The city's sectors' names in ``lang`` (Chinese or English), or their ids."""
    by_language = manifest.get("sector_names") or {}
    return list(by_language.get("zh" if (lang or current_language()) == "zh" else "en") or manifest.get("sectors", []))


def context_line(manifest: Mapping[str, Any]) -> str:
    """The line under every chart title: the city, its programmes, replications and seed."""
    return (f"{manifest['city_name']}: {len(manifest['programmes'])} programmes, {manifest['replications']} "
            f"replication(s), master seed {manifest['master_seed']}")


def write_city_report(folder: str | os.PathLike[str], *, lang: str | None = None) -> tuple[list[Path], Path]:
    """Write ``DIR/charts/*.png|svg`` and ``DIR/report.html`` of a city folder; return the charts and the report.

    Raises:
        sim.errors.OutputError: A file could not be written (each is written whole or not at all).
    """
    path = Path(folder)
    lang = lang or current_language()
    figures = figures_for_city(path, lang)
    charts = [p for name, fig in figures.items() for p in save_figure(fig, path / CHARTS_DIR / name)]
    page = render_city_report(path, figures, lang)
    report = atomic_write(path / REPORT_FILE, lambda handle: handle.write(page.encode("utf-8")))
    return charts, report


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float | np.floating):
        number = float(value)
        return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.3g}"
    return html.escape(str(value))


def _header(name: str, lang: str) -> str:
    """A column's header: an outcome's label, or the city table's own column names, in ``lang``."""
    own = {"programme": translate("programme", lang), "school": translate("school", lang),
           "school name": translate("school", lang), "city": translate("city", lang),
           "sector": translate("sector", lang), "year of the run": translate("year of the run", lang),
           "special_fund_paid_yuan": translate("Special fund paid (yuan)", lang),
           "tax_expenditure_yuan": translate("Tax expenditure (yuan)", lang),
           "city_subsidy_yuan": translate("City subsidy paid (yuan)", lang),
           "certified_enterprises": translate("Certified enterprises", lang),
           "searchers_per_vacancy_met": translate("Searchers per vacancy met", lang),
           "places_offered": translate("places offered", lang), "places_filled": translate("places filled", lang),
           "unfilled_places": translate("unfilled places", lang), "demand": translate("demand (applicants)", lang),
           "unplaced_applicants": translate("unplaced applicants", lang),
           "supply_demand_ratio": translate("supply-demand ratio", lang),
           "graduates": translate("graduates", lang), "vacancies": translate("vacancies", lang),
           "vacancies_per_graduate": translate("vacancies per graduate", lang)}
    return own.get(name) or translate(label(name), lang)


def _table(rows: pd.DataFrame, first: str, columns: tuple[str, ...], lang: str) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(_header(c, lang))}</th>" for c in (first, *columns))
    body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in (first, *columns)) + "</tr>"
                   for row in rows.to_dict("records"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_city_report(folder: Path, figures: Mapping[str, Figure], lang: str) -> str:
    """The city report as one self-contained HTML page."""
    manifest, summary, market = _read(folder)
    esc = html.escape
    shown = tuple(c for c in SHOWN if c in summary)
    programmes = summary[summary["level"] == "programme"].rename(columns={"name": "programme"})
    schools = summary[summary["level"] == "school"].rename(columns={"name": "school name"})
    city = summary[summary["level"] == "city"]
    names = _sector_names(manifest, lang)
    market = market.assign(sector=[names[int(k)] if int(k) < len(names) else str(k) for k in market["sector"]])
    market_columns = tuple(c for c in ("sector", "places_offered", "places_filled", "unfilled_places", "demand",
                                       "unplaced_applicants", "supply_demand_ratio", "graduates", "vacancies",
                                       "vacancies_per_graduate") if c in market)
    heading = {"city": translate("City", lang), "programmes": translate("Programmes", lang),
               "schools": translate("Schools", lang), "the_city": translate("The city", lang),
               "market": translate("Training market by sector and year", lang),
               "charts": translate("Charts", lang), "provenance": translate("Provenance", lang)}
    parts = [
        f"<!doctype html><html lang=\"{esc(lang)}\"><head><meta charset=\"utf-8\"><meta name=\"generator\" "
        "content=\"talentsim\"><link rel=\"icon\" href=\"data:,\">",
        f"<title>{esc(heading['city'])}: {esc(context_line(manifest))}</title>",
        "<style>body{font:15px/1.5 sans-serif;color:#1d2433;max-width:1180px;margin:0 auto;padding:24px}"
        "table{border-collapse:collapse;width:100%;font-size:.84rem;margin-bottom:18px}th,td{border-bottom:1px "
        "solid #d9dde5;padding:4px 8px;text-align:left}thead th{background:#f4f6f9}img{max-width:100%;border:1px "
        "solid #d9dde5}dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;font-size:.86rem}"
        "dd{margin:0;font-family:monospace;word-break:break-all}</style></head><body>",
        f"<h1>{esc(heading['city'])}: {esc(context_line(manifest))}</h1>",
        f"<h2>{esc(heading['programmes'])}</h2>",
        _table(programmes, "programme", ("school", *shown), lang),
        f"<h2>{esc(heading['schools'])}</h2>", _table(schools, "school name", shown, lang),
        f"<h2>{esc(heading['the_city'])}</h2>", _table(city.rename(columns={"name": "city"}), "city",
                                                       (*shown, *(c for c in CITY_ONLY if c in city)), lang),
        f"<h2>{esc(heading['market'])}</h2>",
        _table(market.rename(columns={"year": "year of the run"}), "year of the run", market_columns, lang),
        f"<h2>{esc(heading['charts'])}</h2>",
    ]
    for name, fig in figures.items():
        parts.append(f"<figure><img alt=\"{esc(name)}\" src=\"data:image/png;base64,{png_base64(fig)}\"></figure>")
    parts.append(f"<h2>{esc(heading['provenance'])}</h2><dl>")
    for key in ("city_file", "city_name", "programmes", "sectors", "replications", "master_seed", "seeds",
                "wall_seconds"):
        if key in manifest:
            parts.append(f"<dt>{esc(key)}</dt><dd>{esc(str(manifest[key]))}</dd>")
    for key, value in sorted((manifest.get("versions") or {}).items()):
        parts.append(f"<dt>{esc(str(key))}</dt><dd>{esc(str(value))}</dd>")
    parts.append("</dl></body></html>")
    return "\n".join(parts)


__all__ = ["figures_for_city", "is_city_folder", "programmes_chart", "render_city_report", "write_city_report"]
