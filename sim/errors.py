"""Errors the user can fix: the command-line tool reports them without a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Base of every error caused by the user's input (a file, an option, a value).

    ``talentsim`` catches this class in ``sim.cli.main``, prints
    ``talentsim: error: <message>`` on stderr and exits with status 2. Raise a
    subclass with a message that says what was expected and what was found, so the
    user can fix the input without reading the code. Bugs in the program itself
    must not use this class: they should keep their traceback.
    """
