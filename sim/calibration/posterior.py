"""Projections with parameter uncertainty: posterior draws for a comparison, and what they give.

``compare --posterior DIR`` runs replication ``k`` of every scenario with posterior draw
``k`` (and the seed of replication ``k``: common random numbers are kept), so each
paired difference is one draw's effect under one draw's luck. The quantiles of those
differences over the draws (:func:`posterior_differences`) describe what the policy
does given what the targets say about the parameters: unlike the confidence interval of
the mean difference, their spread does not shrink to nothing as replications grow.

Draws are a weighted resample of the final particles in ``DIR/posterior.parquet``,
seeded from the comparison's master seed, so the same comparison draws the same values.
A posterior made by another version of the model (``sim.model_version.MODEL_VERSION``,
stamped in ``DIR/manifest.json``) is refused: the calibration must be rerun.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.experiments.replicate import base_scenarios
from sim.experiments.seeds import derived_seed
from sim.experiments.stats import paired_by_replication
from sim.messages import text
from sim.model_version import MODEL_VERSION
from sim.scenario import Scenario, scenario_to_dict
from sim.scenario.city_loading import CitySource

POSTERIOR_FILE = "posterior.parquet"
MANIFEST_FILE = "manifest.json"
DRAW_PURPOSE = 15
"""Spawn key of the seed that picks a comparison's posterior draws."""
QUANTILES = (0.05, 0.5, 0.95)


class PosteriorError(UserError):
    """A ``--posterior`` folder that cannot give draws."""


