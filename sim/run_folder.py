"""Writing one run (or one scenario's replications) to its output folder, atomically.

Everything is first written into a hidden temporary folder beside the destination,
which is renamed into place only when complete: an interrupted run leaves no
half-written folder, and an existing folder is never overwritten.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import UserError
from sim.experiments.manifest import new_output_dir, software_versions
from sim.results import RunResult
from sim.scenario import Scenario, scenario_hash, scenario_to_dict

HEADLINE_OUTCOMES = (
    "completion_rate", "dropout_rate", "certificate_pass_rate", "mean_composite_score",
    "employment_rate_at_graduation", "job_employment_rate_at_graduation", "employment_rate_12m",
    "host_retention_rate", "enterprise_participation_rate", "enterprise_satisfaction",
    "total_cost_yuan", "cost_per_employed_graduate_yuan", "enterprise_net_benefit_yuan_per_apprentice",
)
"""The outcomes printed after a run (summary.json has them all)."""


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
    """The destination folder: a fresh one under outputs/, or ``out`` if it does not exist yet."""
    if out is None:
        path = new_output_dir(kind)
        path.rmdir()  # re-created by the final rename
        return path
    path = Path(out)
    if path.exists() and any(path.iterdir()):
        raise UserError(f"--out {path}: the folder already holds files; talentsim never overwrites an "
                        "earlier run. Choose a new folder, or leave --out out for a fresh one under outputs/.")
    return path


def manifest(scenario: Scenario, scenario_file: str | None, seeds: list[int], wall_seconds: float,
             extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a run folder records about how it was made."""
    return json_ready({
        "scenario_file": scenario_file,
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seeds[0],
        "seeds": seeds,
        "versions": software_versions(),
        "wall_seconds": wall_seconds,
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
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    try:
        (tmp / "summary.json").write_text(json.dumps(json_ready(dict(summary)), indent=2) + "\n")
        result.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        if result.students is not None:
            result.students.to_parquet(tmp / "students.parquet", index=False)
        if result.events is not None:
            result.events.to_parquet(tmp / "events.parquet", index=False)
        if replications is not None:
            replications.to_parquet(tmp / "replications.parquet", index=False)
        (tmp / "manifest.json").write_text(json.dumps(
            manifest(scenario, scenario_file, seeds, wall_seconds,
                     {"replications": len(seeds), "master_seed": master_seed if master_seed is not None
                      else seeds[0], "files_from_seed": seeds[0]}), indent=2) + "\n")
        if finish is not None:
            finish(tmp)
        if dest.exists():  # an empty folder named by --out
            dest.rmdir()
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def format_summary(summary: Mapping[str, float], ci: Mapping[str, tuple[float, float]] | None = None) -> str:
    """A short aligned table of the headline outcomes."""
    lines = []
    for key in HEADLINE_OUTCOMES:
        value = summary.get(key, float("nan"))
        text = f"{value:,.0f}" if "_yuan" in key else f"{value:.3f}"
        if ci and key in ci:
            lo, hi = ci[key]
            text += f"  (95% CI {lo:,.0f} to {hi:,.0f})" if "_yuan" in key else \
                f"  (95% CI {lo:.3f} to {hi:.3f})"
        lines.append(f"  {key:<45} {text}")
    return "\n".join(lines)
