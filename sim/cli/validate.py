"""``talentsim validate``: check scenario files without running them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.cli.exit_codes import EXIT_OK, EXIT_USER_ERROR, PROG
from sim.cli.language_option import add_language_option
from sim.cli.scenario_options import add_scenario_options, overrides_from_args, scenario_from_args
from sim.messages import text
from sim.scenario import ScenarioError


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``validate`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "validate", help="check scenario files without running them",
        description="Read each scenario file (following extends:), apply --set, and check every key and\n"
                    "value against the schema and the run's memory estimate against the limit.\n"
                    "Prints 'ok  FILE' or the problem for each file; exit status 0 if all are valid, else 2.",
        epilog="examples:\n"
               "  talentsim validate scenarios/*.yaml\n"
               "  talentsim validate scenarios/baseline.yaml --set intake.cohort_size=2000\n"
               "  talentsim validate big.yaml --max-memory 64",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files")
    add_scenario_options(parser)
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Validate every file; print ``ok  FILE`` or its problem. Exit code 0 if all are valid, else 2."""
    overrides_from_args(args)  # a bad --set is one error for all files, reported by main
    failed = 0
    for file in args.files:
        try:
            scenario_from_args(file, args)
        except ScenarioError as err:
            failed += 1
            print(text("cli.error", prog=PROG, message=err), file=sys.stderr)
        else:
            print(text("cli.file_valid", file=file))
    return EXIT_USER_ERROR if failed else EXIT_OK
