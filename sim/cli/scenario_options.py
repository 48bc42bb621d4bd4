"""The options every scenario-reading command shares: ``--set KEY=VALUE`` and ``--max-memory GiB``."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterable

from sim.cli.exit_codes import PROG
from sim.messages import text
from sim.scenario import Scenario, load_scenario, parse_set_options
from sim.scenario.loading import DEFAULTS_SOURCE
from sim.scenario.memory import GIB, check_memory


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--set`` and ``--max-memory`` to a command's parser.

    After parsing, ``args.set`` is a list of ``KEY=VALUE`` strings and ``args.max_memory``
    is GiB (float) or None. ``scenario_from_args`` applies both.

    Args:
        parser: the command's parser.
    """
    group = parser.add_argument_group("scenario options")
    group.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="change one parameter after reading the file, e.g. --set "
             "school_mentors.students_per_mentor=10 (repeatable; the value is read as YAML: "
             "10, 0.5, true, [50, 60]; 'talentsim params' lists the keys)")
    group.add_argument(
        "--max-memory", type=positive_gib, default=None, metavar="GiB",
        help="refuse scenarios whose estimated memory exceeds this many GiB "
             "(default: 75%% of this machine's memory)")


def overrides_from_args(args: argparse.Namespace) -> dict[str, object]:
    """The ``--set`` values by dotted key.

    Raises:
        sim.scenario.ScenarioError: an option is not ``KEY=VALUE`` or names no parameter.
    """
    return parse_set_options(getattr(args, "set", None) or [])


def max_memory_bytes(args: argparse.Namespace) -> int | None:
    """The ``--max-memory`` limit in bytes, or None for the default limit."""
    gib = getattr(args, "max_memory", None)
    return None if gib is None else int(gib * GIB)


def scenario_from_args(path: str | os.PathLike[str] | None, args: argparse.Namespace) -> Scenario:
    """Load a scenario, apply ``--set`` and check its memory against ``--max-memory``.

    Args:
        path: the scenario file (None: the defaults).
        args: parsed arguments of a parser given ``add_scenario_options``.

    Returns:
        The validated scenario.

    Raises:
        sim.scenario.ScenarioError: the file, an override or the population size is refused.
    """
    scenario = load_scenario(path, overrides_from_args(args), overrides_source="--set")
    check_memory(scenario, max_memory_bytes(args), source=str(path) if path is not None else DEFAULTS_SOURCE)
    return scenario


def print_horizon_warnings(scenarios: Iterable[Scenario]) -> list[str]:
    """Print on stderr, once each, what the scenarios' horizons leave unobserved; return the warnings.

    The run, compare and sweep commands call this before running; the same sentences (in
    English) go into the output folder's manifest.json as ``warnings``.
    """
    from sim.results import scenarios_horizon_warnings  # the run layer: loaded only by the commands that run

    warnings = scenarios_horizon_warnings(scenarios, lang=None)
    for warning in warnings:
        print(text("cli.warning", prog=PROG, message=warning), file=sys.stderr)
    return warnings


def positive_gib(value: str) -> float:
    """Parse ``--max-memory``: a positive, finite number of GiB."""
    try:
        gib = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(text("cli.max_memory_not_a_number", found=value)) from None
    if not math.isfinite(gib) or gib <= 0:
        raise argparse.ArgumentTypeError(text("cli.max_memory_not_positive", found=value))
    return gib


__all__ = ["add_scenario_options", "max_memory_bytes", "overrides_from_args", "positive_gib",
           "print_horizon_warnings", "scenario_from_args"]
