"""Optional compiled loops (numba): the same numbers as the NumPy code they stand for, in fewer passes.

Why: a small run's week is many NumPy calls over a few thousand agents, each a pass with
its own temporaries and call cost (issue 17, docs/performance.md "Many small runs:
batches"). A loop compiled by numba does such a series of passes agent by agent in one.
A compiled loop is allowed only where it gives the NumPy code's numbers bit for bit: the
same IEEE operations in the same order for every agent (numba's default: no fast-math,
no reassociation, no fused multiply-add), transcendental functions left to NumPy, and
counts (whole numbers, exact in any order). Each has a test comparing both paths.

numba is an optional extra (``pip install talentsim[fast]``): without it, or with the
environment variable ``TALENTSIM_NUMBA`` set to ``0``, ``compile_loops`` gives None and
the callers run their NumPy code. numba keeps the machine code in the package's
``__pycache__`` (``cache=True``), so a process loads it rather than compiling it anew.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any


@functools.cache
def _compiled(functions: tuple[Callable[..., Any], ...]) -> tuple[Callable[..., Any], ...] | None:
    try:
        import numba
    except ImportError:
        return None
    jit: Any = numba.njit(cache=True, nogil=True)
    return tuple(jit(f) for f in functions)


def compile_loops(*functions: Callable[..., Any]) -> tuple[Callable[..., Any], ...] | None:
    """``functions`` compiled by numba (once per process), or None: numba missing, or ``TALENTSIM_NUMBA=0``."""
    if os.environ.get("TALENTSIM_NUMBA", "1") == "0":
        return None
    return _compiled(functions)
