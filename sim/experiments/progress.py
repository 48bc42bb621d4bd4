"""Progress of a batch of runs on stderr: a tqdm bar, then one summary line.

The bar (runs done / total, rate, time left, failures so far) is shown only when stderr
is a terminal and the user did not ask for ``--quiet``; the closing line
``"N runs done, F failed, in T s"`` is printed whenever a summary is wanted, so logs of
unattended jobs still say what happened: also after Ctrl-C, with the runs still to go,
but not when the batch stopped on an error the user can fix (a ``UserError``, such as
an output that could not be written), whose message is then the one the user sees.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, Self, TextIO

from tqdm import tqdm

from sim.errors import UserError
from sim.messages import text


class Progress:
    """Counts finished runs (a context manager).

    Args:
        total: Runs in the whole experiment, including those already stored.
        done: Runs already stored before this session (a resumed experiment).
        bar: Show a bar when the stream is a terminal.
        summary: Print the closing line.
        stream: Where to write (default: ``sys.stderr`` at the time of creation).
    """

    def __init__(self, total: int, done: int = 0, *, bar: bool = True, summary: bool = True,
                 stream: TextIO | None = None) -> None:
        self.total = total
        self.skipped = done
        self.finished = 0
        self.failed = 0
        self.summary = summary
        self.stream = stream if stream is not None else sys.stderr
        self._start = time.perf_counter()
        show = bar and _is_terminal(self.stream)
        self._bar: Any = tqdm(total=total, initial=done, unit="run", file=self.stream, disable=not show,
                              dynamic_ncols=True, smoothing=0.1, leave=False)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.close()
        if self.summary and not isinstance(exc, UserError):  # a user error is reported alone
            print(self.line(interrupted=exc_type is not None), file=self.stream, flush=True)

    def update(self, failed: bool = False) -> None:
        """Count one finished run."""
        self.finished += 1
        if failed:
            self.failed += 1
            self._bar.set_postfix(failed=self.failed, refresh=False)
        self._bar.update(1)

    def line(self, interrupted: bool = False) -> str:
        """The closing summary line."""
        fields = {"finished": self.finished, "failed": self.failed, "seconds": time.perf_counter() - self._start,
                  "skipped": self.skipped, "to_go": self.total - self.skipped - self.finished}
        return text(_LINES[(bool(self.skipped), interrupted)], **fields)


_LINES = {
    # (some runs were stored before?, interrupted?) -> template
    (False, False): "progress.done",
    (True, False): "progress.done_resumed",
    (False, True): "progress.interrupted",
    (True, True): "progress.interrupted_resumed",
}


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
