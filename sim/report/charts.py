"""Charts of runs, comparisons and sweeps: each function takes results and returns a Figure.

The chart functions never touch pyplot's global state: they build a
``matplotlib.figure.Figure`` directly (saving it uses the Agg renderer behind
``Figure.savefig``). Every title ends with a context line naming the scenario(s), the
replications and the seed (see :meth:`sim.report.data.ResultsFolder.context`); every
axis names its unit.

``charts_for_run``, ``charts_for_compare`` and ``charts_for_sweep`` read an output
folder and write ``DIR/charts/NAME.png`` and ``NAME.svg``; :func:`figures_for` gives
the same figures without writing (the HTML report embeds them).

Every chart speaks one language (``lang``, ``en`` or ``zh``): each word on it is a
message id passed through :func:`sim.i18n.translate`, axes carry the outcome and
parameter registry's labels and units (never a dotted key), money is shown in readable
units (thousand / million yuan, 万元 / 亿元), and every glyph is drawn from a font that
has it (:mod:`sim.report.fonts`; SVG text is written as paths). No data lies outside
its axes (``tests/test_chart_language.py`` checks every chart).
"""

from __future__ import annotations

import base64
import functools
import io
import math
import os
import re
import textwrap
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.atomic import atomic_write, writing
from sim.i18n import N_, current_language, translate, unit_text, yuan_scale
from sim.messages import text
from sim.report import fonts
from sim.report.data import (
    EMPLOYMENT_OUTCOMES,
    KEY_OUTCOMES,
    Outcome,
    ReportError,
    ResultsFolder,
    binned_means,
    chart_outcomes,
    load_folder,
    outcome_info,
    sensitivity_ranking,
    series_label,
)
from sim.scenario.schema import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from matplotlib.collections import Collection
    from matplotlib.typing import RcKeyType

PNG_DPI = 150
CHARTS_DIR = "charts"
TITLE_CHARS_PER_INCH = 9.8
"""Characters of an 11-point bold title that fit in one inch (titles wrap beyond; a CJK character counts two)."""
MAX_RESPONSE_CHARTS = 6
"""A sweep gets response curves for at most this many parameters (the highest ranked)."""

STAGES = ("n_student", "n_apprentice", "n_employee", "n_further_study", "n_unemployed", "n_dropped_out")
"""The time-series columns of the stages chart (labelled from the outcome registry's ``SERIES``)."""
SKILLS = (("theory", N_("Theory")), ("practical_skill", N_("Practical skill")),
          ("professionalism", N_("Professionalism")), ("composite_score", N_("Composite score")))
"""Per-student score columns of the distributions chart and their labels (message ids)."""

# Okabe-Ito: distinguishable with colour-vision deficiency and in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
LINESTYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
STAGE_COLOURS = dict(zip(STAGES, ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#555555"), strict=True))
STYLE: dict[RcKeyType, Any] = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "figure.titlesize": 11,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "grid.linewidth": 0.6, "svg.fonttype": "path", "svg.hashsalt": "talentsim", "figure.facecolor": "white",
}
"""Applied with ``matplotlib.rc_context`` while a chart is built and saved (restored afterwards).

SVG text is written as paths, so an SVG shows its glyphs on a machine without the font;
:func:`chart_style` adds the fonts of a language."""

SHORTFALL_COLOURS = ("#7F0000", "#E34A33", "#FDBB84", "#C6DBEF")
"""Share of a use's need paid, 0 to 1: dark red (nothing paid) through orange to pale blue (fully paid)."""
FAUX_BOLD: list[patheffects.AbstractPathEffect] = [patheffects.withStroke(linewidth=0.6, foreground="black")]
"""Chinese titles are emboldened by a thin outline: the shipped CJK font has the regular weight only."""

_LANGUAGE: weakref.WeakKeyDictionary[Figure, str] = weakref.WeakKeyDictionary()
"""The language each chart was built in (saving draws it again, with the same fonts)."""


def chart_style(lang: str = "en") -> dict[RcKeyType, Any]:
    """:data:`STYLE` with the fonts of ``lang``: Noto Sans SC first in Chinese, DejaVu Sans's fallback in English."""
    return {**STYLE, "font.family": fonts.chart_font_families(lang)}


def figure_style(fig: Figure) -> dict[RcKeyType, Any]:
    """The style a chart was built in (English for a figure not built here)."""
    return chart_style(_LANGUAGE.get(fig, "en"))


def _styled(chart: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build the chart under :func:`chart_style` without changing matplotlib's settings for anyone else."""
    @functools.wraps(chart)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        lang = kwargs["lang"] = kwargs.get("lang") or current_language()
        with mpl.rc_context(chart_style(lang)):
            fig = chart(*args, **kwargs)
        _LANGUAGE[fig] = lang
        return fig
    return wrapper


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _panels(n: int, ncols: int = 3, size: tuple[float, float] = (3.6, 2.7), **share: Any) -> tuple[Figure, list[Axes]]:
    """A figure with ``n`` panels in a grid (unused cells removed)."""
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(max(6.4, size[0] * ncols), size[1] * nrows + 0.9), layout="constrained")
    grid = fig.subplots(nrows, ncols, squeeze=False, **share)
    axes = list(grid.ravel())
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n]


def _title(fig: Figure, what: str, context: str) -> None:
    """The chart's title and, below it, its context line, wrapped to the figure's width."""
    width = max(40, int(fig.get_figwidth() * TITLE_CHARS_PER_INCH))
    lines = _wrap(what, width) + _wrap(context, width)
    title = fig.suptitle("\n".join(lines), fontweight="bold")
    if mpl.rcParams["font.family"][0] == fonts.CHART_FAMILY:  # a Chinese chart: the font has no bold face
        title.set_path_effects(FAUX_BOLD)


def _wrap(line: str, width: int) -> list[str]:
    """``line`` wrapped to ``width`` Latin characters (a CJK character is as wide as two)."""
    if not fonts.has_cjk(line):
        return textwrap.wrap(line, width)
    # Latin words stay whole; a run of CJK text may break between any two characters
    pieces = [piece for token in re.findall(r"\s+|\S+", line)
              for piece in (list(token) if fonts.has_cjk(token) else [token])]
    lines, current, used = [], "", 0
    for piece in pieces:
        size = sum(2 if fonts.has_cjk(c) else 1 for c in piece)
        if used + size > width and current.strip():
            lines.append(current.rstrip())
            current, used = "", 0
            if piece.isspace():
                continue
        current += piece
        used += size
    return [*lines, current.rstrip()] if current.strip() else lines


