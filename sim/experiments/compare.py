"""Compare scenarios with common random numbers: means, CIs and paired differences.

Replication ``k`` of every scenario runs with the same seed (common random numbers),
and the model draws each student's luck from per-decision streams indexed by student,
so a student meets the same luck under each policy. The difference of two scenarios is
then taken replication by replication: its confidence interval reflects the policy's
effect, not the noise between runs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine.declarations import Unit
from sim.experiments.backends import Backend
from sim.experiments.manifest import base_hash, base_to_dict, model_source_hash, software_versions
from sim.experiments.models import ModelFn, talent_model
from sim.experiments.replicate import ScenarioLike, base_scenarios, replication_tasks, resolve_base
from sim.experiments.runner import Evaluator, execute, model_name
from sim.experiments.stats import CONFIDENCE, paired_differences, summarise
from sim.experiments.store import RunStore
from sim.experiments.tables import outcome_names, records_table
from sim.i18n import format_number, gettext, unit_text, use_language, yuan_scale
from sim.outcomes import HEADLINE
from sim.outcomes import label as registry_label
from sim.outcomes import unit as registry_unit
from sim.results import scenarios_horizon_warnings
from sim.scenario import Scenario
from sim.scenario.city_loading import CitySource


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`.

    Attributes:
        per_run: One row per run: ``scenario``, ``rep``, ``seed``, every outcome, ``error``.
        comparison: Per scenario and outcome: ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high``.
        differences: Per scenario after the first and outcome: the mean paired
            difference (scenario minus ``baseline``, the first), ``sd``, ``n``, CI.
        out: The experiment folder, when one was written.
        posterior_differences: With ``posterior``: per scenario after the first and outcome,
            the quantiles (``q05``, ``median``, ``q95``) of the paired difference over the
            posterior draws (see :mod:`sim.calibration.posterior`); else None.
    """

    per_run: pd.DataFrame
    comparison: pd.DataFrame
    differences: pd.DataFrame
    out: Path | None = None
    posterior_differences: pd.DataFrame | None = None

    @property
    def n_runs(self) -> int:
        """Runs in the comparison."""
        return len(self.per_run)

    @property
    def n_failed(self) -> int:
        """Runs that raised or whose worker died."""
        return int((self.per_run["error"] != "").sum())

    def table(self, outcomes: Sequence[str] | None = None, *, lang: str | None = None) -> str:
        """The comparison as text: one line per outcome, ``mean [95% CI]`` per scenario and difference.

        Args:
            outcomes: The outcomes to show (default: the outcome registry's headline
                outcomes the model returned, in registry order, or every outcome when it
                returned none of them; ``comparison.csv`` has every outcome).
            lang: The table's language (None: the current language; see :func:`format_table`).
        """
        present = list(dict.fromkeys(self.comparison["outcome"]))
        if outcomes is None:
            outcomes = [o for o in HEADLINE if o in present] or present
        keep = self.comparison["outcome"].isin(outcomes)
        return format_table(self.comparison[keep], self.differences[self.differences["outcome"].isin(outcomes)],
                            lang=lang)


def scenario_labels(scenarios: Sequence[ScenarioLike], resolved: Sequence[Scenario | CitySource]) -> list[str]:
    """Names for the compared scenarios or cities: file stems, else their names; made unique."""
    labels: list[str] = []
    for given, scenario in zip(scenarios, resolved, strict=True):
        label = scenario.name if isinstance(given, Scenario | CitySource) else Path(given).stem
        candidate, n = label, 2
        while candidate in labels:
            candidate, n = f"{label}#{n}", n + 1
        labels.append(candidate)
    return labels


