"""The ``talentsim`` command line (also ``python -m sim``).

Each subcommand is a pair of functions: ``_add_<name>_command(subparsers)`` builds its
parser (one-line help, description, examples in the epilog) and sets
``handler=_cmd_<name>``; ``_cmd_<name>(args) -> int`` does the work and returns the
exit code. To add a subcommand, write the pair and append the first function to
``COMMANDS``. Commands that read a scenario call ``add_scenario_options(parser)`` and
``scenario_from_args(path, args)``.

Exit codes: 0 success; 2 bad input (a ``sim.errors.UserError``, printed as
``talentsim: error: <message>`` with no traceback; argparse usage errors too);
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sim.errors import UserError
from sim.scenario import Scenario, ScenarioError, list_params, load_scenario, parse_set_options
from sim.scenario.memory import GIB, check_memory
from sim.scenario.params import format_params_csv, format_params_table

PROG = "talentsim"
EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130

DESCRIPTION = """\
Simulate school-enterprise talent cultivation (student -> apprentice -> employee)
and compare programme policies.

Commands: run, compare, sweep, report, validate, params, phases.
'talentsim COMMAND --help' explains each one. A scenario is a YAML file that gives
only what differs from the defaults; 'talentsim params' lists every parameter."""

EPILOG = """\
examples:
  talentsim run scenarios/baseline.yaml
  talentsim validate scenarios/*.yaml
  talentsim params --match school_mentors
  talentsim compare scenarios/baseline.yaml scenarios/mentor_ratio_low.yaml --reps 20"""

Subparsers = Any
"""The object ``ArgumentParser.add_subparsers()`` returns (its class is private to argparse)."""


# ---------------------------------------------------------------------------- shared options


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """Add the options every scenario-reading command shares: ``--set`` and ``--max-memory``.

    After parsing, ``args.set`` is a list of ``KEY=VALUE`` strings and ``args.max_memory``
    is GiB (float) or None. ``scenario_from_args`` applies both.

    Args:
        parser: the subcommand's parser.
    """
    group = parser.add_argument_group("scenario options")
    group.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="change one parameter after reading the file, e.g. --set "
             "school_mentors.students_per_mentor=10 (repeatable; the value is read as YAML: "
             "10, 0.5, true, [50, 60]; 'talentsim params' lists the keys)")
    group.add_argument(
        "--max-memory", type=_positive_gib, default=None, metavar="GiB",
        help="refuse scenarios whose estimated memory exceeds this many GiB "
             "(default: 75%% of this machine's memory)")


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
        ScenarioError: the file, an override or the population size is refused.
    """
    overrides = parse_set_options(getattr(args, "set", None) or [])
    scenario = load_scenario(path, overrides, overrides_source="--set")
    check_memory(scenario, max_memory_bytes(args), source=str(path) if path is not None else "<defaults>")
    return scenario


def _positive_gib(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of GiB such as 16 or 0.5, found {text!r}") \
            from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of GiB, found {text!r}")
    return value


# ---------------------------------------------------------------------------- validate


def _add_validate_command(subparsers: Subparsers) -> None:
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
    parser.set_defaults(handler=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    parse_set_options(args.set)  # a bad --set is one error for all files, reported by main
    failed = 0
    for file in args.files:
        try:
            scenario_from_args(file, args)
        except ScenarioError as err:
            failed += 1
            print(f"{PROG}: error: {err}", file=sys.stderr)
        else:
            print(f"ok  {file}")
    return EXIT_USER_ERROR if failed else EXIT_OK


# ---------------------------------------------------------------------------- params


def _add_params_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "params", help="list every model parameter with its default, unit and meaning",
        description="List the parameters a scenario file or --set may change: dotted key, type,\n"
                    "default, unit, allowed values ([a, b] closed, (a, b) open) and a one-line description.",
        epilog="examples:\n"
               "  talentsim params\n"
               "  talentsim params --match school_mentors\n"
               "  talentsim params --format csv > params.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=["table", "csv"], default="table",
                        help="aligned plain text (default) or CSV")
    parser.add_argument("--match", default=None, metavar="TEXT",
                        help="only parameters whose key contains TEXT, e.g. school_mentors")
    parser.set_defaults(handler=_cmd_params)


def _cmd_params(args: argparse.Namespace) -> int:
    rows = [row for row in list_params() if args.match is None or args.match in row.key]
    if not rows:
        raise UserError(f"--match {args.match!r}: no parameter key contains it; "
                        "'talentsim params' lists every key")
    text = format_params_csv(rows) if args.format == "csv" else format_params_table(rows)
    sys.stdout.write(text)
    return EXIT_OK


# ---------------------------------------------------------------------------- run


def _add_run_command(subparsers: Subparsers) -> None:
    from sim.run_command import add_run_arguments

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
    add_run_arguments(parser)
    add_scenario_options(parser)
    parser.set_defaults(handler=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.run_command import cmd_run

    return cmd_run(args, scenario_from_args(args.scenario, args), max_memory_bytes(args))


# ---------------------------------------------------------------------------- compare, sweep


def _add_compare_command(subparsers: Subparsers) -> None:
    from sim.experiments.commands import add_compare_command

    add_compare_command(subparsers).set_defaults(handler=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.experiments.commands import cmd_compare

    return cmd_compare(args)


def _add_sweep_command(subparsers: Subparsers) -> None:
    from sim.experiments.commands import add_sweep_command

    add_sweep_command(subparsers).set_defaults(handler=_cmd_sweep)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiments.commands import cmd_sweep

    return cmd_sweep(args)


# ---------------------------------------------------------------------------- report


def _add_report_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write DIR/report.html: one self-contained page of a run, compare or sweep folder",
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
    parser.set_defaults(handler=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.report.html import write_report

    print(write_report(args.folder, resimulate=not args.no_resimulate))
    return EXIT_OK


# ---------------------------------------------------------------------------- phases


def _add_phases_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "phases", help="print the weekly phase list (what happens in a simulated week, in order)",
        description="Print the fixed order of the phases every simulated week runs (sim/phases.py).")
    parser.set_defaults(handler=_cmd_phases)


def _cmd_phases(args: argparse.Namespace) -> int:
    from sim.phases import describe_phases

    print(describe_phases())
    return EXIT_OK


# ---------------------------------------------------------------------------- main


COMMANDS: list[Callable[[Subparsers], object]] = [
    _add_run_command,
    _add_compare_command,
    _add_sweep_command,
    _add_report_command,
    _add_validate_command,
    _add_params_command,
    _add_phases_command,
]
"""The subcommands, in the order ``--help`` lists them; each adds its parser to ``subparsers``."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand of ``COMMANDS``."""
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND", required=True)
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``talentsim`` with the given arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 success, 2 bad input (message on stderr, no traceback),
        130 interrupted, or what the subcommand returned.
    """
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        if isinstance(exc.code, int):
            return exc.code
        return EXIT_USER_ERROR if exc.code else EXIT_OK
    except UserError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. 'talentsim params | head': the reader left, nothing is wrong
        _silence_stdout()
        return EXIT_OK


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


__all__ = [
    "COMMANDS",
    "add_scenario_options",
    "build_parser",
    "main",
    "max_memory_bytes",
    "scenario_from_args",
]
