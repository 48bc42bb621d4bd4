"""``talentsim sweep``: a parameter sweep (grid, lhs, sobol, morris) with sensitivity analysis."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.cli.experiment_options import (
    add_experiment_options,
    charts_and_report,
    import_model,
    report_failures,
    run_experiment,
)
from sim.cli.language_option import add_language_option
from sim.cli.scenario_options import add_scenario_options, max_memory_bytes, overrides_from_args, print_horizon_warnings
from sim.messages import text
from sim.scenario.loading import DEFAULTS_SOURCE


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sweep`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "sweep", help="run a parameter sweep (grid, lhs, sobol, morris) with sensitivity analysis",
        description="Run the design of a sweep file (base scenario, parameters with levels or bounds,\n"
                    "design grid|lhs|sobol|morris, samples, reps, seed) and write DIR/results.parquet (one row\n"
                    "per run) and, for sobol and morris designs, DIR/sensitivity.csv (indices on the mean over\n"
                    "replications). Every run is stored as it finishes: rerun the same command with the same\n"
                    "--out to resume. Exit status 1 if any run failed, 2 for a bad sweep file, 130 if interrupted.",
        epilog="examples:\n"
               "  talentsim sweep scenarios/sweeps/mentor_ratio_funding_grid.yaml --out outputs/grid\n"
               "  talentsim sweep scenarios/sweeps/policy_levers_sobol.yaml --workers 8 --quiet\n"
               "  talentsim sweep scenarios/sweeps/policy_levers_sobol.yaml --scheduler local\n"
               "  talentsim sweep my_sweep.yaml --set intake.cohort_size=100",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep_file", metavar="SWEEP.yaml", help="the sweep file (see scenarios/sweeps/)")
    add_scenario_options(parser)
    add_experiment_options(parser)
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Run the sweep; print the sensitivity table. Exit code 0, 1 (failed runs) or 130 (interrupted)."""
    from sim.experiments.models import talent_model
    from sim.experiments.sweep import horizon_scenarios, plan_sweep, sweep
    from sim.scenario.city_loading import check_base_memory

    model = import_model(args.model)
    overrides = overrides_from_args(args)
    plan = plan_sweep(args.sweep_file, model=model, overrides=overrides)  # bad input: refused before any folder
    check_base_memory(plan.base, max_memory_bytes(args), source=str(plan.base_file or DEFAULTS_SOURCE))
    if model is talent_model:
        print_horizon_warnings(horizon_scenarios(plan))

    def body(out: Path, backend: Any) -> int:
        result = sweep(args.sweep_file, out=out, backend=backend, model=model, overrides=overrides,
                       progress=True, quiet=args.quiet)
        if result.sensitivity is not None:
            from sim.experiments.sensitivity import format_sensitivity

            print(format_sensitivity(result.sensitivity))
        print(text("cli.sweep_done", points=len(result.design), reps=result.spec.reps, runs=len(result.results),
                   folder=out), file=sys.stderr)
        charts_and_report(args, out, result.n_failed)
        return report_failures(result.n_failed, len(result.results), out, "results.parquet")

    return run_experiment(args, f"sweep-{Path(args.sweep_file).stem}", body, [plan.base])
