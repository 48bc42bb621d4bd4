"""Atomic file writes: a temporary file in the same folder, then ``os.replace``.

Every file talentsim writes goes through here, so an interrupted command never leaves
half a file: a reader sees the old file or the new one. The temporary is created with
the usual permissions (``0o666`` less the umask), so the final file is as readable as
any other file the user writes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

TEMP_PREFIX = ".tmp-"
"""Name prefix of temporary files (a resumed experiment removes stale ones)."""


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write ``path`` by calling ``write(binary_handle)`` on a temporary, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{TEMP_PREFIX}{path.name}-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
