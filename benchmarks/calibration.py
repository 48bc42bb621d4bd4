"""Calibration benchmarks (issue 11): the shipped calibration's time, and a coverage check.

Run from the repository root::

    .venv/bin/python benchmarks/calibration.py                  # time the shipped calibration (target < 30 min)
    .venv/bin/python benchmarks/calibration.py --coverage 20    # 20 recoveries of known parameter values (default 10)
    .venv/bin/python benchmarks/calibration.py --quick          # both, scaled down (a few minutes)

1. **Time.** ``scenarios/calibration/published_bands.yaml`` run as shipped on ``--workers``
   local processes (default 2, this machine's cores): wall and CPU time, simulations,
   evaluations, generations, the final temperature, why it stopped, the verdict and
   the simulations per second. The target is under 30 minutes on a 2-core machine. The
   load average is printed before and after: on a shared machine wall time also
   measures the neighbours.
2. **Coverage.** On a small talentsim scenario, draw "true" values of two parameters from
   their priors, simulate the targets there (the mean of many replications, plus an
   observation error drawn with the targets' standard error), calibrate, and count how
   often each true value lies inside its 90% credible interval. With an exact posterior
   about 90% of the intervals cover; the Monte Carlo error of the calibration's own
   replications widens the posterior a little (see docs/calibration.md), so a little more
   is fine and much less is not.

Results are printed and written as JSON (``--out FILE``, default
``benchmarks/calibration_results.json``; ``--quick`` prints only unless ``--out`` is given).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHIPPED = ROOT / "scenarios" / "calibration" / "published_bands.yaml"
TARGET_MINUTES = 30.0
COVERAGE_SCENARIO = {"name": "coverage", "intake": {"cohort_size": 60, "n_cohorts": 1},
                     "simulation": {"horizon_years": 3}, "enterprises": {"count": 4}}
COVERAGE_PARAMETERS = {"learning.theory_points_per_week": (1.0, 3.5, "mean_theory", 2.0),
                       "learning.practical_skill_points_per_week": (1.2, 4.0, "mean_practical_skill", 2.0)}
"""Parameter -> (prior low, prior high, target outcome, the target's standard error in points)."""


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _absolute_copy(source: Path, folder: Path, changes: dict[str, Any]) -> Path:
    """The calibration file with absolute scenario paths and ``changes``, written into ``folder``."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["scenarios"] = {name: None if path is None else str((source.parent / path).resolve())
                         for name, path in data["scenarios"].items()}
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    path = folder / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def time_shipped(workers: int, quick: bool, keep: Path | None) -> dict[str, Any]:
    """Run the shipped calibration once and report its figures."""
    from sim.calibration import calibrate
    from sim.experiments import make_backend

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        changes: dict[str, Any] = {}
        if quick:
            changes = {"budget": {"simulations": 400, "wall_time_minutes": 10},
                       "abc": {"population_size": 16, "generations": 2}, "predictive": {"draws": 4, "reps": 1},
                       "overrides": {"intake.cohort_size": 100}}
        calib = _absolute_copy(SHIPPED, folder, changes)
        out = keep if keep is not None else folder / "out"
        wall, cpu = time.perf_counter(), _cpu_seconds()
        with make_backend(workers) as backend:
            result = calibrate(calib, out=out, backend=backend, progress=True, quiet=False)
        wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
        manifest = result.manifest
        print(result.summary())
    figures = {
        "calibration": str(SHIPPED.relative_to(ROOT)), "quick": quick, "workers": workers,
        "wall_time_s": round(wall, 1), "wall_time_min": round(wall / 60, 2), "cpu_time_s": round(cpu, 1),
        "fit_wall_time_s": round(manifest["fit_wall_time_s"], 1), "simulations": manifest["simulations"],
        "predictive_runs": manifest["predictive_runs"], "verdict_reps": manifest.get("verdict_reps"),
        "evaluations": manifest["evaluations"],
        "generations": manifest["generations"], "final_temperature": manifest["final_temperature"],
        "stopped": manifest["stopped"], "verdict": manifest["verdict"],
        "targets_met": f"{manifest['targets_met']} of {manifest['targets_total']}",
        "simulations_per_second": round((manifest["simulations"] + manifest["predictive_runs"]) / wall, 2),
        "sampler": manifest["sampler"], "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "under_target": wall / 60 < TARGET_MINUTES,
    }
    print(f"\nshipped calibration: {figures['wall_time_min']} min wall ({figures['cpu_time_s']} s CPU) for "
          f"{figures['simulations']:,} simulations + {figures['predictive_runs']} check runs on {workers} "
          f"worker(s); target < {TARGET_MINUTES:g} min: {'met' if figures['under_target'] else 'NOT MET'}")
    return figures


def coverage(repetitions: int, quick: bool, seed: int) -> dict[str, Any]:
    """Recover known parameter values ``repetitions`` times; count 90% credible intervals that cover them."""
    from sim.calibration import calibrate
    from sim.experiments.models import talent_model
    from sim.experiments.seeds import derived_seed, run_seed
    from sim.scenario import load_scenario

    covered = {key: 0 for key in COVERAGE_PARAMETERS}
    rows = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "coverage.yaml").write_text(yaml.safe_dump(COVERAGE_SCENARIO), encoding="utf-8")
        scenario = load_scenario(folder / "coverage.yaml")
        for repetition in range(repetitions):
            rng = np.random.default_rng(derived_seed(seed, 100 + repetition))
            truth = {key: float(rng.uniform(low, high)) for key, (low, high, _, _) in COVERAGE_PARAMETERS.items()}
            truth_reps = 4 if quick else 8
            runs = [talent_model(truth, scenario, run_seed(seed, 1000 + repetition, k)) for k in range(truth_reps)]
            targets = []
            for _key, (_, _, outcome, se) in COVERAGE_PARAMETERS.items():
                expected = float(np.mean([run[outcome] for run in runs]))
                observed = expected + float(rng.normal(0, se))  # the observation error the target's se describes
                targets.append({"scenario": "coverage", "outcome": outcome, "value": observed, "se": se})
            definition = {
                "name": f"coverage-{repetition}", "seed": seed + repetition, "reps": 1,
                "budget": {"simulations": 400 if quick else 2000}, "scenarios": {"coverage": "coverage.yaml"},
                "parameters": {key: {"prior": "uniform", "bounds": [low, high]}
                               for key, (low, high, _, _) in COVERAGE_PARAMETERS.items()},
                "targets": targets, "abc": {"population_size": 16 if quick else 40, "generations": 3 if quick else 4},
                "predictive": {"draws": 3 if quick else 10, "reps": 1}}
            calib = folder / f"calib-{repetition}.yaml"
            calib.write_text(yaml.safe_dump(definition, sort_keys=False), encoding="utf-8")
            result = calibrate(calib, out=folder / f"fit-{repetition}")
            row: dict[str, Any] = {"repetition": repetition}
            for parameter in result.parameters.to_dict("records"):
                inside = parameter["ci_low"] <= truth[parameter["key"]] <= parameter["ci_high"]
                covered[parameter["key"]] += int(inside)
                row[parameter["key"]] = {"truth": round(truth[parameter["key"]], 4),
                                         "interval": [round(parameter["ci_low"], 4), round(parameter["ci_high"], 4)],
                                         "covered": bool(inside)}
            rows.append(row)
            print(f"repetition {repetition + 1}/{repetitions}: " + "; ".join(
                f"{key} {value['truth']} in {value['interval']}: {'yes' if value['covered'] else 'NO'}"
                for key, value in row.items() if key != "repetition"), flush=True)
    shares = {key: count / repetitions for key, count in covered.items()}
    half = 1.96 * math.sqrt(0.9 * 0.1 / repetitions)
    print(f"\ncoverage of the 90% credible intervals over {repetitions} repetitions: " + ", ".join(
        f"{key} {share:.0%}" for key, share in shares.items())
        + f" (an exact posterior gives 90% +- {half:.0%} at this count)")
    return {"repetitions": repetitions, "quick": quick, "coverage": shares, "nominal": 0.9,
            "binomial_half_width_95": round(half, 3), "rows": rows,
            "wall_time_s": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scaled-down runs; prints only unless --out is given")
    parser.add_argument("--coverage", type=int, default=None, metavar="N",
                        help="only the coverage check, with N repetitions (default with --quick: 3)")
    parser.add_argument("--time-only", action="store_true", help="only time the shipped calibration")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument("--seed", type=int, default=20250611, help="master seed of the coverage check")
    parser.add_argument("--keep", type=Path, default=None, help="keep the shipped calibration's folder here")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               "command": " ".join(["python", "benchmarks/calibration.py", *(argv or sys.argv[1:])]),
                               "cores": os.cpu_count()}
    if args.coverage is None or args.time_only:  # --coverage N alone: only the coverage check
        results["shipped"] = time_shipped(args.workers, args.quick, args.keep)
    if not args.time_only:
        repetitions = args.coverage if args.coverage is not None else (3 if args.quick else 10)
        results["coverage"] = coverage(repetitions, args.quick, args.seed)
    out = args.out if args.out is not None else (None if args.quick else HERE / "calibration_results.json")
    if out is not None:
        out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