def _tick_label(label: str, lang: str | None) -> str:
    """A category label broken onto two or three lines to fit under a bar group."""
    if (lang or current_language()) == "en":
        return label.replace(" at ", "\nat ").replace(" by ", "\nby ")
    return "\n".join(_wrap(label, 16))


def _number(value: float) -> str:
    """A tick label: thousands separated, no trailing zeros (1,500 / 2.5 / 0.25)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def _thousands(ax: Axes, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _pos: _number(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _years(timeseries: pd.DataFrame) -> np.ndarray:
    return timeseries["week"].to_numpy(dtype=float) / WEEKS_PER_YEAR


def money_scale(largest_yuan: float, lang: str | None = None) -> tuple[float, str]:
    """Divisor and unit (in ``lang``; None: the current language) for an axis of yuan amounts.

    Args:
        largest_yuan: The largest magnitude on the axis.
        lang: The language.

    Returns:
        ``(divisor, unit)``: English thousand yuan from 2,000, million yuan from 2 million;
        Chinese 万元, or 亿元 from 10,000 万元 (as the tables).
    """
    lang = lang or current_language()
    largest = abs(float(largest_yuan)) if math.isfinite(float(largest_yuan)) else 0.0
    if lang != "en":  # as the report's tables: 万元, or 亿元 from 10,000 万元 up
        return yuan_scale(largest, lang)
    if largest >= 2e6:
        return 1e6, unit_text("million yuan", lang)
    if largest >= 2e3:
        return 1e3, unit_text("thousand yuan", lang)
    return 1.0, unit_text("yuan", lang)


def _largest(values: Any) -> float:
    finite = _finite(np.abs(np.asarray(values, dtype=float)).ravel())
    return float(finite.max()) if finite.size else 0.0


def _outcome(name: str, lang: str | None) -> Outcome:
    """The registry's label and units of an outcome, in ``lang`` (an undeclared name is shown as itself)."""
    info = outcome_info(name)
    if info.label == info.name and not info.unit:
        return info
    return Outcome(info.name, translate(info.label, lang), info.scale, unit_text(info.unit, lang),
                   unit_text(info.diff_unit, lang))


@dataclass(frozen=True)
class Scale:
    """How the values on one axis are shown: shown value = stored value x ``factor``, in ``unit``."""

    label: str
    factor: float = 1.0
    unit: str = ""

    def axis(self, lang: str | None = None) -> str:
        """The axis label: the label with the unit in parentheses (in ``lang``)."""
        return translate("{label} ({unit})", lang).format(label=self.label, unit=self.unit) if self.unit else self.label


def _outcome_scale(name: str, values: Any, lang: str | None, difference: bool = False) -> Scale:
    """An outcome's axis: its label, and money in thousand/million yuan (万元/亿元) when the values are large.

    Args:
        name: The outcome.
        values: The stored values the axis shows (for the money unit).
        lang: The chart's language.
        difference: The axis shows differences between scenarios (percentage points, not %).
    """
    info = _outcome(name, lang)
    unit = info.diff_unit if difference else info.unit
    if outcome_info(name).unit == "yuan":
        divisor, money = money_scale(_largest(values), lang)
        return Scale(info.label, info.scale / divisor, money)
    return Scale(info.label, info.scale, unit)


def _money_unit(unit: str, divisor_unit: str, lang: str | None) -> str:
    """A yuan unit such as ``yuan/year`` with its yuan replaced by a larger money unit (``million yuan/year``)."""
    shown, yuan = unit_text(unit, lang), unit_text("yuan", lang)
    rest = shown[len(yuan):] if shown.startswith(yuan) else unit[len("yuan"):]
    return f"{divisor_unit}{rest}"


def _parameter_scale(key: str, values: Any, lang: str | None) -> Scale:
    """A sweep parameter's axis: its short label from the parameter list and its unit (money made readable).

    A key the list does not know (a toy model's input) is shown as itself.
    """
    from sim.scenario.params import param_index

    info = param_index().get(key)
    if info is None:
        return Scale(key)
    label = translate(info.label, lang) if info.label else key
    unit = "" if info.unit in ("-", "1", "") else info.unit
    if unit.startswith("yuan"):
        divisor, money = money_scale(_largest(pd.to_numeric(pd.Series(values), errors="coerce")), lang)
        return Scale(label, 1.0 / divisor, _money_unit(unit, money, lang) if divisor != 1.0 else unit_text(unit, lang))
    return Scale(label, 1.0, unit_text(unit, lang))


