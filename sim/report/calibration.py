"""Charts and the report of a calibration folder (``talentsim calibrate``).

Chart functions take the folder's tables and return a ``matplotlib.figure.Figure``
(never touching pyplot's global state), as in :mod:`sim.report.charts`:

* :func:`marginals_chart`: each parameter's posterior (weighted histogram) over its prior
  density, with the median and the 90% credible interval;
* :func:`pairs_chart`: the particles in every pair of parameters (darker: more weight);
* :func:`predictive_chart`: each target beside its simulated band: the observed value
  with two standard errors (or the observed band), every posterior draw's simulated
  figure (its mean over its own replications, plus the observation error of a value
  target), their 90% band, and the fitted point (the mean of the verdict's replications).

:func:`write_calibration_report` writes them to ``DIR/charts/`` (PNG and SVG) and a
self-contained ``DIR/report.html`` (charts embedded; no network requests).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.atomic import atomic_write
from sim.calibration.priors import Prior
from sim.i18n import current_language, translate
from sim.report.charts import CHARTS_DIR, PALETTE, PNG_DPI, chart_style

REPORT_FILE = "report.html"


def is_calibration_folder(folder: str | os.PathLike[str]) -> bool:
    """True for a finished ``talentsim calibrate`` folder (its manifest says so)."""
    try:
        return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8")).get("kind") == "calibrate"
    except (OSError, ValueError, AttributeError):
        return False


def priors_from_manifest(manifest: Mapping[str, Any]) -> list[Prior]:
    """The priors recorded in a calibration's manifest."""
    return [Prior(p["key"], f"p{i}", p["prior"], float(p["bounds"][0]), float(p["bounds"][1]), p.get("mean"),
                  p.get("sd"), bool(p.get("whole_number"))) for i, p in enumerate(manifest["parameters"])]


def _figure(n: int, ncols: int, size: tuple[float, float] = (3.4, 2.6)) -> tuple[Figure, list[Any]]:
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(max(6.4, size[0] * ncols), size[1] * nrows + 0.8), layout="constrained")
    grid = fig.subplots(nrows, ncols, squeeze=False)
    axes = list(grid.ravel())
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n]


def _shown_range(prior: Prior, values: np.ndarray) -> tuple[float, float]:
    """The x range of a marginal: the prior's central 99.8% and every particle."""
    frozen = prior.frozen()
    low = min(prior.to_natural(float(frozen.ppf(0.001))), float(np.min(values)))
    high = max(prior.to_natural(float(frozen.ppf(0.999))), float(np.max(values)))
    return max(low, prior.low), min(high, prior.high)


def marginals_chart(posterior: pd.DataFrame, priors: Sequence[Prior], parameters: pd.DataFrame, *, context: str,
                    lang: str | None = None) -> Figure:
    """Each parameter's weighted posterior histogram over its prior density, median and 90% interval."""
    with mpl.rc_context(chart_style(lang or current_language())):
        fig, axes = _figure(len(priors), 3)
        weights = posterior["weight"].to_numpy(dtype=float)
        rows = {row["key"]: row for row in parameters.to_dict("records")}
        for ax, prior in zip(axes, priors, strict=True):
            values = posterior[prior.key].to_numpy(dtype=float)
            low, high = _shown_range(prior, values)
            if prior.log_scale:
                # on a log axis, densities per unit of log x: a log-uniform prior is flat, as it should look
                ax.set_xscale("log")
                bins = np.geomspace(low, high, 31)
                counts, edges = np.histogram(values, bins=bins, weights=weights)
                ax.bar(edges[:-1], counts / max(counts.sum(), 1e-300) / np.diff(np.log(edges)), width=np.diff(edges),
                       align="edge", color=PALETTE[0], alpha=0.55, label=translate("posterior"))
                grid = np.geomspace(low, high, 200)
                ax.plot(grid, prior.natural_density(grid) * grid, color=PALETTE[1], linewidth=1.5,
                        label=translate("prior"))
                ticks = [float(f"{t:.2g}") for t in np.geomspace(low, high, 4)]
                ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
                ax.minorticks_off()
            else:
                ax.hist(values, bins=np.linspace(low, high, 31), weights=weights, density=True, color=PALETTE[0],
                        alpha=0.55, label=translate("posterior"))
                grid = np.linspace(low, high, 200)
                ax.plot(grid, prior.natural_density(grid), color=PALETTE[1], linewidth=1.5,
                        label=translate("prior"))
            row = rows.get(prior.key)
            if row is not None:
                ax.axvline(row["median"], color=PALETTE[3], linewidth=1.2, label=translate("median"))
                ax.axvspan(row["ci_low"], row["ci_high"], color=PALETTE[3], alpha=0.08,
                           label=translate("90% credible"))
                verdict = translate("identified") if row["identified"] else translate("not identified")
                ax.set_title(f"{prior.key}\n{verdict} (sd ratio {row['sd_ratio']:.2f})", fontsize=8)
            else:
                ax.set_title(prior.key, fontsize=8)
            ax.set_ylabel(translate("density"))
            ax.set_yticks([])
        axes[0].legend(loc="best", fontsize=7)
        fig.suptitle(translate("Posterior and prior of each free parameter") + "\n" + context, fontweight="bold")
    return fig


