"""Reading an output folder for the charts and the report: which command wrote it, and its tables.

A folder is recognised by the files in it:

* ``results.parquet``: a sweep (``talentsim sweep``);
* ``comparison.csv``: a comparison (``talentsim compare``);
* ``summary.json``: a single run (``talentsim run``; ``replications.parquet`` with ``--reps``).

Whatever the kind, :func:`load_folder` returns the same :class:`ResultsFolder`: a
per-scenario outcome table with confidence intervals (``stats``, the shape of
``comparison.csv``), the scenarios with their question and file comment, and the
tables only some kinds have (time series, students, differences, sweep results,
sensitivity indices). A comparison stores outcomes only; its time series and student
tables are re-simulated from replication 0 of each scenario (same scenario, same seed,
so the same run) and used only when the re-run reproduces the stored outcomes.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.declarations import Unit
from sim.errors import UserError
from sim.i18n import N_, gettext, translate
from sim.messages import text
from sim.outcomes import HEADLINE, SERIES_BY_NAME
from sim.outcomes import label as registry_label
from sim.outcomes import unit as registry_unit

KIND_FILES = {"sweep": "results.parquet", "compare": "comparison.csv", "run": "summary.json"}
"""The file whose presence marks each kind of folder (checked in this order)."""

TALENT_MODEL = "sim.experiments.models:talent_model"
"""How an experiment's manifest names the talent simulation (``sim.experiments.runner.model_name``)."""

RUN_COLUMNS = ("scenario", "point", "rep", "seed", "error")
"""Columns of a per-run table that are not outcomes."""

EMPLOYMENT_OUTCOMES = ("employment_rate_at_graduation", "employment_rate_6m", "employment_rate_12m",
                       "host_retention_rate")
"""The outcomes of the employment chart, in the order drawn (names of the outcome registry)."""

KEY_OUTCOMES: tuple[str, ...] = HEADLINE
"""The outcomes a planner reads first (the registry's headline outcomes, in registry order): tables,
forest plot and sweep charts start with these."""

SWEEP_DESIGNS = {"grid": N_("grid"), "lhs": N_("lhs"), "sobol": N_("sobol"), "morris": N_("morris")}
"""The designs of a sweep, by name (message ids of the design's name in a chart's context line)."""

UNIT_DISPLAY: dict[Unit, tuple[float, str, str]] = {
    Unit.SHARE: (100.0, "%", "percentage points"),
    Unit.POINTS: (1.0, "points, 0-100", "points"),
    Unit.YUAN: (1.0, "yuan", "yuan"),
    Unit.PERSONS: (1.0, "persons", "persons"),
    Unit.COUNT: (1.0, "count", "count"),
    Unit.RATIO: (1.0, "ratio", "ratio"),
    Unit.INDEX: (1.0, "index", "index"),
    Unit.WEEKS: (1.0, "weeks", "weeks"),
}
"""How each unit kind is shown: (scale, unit of a value, unit of a difference).

The unit texts are English message ids: ``sim.i18n.unit_text`` gives them in a language
(``%`` stays ``%``; money in Chinese is shown in 万元 / 亿元 by ``sim.i18n.yuan_scale``)."""


class ReportError(UserError):
    """An output folder that charts or a report cannot be made from."""


@dataclass(frozen=True)
class Outcome:
    """How an outcome is shown: its label, the factor applied to values, and units.

    Attributes:
        name: The outcome's public name (``summary.json``, ``comparison.csv``).
        label: Words for axes and tables.
        scale: Shown value = stored value x scale (rates are stored as shares, shown as %).
        unit: Unit of a shown value.
        diff_unit: Unit of a shown difference between two scenarios.
    """

    name: str
    label: str
    scale: float = 1.0
    unit: str = ""
    diff_unit: str = ""

    def axis(self, difference: bool = False) -> str:
        """An axis label with the unit in parentheses."""
        unit = self.diff_unit if difference else self.unit
        return f"{self.label} ({unit})" if unit else self.label


def outcome_info(name: str) -> Outcome:
    """Label, scale and units of an outcome, from the outcome registry.

    A name the registry does not declare (a toy model's outcome, a sweep parameter) is
    shown as itself, unscaled and without a unit.
    """
    kind = registry_unit(name)
    if kind is None:
        return Outcome(name, name)
    scale, unit, diff_unit = UNIT_DISPLAY[kind]
    return Outcome(name, registry_label(name), scale, unit, diff_unit)