def _finite(values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[np.isfinite(array)]


def _errors(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar lengths below and above (0 where the interval is unknown)."""
    return np.nan_to_num(np.vstack([mean - low, high - mean]), nan=0.0).clip(min=0.0)


def _no_data(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


# ---------------------------------------------------------------------------- single runs and comparisons


@_styled
def stages_chart(timeseries: Mapping[str, pd.DataFrame], *, context: str, lang: str | None = None) -> Figure:
    """Students in each stage, week by week: one panel per scenario.

    The panels share their axes, scaled to the largest scenario (limits are set after
    every panel is drawn, so no panel's data is cut off).

    Args:
        timeseries: Weekly time series (``sim.results.TIMESERIES_COLUMNS``) by scenario label.
        context: The title's context line (scenarios, replications, seed).
        lang: The chart's language.
    """
    fig, axes = _panels(max(1, len(timeseries)), sharex=True, sharey=True)
    for ax, (label, ts) in zip(axes, timeseries.items(), strict=False):
        for column in STAGES:
            if column in ts:
                ax.plot(_years(ts), ts[column], label=translate(series_label(column), lang),
                        color=STAGE_COLOURS[column], linewidth=1.6)
        ax.set_title(label)
        ax.set_xlabel(translate("time since first intake (years)", lang))
        ax.set_ylabel(translate("students (persons)", lang))
        _thousands(ax)
    for ax in axes:  # only now: a shared limit set before the last panel is drawn would cut it off
        ax.set_ylim(bottom=0)
    if not timeseries:
        _no_data(axes[0], translate("no time series recorded", lang))
    else:
        handles, labels = axes[0].get_legend_handles_labels()
        ncols = len(labels) if fig.get_figwidth() >= 9 else math.ceil(len(labels) / 2)
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False)
    _title(fig, translate("Students by stage over time", lang), context)
    return fig


def _skill_values(students: pd.DataFrame, column: str) -> tuple[np.ndarray, bool]:
    """The graduates' values (else every enrolled student's) and whether they are the graduates'."""
    graduated = students["week_graduated"] >= 0 if "week_graduated" in students else None
    if graduated is not None and graduated.any():
        return _finite(students.loc[graduated, column]), True
    enrolled = students["stage"].astype(str) != "not_enrolled" if "stage" in students else slice(None)
    return _finite(students.loc[enrolled, column]), False


@_styled
def distributions_chart(students: Mapping[str, pd.DataFrame], *, context: str, lang: str | None = None) -> Figure:
    """Distributions of theory, practical skill, professionalism and composite score per scenario.

    Violins show the shape, the box the quartiles and the white dot the median, for the
    graduates of each scenario (every enrolled student when nobody has graduated).

    Args:
        students: Per-student records (``sim.results.student_records``) by scenario label.
        context: The title's context line.
        lang: The chart's language.
    """
    labels = list(students)
    fig, axes = _panels(len(SKILLS), ncols=2, size=(4.4, 0.9 + 0.45 * max(1, len(labels))), sharey=True)
    graduates = True
    for ax, (column, name) in zip(axes, SKILLS, strict=True):
        data, ticks = [], []
        for label in labels:
            values, graduates = _skill_values(students[label], column)
            data.append(values if values.size else np.array([np.nan]))
            ticks.append(translate("{scenario} (n={n})", lang).format(scenario=label, n=values.size))
        positions = np.arange(1, len(labels) + 1)
        drawable = [i for i, d in enumerate(data) if np.isfinite(d).sum() >= 2]
        if drawable:
            parts = ax.violinplot([data[i] for i in drawable], positions=positions[drawable],
                                  orientation="horizontal", showextrema=False, widths=0.8)
            # The stub types "bodies" as one Collection; it is a list of them, one per violin.
            bodies = cast("list[Collection]", parts["bodies"])
            for i, body in zip(drawable, bodies, strict=True):
                body.set_facecolor(_colour(i))
                body.set_alpha(0.35)
            ax.boxplot([data[i] for i in drawable], positions=positions[drawable], orientation="horizontal",
                       widths=0.18, showfliers=False, patch_artist=True,
                       boxprops={"facecolor": "0.25", "linewidth": 0},
                       medianprops={"color": "white", "linewidth": 1.6},
                       whiskerprops={"color": "0.25"}, capprops={"linewidth": 0})
        ax.set_yticks(positions, ticks)
        ax.set_ylim(0.4, len(labels) + 0.6)
        ax.invert_yaxis()
        low, high = ax.get_xlim()
        ax.set_xlim(max(0.0, low), min(100.0, high))
        ax.set_xlabel(translate("{label} ({unit})", lang).format(label=translate(name, lang),
                                                                unit=unit_text("points, 0-100", lang)))
        ax.set_title(translate(name, lang))
        ax.grid(axis="y", visible=False)
    title = (translate("Final scores of graduates", lang) if graduates
             else translate("Final scores of enrolled students", lang))
    _title(fig, title, context)
    return fig


def _stat(stats: pd.DataFrame, label: str, outcome: str) -> tuple[float, float, float]:
    row = stats[(stats["scenario"] == label) & (stats["outcome"] == outcome)]
    if row.empty:
        return math.nan, math.nan, math.nan
    first = row.iloc[0]
    return float(first["mean"]), float(first["ci_low"]), float(first["ci_high"])


def _scenarios(stats: pd.DataFrame) -> list[str]:
    return [str(s) for s in dict.fromkeys(stats["scenario"])]


@_styled
def employment_chart(stats: pd.DataFrame, *, context: str, lang: str | None = None) -> Figure:
    """Employment at graduation, 6 and 12 months and host retention per scenario, with 95% CIs.

    Args:
        stats: Per scenario and outcome ``mean``, ``ci_low``, ``ci_high`` (``comparison.csv``).
        context: The title's context line.
        lang: The chart's language.
    """
    labels = _scenarios(stats)
    outcomes = [_outcome(o, lang) for o in EMPLOYMENT_OUTCOMES]
    fig = Figure(figsize=(max(6.4, 1.2 + 0.45 * len(labels) * len(outcomes)), 4.2), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(labels))
    x = np.arange(len(outcomes))
    for i, label in enumerate(labels):
        mean, low, high = (np.array(v) * 100 for v in zip(*(_stat(stats, label, o.name) for o in outcomes),
                                                           strict=True))
        low, high = np.clip(low, 0.0, 100.0), np.clip(high, 0.0, 100.0)  # a rate's interval within 0-100%
        offset = (i - (len(labels) - 1) / 2) * width
        yerr = _errors(mean, low, high) if np.isfinite(low).any() else None
        bars = ax.bar(x + offset, mean, width * 0.92, yerr=yerr, capsize=3,
                      color=_colour(i), label=label, error_kw={"elinewidth": 1, "ecolor": "0.2"})
        if len(labels) <= 3:
            ax.bar_label(bars, labels=[f"{v:.0f}" if np.isfinite(v) else "" for v in mean], padding=2,
                         fontsize=7, label_type="edge")
    ax.set_xticks(x, [_tick_label(o.label, lang) for o in outcomes])
    ax.set_ylabel(translate("share of graduates (%)", lang))
    ax.set_ylim(0, max(105.0, ax.get_ylim()[1]))
    ax.grid(axis="x", visible=False)
    if len(labels) > 1:
        fig.legend(loc="outside lower center", ncols=min(len(labels), 5), frameon=False)
    title = (translate("Employment and host retention (whiskers: 95% CI)", lang) if stats["ci_low"].notna().any()
             else translate("Employment and host retention (one replication: no CI)", lang))
    _title(fig, title, context)
    return fig


@_styled
def forest_chart(differences: pd.DataFrame, *, context: str, outcomes: Sequence[str] | None = None,
                 lang: str | None = None) -> Figure:
    """Each scenario's difference from the first, one panel per outcome, with 95% CIs.

    A filled marker: the interval excludes zero; hollow: it does not.

    Args:
        differences: ``differences.csv``: ``scenario``, ``baseline``, ``outcome``, ``mean``,
            ``ci_low``, ``ci_high`` (scenario minus baseline, paired by replication).
        context: The title's context line.
        outcomes: Outcomes to show (default: the key outcomes present).
        lang: The chart's language.
    """
    names = list(outcomes or chart_outcomes(list(dict.fromkeys(differences["outcome"])), limit=12,
                                            preferred=KEY_OUTCOMES))
    labels = _scenarios(differences) if len(differences) else []
    baseline = str(differences["baseline"].iloc[0]) if len(differences) else translate("the first scenario", lang)
    fig, axes = _panels(max(1, len(names)), ncols=3, size=(3.5, 0.9 + 0.35 * max(1, len(labels))), sharey=True)
    y = np.arange(len(labels))
    for ax, name in zip(axes, names, strict=False):
        rows = differences[differences["outcome"] == name]
        info = _outcome_scale(name, rows[["mean", "ci_low", "ci_high"]].to_numpy(float), lang, difference=True)
        for i, label in enumerate(labels):
            mean, low, high = (v * info.factor for v in _stat(differences, label, name))
            clear = np.isfinite(low) and (low > 0 or high < 0)
            ax.errorbar([mean], [i], xerr=_errors(np.array([mean]), np.array([low]), np.array([high])),
                        fmt="o", color=_colour(i + 1), markerfacecolor=_colour(i + 1) if clear else "white",
                        capsize=3, markersize=5)
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.margins(x=0.12)
        low, high = ax.get_xlim()
        if high - low < 1e-6:  # no difference at all (up to rounding): a readable axis around 0
            ax.set_xlim(-1, 1)
        ax.set_yticks(y, labels)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_title(info.label)
        ax.set_xlabel(translate("difference ({unit})", lang).format(unit=info.unit) if info.unit
                      else translate("difference", lang))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        _thousands(ax, "x")
    if not names or not labels:
        _no_data(axes[0], translate("one scenario only: nothing to compare", lang))
    has_ci = len(differences) and differences["ci_low"].notna().any()
    title = (translate("Difference from {baseline}, paired by replication (95% CI; filled: excludes 0)", lang)
             if has_ci else translate("Difference from {baseline}, paired by replication (one replication: no CI)",
                                      lang))
    _title(fig, title.format(baseline=baseline), context)
    return fig


@_styled
def cost_effectiveness_chart(stats: pd.DataFrame, *, context: str, lang: str | None = None) -> Figure:
    """Cost per employed graduate against employment at graduation, one point per scenario with CIs.

    Args:
        stats: Per scenario and outcome ``mean``, ``ci_low``, ``ci_high``.
        context: The title's context line.
        lang: The chart's language.
    """
    fig = Figure(figsize=(7.0, 4.8), layout="constrained")
    ax = fig.add_subplot()
    placed: list[tuple[float, float]] = []
    costs = stats.loc[stats["outcome"] == "cost_per_employed_graduate_yuan", ["mean", "ci_low", "ci_high"]]
    x_scale = _outcome_scale("employment_rate_at_graduation", [], lang)
    y_scale = _outcome_scale("cost_per_employed_graduate_yuan", costs.to_numpy(float), lang)
    for i, label in enumerate(_scenarios(stats)):
        ex, exl, exh = (v * x_scale.factor for v in _stat(stats, label, "employment_rate_at_graduation"))
        exl, exh = min(max(exl, 0.0), 100.0), min(max(exh, 0.0), 100.0)  # a rate's interval within 0-100%
        cy, cyl, cyh = (v * y_scale.factor for v in _stat(stats, label, "cost_per_employed_graduate_yuan"))
        if not (np.isfinite(ex) and np.isfinite(cy)):
            continue
        ax.errorbar([ex], [cy], xerr=_errors(np.array([ex]), np.array([exl]), np.array([exh])),
                    yerr=_errors(np.array([cy]), np.array([cyl]), np.array([cyh])), fmt=MARKERS[i % len(MARKERS)],
                    color=_colour(i), capsize=3, markersize=7, markeredgecolor="white", elinewidth=1.2)
        same = sum(1 for px, py in placed if math.isclose(px, ex, rel_tol=0.01) and math.isclose(py, cy, rel_tol=0.01))
        placed.append((ex, cy))
        ax.annotate(label, (ex, cy), xytext=(7, 6 + 11 * same), textcoords="offset points", fontsize=8,
                    color=_colour(i), fontweight="bold")
    ax.set_xlabel(x_scale.axis(lang))
    ax.set_ylabel(y_scale.axis(lang))
    _thousands(ax)
    ax.margins(0.25)
    title = (translate("Cost-effectiveness (whiskers: 95% CI; lower right is better)", lang)
             if stats["ci_low"].notna().any()
             else translate("Cost-effectiveness (one replication: no CI; lower right is better)", lang))
    _title(fig, title, context)
    return fig


def _stack(ax: Axes, ts: pd.DataFrame, prefix_names: Sequence[str], scale: float, lang: str | None) -> None:
    columns = [f"spent_{n}_yuan" for n in prefix_names if f"spent_{n}_yuan" in ts]
    values = [ts[c].fillna(0).to_numpy(float) / scale for c in columns]
    colours = [_colour(i) for i in range(len(columns))]
    ax.stackplot(_years(ts), values, labels=[translate(series_label(c), lang) for c in columns], colors=colours,
                 alpha=0.85, linewidth=0)


@_styled
def money_chart(timeseries: Mapping[str, pd.DataFrame], *, context: str, lang: str | None = None) -> Figure:
    """Cumulative spending by source and by use over time (stacked areas), one row per scenario.

    Args:
        timeseries: Weekly time series by scenario label (``spent_<source>_yuan`` and
            ``spent_<use>_yuan`` are cumulative).
        context: The title's context line.
        lang: The chart's language.
    """
    from sim.engine.ledger import SOURCES, USES

    labels = list(timeseries)
    top = max([float(np.nanmax(ts["spent_yuan"])) for ts in timeseries.values() if len(ts)] or [0.0])
    scale, unit = money_scale(top, lang)
    fig = Figure(figsize=(9.6, 0.9 + 2.6 * max(1, len(labels))), layout="constrained")
    grid = fig.subplots(max(1, len(labels)), 2, squeeze=False, sharex=True, sharey=True)
    for row, label in zip(grid, labels, strict=False):
        for ax, names, how in ((row[0], SOURCES, N_("{scenario}: by source")),
                               (row[1], USES, N_("{scenario}: by use"))):
            _stack(ax, timeseries[label], names, scale, lang)
            ax.set_title(translate(how, lang).format(scenario=label))
            ax.set_ylabel(translate("cumulative spending ({unit})", lang).format(unit=unit))
            _thousands(ax)
    for ax in grid[-1]:
        ax.set_xlabel(translate("time since first intake (years)", lang))
    if labels:
        for col in (0, 1):
            handles, names = grid[0][col].get_legend_handles_labels()
            grid[-1][col].legend(handles, names, loc="upper left", frameon=False, fontsize=7)
    else:
        _no_data(grid[0][0], translate("no time series recorded", lang))
    _title(fig, translate("Money spent by source and by use", lang), context)
    return fig


@_styled
def shortfall_chart(timeseries: Mapping[str, pd.DataFrame], *, context: str, lang: str | None = None) -> Figure:
    """Which uses of the programme's money went short, and when: one strip per use, one panel per scenario.

    Each week is coloured by the share of the use's need that its earmarked sources paid
    (``funded_share_<use>``: pale blue when fully paid, dark red when nothing was); a week the
    use needed nothing is left blank. The weeks short are written beside each strip.

    Args:
        timeseries: Weekly time series by scenario label.
        context: The title's context line.
        lang: The chart's language.
    """
    from sim.engine.ledger import USES

    labels = list(timeseries)
    fig = Figure(figsize=(9.6, 1.4 + 2.3 * max(1, len(labels))), layout="constrained")
    axes = fig.subplots(max(1, len(labels)), 1, squeeze=False, sharex=True)[:, 0]
    cmap = mpl.colors.LinearSegmentedColormap.from_list("shortfall", SHORTFALL_COLOURS).with_extremes(bad="white")
    image = None
    for ax, label in zip(axes, labels, strict=False):
        ts = timeseries[label]
        columns = [f"funded_share_{use}" for use in USES]
        shares = np.vstack([ts[c].to_numpy(float) if c in ts else np.full(len(ts), np.nan) for c in columns])
        years = _years(ts)
        end = float(years[-1] + 1.0 / WEEKS_PER_YEAR) if len(years) else 1.0
        image = ax.imshow(np.ma.masked_invalid(shares), aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0,
                          interpolation="nearest", extent=(0.0, end, len(USES) - 0.5, -0.5))
        ax.set_yticks(range(len(USES)), [translate(series_label(c), lang) for c in columns], fontsize=7)
        short = np.nansum(shares < 1.0 - 1e-9, axis=1)
        for row, weeks in enumerate(short):
            ax.annotate(translate("{weeks} weeks short", lang).format(weeks=int(weeks)), (1.0, row),
                        xycoords=("axes fraction", "data"), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=7, color="#B30000" if weeks else "0.4")
        ax.set_title(label)
    axes[-1].set_xlabel(translate("time since first intake (years)", lang))
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes), location="bottom", shrink=0.5, aspect=40)
        bar.set_label(translate("share of the week's need paid by its earmarked sources (blank: no need)", lang))
    else:
        _no_data(axes[0], translate("no time series recorded", lang))
    _title(fig, translate("Which uses of the programme's money went short, and when", lang), context)
    return fig


