"""What ``compare`` and ``sweep`` share: backend and output options, ``--model``, and how they end.

Exit codes: 0 when every run succeeded; 1 when some runs failed (they are recorded with
their error and seed, and counted on stderr); 130 after Ctrl-C (workers stopped, stored
runs kept: rerunning the same command with the same ``--out`` resumes).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUNS_FAILED, PROG
from sim.cli.scenario_options import max_memory_bytes
from sim.errors import UserError
from sim.messages import text

if TYPE_CHECKING:
    from sim.experiments.models import ModelFn
    from sim.scenario import Scenario
    from sim.scenario.city_loading import CitySource

BACKEND_HELP = """\
where the runs execute: --workers N local processes (default: the machine's cores;
1 runs in this process), or --scheduler ADDRESS for a Dask cluster ('dask scheduler'
then 'dask worker ADDRESS' on each machine), or --scheduler local for a Dask
LocalCluster on this machine. Results are identical, bit for bit, on every backend."""


def add_experiment_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``compare`` and ``sweep``: backend, output folder, progress, charts, model."""
    group = parser.add_argument_group("execution", BACKEND_HELP)
    group.add_argument("--workers", type=int, default=None, metavar="N",
                       help=f"local worker processes, or the size of a --scheduler local cluster (default: "
                            f"{os.cpu_count() or 1} here)")
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="Dask scheduler address (tcp://HOST:8786), or 'local'")
    add_batch_option(group)
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


def add_batch_option(group: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--batch K``: runs a worker simulates together."""
    from sim.experiments.runner import BATCH_MAX, BATCH_STUDENTS

    group.add_argument("--batch", type=int, default=None, metavar="K",
                       help=f"runs a worker simulates together in one set of arrays (same results, faster; default: "
                            f"the runs shared evenly among the workers, as many as hold {BATCH_STUDENTS:,} students "
                            f"and at most {BATCH_MAX}, and at most what --max-memory holds); --model functions run "
                            "one at a time")


def batch_option(args: argparse.Namespace, scenarios: Sequence[Scenario | CitySource]) -> int | None:
    """The batch size to use: ``--batch``, else the size rule (``default_batch``) capped by ``--max-memory``.

    None (the runner's ``BATCH_MAX``) when there is no scenario to size by.
    """
    if args.batch is not None or not scenarios:
        return args.batch
    from sim.experiments.runner import default_batch, memory_batch_cap
    from sim.scenario.city_loading import CitySource, estimate_base_bytes

    size = default_batch(max(sc.plan.n_students if isinstance(sc, CitySource) else sc.n_students
                             for sc in scenarios))
    if max_memory_bytes(args) is None:
        return size
    workers = args.workers or os.cpu_count() or 1
    return min(size, memory_batch_cap(max(estimate_base_bytes(sc) for sc in scenarios), workers,
                                      max_memory_bytes(args) or 0))


def import_model(name: str | None) -> ModelFn:
    """The model function named ``MODULE:FUNCTION`` by ``--model`` (None: the talent simulation).

    Raises:
        UserError: The module cannot be imported or has no such callable.
    """
    if name is None:
        from sim.experiments.models import talent_model

        return talent_model
    module_name, _, function_name = name.partition(":")
    if not module_name or not function_name:
        raise UserError(text("cli.model_not_module_function", found=name))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UserError(text("cli.model_cannot_import", model=name, module=module_name, reason=exc)) from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise UserError(text("cli.model_no_function", model=name, module=module_name, function=function_name))
    return function


def run_experiment(args: argparse.Namespace, kind: str, body: Callable[[Path, Any], int],
                   scenarios: Sequence[Scenario | CitySource] = ()) -> int:
    """Start the backend, then pick the folder and run ``body(out, backend)``; Ctrl-C gives exit code 130.

    The backend is entered first so that an unreachable scheduler is reported before
    any folder is made. ``scenarios``: those the runs use (for the batch size ``--max-memory`` allows).
    """
    from sim.experiments.backends import make_backend
    from sim.experiments.manifest import new_output_dir

    out: Path | None = None
    try:
        with make_backend(args.workers, args.scheduler, batch_option(args, scenarios)) as backend:
            out = Path(args.out) if args.out else new_output_dir(kind)
            return body(out, backend)
    except KeyboardInterrupt:
        if out is None:
            print(text("cli.interrupted", prog=PROG), file=sys.stderr)
        else:
            print(text("cli.interrupted_resumable", prog=PROG, folder=out), file=sys.stderr)
        return EXIT_INTERRUPTED


def report_failures(failed: int, total: int, where: Path, table: str) -> int:
    """Count the failed runs on stderr; the exit code: 0 if none failed, else 1."""
    if not failed:
        return EXIT_OK
    print(text("cli.runs_failed", prog=PROG, failed=failed, total=total, table=where / table,
               tracebacks=where / "runs"), file=sys.stderr)
    return EXIT_RUNS_FAILED


def charts_and_report(args: argparse.Namespace, out: Path, n_failed: int) -> None:
    """Draw DIR/charts/ and write DIR/report.html, unless --no-charts or some runs failed."""
    if args.no_charts or n_failed:
        return
    from sim.report.html import write_charts_and_report  # matplotlib and Jinja2 only when drawing

    _charts, report = write_charts_and_report(out, resimulate=args.model is None)
    print(text("cli.charts_and_report", charts=out / "charts", report=report), file=sys.stderr)


__all__ = ["BACKEND_HELP", "add_experiment_options", "charts_and_report", "import_model", "report_failures",
           "run_experiment"]
