"""``talentsim run``: one scenario, one run or R replications, written to a run folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.experiments.backends import make_backend
from sim.experiments.replicate import replicate
from sim.experiments.seeds import run_seed
from sim.experiments.stats import mean_ci
from sim.model import run_one
from sim.run_folder import format_summary, prepare_output_dir, write_run_folder
from sim.scenario import Scenario


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The run command's own options (scenario options are added by the CLI)."""
    parser.add_argument("scenario", help="scenario YAML file, e.g. scenarios/baseline.yaml")
    parser.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    parser.add_argument("--reps", type=int, default=1,
                        help="replications; summary.json then holds their means, replications.parquet each one")
    parser.add_argument("--out", help="output folder (must not exist or be empty; default: a new one under outputs/)")
    parser.add_argument("--events", action="store_true", help="also write events.parquet (the event log)")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes for --reps")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--no-charts", action="store_true", help="do not draw charts into OUT/charts/")


def cmd_run(args: argparse.Namespace, scenario: Scenario, limit: int | None) -> int:
    """Run the (validated) scenario and write its folder; print the headline outcomes and the folder."""
    if args.reps < 1:
        raise UserError(f"--reps {args.reps}: expected a whole number of replications, at least 1")
    dest = prepare_output_dir(args.out, f"run-{scenario.name}")
    started = time.perf_counter()
    replications = None
    ci: dict[str, tuple[float, float]] | None = None
    if args.reps == 1:
        seeds = [args.seed]
        result = run_one(scenario, seed=args.seed, events=args.events, max_memory_bytes=limit)
        summary: dict[str, Any] = dict(result.summary)
    else:
        seeds = [run_seed(args.seed, 0, k) for k in range(args.reps)]
        with make_backend(workers=args.workers) as backend:
            replications = replicate(scenario, args.reps, args.seed, backend=backend,
                                     progress=True, quiet=args.quiet)
        result = run_one(scenario, seed=seeds[0], events=args.events, max_memory_bytes=limit)
        outcomes = [c for c in result.summary if c in replications.columns]
        stats = {k: mean_ci(replications[k].to_numpy(dtype=float)) for k in outcomes}
        summary = {k: s["mean"] for k, s in stats.items()}
        ci = {k: (s["ci_low"], s["ci_high"]) for k, s in stats.items()}
    wall = time.perf_counter() - started
    dest = write_run_folder(dest, scenario, args.scenario, result, summary, seeds, wall, replications,
                            master_seed=args.seed, finish=None if args.no_charts else _draw_charts)
    reps_text = f"{args.reps} replications, master seed {args.seed}" if args.reps > 1 else f"seed {args.seed}"
    print(f"talentsim run: {scenario.name} ({reps_text}), {wall:.1f} s")
    print(format_summary(summary, ci))
    print(f"output folder: {dest}")
    return 0


def _draw_charts(dest: Path) -> None:
    from sim.report.charts import charts_for_run  # matplotlib is loaded only when charts are drawn

    charts_for_run(dest)
