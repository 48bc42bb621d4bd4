"""``talentsim compare``: scenarios side by side over replications, with confidence intervals."""

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
from sim.cli.scenario_options import (
    add_scenario_options,
    overrides_from_args,
    print_horizon_warnings,
    scenario_from_args,
)
from sim.errors import UserError
from sim.experiments.city_compare import CityComparison
from sim.messages import text
from sim.scenario.city_loading import is_city_file, parse_city_set_options


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``compare`` parser; its handler is :func:`handle`."""
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
    parser.add_argument("--posterior", default=None, metavar="DIR",
                        help="a 'talentsim calibrate' folder: replication k of every scenario runs with posterior "
                             "draw k of the calibrated parameters (--reps draws); also prints and writes "
                             "DIR/posterior_differences.csv, the 5%%, 50%% and 95%% quantiles of the paired "
                             "difference over the draws")
    add_scenario_options(parser)
    add_experiment_options(parser)
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Run the comparison; print the table. Exit code 0, 1 (failed runs) or 130 (interrupted)."""
    from sim.experiments.compare import compare
    from sim.experiments.models import talent_model

    if args.reps < 1:
        raise UserError(text("cli.reps_too_few", reps=args.reps))
    if args.seed < 0:
        raise UserError(text("cli.seed_negative", seed=args.seed))
    cities = [path for path in args.scenarios if is_city_file(path)]
    if cities:
        return _compare_cities(args, cities)
    model = import_model(args.model)
    overrides = overrides_from_args(args)
    scenarios = [scenario_from_args(path, args) for path in args.scenarios]  # every file read before any run
    if model is talent_model:
        print_horizon_warnings(scenarios)
    if args.posterior is not None:  # a folder that cannot give draws is refused before any run
        from sim.calibration.posterior import read_posterior

        read_posterior(args.posterior)

    def body(out: Path, backend: Any) -> int:
        result = compare(args.scenarios, args.reps, args.seed, out=out, backend=backend, model=model,
                         overrides=overrides, progress=True, quiet=args.quiet, posterior=args.posterior)
        print(result.table())
        if result.posterior_differences is not None:
            from sim.calibration.posterior import format_posterior_differences
            from sim.outcomes import HEADLINE

            present = list(dict.fromkeys(result.comparison["outcome"]))
            print(format_posterior_differences(result.posterior_differences,
                                               [o for o in HEADLINE if o in present] or present))
            print(text("cli.compare_posterior_done", path=out / "posterior_differences.csv"), file=sys.stderr)
        print(text("cli.compare_done", folder=out), file=sys.stderr)
        charts_and_report(args, out, result.n_failed)
        return report_failures(result.n_failed, result.n_runs, out, "runs.parquet")

    return run_experiment(args, "compare", body, scenarios)


def _compare_cities(args: argparse.Namespace, cities: list[str]) -> int:
    """Compare city files: each ``--reps`` times with the same seeds, the replications on ``--workers``."""
    import time

    from sim.experiments.city_compare import compare_cities, format_city_table
    from sim.experiments.manifest import software_versions
    from sim.run_folder import prepare_output_dir

    if len(cities) != len(args.scenarios):
        raise UserError(text("cli.compare_cities_only", files=", ".join(p for p in args.scenarios
                                                                        if p not in cities)))
    if args.model is not None:
        raise UserError(text("cli.compare_cities_model", model=args.model))
    if args.posterior is not None:  # a folder that cannot give draws is refused before any run
        from sim.calibration.posterior import read_posterior

        read_posterior(args.posterior)
    overrides = parse_city_set_options(getattr(args, "set", None) or [])
    from sim.experiments.backends import make_backend

    dest = prepare_output_dir(args.out, "compare-cities")
    started = time.perf_counter()
    # each replication is one city (its programmes already batched together): --batch does not apply
    result = compare_cities(cities, args.reps, args.seed, overrides,
                            make_backend(workers=args.workers, scheduler=getattr(args, "scheduler", None)),
                            posterior=args.posterior)
    wall = time.perf_counter() - started
    print(format_city_table(result))
    write_comparison(dest, result, {"city_files": cities, "reps": args.reps, "master_seed": args.seed,
                                    "posterior": args.posterior, "versions": software_versions(),
                                    "wall_seconds": wall})
    print(text("cli.compare_done", folder=dest), file=sys.stderr)
    return 0


def write_comparison(folder: Path, result: CityComparison, manifest: dict[str, Any]) -> Path:
    """Write runs.parquet, comparison.csv, differences.csv and manifest.json, the folder whole or not at all."""
    import json

    from sim.run_folder import json_ready, write_folder

    def fill(target: Any) -> None:
        result.runs.to_parquet(target("runs.parquet"), index=False)
        result.comparison.to_csv(target("comparison.csv"), index=False)
        result.differences.to_csv(target("differences.csv"), index=False)
        if result.posterior_differences is not None:
            result.posterior_differences.to_csv(target("posterior_differences.csv"), index=False)
        target("manifest.json").write_text(json.dumps(json_ready(dict(manifest)), indent=2, ensure_ascii=False)
                                           + "\n", encoding="utf-8")

    return write_folder(folder, fill)
