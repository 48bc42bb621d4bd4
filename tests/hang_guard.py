"""A guard against a test that hangs: it fails after minutes instead of blocking the suite for hours.

Never a speed requirement: no test may depend on how fast the machine is (issue 17). Use
it around in-process work that a regression could turn into an endless loop; subprocesses
take ``timeout=HANG_GUARD_S`` instead.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

HANG_GUARD_S = 600
"""Seconds after which a test is taken to hang; every guarded step takes seconds when nothing hangs."""


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_GUARD_S) -> Iterator[None]:
    """Raise ``AssertionError`` in the block if it is still running after ``seconds`` (SIGALRM, main thread)."""
    def hung(signum: int, frame: Any) -> None:
        raise AssertionError(f"hang: still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
