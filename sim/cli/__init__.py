"""The ``talentsim`` command line (also ``python -m sim``).

One module per command (``run``, ``compare``, ``sweep``, ``calibrate``, ``report``,
``validate``, ``params``, ``phases``, ``app``), each thin: ``add_command(subparsers)`` builds its parser
(one-line help, description, examples in the epilog) and sets ``handler=handle``;
``handle(args) -> int`` parses what argparse cannot, calls the public Python API,
prints or writes the result and returns the exit code. Heavy modules (the model,
pandas, matplotlib) are imported inside ``handle``, so building the parser is quick.
The options several commands share live in ``scenario_options`` (``--set``,
``--max-memory``) and ``experiment_options`` (backend, ``--out``, ``--model``). Every
sentence the commands print is a template of ``sim.messages`` (tables and reports come
from the layers that build them). To add a command, write its module and add
it to ``COMMANDS``. Nothing below this package imports it.

Exit codes (``sim.cli.exit_codes``): 0 success; 1 some runs of ``compare`` or ``sweep``
failed; 2 bad input (a ``sim.errors.UserError``, printed as ``talentsim: error:
<message>`` with no traceback; argparse usage errors too); 3 ``calibrate`` did not fit
(some targets not met); 130 interrupted (Ctrl-C).

Language: ``run``, ``compare``, ``sweep``, ``report``, ``validate`` and ``params`` take
``--lang zh|en`` (``sim.cli.language_option``; default ``$TALENTSIM_LANG``, else ``en``);
``main`` runs the command inside ``sim.i18n.use_language``. Argparse's help stays English.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sim.cli import app, calibrate, compare, params, phases, report, run, sweep, validate
from sim.cli.exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUNS_FAILED, EXIT_USER_ERROR, PROG
from sim.errors import UserError
from sim.i18n import resolve_language, use_language
from sim.messages import text

DESCRIPTION = """\
Simulate school-enterprise talent cultivation (student -> apprentice -> employee)
and compare programme policies.

Commands: run, compare, sweep, calibrate, report, validate, params, phases, app.
'talentsim COMMAND --help' explains each one. A scenario is a YAML file that gives
only what differs from the defaults; 'talentsim params' lists every parameter."""

EPILOG = """\
examples:
  talentsim run scenarios/baseline.yaml
  talentsim validate scenarios/*.yaml
  talentsim params --match school_mentors
  talentsim compare scenarios/baseline.yaml scenarios/mentor_ratio_low.yaml --reps 20"""

COMMANDS = (run, compare, sweep, calibrate, report, validate, params, phases, app)
"""The command modules, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with the parser of every command in ``COMMANDS``."""
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``talentsim`` with the given arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 success, 2 bad input (message on stderr, no traceback),
        130 interrupted, or what the command returned.
    """
    try:
        args = build_parser().parse_args(argv)
        lang = resolve_language(getattr(args, "lang", None))  # --lang, else $TALENTSIM_LANG, else en
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return _exit_code(exc)
    except UserError as err:  # an unknown $TALENTSIM_LANG
        print(text("cli.error", prog=PROG, message=err), file=sys.stderr)
        return EXIT_USER_ERROR
    with use_language(lang):  # every message, table, report and chart of the command speaks lang
        return _handle(args)


def _exit_code(exc: SystemExit) -> int:
    if isinstance(exc.code, int):
        return exc.code
    return EXIT_USER_ERROR if exc.code else EXIT_OK


def _handle(args: argparse.Namespace) -> int:
    """Run the command's handler; bad input, Ctrl-C and a closed pipe end in their exit codes."""
    try:
        return int(args.handler(args))
    except SystemExit as exc:
        return _exit_code(exc)
    except UserError as err:
        print(text("cli.error", prog=PROG, message=err), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(text("cli.interrupted", prog=PROG), file=sys.stderr)
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
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_RUNS_FAILED",
    "EXIT_USER_ERROR",
    "PROG",
    "build_parser",
    "main",
]