@_styled
def workload_chart(timeseries: Mapping[str, pd.DataFrame], *, context: str, lang: str | None = None) -> Figure:
    """Mean mentor workload (demanded / available guidance hours) week by week, per scenario.

    Weeks without guidance demand (holidays) show 0; the dashed line marks full capacity.

    Args:
        timeseries: Weekly time series by scenario label.
        context: The title's context line.
        lang: The chart's language.
    """
    fig, axes = _panels(2, ncols=2, size=(4.6, 3.2))
    for ax, column in ((axes[0], "school_mentor_workload"), (axes[1], "enterprise_mentor_workload")):
        for i, (label, ts) in enumerate(timeseries.items()):
            if column in ts:
                ax.plot(_years(ts), ts[column], color=_colour(i), label=label, linewidth=1.2,
                        linestyle=LINESTYLES[i % len(LINESTYLES)])
        ax.axhline(1.0, color="0.3", linestyle="--", linewidth=0.8)
        ax.set_title(translate(series_label(column), lang))
        ax.set_xlabel(translate("time since first intake (years)", lang))
        ax.set_ylabel(translate("workload (demanded / available hours)", lang))
        ax.set_ylim(bottom=0)
    if len(timeseries) > 1:
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
                   ncols=min(len(timeseries), 5), frameon=False)
    _title(fig, translate("Mentor workload (dashed: full capacity)", lang), context)
    return fig