def read_posterior(folder: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The posterior particles and the manifest of a calibration folder.

    Raises:
        PosteriorError: The folder is not a finished ABC-SMC calibration, or the calibration
            was made by another version of the model (or before versions were stamped).
    """
    path = Path(folder)
    manifest_path = path / MANIFEST_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise PosteriorError(text("calibration.posterior_not_a_calibration", folder=path)) from None
    if manifest.get("kind") != "calibrate":
        raise PosteriorError(text("calibration.posterior_not_a_calibration", folder=path))
    if manifest.get("method") != "abc-smc":
        raise PosteriorError(text("calibration.posterior_point_fit", folder=path))
    check_model_version(manifest, path, manifest_path)
    try:
        posterior = pd.read_parquet(path / POSTERIOR_FILE)
    except (OSError, ValueError) as exc:
        raise PosteriorError(text("calibration.posterior_unreadable", path=path / POSTERIOR_FILE,
                                  reason=exc)) from None
    return posterior, manifest


def check_model_version(manifest: Mapping[str, Any], folder: Path, manifest_path: Path) -> None:
    """Refuse a posterior made by another version of the model (``sim.model_version.MODEL_VERSION``).

    Raises:
        PosteriorError: The manifest's ``model_version`` is missing (a calibration made
            before the stamp existed) or differs from the current one.
    """
    found = manifest.get("model_version")
    if type(found) is type(MODEL_VERSION) and found == MODEL_VERSION:
        return
    if found is None:
        raise PosteriorError(text("calibration.posterior_unversioned", folder=folder, manifest=manifest_path,
                                  current=MODEL_VERSION))
    raise PosteriorError(text("calibration.posterior_other_model", folder=folder, manifest=manifest_path,
                              found=found, current=MODEL_VERSION))


def posterior_hash(folder: str | os.PathLike[str]) -> str:
    """SHA-256 of the posterior file (recorded with a comparison that draws from it)."""
    return hashlib.sha256((Path(folder) / POSTERIOR_FILE).read_bytes()).hexdigest()


def posterior_draws(folder: str | os.PathLike[str], n: int, master_seed: int) -> list[dict[str, Any]]:
    """``n`` parameter vectors drawn from a calibration's posterior (weighted, seeded by ``master_seed``).

    Whole-number parameters are rounded; every value lies within its prior's bounds.

    Raises:
        PosteriorError: The folder is not a finished ABC-SMC calibration.
    """
    posterior, manifest = read_posterior(folder)
    parameters = manifest["parameters"]
    weights = posterior["weight"].to_numpy(dtype=float)
    rng = np.random.default_rng(derived_seed(master_seed, DRAW_PURPOSE))
    picks = rng.choice(len(posterior), size=n, p=weights / weights.sum())
    draws = []
    for index in picks:
        row = posterior.iloc[int(index)]
        values: dict[str, Any] = {}
        for parameter in parameters:
            low, high = parameter["bounds"]
            value = min(max(float(row[parameter["key"]]), low), high)
            values[parameter["key"]] = round(value) if parameter.get("whole_number") else value
        draws.append(values)
    return draws


def draw_tasks(tasks: Sequence[Any], folder: str | os.PathLike[str], reps: int, master_seed: int,
               scenarios: Sequence[Scenario | CitySource],
               labels: Sequence[str]) -> tuple[list[Any], list[dict[str, Any]]]:
    """A comparison's tasks with posterior draw ``k`` as the parameters of every replication ``k``.

    Raises:
        PosteriorError: The folder is not a finished ABC-SMC calibration, or the scenarios
            differ in a calibrated parameter.
    """
    draws = posterior_draws(folder, reps, master_seed)
    check_not_levers(list(draws[0]), scenarios, labels)
    return [dataclasses.replace(task, params=dict(draws[task.rep])) for task in tasks], draws


def check_not_levers(keys: Sequence[str], scenarios: Sequence[Scenario | CitySource], labels: Sequence[str]) -> None:
    """Refuse a comparison whose scenarios differ in a calibrated parameter (the draws would erase the policy).

    Raises:
        PosteriorError: Two scenarios set a calibrated key to different values.
    """
    flat = [[_flatten(scenario_to_dict(s)) for s in base_scenarios([scenario])] for scenario in scenarios]
    for key in keys:
        values = [programmes[0].get(key) if len(programmes) == 1 else  # a city: its programmes' values
                  tuple(f.get(key) for f in programmes) for programmes in flat]
        for label, value in zip(labels[1:], values[1:], strict=True):
            if value != values[0]:
                raise PosteriorError(text("calibration.posterior_lever", key=key, scenario=label, value=value,
                                          reference=labels[0], reference_value=values[0]))


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def posterior_differences(per_run: pd.DataFrame, by: str, outcomes: Sequence[str]) -> pd.DataFrame:
    """Each scenario minus the first, per replication (= per posterior draw): mean and quantiles over the draws.

    Returns:
        One row per (scenario after the first, outcome): ``baseline``, ``mean``, ``q05``,
        ``median``, ``q95`` of the paired differences and ``n`` (draws with both values finite).
    """
    columns = [by, "baseline", "outcome", "mean", "q05", "median", "q95", "n"]
    rows = []
    for group, baseline, outcome, difference in paired_by_replication(per_run, by, outcomes):
        finite = difference[np.isfinite(difference)]
        if finite.size:
            q05, median, q95 = (float(q) for q in np.quantile(finite, QUANTILES))
            mean = float(finite.mean())
        else:
            q05 = median = q95 = mean = float("nan")
        rows.append({by: group, "baseline": baseline, "outcome": outcome, "mean": mean, "q05": q05,
                     "median": median, "q95": q95, "n": int(finite.size)})
    return pd.DataFrame(rows, columns=columns)


def format_posterior_differences(table: pd.DataFrame, outcomes: Sequence[str] | None = None) -> str:
    """The quantiles of the paired differences over posterior draws, one line per scenario and outcome."""
    shown = table if outcomes is None else table[table["outcome"].isin(outcomes)]
    lines = [text("calibration.posterior_table_header")]
    for row in shown.to_dict("records"):
        lines.append(text("calibration.posterior_table_row", scenario=row["scenario"], baseline=row["baseline"],
                          outcome=row["outcome"], median=_num(row["median"]), low=_num(row["q05"]),
                          high=_num(row["q95"]), n=row["n"]))
    return "\n".join(lines)


def _num(value: float) -> str:
    return f"{value:+.4g}" if np.isfinite(value) else "nan"


__all__ = ["PosteriorError", "check_model_version", "check_not_levers", "draw_tasks", "format_posterior_differences",
           "posterior_differences", "posterior_draws", "posterior_hash", "read_posterior"]
