"""Errors the user can fix: the command-line tool reports them without a traceback."""

from __future__ import annotations

import os
from pathlib import Path


class UserError(Exception):
    """Base of every error caused by the user's input (a file, an option, a value).

    ``talentsim`` catches this class in ``sim.cli.main``, prints
    ``talentsim: error: <message>`` on stderr and exits with status 2. Raise a
    subclass with a message that says what was expected and what was found, so the
    user can fix the input without reading the code. Bugs in the program itself
    must not use this class: they should keep their traceback.
    """


class OutputError(UserError):
    """A file or folder that could not be written: a full disk, no permission, a file in the way.

    The writing layer (``sim.atomic`` and its callers: run folders, the experiment
    store, charts and reports) raises it in place of the ``OSError``, after removing
    whatever it had half-written, so the command line prints one message and exits
    with status 2.

    Attributes:
        path: The file or folder that could not be written (as the user named it, never
            a hidden temporary).
        reason: The operating system's words for the cause, e.g. ``"No space left on device"``.
        errno: The error number (``errno.ENOSPC`` ...), or None when the OS gave none.
    """

    def __init__(self, message: str, path: str | os.PathLike[str], reason: str,
                 errno: int | None = None) -> None:
        super().__init__(message)
        self.path = Path(path)
        self.reason = reason
        self.errno = errno

    def __reduce__(self) -> tuple[type[OutputError], tuple[str, Path, str, int | None]]:
        return (type(self), (str(self), self.path, self.reason, self.errno))