def series_label(column: str) -> str:
    """The label of a time-series column (``sim.outcomes.SERIES``; the name itself if undeclared).

    Some columns share an outcome's name (``spent_<use>_yuan``, ``balance_yuan``): the
    column is the running value week by week, the outcome the value at the end, and
    each has its own label.
    """
    found = SERIES_BY_NAME.get(column)
    return found.label if found is not None else column


@dataclass(frozen=True)
class ScenarioInfo:
    """One scenario of a folder.

    Attributes:
        label: Its name in the folder's tables (file stem, else scenario name).
        resolved: The whole resolved scenario (nested dict), or empty if not recorded.
        file: The scenario file, if it came from one.
        hash: SHA-256 of the resolved scenario, if recorded.
        question: The ``question`` field.
        comment: The comment at the top of its file (empty if none or unreadable).
        question_zh: The ``question_zh`` field: the question in Chinese (empty if none).
    """

    label: str
    resolved: dict[str, Any]
    file: str | None
    hash: str | None
    question: str
    comment: str
    question_zh: str = ""

    def question_in(self, lang: str) -> str:
        """The question in ``lang``: the Chinese one in Chinese when the scenario has it, else as written."""
        return self.question_zh if lang == "zh" and self.question_zh else self.question


@dataclass
class ResultsFolder:
    """What the charts and the report need from one output folder.

    Attributes:
        path: The folder.
        kind: ``run``, ``compare`` or ``sweep``.
        manifest: ``manifest.json`` (empty if missing).
        scenarios: The scenarios, the reference (first) first; a sweep has its base.
        reps: Replications per scenario (per point for a sweep).
        seed: The run's seed, or the experiment's master seed.
        seed_name: ``seed`` or ``master seed``.
        stats: Per scenario and outcome: ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high``.
        per_run: One row per replication: ``scenario``, ``rep``, ``seed``, outcomes (or None).
        differences: Each scenario minus the first, per outcome, with CIs (compare only).
        timeseries: Weekly time series by scenario label (one run each).
        students: Per-student records by scenario label (one run each).
        training_market: The training market by year and sector, by scenario label (one run each; a run's
            folder from before the table existed has none).
        results: A sweep's one row per run (sweep only).
        sensitivity: A sobol or morris sweep's indices (sweep only).
        parameters: The parameters a sweep varied.
        design: The sweep's design (``grid``, ``lhs``, ``sobol``, ``morris``).
        sweep: The sweep itself: its name, ``description`` (as the question), file and comment.
        created: When the experiment was started (ISO time), if recorded.
        notes: Why something is missing, for the report.
    """

    path: Path
    kind: str
    manifest: dict[str, Any]
    scenarios: list[ScenarioInfo]
    reps: int
    seed: int | None
    seed_name: str = "seed"
    stats: pd.DataFrame | None = None
    per_run: pd.DataFrame | None = None
    differences: pd.DataFrame | None = None
    timeseries: dict[str, pd.DataFrame] = field(default_factory=dict)
    students: dict[str, pd.DataFrame] = field(default_factory=dict)
    training_market: dict[str, pd.DataFrame] = field(default_factory=dict)
    results: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    parameters: list[str] = field(default_factory=list)
    design: str | None = None
    sweep: ScenarioInfo | None = None
    created: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """Scenario labels in order."""
        return [s.label for s in self.scenarios]

    def _names(self, lang: str | None) -> str:
        if len(self.labels) <= 4:
            return translate(", ", lang).join(self.labels)
        return translate("{n} scenarios", lang).format(n=len(self.labels))

    def _seed(self, lang: str | None) -> str:
        """``seed 5`` / ``master seed 5`` in ``lang``."""
        if self.seed_name == "master seed":
            return translate("master seed {seed}", lang).format(seed=self.seed)
        return translate("seed {seed}", lang).format(seed=self.seed)

    def context(self, lang: str | None = None) -> str:
        """One line for chart titles: scenarios, replications, seed (in ``lang``; None: the current language)."""
        names = self._names(lang)
        reps = (translate("{n} replication", lang) if self.reps == 1
                else translate("{n} replications", lang)).format(n=self.reps)
        seed = self._seed(lang) if self.seed is not None else translate("seed not recorded", lang)
        if self.kind == "run" and self.reps > 1 and self.seed_name == "seed":
            # the master seed is not recorded
            seed = translate("first replication's seed {seed}", lang).format(seed=self.seed)
        if self.kind == "sweep":
            design = translate(SWEEP_DESIGNS.get(str(self.design), str(self.design)), lang)
            return translate("{names} · {design} sweep · {reps} per point · {seed}", lang).format(
                names=names, design=design, reps=reps, seed=seed)
        return translate("{names} · {reps} · {seed}", lang).format(names=names, reps=reps, seed=seed)

    def run_context(self, lang: str | None = None) -> str:
        """The title line of charts drawn from one run per scenario (time series, distributions)."""
        if self.kind == "run" and self.reps > 1:
            seed = self.manifest.get("files_from_seed", self.manifest.get("seed"))
            return translate("{scenario} · replication 0 of {reps} (seed {seed})", lang).format(
                scenario=self.labels[0], reps=self.reps, seed=seed)
        if self.kind != "compare" or self.per_run is None:
            return self.context(lang)
        return translate("{names} · replication 0 of {reps} (re-simulated) · {seed}", lang).format(
            names=self._names(lang), reps=self.reps, seed=self._seed(lang))


