"""Writing one run (or one scenario's replications, or a city's run) to its output folder, atomically.

Everything is first written into a hidden temporary folder beside the destination,
which is renamed into place only when complete: an interrupted run leaves no
half-written folder, and an existing folder is never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.atomic import check_writable, file_in_the_way, output_error, writing
from sim.engine.declarations import Unit
from sim.errors import OutputError, UserError
from sim.experiments.manifest import new_output_dir, software_versions
from sim.i18n import display_width, format_number, format_percent, format_yuan, gettext, ljust, use_language
from sim.messages import text
from sim.outcomes import HEADLINE, label, unit
from sim.results import RunResult, horizon_warnings
from sim.scenario import Scenario, scenario_hash, scenario_to_dict

if TYPE_CHECKING:
    from sim.city import CityResult


def json_ready(value: Any) -> Any:
    """Plain JSON values: NaN and infinities become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def prepare_output_dir(out: str | os.PathLike[str] | None, kind: str) -> Path:
    """The destination folder: a fresh one under outputs/, or ``out`` if it does not exist yet.

    Checked before the run starts, so a bad ``--out`` is reported at once rather than
    after the simulation.

    Raises:
        OutputError: ``out`` is an existing file, a file stands where one of its parent
            folders should be, or the folder could not be written.
        UserError: ``out`` is a folder that already holds files.
    """
    if out is None:
        path = new_output_dir(kind)
        with writing(path):
            path.rmdir()  # re-created by the final rename
        return path
    path = Path(out)
    if file_in_the_way(path) == path:
        raise OutputError(text("output.out_is_a_file", path=path), path, os.strerror(errno.ENOTDIR),
                          errno.ENOTDIR)
    with writing(path):
        if path.is_dir() and any(path.iterdir()):
            raise UserError(text("output.folder_not_empty", path=path))
    check_writable(path.parent if path.exists() else path)  # the run is written beside it, then renamed
    return path


