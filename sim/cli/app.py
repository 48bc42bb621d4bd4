"""``talentsim app``: explore scenarios in the browser (a local Solara server; the ``app`` extra)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from sim.cli.exit_codes import EXIT_OK, PROG
from sim.cli.language_option import add_language_option
from sim.errors import UserError
from sim.i18n import resolve_language, translate

DEFAULT_PORT = 8765


def add_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``app`` parser; its handler is :func:`handle`."""
    parser = subparsers.add_parser(
        "app", help="explore scenarios in the browser: levers, runs side by side, one run week by week",
        description="Start a local web app on 127.0.0.1 (nothing is fetched from the network): move the policy\n"
                    "levers, compare up to four variants with a reference over replications, watch one run week\n"
                    "by week, save a variant as a scenario file and download the report. Results are cached in\n"
                    "outputs/app-cache/ by their inputs. Needs the app extra: pip install -e \".[app]\".",
        epilog="examples:\n"
               "  talentsim app\n"
               "  talentsim app scenarios/baseline.yaml my_city.yaml --lang zh --port 8800",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", metavar="FILE",
                        help="scenario files to offer as references, before the shipped scenarios")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--host", default=None,
                        help="listen on this address instead of 127.0.0.1 (anyone who reaches it can run "
                             "simulations and write files here)")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help=f"worker processes shared by every tab (default: {os.cpu_count() or 1} here)")
    parser.add_argument("--cache-limit-mb", type=int, default=None, metavar="MB",
                        help="size limit of outputs/app-cache/; the least recently used results go first "
                             "(default 500)")
    add_language_option(parser)
    parser.set_defaults(handler=handle)
    return parser


def _references(files: list[str]) -> list[Path]:
    """The files given (each must load), then the shipped scenarios."""
    from sim.experiments.validation import SCENARIOS
    from sim.scenario import load_scenario

    given = [Path(file) for file in files]
    for path in given:
        load_scenario(path)  # a bad file is refused before the server starts, with the loader's message
    shipped = sorted(SCENARIOS.glob("*.yaml"), key=lambda path: (path.stem != "baseline", path.name)) \
        if SCENARIOS.is_dir() else []  # the baseline first: where a new tab starts when no file is given
    return [_shown(path) for path in dict.fromkeys([*given, *shipped])]


def _shown(path: Path) -> Path:
    """A path relative to the current folder when it is inside it (as the page lists it)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def handle(args: argparse.Namespace) -> int:
    """Check the inputs, start the pool and serve until Ctrl-C."""
    try:
        import solara  # noqa: F401 - only to say clearly that the extra is missing
    except ImportError:
        raise UserError(translate("talentsim app needs the app extra: pip install -e \".[app]\"", None)) from None
    from sim.app.cache import CACHE_FOLDER, CACHE_LIMIT_MB, ResultCache
    from sim.app.config import AppConfig
    from sim.app.pool import RunPool
    from sim.app.server import LOOPBACK, check_port_free, serve
    from sim.atomic import check_writable

    if args.workers is not None and args.workers < 1:
        raise UserError(translate("--workers {workers}: expected a whole number of worker processes, at least 1",
                                  None).format(workers=args.workers))
    if args.cache_limit_mb is not None and args.cache_limit_mb < 1:
        raise UserError(translate("--cache-limit-mb {limit}: expected a whole number of megabytes, at least 1",
                                  None).format(limit=args.cache_limit_mb))
    references = _references(args.scenarios)
    if not references:
        raise UserError(translate("no scenario to start from: give a scenario file (talentsim app FILE)", None))
    check_writable(CACHE_FOLDER)
    host = args.host or LOOPBACK
    if args.host:
        print(translate("warning: --host {host}: the app is open to every machine that reaches this address; anyone "
                        "there can run simulations and save files in this folder", None).format(host=host),
              file=sys.stderr)
    check_port_free(host, args.port)
    limit_mb = args.cache_limit_mb or CACHE_LIMIT_MB
    config = AppConfig(references=references, lang=resolve_language(args.lang),
                       pool=RunPool(args.workers or os.cpu_count() or 1),
                       cache=ResultCache(CACHE_FOLDER, limit_mb * 2**20))
    shown = f"[{host}]" if ":" in host else host

    def started() -> None:
        print(translate("{prog} app: open http://{host}:{port}/ in a browser (results cached in {cache}, at most "
                        "{limit} MB; Ctrl-C stops it)", None).format(prog=PROG, host=shown, port=args.port,
                                                                    cache=CACHE_FOLDER, limit=limit_mb), flush=True)

    serve(config, host, args.port, on_started=started)
    return EXIT_OK