MAX_SECTOR_PANELS = 6
"""Sectors shown in the training-market chart (the largest by demand)."""


@_styled
def training_market_chart(tables: Mapping[str, pd.DataFrame], *, context: str, lang: str | None = None,
                          sector_names: Sequence[str] = ()) -> Figure:
    """Apprentice places offered against demand, year by year, one panel per sector (BIBB's training market).

    Bars: places offered (filled + unfilled) and demand (placed + unplaced applicants) in each
    year with a placement round; the number above a year is the supply-demand ratio (docs/model.md §9.2).

    Args:
        tables: The training-market table (``sim.results.training_market``) by scenario label; the first is drawn.
        context: The title's context line.
        lang: The chart's language.
        sector_names: each sector's name (a city's); empty: "sector 1", "sector 2" ...
    """
    table = next(iter(tables.values()))
    sectors = list(table.groupby("sector")["demand"].sum().sort_values(ascending=False).index[:MAX_SECTOR_PANELS])
    sectors.sort()
    fig, axes = _panels(max(1, len(sectors)), ncols=min(3, max(1, len(sectors))), size=(3.6, 2.9), sharey=True)
    if not sectors:
        _no_data(axes[0], translate("no placement round in the run", lang))
    for ax, sector in zip(axes, sectors, strict=False):
        rows = table[table["sector"] == sector].sort_values("year")
        x = rows["year"].to_numpy() + 1
        ax.bar(x - 0.2, rows["places_offered"], width=0.4, color=_colour(0),
               label=translate("places offered", lang))
        ax.bar(x + 0.2, rows["demand"], width=0.4, color=_colour(1), label=translate("demand (applicants)", lang))
        for xi, offered, demand, ratio in zip(x, rows["places_offered"], rows["demand"],
                                              rows["supply_demand_ratio"], strict=True):
            if np.isfinite(ratio):
                ax.annotate(f"{ratio:.2f}", (xi, max(offered, demand)), textcoords="offset points", xytext=(0, 2),
                            ha="center", fontsize=7)
        ax.set_title(str(sector_names[int(sector)]) if int(sector) < len(sector_names)
                     else translate("sector {n}", lang).format(n=int(sector) + 1))
        ax.set_xlabel(translate("year of the run", lang))
        ax.set_ylabel(translate("places or applicants", lang))
        ax.set_xticks(x)
        ax.margins(y=0.15)
        _thousands(ax)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, frameon=False)
    _title(fig, translate("Apprentice places offered against demand, by sector (number: offered / demand)", lang),
           context)
    return fig