def compare(scenarios: Sequence[ScenarioLike], reps: int, master_seed: int, *,
            out: str | os.PathLike[str] | None = None, backend: Backend | None = None,
            model: ModelFn = talent_model, overrides: Mapping[str, Any] | None = None,
            crn: bool = True, progress: bool = False, quiet: bool = False,
            posterior: str | os.PathLike[str] | None = None) -> Comparison:
    """Run every scenario ``reps`` times and compare them with the first.

    Args:
        scenarios: Scenarios or scenario file paths; the first is the reference. A city
            file (or ``CitySource``) compares cities: each run's outcomes are
            ``CityResult.outcomes()`` (the city's row by name, ``schools.NAME.X``,
            ``programmes.NAME.X``), and ``sim.compare_cities`` gives them row by row.
        reps: Replications per scenario.
        master_seed: The recorded master seed.
        out: An experiment folder: runs are stored as they finish, a rerun with the
            same folder resumes, and ``comparison.csv``, ``differences.csv``,
            ``runs.parquet`` and ``manifest.json`` are written at the end. None: nothing
            is written.
        backend: Where the runs execute (default: serially in this process).
        model: The model function (default: the talent simulation).
        overrides: Values by dotted key applied to every scenario (``--set``).
        crn: Common random numbers (replication ``k`` of every scenario gets the same
            seed). False gives every scenario its own seeds: only for showing what
            common random numbers gain.
        progress: Show progress on stderr.
        quiet: With ``progress``, only the final summary line.
        posterior: A ``talentsim calibrate`` folder (ABC-SMC): replication ``k`` of every
            scenario runs with posterior draw ``k`` of the calibrated parameters (and the
            seed of replication ``k``), and ``posterior_differences`` gives the quantiles
            of the paired differences over the draws.

    Returns:
        The per-run table, the per-scenario summary and the paired differences.

    Raises:
        sim.scenario.ScenarioError: A scenario file or override is invalid.
        sim.experiments.store.StoreError: ``out`` holds a different experiment.
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    resolved = [resolve_base(scenario, overrides) for scenario in scenarios]
    labels = scenario_labels(scenarios, resolved)
    tasks = [task for index in range(len(resolved))
             for task in replication_tasks(reps, master_seed, scenario_index=index, point=index,
                                           seed_point=0 if crn else index)]
    draws: list[dict[str, Any]] | None = None
    if posterior is not None:  # replication k of every scenario runs with posterior draw k
        from sim.calibration.posterior import draw_tasks, posterior_hash

        tasks, draws = draw_tasks(tasks, posterior, reps, master_seed, resolved, labels)
    evaluator = Evaluator(model, tuple(resolved))
    hashes = [base_hash(scenario) for scenario in resolved]
    if out is None:
        records = execute(tasks, evaluator, backend, progress=progress, quiet=quiet)
        return _build(records, labels, None, draws)
    definition = {"scenarios": [{"label": label, "hash": digest} for label, digest in zip(labels, hashes,
                                                                                            strict=True)],
                  "master_seed": master_seed, "common_random_numbers": crn, "model": model_name(model),
                  "model_source_hash": model_source_hash()}
    if posterior is not None:
        definition["posterior_hash"] = posterior_hash(posterior)
    store = RunStore(out, "compare", definition, {"scenarios": len(resolved), "reps": reps},
                     {"versions": software_versions()})
    with store:
        records = execute(tasks, evaluator, backend, store=store, progress=progress, quiet=quiet)
        result = _build(records, labels, store.directory, draws)
        store.write_table("runs.parquet", result.per_run)
        store.write_table("comparison.csv", result.comparison)
        store.write_table("differences.csv", result.differences)
        if result.posterior_differences is not None:
            store.write_table("posterior_differences.csv", result.posterior_differences)
        store.write_json("manifest.json", {
            "kind": "compare", "master_seed": master_seed, "reps": reps, "common_random_numbers": crn,
            "confidence": CONFIDENCE, "model": model_name(model),
            "scenarios": [{"label": label, "file": None if isinstance(given, Scenario) else
                           str(given.path if isinstance(given, CitySource) else given),
                           "hash": digest, "resolved": base_to_dict(scenario)}
                          for label, given, digest, scenario in zip(labels, scenarios, hashes, resolved,
                                                                    strict=True)],
            "overrides": dict(overrides or {}), "runs": len(records),
            **({"posterior": {"folder": str(posterior), "hash": definition["posterior_hash"], "draws": reps,
                              "parameters": list(draws[0]) if draws else []}}
               if posterior is not None else {}),
            "failed": sum(record.failed for record in records),
            "warnings": scenarios_horizon_warnings(base_scenarios(resolved)) if model is talent_model else [],
            "versions": software_versions()})
    return result


def _build(records: Sequence[Any], labels: Sequence[str], out: Path | None,
           draws: Sequence[Mapping[str, Any]] | None = None) -> Comparison:
    """The comparison's tables from its run records (with posterior draws: their values and quantiles too)."""
    table = records_table(records, list(draws[0]) if draws else ())
    table.insert(0, "scenario", [labels[point] for point in table["point"]])
    per_run = table.drop(columns="point")
    outcomes = outcome_names(records)
    quantiles = None
    if draws is not None:
        from sim.calibration.posterior import posterior_differences

        quantiles = posterior_differences(per_run, "scenario", outcomes)
    return Comparison(per_run, summarise(per_run, "scenario", outcomes),
                      paired_differences(per_run, "scenario", outcomes), out, quantiles)


