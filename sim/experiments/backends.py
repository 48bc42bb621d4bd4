"""Evaluators: where runs execute (this process, local worker processes, a Dask cluster).

Every backend is a context manager with one method, ``map(fn, tasks)``, which yields
``(task, result)`` pairs as runs finish, in whatever order they finish. ``result`` is
``fn(task)``'s return value, or a :class:`RunError` when the run raised (its message and
traceback are kept; the other runs go on) or when the process running it died twice.
The results never depend on the backend: ``fn`` is pure and each task carries its seed.

Why a pool of our own instead of ``ProcessPoolExecutor``: each worker has its own pipe,
so when the system kills a worker (out of memory, SIGKILL) we know exactly which run it
held, retry that run once with the same seed on a fresh worker, and record it as failed
if it kills a worker again; no other run is blamed and nothing hangs. Workers are
started with an explicit ``spawn`` context (never the global start method, which
``import mesa`` changes), ignore SIGINT, and are terminated by the parent on Ctrl-C
before ``KeyboardInterrupt`` propagates, so no orphan outlives the command.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Protocol, Self

from sim.errors import UserError
from sim.i18n import use_language
from sim.messages import text

ErrorKind = Literal["exception", "worker_lost"]
READY = b"ready"
"""A worker's first message: it started and imported what it needs."""
STARTUP_TIMEOUT_S = 300.0


class SchedulerUnreachableError(UserError):
    """A ``--scheduler`` address where no Dask scheduler answers."""


@dataclass(frozen=True, slots=True)
class RunError:
    """A run that did not produce results.

    Attributes:
        message: One line: the exception type and text, or how the worker died.
        kind: ``"exception"`` when the run raised, ``"worker_lost"`` when the process
            running it died (killed by the system) on both attempts.
        traceback: The worker-side traceback, when there is one.
    """

    message: str
    kind: ErrorKind = "exception"
    traceback: str = ""


def call_safely(fn: Callable[[Any], Any], task: Any) -> Any:
    """Run ``fn(task)``, turning an exception into a :class:`RunError` (runs in the worker)."""
    try:
        with use_language("en"):  # a run's error is stored with it: the same text in every --lang
            return fn(task)
    except Exception as exc:
        return RunError(text("backends.raised", "en", exception=type(exc).__name__, message=exc),
                        "exception", traceback.format_exc())


class Backend(Protocol):
    """What every evaluator offers: a context manager with ``map``."""

    name: str
    workers: int
    """Runs that execute at once (the batch-size rule divides the runs among them)."""
    batch: int | None
    """Runs a worker simulates together in one call (``--batch``; None: ``runner.default_batch_size``)."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        """Run ``fn`` on every task; yield ``(task, result-or-RunError)`` as each finishes."""
        ...


class SerialBackend:
    """Runs every task in this process, one after the other: for debugging and one core."""

    name = "serial"
    workers = 1

    def __init__(self, batch: int | None = None) -> None:
        self.batch = batch

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        """Run the tasks in order; yield each result as soon as it is computed."""
        for task in tasks:
            yield task, call_safely(fn, task)


@contextlib.contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Ignore SIGINT while starting worker processes, so that they inherit 'ignore'.

    Ctrl-C in a terminal signals the whole process group; the workers must leave it to
    this process, which stops them in order (a worker that gets it while starting up
    would die with a traceback instead). Only the main thread can change handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _worker_main(conn: multiprocessing.connection.Connection) -> None:
    """Body of a worker process: receive ``(pickled fn or None, task)``, send back the result.

    The function comes with the first task of each ``map`` call and is kept for the next ones.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    conn.send_bytes(READY)
    fn: Any = None
    while True:
        try:
            payload = conn.recv_bytes()
        except (EOFError, OSError):  # parent gone or told us to stop
            return
        if not payload:
            return
        try:
            fn_bytes, task = pickle.loads(payload)
            if fn_bytes is not None:
                fn = None
                fn = pickle.loads(fn_bytes)
            if fn is None:
                raise RuntimeError(text("backends.function_not_loaded", "en"))
        except Exception as exc:
            result: Any = RunError(text("backends.cannot_load_run", "en", exception=type(exc).__name__,
                                        message=exc), "exception", traceback.format_exc())
        else:
            result = call_safely(fn, task)
        try:
            conn.send(result)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send(RunError(text("backends.result_not_sent", "en", reason=exc), "exception"))
        except (BrokenPipeError, OSError):
            return


@dataclass(slots=True)
class _Job:
    """A task waiting or running, with how many workers died running it."""

    task: Any
    crashes: int = 0


@dataclass(slots=True)
class _Worker:
    """One worker process and the parent's end of its pipe."""

    process: Any
    conn: multiprocessing.connection.Connection
    job: _Job | None = field(default=None)
    fn_bytes: bytes | None = field(default=None)  # the pickled function this worker holds