# ---------------------------------------------------------------------------- sweeps


@_styled
def response_chart(results: pd.DataFrame, parameter: str, outcomes: Sequence[str], *, context: str,
                   lang: str | None = None) -> Figure:
    """How outcomes respond to one parameter: mean and 95% CI band, runs as dots.

    Runs are grouped by the parameter's value (a grid), or by equal-count bins of it when
    it takes many values; other varied parameters are averaged over.

    Args:
        results: One row per run (``results.parquet``): the parameter and outcome columns.
        parameter: The varied parameter (dotted key; the axis shows its label and unit).
        outcomes: Outcomes to draw, one panel each.
        context: The title's context line.
        lang: The chart's language.
    """
    fig, axes = _panels(max(1, len(outcomes)), ncols=2, size=(4.2, 3.0), sharex=True)
    ok = results[results["error"].fillna("") == ""] if "error" in results else results
    x_scale = _parameter_scale(parameter, ok[parameter], lang)
    for ax, name in zip(axes, outcomes, strict=False):
        info = _outcome_scale(name, ok[name], lang)
        x = pd.to_numeric(ok[parameter], errors="coerce") * x_scale.factor
        y = ok[name].astype(float) * info.factor
        ax.scatter(x, y, s=8, color="0.55", alpha=0.5, linewidths=0, label=translate("one run", lang))
        band = binned_means(x, y)
        ax.fill_between(band["x"], band["ci_low"], band["ci_high"], color=_colour(0), alpha=0.2, linewidth=0,
                        label=translate("95% CI of the mean", lang))
        ax.plot(band["x"], band["mean"], color=_colour(0), marker="o", markersize=3.5,
                label=translate("mean", lang))
        ax.set_xlabel(x_scale.axis(lang))
        ax.set_ylabel(info.axis(lang))
        ax.set_title(info.label)
        _thousands(ax)
        _thousands(ax, "x")
    if not outcomes:
        _no_data(axes[0], translate("no outcome varies", lang))
    else:
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3, frameon=False)
    _title(fig, translate("Response to {parameter}", lang).format(parameter=x_scale.label), context)
    return fig


@_styled
def heatmap_chart(results: pd.DataFrame, x_param: str, y_param: str, outcome: str, *, context: str,
                  lang: str | None = None) -> Figure:
    """Mean of one outcome over two parameters (levels, or equal-count bins), cells annotated.

    The axes name the parameters by their labels and units, money in thousand or million
    yuan (万元 in Chinese), so the levels read 700, 1,400, 2,100 thousand yuan/year, not 2.1e+06.

    Args:
        results: One row per run with both parameters and the outcome.
        x_param: Parameter across.
        y_param: Parameter up.
        outcome: The outcome coloured.
        context: The title's context line.
        lang: The chart's language.
    """
    ok = results[results["error"].fillna("") == ""] if "error" in results else results
    info = _outcome_scale(outcome, ok[outcome], lang)
    x_scale, y_scale = _parameter_scale(x_param, ok[x_param], lang), _parameter_scale(y_param, ok[y_param], lang)
    table = pd.DataFrame({"x": _levels(_scaled(ok[x_param], x_scale)), "y": _levels(_scaled(ok[y_param], y_scale)),
                          "v": ok[outcome].astype(float) * info.factor})
    grid = table.pivot_table(index="y", columns="x", values="v", aggfunc="mean", observed=False)
    fig = Figure(figsize=(max(5.6, 1.6 + 0.9 * grid.shape[1]), max(3.8, 1.6 + 0.5 * grid.shape[0])),
                 layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns], rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]), [str(r) for r in grid.index])
    ax.grid(False)
    values = grid.to_numpy(float)
    middle = np.nanmean(values) if np.isfinite(values).any() else 0.0
    for (r, c), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(c, r, f"{v:,.3g}", ha="center", va="center", fontsize=7,
                    color="black" if v > middle else "white")
    ax.set_xlabel(x_scale.axis(lang))
    ax.set_ylabel(y_scale.axis(lang))
    fig.colorbar(image, ax=ax, label=translate("{outcome}, mean over runs", lang).format(outcome=info.axis(lang)))
    _title(fig, translate("{outcome}: mean over runs", lang).format(outcome=info.label), context)
    return fig


def _scaled(values: pd.Series, scale: Scale) -> pd.Series:
    """A parameter's values in the unit its axis shows (unchanged when not numeric or not scaled)."""
    if scale.factor == 1.0:
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    return values if numbers.isna().any() else numbers * scale.factor


def _level_name(value: Any) -> str:
    if isinstance(value, float | np.floating):
        number = float(value)
        return _number(number) if abs(number) >= 1000 else f"{number:.4g}"
    return str(value)


def _levels(values: pd.Series) -> pd.Series:
    """The values themselves when few, else equal-count bins (about two runs per cell) labelled by range."""
    numbers = pd.to_numeric(values, errors="coerce")
    bins = max(3, min(6, int(math.sqrt(len(values) / 2))))
    if numbers.nunique() <= 10 or numbers.isna().all():
        return values.map(_level_name).astype(
            pd.CategoricalDtype(list(dict.fromkeys(_level_name(v) for v in sorted(values.unique()))), ordered=True))
    cut = pd.qcut(numbers, bins, duplicates="drop")
    names = [f"{_level_name(float(f'{i.left:.3g}'))}–{_level_name(float(f'{i.right:.3g}'))}"
             for i in cut.cat.categories]
    return cut.cat.rename_categories(names)