def pairs_chart(posterior: pd.DataFrame, priors: Sequence[Prior], *, context: str,
                lang: str | None = None) -> Figure:
    """Every pair of parameters: the particles, darker with more weight; histograms on the diagonal."""
    with mpl.rc_context(chart_style(lang or current_language())):
        n = len(priors)
        fig = Figure(figsize=(max(4.0, 2.2 * n), max(4.0, 2.2 * n) + 0.6), layout="constrained")
        grid = fig.subplots(n, n, squeeze=False)
        weights = posterior["weight"].to_numpy(dtype=float)
        alpha = 0.15 + 0.85 * weights / weights.max()
        for i, row_prior in enumerate(priors):
            for j, col_prior in enumerate(priors):
                ax = grid[i][j]
                x = posterior[col_prior.key].to_numpy(dtype=float)
                if i == j:
                    ax.hist(x, bins=25, weights=weights, color=PALETTE[0], alpha=0.6)
                    ax.set_yticks([])
                else:
                    y = posterior[row_prior.key].to_numpy(dtype=float)
                    ax.scatter(x, y, s=6, c=[PALETTE[0]], alpha=alpha, linewidths=0)
                    if row_prior.log_scale:
                        ax.set_yscale("log")
                if col_prior.log_scale:
                    ax.set_xscale("log")
                if i == n - 1:
                    ax.set_xlabel(col_prior.key, fontsize=7)
                if j == 0 and i != j:
                    ax.set_ylabel(row_prior.key, fontsize=7)
                ax.tick_params(labelsize=6)
        fig.suptitle(translate("Posterior particles, pair by pair") + "\n" + context, fontweight="bold")
    return fig


def predictive_chart(targets: pd.DataFrame, predictive: pd.DataFrame, *, context: str,
                     lang: str | None = None) -> Figure:
    """Each target beside its simulated band: observed (value +- 2 se, or band), draws, 90% band, fitted point."""
    with mpl.rc_context(chart_style(lang or current_language())):
        n = len(targets)
        fig, axes = _figure(n, 1, size=(6.8, 1.25))
        for ax, row in zip(axes, targets.to_dict("records"), strict=True):
            column = "predicted" if "predicted" in predictive.columns else "mean"  # folders before the band's noise
            draws = predictive.loc[predictive["target"] == row["target"], column].to_numpy(dtype=float)
            if row["kind"] == "band":
                ax.axvspan(row["low"], row["high"], color=PALETTE[2], alpha=0.25, label=translate("observed band"))
            else:
                ax.errorbar([row["value"]], [1.0], xerr=[[2 * row["se"]], [2 * row["se"]]], fmt="s",
                            color=PALETTE[2], capsize=4, label=translate("observed ± 2 se"))
            if draws.size:
                jitter = np.linspace(-0.12, 0.12, draws.size)
                ax.scatter(draws, np.zeros(draws.size) + jitter, s=10, color=PALETTE[0], alpha=0.6,
                           label=translate("posterior draws"))
                ax.plot([row["predictive_low"], row["predictive_high"]], [0, 0], color=PALETTE[0], linewidth=4,
                        alpha=0.5, label=translate("90% predictive band"))
            ax.plot([row["simulated"]], [0.5], marker="D", color=PALETTE[3] if not row["met"] else PALETTE[4],
                    linestyle="none", label=translate("fitted point"))
            verdict = translate("met") if row["met"] else translate("NOT MET")
            ax.set_title(f"{row['outcome']} @ {row['scenario']}: {verdict}", fontsize=8, loc="left")
            ax.set_yticks([])
            ax.set_ylim(-0.5, 1.5)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", fontsize=7, ncols=5)
        fig.suptitle(translate("Posterior predictive check: each target beside its simulated band") + "\n"
                     + context, fontweight="bold")
    return fig


