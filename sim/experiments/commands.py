"""The ``compare`` and ``sweep`` subcommands: parse, call the experiment API, write, exit codes.

Exit codes: 0 when every run succeeded; 1 when some runs failed (they are recorded with
their error and seed, and counted on stderr); 2 for bad input (a ``UserError``, reported
by ``sim.cli.main``); 130 after Ctrl-C (workers stopped, stored runs kept: rerunning
the same command with the same ``--out`` resumes).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.cli import add_scenario_options
from sim.errors import UserError
from sim.experiments.backends import make_backend
from sim.experiments.manifest import new_output_dir
from sim.experiments.models import ModelFn, talent_model

EXIT_RUNS_FAILED = 1
EXIT_INTERRUPTED = 130

BACKEND_HELP = """\
where the runs execute: --workers N local processes (default: the machine's cores;
1 runs in this process), or --scheduler ADDRESS for a Dask cluster ('dask scheduler'
then 'dask worker ADDRESS' on each machine), or --scheduler local for a Dask
LocalCluster on this machine. Results are identical, bit for bit, on every backend."""


def add_experiment_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``compare`` and ``sweep``: backend, output folder, progress, model."""
    group = parser.add_argument_group("execution", BACKEND_HELP)
    group.add_argument("--workers", type=int, default=None, metavar="N",
                       help=f"local worker processes, or the size of a --scheduler local cluster (default: "
                            f"{os.cpu_count() or 1} here)")
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="Dask scheduler address (tcp://HOST:8786), or 'local'")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="experiment folder; rerunning with the same DIR skips stored runs and finishes "
                             "the rest (default: a new outputs/KIND-TIMESTAMP folder)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, only the final summary line")
    parser.add_argument("--no-charts", action="store_true",
                        help="do not draw DIR/charts/ and DIR/report.html when every run succeeded")
    parser.add_argument("--model", default=None, metavar="MODULE:FUNCTION",
                        help="run another model function through the same machinery, called as "
                             "FUNCTION(params, scenario, seed) -> {outcome: value}; e.g. "
                             "sim.experiments.models:ishigami (default: the talent simulation)")


