"""``talentsim phases``: the weekly phase list, what happens in a simulated week, in order."""

from __future__ import annotations

import argparse
from typing import Any

from sim.cli.exit_codes import EXIT_OK


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``phases`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "phases", help="print the weekly phase list (what happens in a simulated week, in order)",
        description="Print the fixed order of the phases every simulated week runs (sim/phases.py).")
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    """Print ``sim.phases.describe_phases()``."""
    from sim.phases import describe_phases  # loads the mechanisms: only for this command

    print(describe_phases())
    return EXIT_OK