def _read(folder: Path) -> dict[str, Any]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data: dict[str, Any] = {"manifest": manifest, "targets": pd.read_csv(folder / "targets.csv"),
                            "parameters": pd.read_csv(folder / "parameters.csv"),
                            "predictive": pd.read_parquet(folder / "predictive.parquet")}
    posterior = folder / "posterior.parquet"
    data["posterior"] = pd.read_parquet(posterior) if posterior.exists() else None
    return data


def context_line(manifest: Mapping[str, Any]) -> str:
    """The line under every chart title: which calibration, method, seed and simulations."""
    name = manifest.get("calibration", {}).get("name") or Path(str(manifest.get("calibration_file"))).stem
    return (f"{name}: {manifest['method']}, master seed {manifest['master_seed']}, "
            f"{manifest['simulations']:,} simulations")


def figures_for_calibration(folder: str | os.PathLike[str], lang: str | None = None) -> dict[str, Figure]:
    """The charts of a calibration folder by name (not written)."""
    data = _read(Path(folder))
    manifest = data["manifest"]
    context = context_line(manifest)
    priors = priors_from_manifest(manifest)
    figures: dict[str, Figure] = {}
    if data["posterior"] is not None:
        figures["posterior_marginals"] = marginals_chart(data["posterior"], priors, data["parameters"],
                                                         context=context, lang=lang)
        if len(priors) >= 2:
            figures["posterior_pairs"] = pairs_chart(data["posterior"], priors, context=context, lang=lang)
    figures["predictive_check"] = predictive_chart(data["targets"], data["predictive"], context=context, lang=lang)
    return figures


def _save(fig: Figure, base: Path, lang: str) -> list[Path]:
    written = []
    for suffix in ("png", "svg"):
        def write(handle: IO[bytes], s: str = suffix) -> None:
            with mpl.rc_context(chart_style(lang)):
                fig.savefig(handle, format=s, dpi=PNG_DPI,
                            metadata={"Date": None} if s == "svg" else {"Software": "talentsim"})

        written.append(atomic_write(base.with_name(f"{base.name}.{suffix}"), write))
    return written