def _index_panels(sensitivity: pd.DataFrame, outcomes: Sequence[str] | None,
                  size: tuple[float, float] | None = None) -> tuple[Figure, list[Axes], list[str]]:
    column = "ST" if "ST" in sensitivity else "mu_star"
    names = list(outcomes or chart_outcomes(list(dict.fromkeys(sensitivity["outcome"])), limit=4,
                                            table=sensitivity, column=column))
    n_params = sensitivity["parameter"].nunique()
    fig, axes = _panels(max(1, len(names)), ncols=2, size=size or (4.6, 1.0 + 0.42 * max(2, n_params)))
    return fig, axes, names


def _parameter_label(key: str, lang: str | None) -> str:
    """A parameter's short label from the parameter list, in ``lang`` (an unknown key as itself)."""
    return _parameter_scale(key, [], lang).label


@_styled
def sobol_chart(sensitivity: pd.DataFrame, *, context: str, outcomes: Sequence[str] | None = None,
                lang: str | None = None) -> Figure:
    """Sobol' first-order (S1) and total (ST) indices per parameter, one panel per outcome.

    Args:
        sensitivity: ``sensitivity.csv`` of a sobol sweep (``parameter``, ``outcome``,
            ``S1``, ``S1_conf``, ``ST``, ``ST_conf``).
        context: The title's context line.
        outcomes: Outcomes to show (default: up to four, key outcomes first).
        lang: The chart's language.
    """
    fig, axes, names = _index_panels(sensitivity, outcomes)
    for ax, name in zip(axes, names, strict=False):
        rows = sensitivity[sensitivity["outcome"] == name].sort_values("ST", ascending=True, na_position="first")
        y = np.arange(len(rows))
        ax.barh(y + 0.2, rows["ST"], 0.38, xerr=rows["ST_conf"].fillna(0), color=_colour(0),
                label=translate("ST (total)", lang), error_kw={"elinewidth": 0.8, "capsize": 2})
        ax.barh(y - 0.2, rows["S1"], 0.38, xerr=rows["S1_conf"].fillna(0), color=_colour(1),
                label=translate("S1 (first order)", lang), error_kw={"elinewidth": 0.8, "capsize": 2})
        ax.set_yticks(y, [_parameter_label(str(p), lang) for p in rows["parameter"]])
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.set_xlabel(translate("Sobol' index (share of output variance)", lang))
        ax.set_title(_outcome(name, lang).label)
        ax.grid(axis="y", visible=False)
    if names:
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, frameon=False)
    else:
        _no_data(axes[0], translate("no sensitivity indices", lang))
    _title(fig, translate("Sobol' sensitivity indices (whiskers: 95% bootstrap CI)", lang), context)
    return fig


@_styled
def morris_chart(sensitivity: pd.DataFrame, *, context: str, outcomes: Sequence[str] | None = None,
                 lang: str | None = None) -> Figure:
    """Morris screening: mu* (overall effect) against sigma (non-linearity, interactions).

    Args:
        sensitivity: ``sensitivity.csv`` of a morris sweep (``parameter``, ``outcome``,
            ``mu_star``, ``mu_star_conf``, ``sigma``).
        context: The title's context line.
        outcomes: Outcomes to show (default: up to four, key outcomes first).
        lang: The chart's language.
    """
    fig, axes, names = _index_panels(sensitivity, outcomes, size=(4.6, 3.8))
    for ax, name in zip(axes, names, strict=False):
        rows = sensitivity[sensitivity["outcome"] == name]
        conf = rows["mu_star_conf"].fillna(0).to_numpy(float)
        info = _outcome_scale(name, np.r_[rows["mu_star"].to_numpy(float) + conf, rows["sigma"].to_numpy(float)],
                              lang, difference=True)
        mu, sigma = rows["mu_star"].to_numpy(float) * info.factor, rows["sigma"].to_numpy(float) * info.factor
        ax.errorbar(mu, sigma, xerr=conf * info.factor, fmt="o", color=_colour(0), capsize=2, markersize=5)
        for m, s, p in zip(mu, sigma, rows["parameter"], strict=True):
            if np.isfinite(m) and np.isfinite(s):
                ax.annotate(_parameter_label(str(p), lang), (m, s), xytext=(4, 4), textcoords="offset points",
                            fontsize=7)
        top = float(np.nanmax(np.r_[mu + conf * info.factor, sigma, 0.0])) * 1.15 or 1.0
        left = min(0.0, float(np.nanmin(np.r_[mu - conf * info.factor, 0.0])) * 1.15)
        ax.plot([0, top], [0, top], linestyle="--", color="0.5", linewidth=0.8)
        ax.annotate("σ = μ*", (top, top), xytext=(-2, -22), textcoords="offset points", ha="right",
                    fontsize=7, color="0.4")
        ax.set_xlim(left, top)
        ax.set_ylim(0, top)
        unit = (translate("{unit} per parameter range", lang).format(unit=info.unit) if info.unit
                else translate("per parameter range", lang))
        ax.set_xlabel(translate("μ*, mean absolute effect ({unit})", lang).format(unit=unit))
        ax.set_ylabel(translate("σ, spread of effects ({unit})", lang).format(unit=unit))
        ax.set_title(info.label)
    if not names:
        _no_data(axes[0], translate("no sensitivity indices", lang))
    _title(fig, translate("Morris screening (right: strong effect; up: interactions)", lang), context)
    return fig


# ---------------------------------------------------------------------------- folders


def png_base64(fig: Figure) -> str:
    """The figure as a base64 PNG for a self-contained page, drawn in its language's fonts."""
    buffer = io.BytesIO()
    with mpl.rc_context(figure_style(fig)):  # the fonts of the chart's language
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": "talentsim"})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def save_figure(fig: Figure, path_without_suffix: str | os.PathLike[str]) -> list[Path]:
    """Write ``PATH.png`` and ``PATH.svg`` atomically (temporary file in the folder, then ``os.replace``).

    Args:
        fig: The figure.
        path_without_suffix: Where to write, without ``.png`` / ``.svg``; the folder is created.

    Returns:
        The PNG and SVG paths.

    Raises:
        sim.errors.OutputError: A file could not be written (a full disk, no permission);
            no temporary is left and an earlier chart of that name is kept.
    """
    base = Path(path_without_suffix)
    with writing(base.parent):
        base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in ("png", "svg"):
        target = base.with_name(f"{base.name}.{suffix}")

        def write(handle: IO[bytes], s: str = suffix) -> None:
            fig.savefig(handle, format=s, dpi=PNG_DPI, metadata=_metadata(s))

        with mpl.rc_context(figure_style(fig)):
            atomic_write(target, write)
        written.append(target)
    return written


