"""``talentsim params``: every model parameter with its default, unit and meaning."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.cli.exit_codes import EXIT_OK
from sim.cli.language_option import add_language_option
from sim.errors import UserError
from sim.messages import text
from sim.scenario import list_params
from sim.scenario.params import format_params_csv, format_params_table


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``params`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "params", help="list every model parameter with its default, unit and meaning",
        description="List the parameters a scenario file or --set may change: dotted key, type,\n"
                    "default, unit, allowed values ([a, b] closed, (a, b) open) and a one-line description.",
        epilog="examples:\n"
               "  talentsim params\n"
               "  talentsim params --match school_mentors\n"
               "  talentsim params --format csv > params.csv\n"
               "  talentsim params --city --match bureau",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=["table", "csv"], default="table",
                        help="aligned plain text (default) or CSV")
    parser.add_argument("--match", default=None, metavar="TEXT",
                        help="only parameters whose key contains TEXT, e.g. school_mentors")
    parser.add_argument("--city", action="store_true",
                        help="the keys of a city file instead (unit, default, meaning, source), as a Markdown table")
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Print the parameter list (or those whose key contains ``--match``); ``--city``: a city file's keys."""
    if args.city:
        from sim.scenario.city import city_table_markdown

        lines = city_table_markdown().splitlines()
        kept = lines[:2] + [line for line in lines[2:] if args.match is None or args.match in line.split("|")[1]]
        if len(kept) == 2:
            raise UserError(text("cli.no_parameter_matches", match=args.match))
        sys.stdout.write("\n".join(kept) + "\n")
        return EXIT_OK
    rows = [row for row in list_params() if args.match is None or args.match in row.key]
    if not rows:
        raise UserError(text("cli.no_parameter_matches", match=args.match))
    sys.stdout.write(format_params_csv(rows) if args.format == "csv" else format_params_table(rows))
    return EXIT_OK