def _png(fig: Figure, lang: str) -> str:
    buffer = io.BytesIO()
    with mpl.rc_context(chart_style(lang)):
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": "talentsim"})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def write_calibration_report(folder: str | os.PathLike[str], *, lang: str | None = None) -> tuple[list[Path], Path]:
    """Write ``DIR/charts/*.png|svg`` and ``DIR/report.html`` of a calibration folder.

    Returns:
        The chart files and the report's path.

    Raises:
        sim.errors.OutputError: A file could not be written (each is written whole or not at all).
    """
    path = Path(folder)
    lang = lang or current_language()
    figures = figures_for_calibration(path, lang)
    charts = [p for name, fig in figures.items() for p in _save(fig, path / CHARTS_DIR / name, lang)]
    page = render_calibration_report(path, figures, lang)
    report = atomic_write(path / REPORT_FILE, lambda handle: handle.write(page.encode("utf-8")))
    return charts, report


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def render_calibration_report(folder: Path, figures: Mapping[str, Figure], lang: str) -> str:
    """The calibration report as one self-contained HTML page."""
    data = _read(folder)
    manifest, targets, parameters = data["manifest"], data["targets"], data["parameters"]
    esc = html.escape
    verdict = manifest["verdict"]
    parts = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" "
        "content=\"talentsim\"><link rel=\"icon\" href=\"data:,\">",
        f"<title>{esc(translate('Calibration'))}: {esc(context_line(manifest))}</title>",
        "<style>body{font:15px/1.5 sans-serif;color:#1d2433;max-width:1120px;margin:0 auto;padding:24px}"
        "table{border-collapse:collapse;width:100%;font-size:.88rem}th,td{border-bottom:1px solid #d9dde5;"
        "padding:4px 8px;text-align:left}thead th{background:#f4f6f9}.bad{color:#a51d0b;font-weight:700}"
        ".good{color:#0a6b48;font-weight:700}img{max-width:100%;border:1px solid #d9dde5}"
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;font-size:.86rem}dd{margin:0;"
        "font-family:monospace;word-break:break-all}</style></head><body>",
        f"<h1>{esc(translate('Calibration'))}: {esc(context_line(manifest))}</h1>",
        f"<p class=\"{'good' if verdict == 'fitted' else 'bad'}\">{esc(verdict)}: {manifest['targets_met']} of "
        f"{manifest['targets_total']} targets met at the fitted point ({esc(manifest['fitted_point'])}"
        + (f"; the mean of {manifest['verdict_reps']} replications on seeds the fit did not use"
           if "verdict_reps" in manifest else "") + ").</p>",
    ]
    if manifest["method"] == "abc-smc" and not manifest.get("exact"):
        parts.append(f"<p class=\"bad\">The budget ran out at temperature {manifest['final_temperature']:.3g}: "
                     "the posterior is wider than the exact one.</p>")
    parts.append(f"<p>{esc(manifest.get('reproducibility', ''))}</p>")
    parts.append("<h2>Targets</h2><table><thead><tr><th>scenario</th><th>outcome</th><th>observed</th>"
                 "<th>simulated at the fitted point</th><th>90% posterior predictive band</th><th>met</th>"
                 "<th>source</th>"
                 "</tr></thead><tbody>")
    for row in targets.to_dict("records"):
        observed = (f"{_cell(row['low'])} to {_cell(row['high'])}" if row["kind"] == "band"
                    else f"{_cell(row['value'])} ± {_cell(row['se'])}")
        met = "<span class=\"good\">met</span>" if row["met"] else "<span class=\"bad\">NOT MET</span>"
        parts.append(f"<tr><td>{esc(str(row['scenario']))}</td><td>{esc(str(row['outcome']))}</td>"
                     f"<td>{observed}</td><td>{_cell(row['simulated'])} (MC se {_cell(row['mcse'])})</td>"
                     f"<td>{_cell(row['predictive_low'])} to {_cell(row['predictive_high'])}</td><td>{met}</td>"
                     f"<td>{_cell(row['source'])}</td></tr>")
    parts.append("</tbody></table><h2>Parameters</h2><table><thead><tr><th>parameter</th><th>prior</th>"
                 "<th>median</th><th>90% credible</th><th>posterior sd / prior sd</th><th>identified</th><th>fitted"
                 "</th></tr></thead><tbody>")
    fitted = manifest.get("fitted", {})
    for row in parameters.to_dict("records"):
        prior = f"{row['prior']} [{_cell(row['low'])}, {_cell(row['high'])}]"
        if row["prior"] == "normal":
            prior += f", mean {_cell(row['prior_mean'])}, sd {_cell(row['prior_sd'])}"
        identified = ("point fit" if manifest["method"] != "abc-smc" else "yes" if row["identified"]
                      else "no: not identified by these targets (keeps its assumption)")
        parts.append(f"<tr><td><code>{esc(str(row['key']))}</code></td><td>{esc(prior)}</td>"
                     f"<td>{_cell(row['median'])}</td><td>{_cell(row['ci_low'])} to {_cell(row['ci_high'])}</td>"
                     f"<td>{_cell(row['sd_ratio'])}</td><td>{esc(identified)}</td>"
                     f"<td>{_cell(fitted.get(row['key']))}</td></tr>")
    parts.append("</tbody></table><h2>Charts</h2>")
    for name, fig in figures.items():
        parts.append(f"<figure><img alt=\"{esc(name)}\" src=\"data:image/png;base64,{_png(fig, lang)}\"></figure>")
    parts.append("<h2>Provenance</h2><dl>")
    for key in ("calibration_file", "method", "master_seed", "sampler", "reproducible", "generations",
                "final_temperature", "stopped", "evaluations", "simulations", "predictive_runs", "verdict_reps",
                "fit_wall_time_s", "model", "model_version", "fitted_files"):
        if key in manifest:
            parts.append(f"<dt>{esc(key)}</dt><dd>{esc(str(manifest[key]))}</dd>")
    for key, value in sorted((manifest.get("versions") or {}).items()):
        parts.append(f"<dt>{esc(str(key))}</dt><dd>{esc(str(value))}</dd>")
    parts.append("</dl></body></html>")
    return "\n".join(parts)


__all__ = ["figures_for_calibration", "is_calibration_folder", "marginals_chart", "pairs_chart", "predictive_chart",
           "priors_from_manifest", "render_calibration_report", "write_calibration_report"]
