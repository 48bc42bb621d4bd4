"""``talentsim validate``: check scenario files and city files without running them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.cli.exit_codes import EXIT_OK, EXIT_USER_ERROR, PROG
from sim.cli.language_option import add_language_option
from sim.cli.scenario_options import add_scenario_options, max_memory_bytes, overrides_from_args, scenario_from_args
from sim.messages import text
from sim.scenario import ScenarioError
from sim.scenario.city_loading import check_city_memory, is_city_file, load_city, parse_city_set_options


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``validate`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "validate", help="check scenario files and city files without running them",
        description="Read each scenario file (following extends:), apply --set, and check every key and\n"
                    "value against the schema and the run's memory estimate against the limit.\n"
                    "A file with a top-level 'programmes:' key is a city file: its programmes' scenario\n"
                    "files are read and checked too, and --set may address one programme's keys\n"
                    "(programmes.NAME.KEY=VALUE).\n"
                    "Prints 'ok  FILE' or the problem for each file; exit status 0 if all are valid, else 2.",
        epilog="examples:\n"
               "  talentsim validate scenarios/*.yaml\n"
               "  talentsim validate scenarios/baseline.yaml --set intake.cohort_size=2000\n"
               "  talentsim validate city.yaml --set programmes.mechatronics.intake.cohort_size=900\n"
               "  talentsim validate big.yaml --max-memory 64",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario or city YAML files")
    add_scenario_options(parser)
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Validate every file; print ``ok  FILE`` or its problem. Exit code 0 if all are valid, else 2.

    Without a city file, a bad ``--set`` is one error for all files, reported by main; with
    one, the keys mean different things in the two kinds of file, so each file checks them.
    """
    cities = {file for file in args.files if is_city_file(file)}
    if cities:
        city_overrides = parse_city_set_options(getattr(args, "set", None) or [])  # the values, for all files
    else:
        overrides_from_args(args)
    failed = 0
    for file in args.files:
        try:
            if file in cities:
                city = load_city(file, city_overrides, overrides_source="--set")
                check_city_memory(city, max_memory_bytes(args), source=file)
            else:
                scenario_from_args(file, args)
        except ScenarioError as err:
            failed += 1
            print(text("cli.error", prog=PROG, message=err), file=sys.stderr)
        else:
            print(text("cli.file_valid", file=file))
    return EXIT_USER_ERROR if failed else EXIT_OK
