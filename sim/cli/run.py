"""``talentsim run``: one scenario, one run or R replications, written to a run folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from sim.cli.exit_codes import EXIT_OK, PROG
from sim.cli.experiment_options import add_batch_option, batch_option
from sim.cli.language_option import add_language_option
from sim.cli.scenario_options import (
    add_scenario_options,
    max_memory_bytes,
    print_horizon_warnings,
    scenario_from_args,
)
from sim.errors import UserError
from sim.messages import text
from sim.scenario.city_loading import (
    CitySource,
    check_city_memory,
    is_city_file,
    load_city,
    parse_city_set_options,
)


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``run`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "run", help="run one scenario (one run or --reps replications) and write its output folder",
        description="Run a scenario to its horizon and write OUT/summary.json (outcomes), timeseries.parquet\n"
                    "(weekly), students.parquet (one row per student), manifest.json (scenario, seed, versions,\n"
                    "hash, wall time), events.parquet with --events, and charts in OUT/charts/.\n"
                    "Prints the headline outcomes and the output folder.",
        epilog="examples:\n"
               "  talentsim run scenarios/baseline.yaml\n"
               "  talentsim run scenarios/baseline.yaml --reps 20 --seed 7 --out outputs/base20\n"
               "  talentsim run scenarios/baseline.yaml --set school_mentors.students_per_mentor=12 --events",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", help="scenario YAML file, e.g. scenarios/baseline.yaml, or a city file "
                                         "(scenarios/city/shenyang.yaml: its programmes run together)")
    parser.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    parser.add_argument("--reps", type=int, default=1,
                        help="replications; summary.json then holds their means, replications.parquet each one")
    parser.add_argument("--out", help="output folder (must not exist or be empty; default: a new one under outputs/)")
    parser.add_argument("--events", action="store_true", help="also write events.parquet (the event log)")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes for --reps")
    add_batch_option(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--no-charts", action="store_true", help="do not draw charts into OUT/charts/")
    add_scenario_options(parser)
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Run the scenario and write its folder; print the headline outcomes and the folder."""
    from sim.experiments.backends import make_backend
    from sim.experiments.replicate import run_replications
    from sim.run_folder import format_summary, prepare_output_dir, write_run_folder

    if is_city_file(args.scenario):
        return _run_city(args)
    scenario = scenario_from_args(args.scenario, args)
    if args.reps < 1:
        raise UserError(text("cli.reps_too_few", reps=args.reps))
    print_horizon_warnings([scenario])
    dest = prepare_output_dir(args.out, f"run-{scenario.name}")
    started = time.perf_counter()
    with make_backend(workers=args.workers, batch=batch_option(args, [scenario])) as backend:
        runs = run_replications(scenario, args.reps, args.seed, backend=backend, events=args.events,
                                max_memory_bytes=max_memory_bytes(args), progress=True, quiet=args.quiet)
    wall = time.perf_counter() - started
    dest = write_run_folder(dest, scenario, args.scenario, runs.first, runs.summary, runs.seeds, wall,
                            runs.replications, master_seed=args.seed,
                            finish=None if args.no_charts else _draw_charts)
    if args.reps > 1:
        print(text("cli.run_done_replications", prog=PROG, scenario=scenario.name, reps=args.reps, seed=args.seed,
                   seconds=wall))
    else:
        print(text("cli.run_done", prog=PROG, scenario=scenario.name, seed=args.seed, seconds=wall))
    print(format_summary(runs.summary, runs.ci))
    print(text("cli.output_folder", folder=dest))
    return EXIT_OK


def _run_city(args: argparse.Namespace) -> int:
    """Run a city file: its programmes together, ``--reps`` replications on ``--workers``; write its folder.

    ``--set`` addresses city keys and one programme's keys (``programmes.NAME.intake.cohort_size=900``).
    ``--batch`` replications are simulated together (``sim.city.run_city_files``; default: the
    size rule over the city's students); a batch that fails is run again replication by
    replication, so the message names the replication that failed.
    """
    from sim.city import CityResult, run_city_file, run_city_files
    from sim.experiments.backends import RunError, make_backend
    from sim.experiments.runner import batch_size
    from sim.experiments.seeds import replication_seeds
    from sim.run_folder import format_summary, prepare_output_dir, write_city_folder

    overrides = parse_city_set_options(getattr(args, "set", None) or [])
    plan = load_city(args.scenario, overrides, overrides_source="--set")
    check_city_memory(plan, max_memory_bytes(args), source=args.scenario)
    if args.reps < 1:
        raise UserError(text("cli.reps_too_few", reps=args.reps))
    print_horizon_warnings([programme.scenario for programme in plan.programmes])
    dest = prepare_output_dir(args.out, f"city-{plan.name}")
    started = time.perf_counter()
    seeds = replication_seeds(args.seed, args.reps)
    found: dict[int, CityResult] = {}
    source = CitySource(str(args.scenario), overrides, plan)
    # replications batched together (each city's programmes and pool side by side), on --workers processes
    with make_backend(workers=1 if args.reps == 1 else args.workers, batch=batch_option(args, [source])) as backend:
        size = batch_size(len(seeds), backend.workers, backend.batch)
        tasks = [(str(args.scenario), overrides or None, tuple(seeds[i:i + size])) for i in range(0, len(seeds), size)]
        for task, results in backend.map(run_city_files, tasks):
            if isinstance(results, RunError):  # which replication failed: each alone
                alone = [(str(args.scenario), overrides or None, seed) for seed in task[2]]
                failed = [(one[2], result) for one, result in backend.map(run_city_file, alone)
                          if isinstance(result, RunError)]
                seed, error = failed[0] if failed else (task[2][0], results)
                raise UserError(text("city.replication_failed", file=task[0], seed=seed, message=error.message))
            found.update(zip(task[2], results, strict=True))
    results = [found[seed] for seed in seeds]
    wall = time.perf_counter() - started
    dest = write_city_folder(dest, args.scenario, results, seeds, wall, args.seed)
    print(text("cli.city_run_done", prog=PROG, city=plan.name, programmes=len(plan.programmes), reps=args.reps,
               seed=args.seed, seconds=wall))
    rows = [result.summary_table().set_index("level").loc["city"] for result in results]  # the city's, each rep
    names = [name for name in rows[0].index if name not in ("name", "school")]
    print(format_summary({name: sum(float(row[name]) for row in rows) / len(rows) for name in names}))
    print(text("cli.output_folder", folder=dest))
    return EXIT_OK


def _draw_charts(dest: Path) -> None:
    from sim.report.charts import charts_for_run  # matplotlib is loaded only when charts are drawn

    charts_for_run(dest)
