"""The exit codes of ``talentsim`` (re-exported by ``sim.cli``)."""

from __future__ import annotations

PROG = "talentsim"
"""The program's name, as messages and ``--help`` show it."""

EXIT_OK = 0
"""Success."""

EXIT_RUNS_FAILED = 1
"""``compare`` or ``sweep`` finished, but some runs failed (they are recorded with their error)."""

EXIT_USER_ERROR = 2
"""Bad input: a ``sim.errors.UserError`` or an argparse usage error, reported without a traceback."""

EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C); ``compare`` and ``sweep`` keep their finished runs for a rerun to resume."""

EXIT_NOT_FITTED = 3
"""``calibrate`` finished, but some targets are not met at the fitted point ("did not fit")."""
