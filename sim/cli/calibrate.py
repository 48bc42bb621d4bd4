"""``talentsim calibrate``: fit uncertain parameters to observed figures, with a posterior and its checks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.cli.exit_codes import EXIT_NOT_FITTED, EXIT_OK, EXIT_RUNS_FAILED, PROG
from sim.cli.experiment_options import add_experiment_options, import_model, run_experiment
from sim.cli.language_option import add_language_option
from sim.cli.scenario_options import add_scenario_options, max_memory_bytes, overrides_from_args
from sim.messages import text


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``calibrate`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "calibrate", help="fit uncertain parameters to observed figures (ABC-SMC posterior or Optuna point fit)",
        description="Fit the free parameters of a calibration file (dotted keys with uniform, log-uniform or\n"
                    "normal priors) to its targets (an outcome of a named scenario with an observed value and\n"
                    "standard error, or a band). Every evaluation runs every target scenario with the same\n"
                    "parameter values and seeds. method abc-smc (pyabc) gives a posterior; method optuna a quick\n"
                    "point fit. Writes DIR/posterior.parquet (particles and weights), DIR/targets.csv,\n"
                    "DIR/parameters.csv, DIR/fitted/NAME.yaml (scenarios that extend each named scenario with the\n"
                    "fitted point), DIR/manifest.json, the charts and DIR/report.html, and prints per target\n"
                    "whether it was met and per parameter whether the targets identify it. The history is kept\n"
                    "in DIR: rerun the same command with the same --out to continue after an interruption.\n"
                    "Exit status 0 when every target is met, 3 when the calibration did not fit, 2 for a bad\n"
                    "calibration file, 1 if a run failed, 130 if interrupted.\n"
                    "With --workers 1 the same file and seed give the same posterior; in parallel, pyabc's\n"
                    "dynamic scheduling changes which particles are accepted (the manifest says which).",
        epilog="examples:\n"
               "  talentsim calibrate scenarios/calibration/published_bands.yaml --out outputs/fit\n"
               "  talentsim calibrate my_programme.yaml --out outputs/mine --workers 1\n"
               "  talentsim calibrate my_programme.yaml --out outputs/mine --scheduler tcp://10.0.0.5:8786\n"
               "  talentsim compare scenarios/baseline.yaml scenarios/funding_cut.yaml --posterior outputs/fit "
               "--reps 50\n"
               "see docs/calibration.md and scenarios/calibration/template.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("calibration_file", metavar="CALIB.yaml",
                        help="the calibration file (see scenarios/calibration/template.yaml)")
    add_scenario_options(parser)
    add_experiment_options(parser)
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Run the calibration; print its summary. Exit code 0, 3 (did not fit), 1 (a run failed) or 130."""
    from sim.calibration.calibrate import calibrate, plan_calibration
    from sim.calibration.evaluate import CalibrationRunError
    from sim.scenario.city_loading import check_base_memory
    from sim.scenario.loading import DEFAULTS_SOURCE

    model = import_model(args.model)
    overrides = overrides_from_args(args)
    plan = plan_calibration(args.calibration_file, model=model, overrides=overrides)  # refused before any folder
    for entry in plan.entries:
        check_base_memory(entry.scenario, max_memory_bytes(args), source=str(entry.file or DEFAULTS_SOURCE))

    def body(out: Path, backend: Any) -> int:
        try:
            result = calibrate(args.calibration_file, out=out, backend=backend, model=model, overrides=overrides,
                               progress=True, quiet=args.quiet)
        except CalibrationRunError as err:
            print(text("cli.error", prog=PROG, message=err), file=sys.stderr)
            return EXIT_RUNS_FAILED
        print(result.summary())
        print(text("cli.calibrate_done", folder=out), file=sys.stderr)
        if not args.no_charts:
            from sim.report.calibration import write_calibration_report

            _charts, report = write_calibration_report(out)
            print(text("cli.charts_and_report", charts=out / "charts", report=report), file=sys.stderr)
        if not result.fitted_ok:
            print(text("cli.calibrate_not_fitted", prog=PROG, unmet=len(result.unmet), total=len(result.targets),
                       folder=out), file=sys.stderr)
            return EXIT_NOT_FITTED
        return EXIT_OK

    return run_experiment(args, f"calibrate-{Path(args.calibration_file).stem}", body,
                          [entry.scenario for entry in plan.entries])