def manifest(scenario: Scenario, scenario_file: str | None, seeds: list[int], wall_seconds: float,
             extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a run folder records about how it was made.

    ``warnings``: what the run could not observe before its horizon
    (``sim.results.horizon_warnings``, in English; empty when nothing was cut short).
    """
    return json_ready({
        "scenario_file": scenario_file,
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seeds[0],
        "seeds": seeds,
        "versions": software_versions(),
        "wall_seconds": wall_seconds,
        "warnings": horizon_warnings(scenario, lang="en"),
        "scenario": scenario_to_dict(scenario),
        **(extra or {}),
    })


def write_run_folder(dest: Path, scenario: Scenario, scenario_file: str | None, result: RunResult,
                     summary: Mapping[str, float], seeds: list[int], wall_seconds: float,
                     replications: pd.DataFrame | None = None, master_seed: int | None = None,
                     finish: Callable[[Path], object] | None = None) -> Path:
    """Write summary, time series, students, events and manifest; rename into place at the end.

    ``finish(folder)`` runs on the complete temporary folder just before the rename (the
    run command draws its charts there), so the folder appears whole or not at all.

    Raises:
        OutputError: Any file could not be written (a full disk, no permission ...); the
            temporary folder is removed first, so nothing is left half-written, and the
            message names the file as it would have been called in ``dest``.
    """
    def fill(target: Callable[[str], Path]) -> None:
        target("summary.json").write_text(json.dumps(json_ready(dict(summary)), indent=2) + "\n")
        result.timeseries.to_parquet(target("timeseries.parquet"), index=False)
        if result.students is not None:
            result.students.to_parquet(target("students.parquet"), index=False)
        if result.events is not None:
            result.events.to_parquet(target("events.parquet"), index=False)
        if result.training_market is not None:
            result.training_market.to_parquet(target("training_market.parquet"), index=False)
        if replications is not None:
            replications.to_parquet(target("replications.parquet"), index=False)
        target("manifest.json").write_text(json.dumps(
            manifest(scenario, scenario_file, seeds, wall_seconds,
                     {"replications": len(seeds), "master_seed": master_seed if master_seed is not None
                      else seeds[0], "files_from_seed": seeds[0]}), indent=2) + "\n")

    return write_folder(dest, fill, finish)


def write_folder(dest: Path, fill: Callable[[Callable[[str], Path]], object],
                 finish: Callable[[Path], object] | None = None) -> Path:
    """Write a folder whole or not at all: ``fill(target)`` writes each file at ``target(name)``, then a rename.

    The files are written into a temporary folder beside ``dest``; ``finish(folder)`` runs
    on it when complete, then it is renamed to ``dest``.

    Raises:
        OutputError: Any file could not be written; the temporary folder is removed first,
            and the message names the file as it would have been called in ``dest``.
    """
    with writing(dest):
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    current = tmp  # what is being written, for the message if it fails
    emptied = False

    def target(name: str) -> Path:
        nonlocal current
        current = tmp / name
        current.parent.mkdir(parents=True, exist_ok=True)
        return current

    try:
        fill(target)
        current = tmp
        if finish is not None:
            finish(tmp)
        current = dest
        if dest.exists():  # an empty folder named by --out
            dest.rmdir()
            emptied = True
        os.replace(tmp, dest)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if emptied:  # give the user back the empty folder they named
            with contextlib.suppress(OSError):
                dest.mkdir()
        if isinstance(exc, OSError):
            raise output_error(exc, _named_in(current, tmp, dest)) from None
        if isinstance(exc, OutputError):  # from finish(), naming a file in the temporary folder
            raise output_error(None, _named_in(exc.path, tmp, dest), code=exc.errno, reason=exc.reason) from None
        raise
    return dest


def write_city_folder(dest: Path, city_file: str, results: Sequence[CityResult], seeds: list[int],
                      wall_seconds: float, master_seed: int) -> Path:
    """Write a city run: the summary table, the city's training market, each programme's time series; whole.

    ``city_summary.parquet`` (and ``.csv``): one row per programme, school and the city
    (``CityResult.summary_table``), the mean over replications with ``replication`` -1, each
    replication's rows beside it; ``training_market.parquet``: the city's, every replication;
    ``programmes/<name>/timeseries.parquet`` and ``training_market.parquet``: the first
    replication's; ``manifest.json``: the city file, seeds, versions, wall time.
    """
    tables = []
    for rep, result in enumerate(results):
        table = result.summary_table()
        table.insert(0, "replication", rep)
        tables.append(table)
    every = pd.concat(tables, ignore_index=True)
    numbers = [c for c in every.columns if c not in ("replication", "level", "name", "school")]
    mean = every.groupby(["level", "name", "school"], sort=False, as_index=False)[numbers].mean()
    mean.insert(0, "replication", -1)
    summary = pd.concat([mean, every], ignore_index=True) if len(results) > 1 else every
    markets = pd.concat([r.pool_training_market.assign(replication=rep) for rep, r in enumerate(results)],
                        ignore_index=True)
    first = results[0]

    def fill(target: Callable[[str], Path]) -> None:
        summary.to_parquet(target("city_summary.parquet"), index=False)
        summary.to_csv(target("city_summary.csv"), index=False)
        markets.to_parquet(target("training_market.parquet"), index=False)
        for name, run in first.programmes.items():
            run.timeseries.to_parquet(target(f"programmes/{name}/timeseries.parquet"), index=False)
            if run.training_market is not None:
                run.training_market.to_parquet(target(f"programmes/{name}/training_market.parquet"), index=False)
        target("manifest.json").write_text(json.dumps(json_ready({
            "city_file": city_file, "city_name": first.city_name, "seed": seeds[0], "seeds": seeds,
            "master_seed": master_seed, "replications": len(seeds), "programmes": list(first.programmes),
            "sectors": list(first.sectors), "sector_names": {k: list(v) for k, v in first.sector_names.items()},
            "versions": software_versions(), "wall_seconds": wall_seconds}),
            indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    return write_folder(dest, fill)


def _named_in(path: Path, tmp: Path, dest: Path) -> Path:
    """``path`` inside the temporary folder ``tmp`` as it is called once renamed to ``dest``."""
    try:
        return dest / path.relative_to(tmp)
    except ValueError:
        return path


def _summary_number(value: float, kind: Unit | None, lang: str = "en") -> str:
    """A value of an outcome of unit kind ``kind`` for the printed summary.

    English: yuan whole, counts whole, the rest with three decimals. Another language:
    Babel's locale digits, shares in percent, money in 万元 / 亿元 with two decimals.
    """
    if lang != "en":
        if kind is Unit.YUAN:
            return format_yuan(value, lang)
        if kind is Unit.SHARE:
            return format_percent(value, lang, 1)
        if kind in (Unit.PERSONS, Unit.COUNT, Unit.WEEKS):
            whole = math.isfinite(value) and value == round(value)
            return format_number(value, lang, 0 if whole else 2)
        return format_number(value, lang, 3)
    if kind is Unit.YUAN:
        return f"{value:,.0f}"
    if kind in (Unit.PERSONS, Unit.COUNT, Unit.WEEKS):  # counts: whole numbers unless a mean over runs
        return f"{value:,.0f}" if math.isfinite(value) and value == round(value) else f"{value:,.2f}"
    return f"{value:.3f}"  # shares, points, ratios, indices


def format_summary(summary: Mapping[str, float], ci: Mapping[str, tuple[float, float]] | None = None, *,
                   lang: str | None = None) -> str:
    """A short aligned table of the headline outcomes (``sim.outcomes.HEADLINE``), each in its unit's format.

    Args:
        summary: outcome values by name.
        ci: 95% confidence intervals by name (with replications).
        lang: the language (None: the current language). English rows are the outcomes'
            names; in another language their registry labels, aligned for CJK text.
    """
    with use_language(lang) as lang:
        names = {key: key if lang == "en" else gettext(label(key)) for key in HEADLINE}
        width = 45 if lang == "en" else max(display_width(name) for name in names.values())
        lines = []
        for key in HEADLINE:
            kind = unit(key)
            value = summary.get(key, float("nan"))
            shown = _summary_number(value, kind, lang)
            if ci and key in ci:
                lo, hi = ci[key]
                shown += "  " + gettext("(95% CI {low} to {high})").format(
                    low=_summary_number(lo, kind, lang), high=_summary_number(hi, kind, lang))
            lines.append(f"  {ljust(names[key], width)} {shown}")
        return "\n".join(lines)