def import_model(text: str | None) -> ModelFn:
    """The model function named ``MODULE:FUNCTION`` (None: the talent simulation).

    Raises:
        UserError: The module cannot be imported or has no such callable.
    """
    if text is None:
        return talent_model
    module_name, _, function_name = text.partition(":")
    if not module_name or not function_name:
        raise UserError("--model expects MODULE:FUNCTION, e.g. sim.experiments.models:ishigami; "
                        f"found {text!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UserError(f"--model {text}: cannot import module {module_name!r} ({exc})") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise UserError(f"--model {text}: module {module_name!r} has no function {function_name!r}")
    return function


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    from sim.scenario import parse_set_options

    return parse_set_options(getattr(args, "set", None) or [])


def _run_experiment(args: argparse.Namespace, kind: str, body: Callable[[Path, Any], int]) -> int:
    """Start the backend, then pick the folder, run ``body(out, backend)``; Ctrl-C gives exit code 130.

    The backend is entered first so that an unreachable scheduler is reported before
    any folder is made.
    """
    out: Path | None = None
    try:
        with make_backend(args.workers, args.scheduler) as backend:
            out = Path(args.out) if args.out else new_output_dir(kind)
            return body(out, backend)
    except KeyboardInterrupt:
        hint = f"; the finished runs are stored in {out}: rerun with --out {out} to finish the rest"
        print(f"talentsim: interrupted{hint if out else ''}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _report_failures(failed: int, total: int, where: Path, table: str) -> int:
    if not failed:
        return 0
    print(f"talentsim: {failed} of {total} runs failed; their errors are in the 'error' column of "
          f"{where / table} and their tracebacks in {where / 'runs'}", file=sys.stderr)
    return EXIT_RUNS_FAILED


def _charts_and_report(args: argparse.Namespace, out: Path, n_failed: int) -> None:
    """Draw DIR/charts/ and write DIR/report.html, unless --no-charts or some runs failed."""
    if args.no_charts or n_failed:
        return
    from sim.report.html import write_charts_and_report  # matplotlib and Jinja2 only when drawing

    _charts, report = write_charts_and_report(out, resimulate=args.model is None)
    print(f"charts in {out / 'charts'}, report {report}", file=sys.stderr)


# ---------------------------------------------------------------------------- compare


def add_compare_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``talentsim compare`` parser (the CLI sets its handler, which calls :func:`cmd_compare`)."""
    parser = subparsers.add_parser(
        "compare", help="compare scenarios over replications, with confidence intervals",
        description="Run each scenario --reps times with common random numbers (replication k of every\n"
                    "scenario uses the same seed) and compare each with the first: means with 95% confidence\n"
                    "intervals, and differences paired by replication with theirs. Prints the table and writes\n"
                    "DIR/comparison.csv, DIR/differences.csv, DIR/runs.parquet (one row per run) and\n"
                    "DIR/manifest.json. Exit status 1 if any run failed, 130 if interrupted (rerun with the\n"
                    "same --out to resume).",
        epilog="examples:\n"
               "  talentsim compare scenarios/baseline.yaml scenarios/mentor_ratio_low.yaml --reps 20\n"
               "  talentsim compare scenarios/baseline.yaml scenarios/funding_cut.yaml --reps 50 --seed 7 \\\n"
               "      --out outputs/funding --workers 8\n"
               "  talentsim compare A.yaml B.yaml --reps 200 --scheduler tcp://10.0.0.5:8786",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml",
                        help="scenario files; the first is the reference")
    parser.add_argument("--reps", type=int, default=10, metavar="R",
                        help="replications per scenario (default 10)")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="master seed (default 1)")
    add_scenario_options(parser)
    add_experiment_options(parser)
    return parser


def cmd_compare(args: argparse.Namespace) -> int:
    """Run ``talentsim compare``; print the table; exit code 0, 1 (failed runs) or 130."""
    from sim.cli import scenario_from_args
    from sim.experiments.compare import compare

    if args.reps < 1:
        raise UserError(f"--reps must be at least 1, got {args.reps}")
    if args.seed < 0:
        raise UserError(f"--seed must be a non-negative integer, got {args.seed}")
    model = import_model(args.model)
    overrides = _overrides(args)
    for path in args.scenarios:  # read every file (and check its memory) before any run or folder
        scenario_from_args(path, args)

    def body(out: Path, backend: Any) -> int:
        result = compare(args.scenarios, args.reps, args.seed, out=out, backend=backend, model=model,
                         overrides=overrides, progress=True, quiet=args.quiet)
        print(result.table())
        print(f"results in {out} (comparison.csv and differences.csv hold every outcome)", file=sys.stderr)
        _charts_and_report(args, out, result.n_failed)
        return _report_failures(result.n_failed, result.n_runs, out, "runs.parquet")

    return _run_experiment(args, "compare", body)


# ---------------------------------------------------------------------------- sweep


def add_sweep_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``talentsim sweep`` parser (the CLI sets its handler, which calls :func:`cmd_sweep`)."""
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
    return parser


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run ``talentsim sweep``; print the sensitivity table; exit code 0, 1 (failed runs) or 130."""
    from sim.cli import max_memory_bytes
    from sim.experiments.sweep import plan_sweep, sweep
    from sim.scenario.memory import check_memory

    model = import_model(args.model)
    overrides = _overrides(args)
    plan = plan_sweep(args.sweep_file, model=model, overrides=overrides)  # bad input: refused before any folder
    check_memory(plan.base, max_memory_bytes(args), source=str(plan.base_file or "<defaults>"))

    def body(out: Path, backend: Any) -> int:
        result = sweep(args.sweep_file, out=out, backend=backend, model=model, overrides=overrides,
                       progress=True, quiet=args.quiet)
        if result.sensitivity is not None:
            print(result.sensitivity.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"{len(result.design)} points x {result.spec.reps} replications = {len(result.results)} runs; "
              f"results in {out}", file=sys.stderr)
        _charts_and_report(args, out, result.n_failed)
        return _report_failures(result.n_failed, len(result.results), out, "results.parquet")

    return _run_experiment(args, f"sweep-{Path(args.sweep_file).stem}", body)
