"""``--lang zh|en``: the language of what a command prints and writes for people to read.

Shared by ``run``, ``compare``, ``sweep``, ``report``, ``validate`` and ``params``.
``sim.cli.main`` resolves it (``--lang``, else ``$TALENTSIM_LANG``, else ``en``) and runs the
command inside ``sim.i18n.use_language``, so the printed tables, the messages, the report
and its charts are in that language. Machine-readable outputs (CSV and Parquet columns,
``summary.json`` keys, experiment hashes) are the same in every language.
"""

from __future__ import annotations

import argparse

from sim.i18n import LANG_ENV, LANGUAGES


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--lang`` to a command's parser (``args.lang``: a language of ``LANGUAGES``, or None)."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=None,
        help=f"language of the printed tables, messages, report and charts: en (default) or zh (Chinese); "
             f"${LANG_ENV} sets it for a batch job. Files for programs (CSV, Parquet, JSON) are the same in both")


__all__ = ["add_language_option"]
