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

from sim.experiments.backends import Backend
from sim.experiments.manifest import model_source_hash, software_versions
from sim.experiments.models import ModelFn, talent_model
from sim.experiments.replicate import ScenarioLike, replication_tasks
from sim.experiments.runner import Evaluator, execute, model_name
from sim.experiments.stats import CONFIDENCE, paired_differences, summarise
from sim.experiments.store import RunStore
from sim.experiments.tables import outcome_names, records_table
from sim.outcomes import HEADLINE
from sim.scenario import Scenario, resolve_scenario, scenario_hash, scenario_to_dict


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`.

    Attributes:
        per_run: One row per run: ``scenario``, ``rep``, ``seed``, every outcome, ``error``.
        comparison: Per scenario and outcome: ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high``.
        differences: Per scenario after the first and outcome: the mean paired
            difference (scenario minus ``baseline``, the first), ``sd``, ``n``, CI.
        out: The experiment folder, when one was written.
    """

    per_run: pd.DataFrame
    comparison: pd.DataFrame
    differences: pd.DataFrame
    out: Path | None = None

    @property
    def n_runs(self) -> int:
        """Runs in the comparison."""
        return len(self.per_run)

    @property
    def n_failed(self) -> int:
        """Runs that raised or whose worker died."""
        return int((self.per_run["error"] != "").sum())

    def table(self, outcomes: Sequence[str] | None = None) -> str:
        """The comparison as text: one line per outcome, ``mean [95% CI]`` per scenario and difference.

        Args:
            outcomes: The outcomes to show (default: the outcome registry's headline
                outcomes the model returned, in registry order, or every outcome when it
                returned none of them; ``comparison.csv`` has every outcome).
        """
        present = list(dict.fromkeys(self.comparison["outcome"]))
        if outcomes is None:
            outcomes = [o for o in HEADLINE if o in present] or present
        keep = self.comparison["outcome"].isin(outcomes)
        return format_table(self.comparison[keep], self.differences[self.differences["outcome"].isin(outcomes)])


def scenario_labels(scenarios: Sequence[ScenarioLike], resolved: Sequence[Scenario]) -> list[str]:
    """Names for the compared scenarios: file stems, else scenario names; made unique."""
    labels: list[str] = []
    for given, scenario in zip(scenarios, resolved, strict=True):
        label = scenario.name if isinstance(given, Scenario) else Path(given).stem
        candidate, n = label, 2
        while candidate in labels:
            candidate, n = f"{label}#{n}", n + 1
        labels.append(candidate)
    return labels


def compare(scenarios: Sequence[ScenarioLike], reps: int, master_seed: int, *,
            out: str | os.PathLike[str] | None = None, backend: Backend | None = None,
            model: ModelFn = talent_model, overrides: Mapping[str, Any] | None = None,
            crn: bool = True, progress: bool = False, quiet: bool = False) -> Comparison:
    """Run every scenario ``reps`` times and compare them with the first.

    Args:
        scenarios: Scenarios or scenario file paths; the first is the reference.
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

    Returns:
        The per-run table, the per-scenario summary and the paired differences.

    Raises:
        sim.scenario.ScenarioError: A scenario file or override is invalid.
        sim.experiments.store.StoreError: ``out`` holds a different experiment.
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    resolved = [resolve_scenario(scenario, overrides) for scenario in scenarios]
    labels = scenario_labels(scenarios, resolved)
    tasks = [task for index in range(len(resolved))
             for task in replication_tasks(reps, master_seed, scenario_index=index, point=index,
                                           seed_point=0 if crn else index)]
    evaluator = Evaluator(model, tuple(resolved))
    hashes = [scenario_hash(scenario) for scenario in resolved]
    if out is None:
        records = execute(tasks, evaluator, backend, progress=progress, quiet=quiet)
        return _build(records, labels, None)
    definition = {"scenarios": [{"label": label, "hash": digest} for label, digest in zip(labels, hashes,
                                                                                            strict=True)],
                  "master_seed": master_seed, "common_random_numbers": crn, "model": model_name(model),
                  "model_source_hash": model_source_hash()}
    store = RunStore(out, "compare", definition, {"scenarios": len(resolved), "reps": reps},
                     {"versions": software_versions()})
    with store:
        records = execute(tasks, evaluator, backend, store=store, progress=progress, quiet=quiet)
        result = _build(records, labels, store.directory)
        store.write_table("runs.parquet", result.per_run)
        store.write_table("comparison.csv", result.comparison)
        store.write_table("differences.csv", result.differences)
        store.write_json("manifest.json", {
            "kind": "compare", "master_seed": master_seed, "reps": reps, "common_random_numbers": crn,
            "confidence": CONFIDENCE, "model": model_name(model),
            "scenarios": [{"label": label, "file": None if isinstance(given, Scenario) else str(given),
                           "hash": digest, "resolved": scenario_to_dict(scenario)}
                          for label, given, digest, scenario in zip(labels, scenarios, hashes, resolved,
                                                                    strict=True)],
            "overrides": dict(overrides or {}), "runs": len(records),
            "failed": sum(record.failed for record in records), "versions": software_versions()})
    return result


def _build(records: Sequence[Any], labels: Sequence[str], out: Path | None) -> Comparison:
    """The comparison's tables from its run records."""
    table = records_table(records)
    table.insert(0, "scenario", [labels[point] for point in table["point"]])
    per_run = table.drop(columns="point")
    outcomes = outcome_names(records)
    return Comparison(per_run, summarise(per_run, "scenario", outcomes),
                      paired_differences(per_run, "scenario", outcomes), out)


def _number(value: float) -> str:
    """A number for the printed table: 4 significant digits, thousands separators when large."""
    if not math.isfinite(value):
        return "nan"
    if abs(value) < 1e-9:  # rounding noise of sums taken in another order
        return "0"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _cell(row: Mapping[Hashable, Any], signed: bool = False) -> str:
    mean = _number(row["mean"])
    if signed and math.isfinite(row["mean"]) and row["mean"] >= 0:
        mean = "+" + mean
    if not math.isfinite(row["ci_low"]):
        return mean
    return f"{mean} [{_number(row['ci_low'])}, {_number(row['ci_high'])}]"


def format_table(comparison: pd.DataFrame, differences: pd.DataFrame) -> str:
    """One line per outcome: each scenario's mean [95% CI], then each difference from the first."""
    if comparison.empty:
        return "(no results: every run failed)"
    columns: dict[str, dict[str, str]] = {}
    for row in comparison.to_dict("records"):
        columns.setdefault(str(row["scenario"]), {})[str(row["outcome"])] = _cell(row)
    for row in differences.to_dict("records"):
        name = f"{row['scenario']} - {row['baseline']}"
        columns.setdefault(name, {})[str(row["outcome"])] = _cell(row, signed=True)
    outcomes = list(dict.fromkeys(comparison["outcome"]))
    wide = pd.DataFrame({name: [cells.get(o, "") for o in outcomes] for name, cells in columns.items()},
                        index=pd.Index(outcomes, name="outcome"))
    header = f"mean [{CONFIDENCE:.0%} CI] over replications; differences paired by replication"
    return header + "\n" + wide.to_string()