def detect_kind(path: str | os.PathLike[str]) -> str:
    """``run``, ``compare`` or ``sweep``, from the files in the folder.

    Raises:
        ReportError: The folder is missing, empty, or holds none of the marking files.
    """
    folder = Path(path)
    if not folder.is_dir():
        template = "reporting.not_a_folder" if folder.exists() else "reporting.no_such_folder"
        raise ReportError(text(template, folder=folder))
    if not any(folder.iterdir()):
        raise ReportError(text("reporting.empty_folder", folder=folder))
    for kind, name in KIND_FILES.items():
        if (folder / name).is_file():
            return kind
    expected = ", ".join(f"{name} ({kind})" for kind, name in KIND_FILES.items())
    raise ReportError(text("reporting.not_an_output_folder", folder=folder, expected=expected))


def leading_comment(path: str | os.PathLike[str] | None) -> str:
    """The comment lines at the top of a scenario file, without the ``#`` (empty if none or unreadable)."""
    if not path:
        return ""
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    lines: list[str] = []
    for line in content.splitlines():
        stripped = line.strip()
        if not stripped and not lines:
            continue
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return _paragraphs(lines)


def _paragraphs(lines: Sequence[str]) -> str:
    """Comment lines re-flowed: a line continues the previous one unless it is empty or starts a sentence."""
    paragraphs: list[str] = []
    for line in lines:
        starts = not paragraphs or not line or not paragraphs[-1] or (
            paragraphs[-1].endswith((".", "?", "!", ":")) and line[:1].isupper())
        if starts:
            paragraphs.append(line)
        else:
            paragraphs[-1] += " " + line
    return "\n".join(p for p in paragraphs if p).strip()


def outcome_columns(table: pd.DataFrame) -> list[str]:
    """The numeric outcome columns of a per-run table (not its keys, parameters or error)."""
    return [c for c in table.columns if c not in RUN_COLUMNS and pd.api.types.is_numeric_dtype(table[c])]


