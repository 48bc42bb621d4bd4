"""SQLite settings for the histories kept in a calibration folder (pyabc's and Optuna's databases).

Both libraries commit after every generation or trial. Write-ahead logging with
``synchronous=NORMAL`` keeps each commit atomic and the database consistent when the
process is killed (a SIGKILL, the out-of-memory killer), and spares a disk flush per
commit; only a crash of the whole machine can lose the last commits, which a rerun
simply samples again.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@contextlib.contextmanager
def write_ahead_logging() -> Iterator[None]:
    """Open every SQLite database of SQLAlchemy engines created in the block in WAL mode."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "connect", _on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", _on_connect)


__all__ = ["write_ahead_logging"]