_DEATH_TEMPLATES = {
    # (when, how the worker ended) -> template
    ("starting", "signal"): "backends.start_killed",
    ("starting", "out_of_memory"): "backends.start_killed_out_of_memory",
    ("starting", "status"): "backends.start_exited",
    ("retrying", "signal"): "backends.retry_killed",
    ("retrying", "out_of_memory"): "backends.retry_killed_out_of_memory",
    ("retrying", "status"): "backends.retry_exited",
    ("lost", "signal"): "backends.lost_killed",
    ("lost", "out_of_memory"): "backends.lost_killed_out_of_memory",
    ("lost", "status"): "backends.lost_exited",
}


def _death_text(when: str, exitcode: int | None) -> str:
    """The message for a worker process that ended ``when`` (starting, retrying, lost), by how it ended.

    A lost run's message is stored with the run (its ``error`` column), so it is English
    in every ``--lang``; the other messages are shown to the user in the current language.
    """
    lang = "en" if when == "lost" else None
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        how = "out_of_memory" if name == "SIGKILL" else "signal"
        template = _DEATH_TEMPLATES[(when, how)]
        return text(template, lang, signal=name)
    template = _DEATH_TEMPLATES[(when, "status")]
    return text(template, lang, status=exitcode)


class ProcessBackend:
    """Runs tasks on ``workers`` local processes started with the ``spawn`` method.

    Args:
        workers: Number of worker processes (default: the machine's cores). No more
            workers are started than there are tasks.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, batch: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.batch = batch
        self._context = multiprocessing.get_context("spawn")
        self._pool: list[_Worker] = []
        self._depth = 0

    def __enter__(self) -> Self:
        self._depth += 1  # re-entrant: the outermost 'with' stops the workers
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if exc_type is not None:
            self._terminate_all()
        elif self._depth == 0:
            self._stop_all()

    def _start_workers(self, n: int) -> None:
        """Start ``n`` workers and wait until each says it is ready.

        Raises:
            RuntimeError: A worker died or hung while starting (a broken environment, or
                a script that starts workers without ``if __name__ == "__main__":``).
        """
        started = []
        for _ in range(n):
            parent_end, child_end = self._context.Pipe(duplex=True)
            process = self._context.Process(target=_worker_main, args=(child_end,), daemon=True,
                                            name="talentsim-worker")
            with _children_ignore_ctrl_c():
                process.start()
            child_end.close()
            worker = _Worker(process, parent_end)
            self._pool.append(worker)
            started.append(worker)
        for worker in started:
            ready = multiprocessing.connection.wait([worker.conn, worker.process.sentinel], STARTUP_TIMEOUT_S)
            if worker.conn in ready and worker.conn.poll() and worker.conn.recv_bytes() == READY:
                continue
            worker.process.join(timeout=1)
            if not ready:
                raise RuntimeError(text("backends.start_not_ready", seconds=STARTUP_TIMEOUT_S))
            raise RuntimeError(_death_text("starting", worker.process.exitcode))

    def _discard(self, worker: _Worker) -> None:
        """Forget a dead (or doomed) worker, making sure its process is gone."""
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        self._pool.remove(worker)

    def _stop_all(self) -> None:
        """Ask every worker to finish, then make sure they are gone."""
        for worker in self._pool:
            try:
                worker.conn.send_bytes(b"")
            except OSError:
                pass
        for worker in self._pool:
            worker.process.join(timeout=5)
        self._terminate_all()

    def _terminate_all(self) -> None:
        """Stop every worker now (Ctrl-C, an error, or leftovers after a stop)."""
        for worker in self._pool:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self._pool:
            worker.process.join(timeout=3)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=3)
            worker.conn.close()
        self._pool.clear()

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        """Run the tasks on the pool; yield each result as soon as a worker returns it."""
        pending: deque[_Job] = deque(_Job(task) for task in tasks)
        fn_bytes = pickle.dumps(fn)
        try:
            self._start_workers(min(self.workers, len(pending)) - len(self._pool))
            while pending or any(w.job is not None for w in self._pool):
                self._dispatch(fn_bytes, pending)
                yield from self._collect(pending)
        except BaseException:
            self._terminate_all()
            raise

    def _dispatch(self, fn_bytes: bytes, pending: deque[_Job]) -> None:
        """Give a waiting task to every idle worker."""
        for worker in list(self._pool):
            if not pending:
                return
            if worker.job is not None:
                continue
            job = pending.popleft()
            send_fn = None if worker.fn_bytes is fn_bytes else fn_bytes
            try:
                worker.conn.send_bytes(pickle.dumps((send_fn, job.task)))
            except (BrokenPipeError, ConnectionResetError, EOFError):
                pending.appendleft(job)  # the worker died idle: the run never started
                self._discard(worker)
                self._start_workers(1)
                continue
            worker.job = job
            worker.fn_bytes = fn_bytes

    def _collect(self, pending: deque[_Job]) -> Iterator[tuple[Any, Any]]:
        """Wait for at least one busy worker to answer or die; yield what finished."""
        busy = [w for w in self._pool if w.job is not None]
        waitables = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(multiprocessing.connection.wait(waitables))
        for worker in busy:
            job = worker.job
            assert job is not None
            if worker.conn in ready or (worker.process.sentinel in ready and worker.conn.poll()):
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):
                    pass  # died while sending: handled as a death below
                else:
                    worker.job = None
                    yield job.task, result
                    continue
            if worker.conn in ready or worker.process.sentinel in ready:
                yield from self._handle_death(worker, job, pending)

    def _handle_death(self, worker: _Worker, job: _Job, pending: deque[_Job]) -> Iterator[tuple[Any, Any]]:
        """A worker died holding ``job``: retry it once on a fresh worker, then give up."""
        worker.process.join(timeout=5)
        exitcode = worker.process.exitcode
        self._discard(worker)
        job.crashes += 1
        if job.crashes >= 2:
            yield job.task, RunError(_death_text("lost", exitcode), "worker_lost")
        else:
            logging.getLogger(__name__).warning(_death_text("retrying", exitcode))
            pending.appendleft(job)
        if pending:
            self._start_workers(1)


class DaskBackend:
    """Runs tasks on a Dask distributed cluster.

    Args:
        address: ``"local"`` starts a ``LocalCluster`` of worker processes on this
            machine (one thread each, no dashboard) that is closed on exit; anything
            else is the address of a running scheduler, e.g. ``tcp://10.0.0.5:8786``.
        workers: Worker processes of a local cluster (default: the machine's cores).
        timeout_s: How long to try to reach a remote scheduler before giving up.

    Raises:
        SchedulerUnreachableError: On entry, when the scheduler does not answer.
    """

    name = "dask"

    def __init__(self, address: str = "local", workers: int | None = None, timeout_s: float = 5.0,
                 batch: int | None = None) -> None:
        self.address = address
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.batch = batch
        self.timeout_s = timeout_s
        self._cluster: Any = None
        self._client: Any = None
        self._depth = 0

    def __enter__(self) -> Self:
        if self._client is None:
            self._connect()
        self._depth += 1  # re-entrant: the outermost 'with' closes the client and cluster
        return self

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` of the entered backend (calibration's pyabc sampler submits to it)."""
        if self._client is None:
            raise RuntimeError("DaskBackend.client used outside its 'with' block")
        return self._client

    def _connect(self) -> None:
        import dask
        from distributed import Client, LocalCluster

        if self.address == "local":
            # One retry of a run whose worker died, as with local processes.
            with dask.config.set({"distributed.scheduler.allowed-failures": 1}), _children_ignore_ctrl_c():
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
            return
        try:
            self._client = Client(self.address, timeout=f"{self.timeout_s}s")
        except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
            raise SchedulerUnreachableError(text("backends.scheduler_unreachable", address=self.address,
                                                 seconds=self.timeout_s, exception=type(exc).__name__,
                                                 reason=exc)) from None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if self._depth > 0 and exc_type is None:
            return
        self._depth = 0
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        """Submit every task to the cluster; yield each result as soon as it arrives."""
        from distributed import as_completed

        if self._client is None:
            raise RuntimeError("DaskBackend.map used outside its 'with' block")
        futures = {self._client.submit(call_safely, fn, task, pure=False): task for task in tasks}
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # KilledWorker and friends: the run never returned
                    kind: ErrorKind = "worker_lost" if type(exc).__name__ == "KilledWorker" else "exception"
                    result = RunError(text("backends.raised", "en", exception=type(exc).__name__,
                                           message=exc), kind)
                future.release()
                yield task, result
        except BaseException:
            self._client.cancel(list(futures), force=True)
            raise


def make_backend(workers: int | None = None, scheduler: str | None = None, batch: int | None = None) -> Backend:
    """The backend the command-line options ask for.

    Args:
        workers: ``--workers``: local worker processes (1 runs serially in this process;
            default: the machine's cores). With ``scheduler="local"``, the cluster's size.
        scheduler: ``--scheduler``: ``"local"`` or a Dask scheduler address.
        batch: ``--batch``: runs a worker simulates together (None: the default rule).
    """
    if workers is not None and workers < 1:
        raise UserError(text("backends.workers_too_few", workers=workers))
    if batch is not None and batch < 1:
        raise UserError(text("backends.batch_too_small", batch=batch))
    if scheduler and scheduler != "local" and workers is not None:
        raise UserError(text("backends.workers_with_scheduler", workers=workers, scheduler=scheduler))
    if scheduler:
        return DaskBackend(scheduler, workers=workers, batch=batch)
    if workers == 1:
        return SerialBackend(batch)
    return ProcessBackend(workers, batch)