def stats_table(per_run: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per scenario and outcome: mean, sd, n and 95% CI over the successful replications."""
    from sim.experiments.stats import summarise

    ok = per_run[per_run["error"].fillna("") == ""] if "error" in per_run else per_run
    return summarise(ok, "scenario", list(outcomes))


def stats_from_summary(label: str, summary: Mapping[str, float]) -> pd.DataFrame:
    """A one-run stats table: the values as means, ``n`` 1, no CI."""
    rows = [{"scenario": label, "outcome": k, "mean": float(v), "sd": math.nan, "n": 1,
             "ci_low": math.nan, "ci_high": math.nan}
            for k, v in summary.items() if isinstance(v, int | float) and not isinstance(v, bool)]
    return pd.DataFrame(rows, columns=["scenario", "outcome", "mean", "sd", "n", "ci_low", "ci_high"])


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ReportError(text("reporting.unreadable_file", path=path, reason=exc)) from None
    return data if isinstance(data, dict) else {}


def _read_table(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # pyarrow and the CSV parser raise many kinds
        raise ReportError(text("reporting.unreadable_table", path=path, exception=type(exc).__name__,
                               reason=exc)) from None


def _scenario(resolved: Mapping[str, Any] | None, file: str | None, digest: str | None,
              label: str | None = None) -> ScenarioInfo:
    resolved = dict(resolved or {})
    name = label or (Path(file).stem if file else str(resolved.get("name") or "scenario"))
    return ScenarioInfo(name, resolved, file, digest, str(resolved.get("question") or ""), leading_comment(file),
                        str(resolved.get("question_zh") or ""))


def load_folder(path: str | os.PathLike[str], *, resimulate: bool = True) -> ResultsFolder:
    """Read an output folder of ``talentsim run``, ``compare`` or ``sweep``.

    Args:
        path: The folder.
        resimulate: For a comparison of the talent model, re-run replication 0 of each
            scenario to get its time series and students (about a second per scenario
            of 2,000 students). False leaves those charts out.

    Returns:
        The folder's scenarios and tables.

    Raises:
        ReportError: The folder is missing, empty, not an output folder, or a file in it
            cannot be read.
    """
    folder = Path(path)
    kind = detect_kind(folder)
    manifest = _read_json(folder / "manifest.json")
    created = _read_json(folder / "experiment.json").get("created")
    loaders = {"run": _load_run, "compare": _load_compare, "sweep": _load_sweep}
    result = loaders[kind](folder, manifest)
    result.created = created or manifest.get("created")
    if not manifest:
        result.notes.append(text("reporting.manifest_missing", name="manifest.json"))
    if kind == "compare" and resimulate:
        _resimulate(result)
    return result


def _load_run(folder: Path, manifest: dict[str, Any]) -> ResultsFolder:
    summary = _read_json(folder / "summary.json")
    info = _scenario(manifest.get("scenario"), manifest.get("scenario_file"), manifest.get("scenario_hash"))
    reps_table = _read_table(folder / "replications.parquet")
    result = ResultsFolder(folder, "run", manifest, [info], 1, manifest.get("seed"))
    if manifest.get("master_seed") is not None:
        result.seed, result.seed_name = manifest["master_seed"], "master seed"
    if reps_table is not None and len(reps_table):
        per_run = reps_table.copy()
        per_run.insert(0, "scenario", info.label)
        result.per_run = per_run
        result.reps = len(per_run)
        result.stats = stats_table(per_run, outcome_columns(per_run))
    else:
        result.stats = stats_from_summary(info.label, summary)
    for name, target in (("timeseries.parquet", result.timeseries), ("students.parquet", result.students)):
        table = _read_table(folder / name)
        if table is not None:
            target[info.label] = table
        else:
            result.notes.append(text("reporting.table_missing", name=name))
    market = _read_table(folder / "training_market.parquet")
    if market is not None:
        result.training_market[info.label] = market
    return result


def _load_compare(folder: Path, manifest: dict[str, Any]) -> ResultsFolder:
    stats = _read_table(folder / "comparison.csv")
    per_run = _read_table(folder / "runs.parquet")
    described = manifest.get("scenarios") or []
    scenarios = [_scenario(s.get("resolved"), s.get("file"), s.get("hash"), s.get("label")) for s in described]
    if not scenarios and stats is not None:
        scenarios = [_scenario(None, None, None, str(label)) for label in dict.fromkeys(stats["scenario"])]
    reps = int(manifest.get("reps") or (per_run["rep"].nunique() if per_run is not None else 1))
    result = ResultsFolder(folder, "compare", manifest, scenarios, reps, manifest.get("master_seed"),
                           "master seed", stats=stats, per_run=per_run,
                           differences=_read_table(folder / "differences.csv"))
    if manifest.get("common_random_numbers") is False:
        result.notes.append(text("reporting.no_common_random_numbers"))
    return result


def _load_sweep(folder: Path, manifest: dict[str, Any]) -> ResultsFolder:
    results = _read_table(folder / "results.parquet")
    spec = manifest.get("sweep") or {}
    if not spec:
        spec = _read_json(folder / "experiment.json").get("definition") or {}
    parameters = list(spec.get("parameters") or {})
    if results is not None and not parameters:
        parameters = [c for c in results.columns if "." in c]
    base = _scenario(manifest.get("base_scenario"), manifest.get("base_file"), manifest.get("base_scenario_hash"))
    reps = int(spec.get("reps") or (results["rep"].nunique() if results is not None and len(results) else 1))
    file = manifest.get("sweep_file")
    file = file if file and file != "<sweep>" else None
    name = spec.get("name") or (Path(file).stem if file else "sweep")
    sweep = ScenarioInfo(f"sweep {name}", {}, file, None, str(spec.get("description") or ""),
                         leading_comment(file), str(spec.get("description_zh") or ""))
    return ResultsFolder(folder, "sweep", manifest, [base], reps, spec.get("seed"), "master seed",
                         results=results, sensitivity=_read_table(folder / "sensitivity.csv"),
                         parameters=parameters, design=spec.get("design"), sweep=sweep)


def _resimulate(result: ResultsFolder) -> None:
    """Time series and students of replication 0 of each compared scenario, re-run and checked."""
    if result.manifest.get("model") != TALENT_MODEL or result.per_run is None:
        return
    from sim.model import run_one
    from sim.scenario import ScenarioError, scenario_from_dict

    for info in result.scenarios:
        rows = result.per_run[(result.per_run["scenario"] == info.label) & (result.per_run["rep"] == 0)]
        if not info.resolved or rows.empty or str(rows["error"].iloc[0] or ""):
            continue
        stored = rows.iloc[0]
        drawn = (result.manifest.get("posterior") or {}).get("parameters", [])  # compare --posterior: draw 0
        values = {key: stored[key].item() if hasattr(stored[key], "item") else stored[key] for key in drawn}
        try:
            run = run_one(scenario_from_dict(info.resolved, info.label), int(stored["seed"]), **values)
        except ScenarioError as exc:
            result.notes.append(text("reporting.scenario_no_longer_loads", scenario=info.label, reason=exc))
            continue
        if not _same_outcomes(run.summary, stored):
            result.notes.append(text("reporting.not_reproduced", scenario=info.label))
            continue
        result.timeseries[info.label] = run.timeseries
        if run.students is not None:
            result.students[info.label] = run.students


def _same_outcomes(summary: Mapping[str, float], stored: pd.Series) -> bool:
    """True when every outcome of the re-run matches the stored run (NaN matches NaN)."""
    names = [k for k in summary if k in stored.index]
    if not names:
        return False
    new = np.array([summary[k] for k in names], dtype=float)
    old = stored[names].to_numpy(dtype=float)
    return bool(np.allclose(new, old, rtol=1e-9, atol=1e-9, equal_nan=True))


def chart_outcomes(names: Sequence[str], limit: int, table: pd.DataFrame | None = None,
                   column: str | None = None, preferred: Sequence[str] = KEY_OUTCOMES) -> list[str]:
    """The outcomes worth a chart: the key outcomes among ``names`` (else all of them), at most ``limit``.

    Args:
        names: The outcomes available.
        limit: How many to return.
        table: If given, keep only outcomes with finite values that vary: a per-run
            table (``column`` None: the outcome's own column), or a long table with an
            ``outcome`` column whose ``column`` must hold a finite value.
        column: See ``table``.
        preferred: The order key outcomes are picked in.
    """
    candidates = [n for n in names if n not in RUN_COLUMNS]
    key = [n for n in preferred if n in candidates]
    ordered = key + [n for n in candidates if n not in key]
    if table is not None:
        ordered = [n for n in ordered if _informative(table, n, column)]
    key = [n for n in ordered if n in preferred]
    return (key or ordered)[:limit]


def _informative(table: pd.DataFrame, name: str, column: str | None) -> bool:
    if column is None:
        if name not in table or not pd.api.types.is_numeric_dtype(table[name]):
            return False
        values = table[name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        return values.size > 0 and float(values.max() - values.min()) > 0
    if column not in table:
        return False
    values = table.loc[table["outcome"] == name, column].to_numpy(dtype=float)
    return bool(np.isfinite(values).any())


MAX_LEVELS = 12
"""A parameter with more distinct values than this is binned for response curves."""


def binned_means(x: pd.Series, y: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Mean of ``y`` and its 95% CI per value of ``x`` (or per equal-count bin when ``x`` has many values).

    Returns:
        Columns ``x`` (the value, or the mean of ``x`` in the bin), ``mean``, ``ci_low``,
        ``ci_high``, ``n``; sorted by ``x``. Pairs with a missing value are left out.
    """
    from sim.experiments.stats import mean_ci

    frame = pd.DataFrame({"x": pd.to_numeric(x, errors="coerce"), "y": pd.to_numeric(y, errors="coerce")})
    frame = frame[np.isfinite(frame["x"]) & np.isfinite(frame["y"])]
    columns = ["x", "mean", "ci_low", "ci_high", "n"]
    if frame.empty:
        return pd.DataFrame(columns=columns, dtype=float)
    if frame["x"].nunique() > MAX_LEVELS:
        groups = frame.groupby(pd.qcut(frame["x"], bins, duplicates="drop"), observed=True)
    else:
        groups = frame.groupby("x")
    rows = [{"x": float(g["x"].mean()), **mean_ci(g["y"].to_numpy())} for _, g in groups]
    table = pd.DataFrame(rows)
    return table[["x", "mean", "ci_low", "ci_high", "n"]].sort_values("x").reset_index(drop=True)


RANKING_COLUMNS = ["outcome", "rank", "parameter", "measure", "value", "conf", "detail"]


def sensitivity_ranking(folder: ResultsFolder, limit: int = 6) -> pd.DataFrame:
    """Parameters ranked by influence on each charted outcome of a sweep.

    Sobol' sweeps rank by the total index ST, Morris sweeps by mu*; grid and lhs sweeps,
    which have no variance-based indices, by the absolute Spearman rank correlation
    between the parameter and the outcome over the runs.

    Returns:
        Columns ``outcome``, ``rank`` (1 = most influential), ``parameter``, ``measure``,
        ``value``, ``conf`` (half-width of its 95% CI, NaN if none) and ``detail`` (the
        other index, as text); empty for a folder that is not a sweep.
    """
    sens, results = folder.sensitivity, folder.results
    if folder.kind != "sweep" or results is None or not folder.parameters:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    if sens is not None and len(sens) and ("ST" in sens or "mu_star" in sens):
        sobol = "ST" in sens
        measure, conf = ("ST", "ST_conf") if sobol else ("mu_star", "mu_star_conf")
        outcomes = chart_outcomes(list(dict.fromkeys(sens["outcome"])), limit, sens, measure)
        rows = [{"outcome": o, "parameter": r["parameter"], "measure": measure, "value": float(r[measure]),
                 "conf": float(r[conf]),
                 "detail": gettext("S1 {value} ± {conf}").format(value=f"{r['S1']:.3f}", conf=f"{r['S1_conf']:.3f}")
                 if sobol else gettext("sigma {value}").format(value=f"{r['sigma']:.4g}")}
                for o in outcomes for _, r in sens[sens["outcome"] == o].iterrows()]
    else:
        ok = results[results["error"].fillna("") == ""] if "error" in results else results
        names = [c for c in results.columns if c not in folder.parameters]
        outcomes = chart_outcomes(names, limit, ok)
        rows = []
        for o in outcomes:
            for p in folder.parameters:
                rho = _spearman(ok[p], ok[o])
                detail = gettext("rho {value}").format(value=f"{rho:+.3f}") if math.isfinite(rho) else ""
                rows.append({"outcome": o, "parameter": p, "measure": "|Spearman rho|", "value": abs(rho),
                             "conf": math.nan, "detail": detail})
    table = pd.DataFrame(rows, columns=[c for c in RANKING_COLUMNS if c != "rank"])
    if table.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    table["order"] = table["outcome"].map({o: i for i, o in enumerate(dict.fromkeys(table["outcome"]))})
    table = table.sort_values(["order", "value"], ascending=[True, False], na_position="last")
    table["rank"] = table.groupby("outcome", sort=False).cumcount() + 1
    return table[RANKING_COLUMNS].reset_index(drop=True)


def _spearman(x: pd.Series, y: pd.Series) -> float:
    a, b = pd.to_numeric(x, errors="coerce"), pd.to_numeric(y, errors="coerce")
    keep = a.notna() & b.notna()
    a, b = a[keep].rank(), b[keep].rank()
    if len(a) < 3 or a.nunique() < 2 or b.nunique() < 2:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])
