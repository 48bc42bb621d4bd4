"""``talentsim report``: one self-contained HTML page of a run, compare or sweep folder."""

from __future__ import annotations

import argparse
from typing import Any

from sim.cli.exit_codes import EXIT_OK
from sim.cli.language_option import add_language_option


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "report", help="write DIR/report.html: one self-contained page of a run, compare, sweep, city or "
                       "calibration folder",
        description="Write DIR/report.html for an output folder of 'talentsim run', 'compare' or 'sweep'\n"
                    "(recognised by its files): the question each scenario answers, the parameters that\n"
                    "differ, outcome tables with 95% confidence intervals, the charts, the sensitivity\n"
                    "ranking of a sweep, and the provenance (versions, seeds, scenario hashes, dates).\n"
                    "One file with everything embedded: it opens offline and can be mailed on.\n"
                    "Prints the report's path.",
        epilog="examples:\n"
               "  talentsim report outputs/run-baseline-20250101-120000\n"
               "  talentsim report outputs/compare-20250101-120000 --no-resimulate",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", metavar="DIR", help="the output folder of talentsim run, compare or sweep")
    parser.add_argument("--no-resimulate", action="store_true",
                        help="for a comparison: leave out the time-series and distribution charts instead of "
                             "re-running replication 0 of each scenario to draw them")
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Write the report; print its path."""
    from sim.report.calibration import is_calibration_folder, write_calibration_report
    from sim.report.city import is_city_folder, write_city_report
    from sim.report.html import write_report  # matplotlib and Jinja2 only for this command

    if is_calibration_folder(args.folder):  # a 'talentsim calibrate' folder has its own report
        print(write_calibration_report(args.folder)[1])
        return EXIT_OK
    if is_city_folder(args.folder):  # a city run's folder: the city view
        print(write_city_report(args.folder)[1])
        return EXIT_OK
    print(write_report(args.folder, resimulate=not args.no_resimulate))
    return EXIT_OK