def _metadata(suffix: str) -> dict[str, Any]:
    """No creation date in the files, so the same results give the same bytes."""
    return {"Date": None} if suffix == "svg" else {"Software": "talentsim"}


def figures_for_run(folder: ResultsFolder, lang: str | None = None) -> dict[str, Figure]:
    """The charts of a single run (with ``--reps``, outcome charts carry CIs), in ``lang``."""
    context, one_run = folder.context(lang), folder.run_context(lang)
    figures: dict[str, Figure] = {}
    if folder.timeseries:
        figures["stages"] = stages_chart(folder.timeseries, context=one_run, lang=lang)
    if folder.students:
        figures["distributions"] = distributions_chart(folder.students, context=one_run, lang=lang)
    if folder.stats is not None and len(folder.stats):
        figures["employment"] = employment_chart(folder.stats, context=context, lang=lang)
        figures["cost_effectiveness"] = cost_effectiveness_chart(folder.stats, context=context, lang=lang)
    if folder.timeseries:
        figures["money"] = money_chart(folder.timeseries, context=one_run, lang=lang)
        figures["shortfalls"] = shortfall_chart(folder.timeseries, context=one_run, lang=lang)
        figures["workload"] = workload_chart(folder.timeseries, context=one_run, lang=lang)
    if folder.training_market:
        figures["training_market"] = training_market_chart(folder.training_market, context=one_run, lang=lang)
    return figures


def figures_for_compare(folder: ResultsFolder, lang: str | None = None) -> dict[str, Figure]:
    """The charts of a comparison (time series from the re-simulated replication 0, if any), in ``lang``."""
    figures = figures_for_run(folder, lang)
    if folder.differences is not None and len(folder.differences):
        figures["differences"] = forest_chart(folder.differences, context=folder.context(lang), lang=lang)
    order = ("employment", "differences", "cost_effectiveness", "distributions", "stages", "money", "shortfalls",
             "workload", "training_market")
    return {name: figures[name] for name in order if name in figures}


def figures_for_sweep(folder: ResultsFolder, lang: str | None = None) -> dict[str, Figure]:
    """The charts of a sweep: response curves, a heat map, and Sobol' or Morris indices, in ``lang``."""
    results, context = folder.results, folder.context(lang)
    figures: dict[str, Figure] = {}
    if results is None or not len(results):
        return figures
    outcomes = chart_outcomes([c for c in results.columns if c not in folder.parameters], limit=4, table=results)
    ranked = [p for p in dict.fromkeys(sensitivity_ranking(folder)["parameter"]) if p in folder.parameters]
    parameters = ranked + [p for p in folder.parameters if p not in ranked]
    for parameter in parameters[:MAX_RESPONSE_CHARTS]:
        safe = parameter.replace(".", "_")
        figures[f"response_{safe}"] = response_chart(results, parameter, outcomes, context=context, lang=lang)
    if len(parameters) >= 2 and outcomes:
        figures["heatmap"] = heatmap_chart(results, parameters[0], parameters[1], outcomes[0], context=context,
                                           lang=lang)
    sensitivity = folder.sensitivity
    if sensitivity is not None and len(sensitivity):
        if "ST" in sensitivity:
            figures["sobol"] = sobol_chart(sensitivity, context=context, lang=lang)
        elif "mu_star" in sensitivity:
            figures["morris"] = morris_chart(sensitivity, context=context, lang=lang)
    return figures


def figures_for(folder: ResultsFolder, lang: str | None = None) -> dict[str, Figure]:
    """The charts of any folder, by its kind, in ``lang``."""
    makers = {"run": figures_for_run, "compare": figures_for_compare, "sweep": figures_for_sweep}
    return makers[folder.kind](folder, lang)


def write_charts(folder: ResultsFolder, lang: str | None = None) -> list[Path]:
    """Save every chart of a loaded folder into ``DIR/charts/``, in ``lang``; return the PNG and SVG paths."""
    paths: list[Path] = []
    for name, figure in figures_for(folder, lang).items():
        paths += save_figure(figure, folder.path / CHARTS_DIR / name)
    return paths


def _charts_for(out_dir: str | os.PathLike[str], kind: str, lang: str | None, **load: Any) -> list[Path]:
    folder = load_folder(out_dir, **load)
    if folder.kind != kind:
        raise ReportError(text("reporting.wrong_kind", folder=out_dir, found=folder.kind, expected=kind))
    return write_charts(folder, lang)


def charts_for_run(out_dir: str | os.PathLike[str], *, lang: str | None = None) -> list[Path]:
    """Write the charts of a ``talentsim run`` folder into ``DIR/charts/``.

    Args:
        out_dir: The run's folder (``summary.json``, ``timeseries.parquet``, ``students.parquet``,
            ``manifest.json``, optionally ``replications.parquet``).
        lang: The charts' language (``en`` or ``zh``).

    Returns:
        The PNG and SVG files written.

    Raises:
        ReportError: The folder is missing, empty, or not a run folder.
    """
    return _charts_for(out_dir, "run", lang)


def charts_for_compare(out_dir: str | os.PathLike[str], *, resimulate: bool = True,
                       lang: str | None = None) -> list[Path]:
    """Write the charts of a ``talentsim compare`` folder into ``DIR/charts/``.

    Args:
        out_dir: The comparison's folder (``comparison.csv``, ``differences.csv``,
            ``runs.parquet``, ``manifest.json``).
        resimulate: Re-run replication 0 of each scenario for the time-series and
            distribution charts (about a second per scenario of 2,000 students).
        lang: The charts' language (``en`` or ``zh``).

    Returns:
        The PNG and SVG files written.

    Raises:
        ReportError: The folder is missing, empty, or not a comparison folder.
    """
    return _charts_for(out_dir, "compare", lang, resimulate=resimulate)


def charts_for_sweep(out_dir: str | os.PathLike[str], *, lang: str | None = None) -> list[Path]:
    """Write the charts of a ``talentsim sweep`` folder into ``DIR/charts/``.

    Args:
        out_dir: The sweep's folder (``results.parquet``, ``manifest.json``, and
            ``sensitivity.csv`` for sobol and morris designs).
        lang: The charts' language (``en`` or ``zh``).

    Returns:
        The PNG and SVG files written.

    Raises:
        ReportError: The folder is missing, empty, or not a sweep folder.
    """
    return _charts_for(out_dir, "sweep", lang)
