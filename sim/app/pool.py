"""One app-wide pool of worker processes with a queue; each browser tab's work cancellable on its own.

Why one pool for the whole app: the machine has a fixed number of cores, and two tabs
that each started their own workers would fight over them. ``RunPool`` owns one
``ProcessPoolExecutor`` (``--workers`` processes, started with ``spawn``, never the
global start method); its queue holds every tab's runs in the order they were asked
for, so two tabs running at once both progress and both finish with their own results.

A tab's comparison goes through :func:`sim.experiments.compare.compare` as any other
(replication tasks, common random numbers, the run store that resumes): it gets a
:class:`TabBackend`, the ``Backend`` of :mod:`sim.experiments.backends` over the shared
pool, that reports each finished run to the tab's progress bar and, when the tab's
cancel event is set, takes the tab's runs that have not started off the queue and stops
(:class:`Cancelled`); other tabs' runs are untouched.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, Self, TypeVar

from sim.experiments.backends import RunError, call_safely
from sim.messages import text

T = TypeVar("T")

POLL_S = 0.2
"""How often a waiting tab looks at its cancel event, seconds."""


PARENT_CHECK_S = 2.0
"""How often a worker checks that the app that started it is still running, seconds."""


def _exit_with_parent(parent_pid: int) -> None:
    """A worker's initializer: end the worker when the app is gone (killed, so it could not stop us).

    Runs a daemon thread in the worker that exits the process once its parent changed
    (the app died and the worker was adopted by another process).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the app's to handle; it stops the workers

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="talentsim-parent-watch").start()


class Cancelled(Exception):
    """The tab's cancel button stopped its work."""


class RunPool:
    """The app's worker processes (one pool for every tab).

    Args:
        workers: Worker processes (``--workers``), at least 1.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self._lock = threading.Lock()
        self._executor = self._new_executor()

    def _new_executor(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(max_workers=self.workers,
                                                      mp_context=multiprocessing.get_context("spawn"),
                                                      initializer=_exit_with_parent, initargs=(os.getpid(),))

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Queue ``fn(*args)`` (a picklable top-level function); a pool broken by a killed worker is replaced."""
        with self._lock:
            try:
                return self._executor.submit(fn, *args)
            except BrokenProcessPool:
                self._executor = self._new_executor()
                return self._executor.submit(fn, *args)

    def backend(self, cancel: threading.Event, on_run: Callable[[bool], None] | None = None) -> TabBackend:
        """A backend for one tab's comparison: its runs on this pool, stopped by ``cancel``."""
        return TabBackend(self, cancel, on_run)

    def call(self, cancel: threading.Event, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the pool and wait for it, unless ``cancel`` is set first.

        Raises:
            Cancelled: ``cancel`` was set before it finished (if it had not started, it never will).
        """
        future = self.submit(fn, *args)
        while True:
            if cancel.is_set():
                future.cancel()
                raise Cancelled
            try:
                return future.result(timeout=POLL_S)
            except concurrent.futures.TimeoutError:
                continue

    def shutdown(self) -> None:
        """Stop the workers now: queued work is dropped and runs under way are abandoned."""
        known = getattr(self._executor, "_processes", None)  # the executor's workers (no public API lists them)
        processes = list(known.values()) if isinstance(known, dict) else []
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)


class TabBackend:
    """The ``Backend`` (see :mod:`sim.experiments.backends`) of one tab over the shared :class:`RunPool`.

    Args:
        pool: The app's pool.
        cancel: The tab's cancel event.
        on_run: Called with ``failed`` after each run finishes (the tab's progress bar).
    """

    name = "app-pool"
    batch: int | None = 4
    """Runs per batch: small, so that the tab's progress bar moves every batch (a batch of 4 already runs about
    1.3 times as fast as one by one, ``benchmarks/run.py``; 16 would run 1.6 times as fast in far fewer steps)."""

    def __init__(self, pool: RunPool, cancel: threading.Event, on_run: Callable[[bool], None] | None) -> None:
        self.pool = pool
        self.cancel = cancel
        self.on_run = on_run
        self.workers = pool.workers  # the shared pool's worker processes

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        """Queue every task on the pool; yield ``(task, result-or-RunError)`` as each finishes.

        Raises:
            Cancelled: The tab's cancel event was set; its queued runs are withdrawn.
        """
        futures = {self.pool.submit(call_safely, fn, task): task for task in tasks}
        pending = set(futures)
        try:
            while pending:
                if self.cancel.is_set():
                    raise Cancelled
                done, pending = concurrent.futures.wait(pending, timeout=POLL_S,
                                                        return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    try:
                        result = future.result()
                    except Exception as exc:  # the worker died (BrokenProcessPool): the run never returned
                        result = RunError(text("backends.raised", "en", exception=type(exc).__name__,
                                               message=exc), "worker_lost")
                    if self.on_run is not None:  # a batch of runs counts each of its runs
                        for each in result if isinstance(result, list) else [result]:
                            self.on_run(isinstance(each, RunError))
                    yield futures[future], result
        finally:
            for future in pending:
                future.cancel()
