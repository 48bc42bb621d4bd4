"""Atomic file writes: a temporary file in the same folder, then ``os.replace``.

Every file talentsim writes goes through here, so an interrupted command never leaves
half a file: a reader sees the old file or the new one. The temporary is created with
the usual permissions (``0o666`` less the umask), so the final file is as readable as
any other file the user writes.

This is also where an operating-system error while writing (a full disk, a folder
that may not be written, a file where a folder should be) becomes a
:class:`sim.errors.OutputError`: one message naming the path and the cause, which the
command line prints without a traceback. :func:`output_error` builds it and
:func:`writing` converts the ``OSError`` raised inside a ``with`` block.
"""

from __future__ import annotations

import contextlib
import errno as errnos
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from sim.errors import OutputError
from sim.messages import text

TEMP_PREFIX = ".tmp-"
"""Name prefix of temporary files (a resumed experiment removes stale ones)."""

_NO_SPACE = {errnos.ENOSPC, errnos.EDQUOT, errnos.EFBIG}
_NOT_PERMITTED = {errnos.EACCES, errnos.EPERM, errnos.EROFS}
_NOT_A_FOLDER = {errnos.ENOTDIR, errnos.EEXIST}


def os_reason(exc: OSError) -> str:
    """The operating system's words for ``exc``: ``"No space left on device"``, ``"Permission denied"`` ...

    pyarrow puts its own text in ``strerror`` ("Error writing bytes to file. Detail: ..."),
    so the error number's standard text is preferred when there is one.
    """
    if isinstance(exc.errno, int) and exc.errno > 0:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc) or type(exc).__name__


def file_in_the_way(path: str | os.PathLike[str]) -> Path | None:
    """The nearest of ``path`` and its parent folders that exists but is not a folder, if any."""
    for candidate in (Path(path), *Path(path).parents):
        try:
            if candidate.exists():
                return None if candidate.is_dir() else candidate
        except OSError:
            return None
    return None


def output_error(exc: OSError | None, path: str | os.PathLike[str], *, code: int | None = None,
                 reason: str | None = None) -> OutputError:
    """The :class:`OutputError` for failing to write ``path`` because of ``exc`` (or ``code``/``reason``).

    The message is chosen by the error number: a full disk, no permission, a file where a
    folder should be, or any other cause (with the OS's own words).
    """
    if exc is not None:
        code = exc.errno if isinstance(exc.errno, int) else None
        reason = os_reason(exc)
    if reason is None:
        reason = os.strerror(code) if code else "unknown error"
    path = Path(path)
    if code in _NOT_A_FOLDER and (blocker := file_in_the_way(path)) is not None:
        message = text("output.not_a_folder", path=path, folder=blocker)
    elif code in _NO_SPACE:
        message = text("output.no_space", path=path, reason=reason)
    elif code in _NOT_PERMITTED:
        message = text("output.not_permitted", path=path, reason=reason)
    else:
        message = text("output.os_error", path=path, reason=reason)
    return OutputError(message, path, reason, code)


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn an ``OSError`` raised in the block into an :class:`OutputError` about ``path``.

    The block must leave nothing half-written when it fails (that is what the message
    promises); use :func:`atomic_write` for files.
    """
    try:
        yield
    except OSError as exc:
        raise output_error(exc, path) from None


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write ``path`` by calling ``write(binary_handle)`` on a temporary, then rename it into place.

    Raises:
        OutputError: The folder could not be made, or the file could not be written (any
            ``OSError``, also one raised by ``write``); the temporary is removed and an
            earlier ``path`` is left as it was.
    """
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{TEMP_PREFIX}{path.name}-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(exc, path) from None
        raise
    return path


def check_writable(path: str | os.PathLike[str]) -> None:
    """Fail early when ``path`` (a folder to be made) could not be written, before any work is done.

    Checks the nearest existing folder of ``path`` and its parents with ``os.access``
    (root passes everywhere except on a read-only file system). It cannot foresee a full
    disk; the writes themselves report that.

    Raises:
        OutputError: A file stands where a folder should be, the folder is on a read-only
            file system, or the user may not write in it.
    """
    path = Path(path)
    blocker = file_in_the_way(path)
    if blocker is not None:
        raise output_error(None, path, code=errnos.ENOTDIR)
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        if os.statvfs(existing).f_flag & os.ST_RDONLY:
            raise output_error(None, path, code=errnos.EROFS)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise output_error(None, path, code=errnos.EACCES)