def _number(value: float) -> str:
    """A number for the printed table: 4 significant digits, thousands separators when large."""
    if not math.isfinite(value):
        return "nan"
    if abs(value) < 1e-9:  # rounding noise of sums taken in another order
        return "0"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def format_table(comparison: pd.DataFrame, differences: pd.DataFrame, *, lang: str | None = None) -> str:
    """One line per outcome: each scenario's mean [95% CI], then each difference from the first.

    In English the rows are the outcomes' names and the numbers as stored (shares 0-1,
    yuan). In another language (``lang``; None: the current language) the rows are the
    registry's labels with their unit, shares are shown in percent (differences in
    percentage points), money in 万元 or 亿元 with two decimals, digits through Babel's locale.
    """
    with use_language(lang) as lang:
        if comparison.empty:
            return gettext("(no results: every run failed)")
        outcomes = list(dict.fromkeys(comparison["outcome"]))
        shown = {o: _Row.of(o, comparison, differences, lang) for o in outcomes}
        columns: dict[str, dict[str, str]] = {}
        for row in comparison.to_dict("records"):
            columns.setdefault(str(row["scenario"]), {})[str(row["outcome"])] = shown[str(row["outcome"])].cell(row)
        for row in differences.to_dict("records"):
            name = gettext("{scenario} - {reference}").format(scenario=row["scenario"], reference=row["baseline"])
            columns.setdefault(name, {})[str(row["outcome"])] = shown[str(row["outcome"])].cell(row, signed=True)
        wide = pd.DataFrame({name: [cells.get(o, "") for o in outcomes] for name, cells in columns.items()},
                            index=pd.Index([shown[o].name for o in outcomes], name=gettext("outcome")))
        header = gettext("mean [{confidence} CI] over replications; differences paired by replication").format(
            confidence=f"{CONFIDENCE:.0%}")
        with pd.option_context("display.unicode.east_asian_width", lang != "en"):  # CJK columns line up
            return header + "\n" + wide.to_string()


@dataclass(frozen=True)
class _Row:
    """How the printed table shows one outcome: its row name and its numbers."""

    name: str
    lang: str
    scale: float = 1.0
    decimals: int | None = None

    @classmethod
    def of(cls, outcome: str, comparison: pd.DataFrame, differences: pd.DataFrame, lang: str) -> _Row:
        if lang == "en":
            return cls(outcome, lang)
        kind = registry_unit(outcome)
        label = gettext(registry_label(outcome))
        if kind is Unit.SHARE:
            return cls(_with_unit(label, "%"), lang, 100.0, 1)
        if kind is Unit.YUAN:
            values = pd.concat([t.loc[t["outcome"] == outcome, ["mean", "ci_low", "ci_high"]]
                                for t in (comparison, differences) if len(t)]).to_numpy(dtype=float)
            finite = values[pd.notna(values) & (abs(values) < float("inf"))]
            divisor, money = yuan_scale(float(abs(finite).max()) if finite.size else 0.0, lang)
            return cls(_with_unit(label, money), lang, 1.0 / divisor, 2)
        return cls(_with_unit(label, unit_text(kind)) if kind is not None else label, lang)

    def number(self, value: float, signed: bool = False) -> str:
        if self.lang == "en":
            shown = _number(value)
            return "+" + shown if signed and math.isfinite(value) and value >= 0 else shown
        if not math.isfinite(value):
            return "–"
        value = 0.0 if abs(value) < 1e-9 else value * self.scale
        if self.decimals is not None:
            return format_number(value, self.lang, self.decimals, signed=signed)
        if abs(value) >= 10_000:
            return format_number(value, self.lang, 0, signed=signed)
        return format_number(value, self.lang, significant=4, signed=signed)

    def cell(self, row: Mapping[Hashable, Any], signed: bool = False) -> str:
        mean = self.number(row["mean"], signed)
        if not math.isfinite(row["ci_low"]):
            return mean
        return f"{mean} [{self.number(row['ci_low'])}, {self.number(row['ci_high'])}]"


def _with_unit(label: str, unit: str) -> str:
    return gettext("{label} ({unit})").format(label=label, unit=unit)
