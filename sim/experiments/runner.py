"""Run a batch of tasks on a backend, storing each run as it finishes and skipping stored ones.

Replications, comparisons and sweeps all come down to a list of :class:`RunTask` (which
point, which replication, which seed, which parameter values) and an :class:`Evaluator`
(which model on which scenarios). :func:`execute` is the one loop that sends them to a
backend, records every result or error, and counts progress.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.experiments.backends import Backend, RunError, SerialBackend, call_safely
from sim.experiments.models import BATCHED, ModelFn
from sim.experiments.progress import Progress
from sim.experiments.store import RunRecord, RunStore, StoreError
from sim.i18n import use_language
from sim.messages import text


@dataclass(frozen=True, slots=True)
class RunTask:
    """One run to do (small and picklable: this is what travels to a worker).

    Attributes:
        point: Design point (sweep) or scenario index (comparison); part of the store key.
        rep: Replication index; part of the store key.
        seed: The run's integer seed (see :mod:`sim.experiments.seeds`).
        scenario_index: Which of the evaluator's scenarios the run uses.
        params: Values of the varied parameters by dotted key (empty in a comparison).
    """

    point: int
    rep: int
    seed: int
    scenario_index: int = 0
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evaluator:
    """A picklable callable that runs one task: ``model(task.params, scenario, task.seed)``.

    Attributes:
        model: The model function (a top-level callable, see :mod:`sim.experiments.models`).
        scenarios: The scenarios tasks refer to by index (a sweep has one, its base).
    """

    model: ModelFn
    scenarios: tuple[Any, ...]

    def __call__(self, task: RunTask) -> dict[str, float]:
        """Run the task; outcomes as plain floats."""
        outcomes = self.model(task.params, self.scenarios[task.scenario_index], task.seed)
        return {str(name): float(value) for name, value in outcomes.items()}

    @property
    def batchable(self) -> bool:
        """Whether the model can run several tasks at once (``sim.experiments.models.BATCHED``)."""
        return self.model in BATCHED


@dataclass(frozen=True, slots=True)
class TaskBatch:
    """Tasks a worker runs together, in one set of arrays (what travels to a worker instead of one task)."""

    tasks: tuple[RunTask, ...]


@dataclass(frozen=True, slots=True)
class BatchEvaluator:
    """A picklable callable that runs a ``TaskBatch``: one result (outcomes or ``RunError``) per task.

    The batch is simulated together; if that raises, each of its tasks is run again alone,
    so a failing run is reported as itself and the others keep their results.
    """

    evaluator: Evaluator

    def __call__(self, batch: TaskBatch) -> list[Any]:
        """Outcomes (or the error) of every task of ``batch``, in its order."""
        tasks = batch.tasks
        batch_fn = BATCHED.get(self.evaluator.model)
        if batch_fn is not None and len(tasks) > 1:
            scenarios = self.evaluator.scenarios
            try:
                with use_language("en"):  # a run's error is stored with it: the same text in every --lang
                    outcomes = batch_fn([t.params for t in tasks], [scenarios[t.scenario_index] for t in tasks],
                                        [t.seed for t in tasks])
                return [{str(name): float(value) for name, value in o.items()} for o in outcomes]
            except Exception:
                pass  # one of the runs failed: run each alone below, to know which
        return [call_safely(self.evaluator, task) for task in tasks]


BATCH_MAX = 64
"""The most runs one batch holds by default.

Batches of the baseline (2,100 students) run the more runs a second the more runs they hold
up to 64, and fewer at 128 (the cache no longer holds a week's arrays): 72.8, 64.7, 58.6 and
61.1 ms of CPU a run in batches of 16, 32, 64 and 128 on 2026-12-07 (docs/performance.md).
"""
BATCH_STUDENTS = 135_000
"""The most students one batch holds by default (``default_batch``): ``BATCH_MAX`` baseline runs.

A batch pays by spreading the fixed cost of a simulated week over its runs; a batch of runs
of this many students together has spread it thin already, and a larger batch only costs
memory (a run of 100,000 students is batched by one: it costs 354 bytes a student).
"""


def default_batch(students_per_run: int) -> int:
    """Runs per batch unless told otherwise: as many runs as hold ``BATCH_STUDENTS``, 1 to ``BATCH_MAX``."""
    return max(1, min(BATCH_MAX, BATCH_STUDENTS // max(1, students_per_run)))


def batch_size(n_runs: int, workers: int, batch: int | None) -> int:
    """Runs per batch: at most ``batch`` (``--batch``; None: ``BATCH_MAX``), and no more than an even share.

    An even share is the runs divided among the workers, so that every worker has work.
    """
    return max(1, min(batch if batch is not None else BATCH_MAX, -(-n_runs // max(1, workers))))


def memory_batch_cap(run_bytes: int, workers: int, max_memory_bytes: int) -> int:
    """The most runs per batch for which every worker's batch fits in ``max_memory_bytes`` at once (at least 1)."""
    return max(1, max_memory_bytes // (max(1, workers) * max(1, run_bytes)))


def model_name(model: ModelFn) -> str:
    """``module:qualname`` of a model function, recorded with (and hashed into) an experiment."""
    return f"{getattr(model, '__module__', '?')}:{getattr(model, '__qualname__', repr(model))}"


def to_record(task: RunTask, result: Any) -> RunRecord:
    """The stored form of a task's result or error."""
    if isinstance(result, RunError):
        return RunRecord(task.point, task.rep, task.seed, dict(task.params), {}, result.message, result.kind,
                         result.traceback)
    return RunRecord(task.point, task.rep, task.seed, dict(task.params), dict(result))


def reusable(stored: Mapping[tuple[int, int], RunRecord], tasks: Sequence[RunTask],
             store: RunStore | None = None) -> dict[tuple[int, int], RunRecord]:
    """The stored successful runs that match a task exactly (failed runs are run again).

    Raises:
        StoreError: A stored run has the key of a task but another seed or other
            parameter values: the folder belongs to a different design.
    """
    found: dict[tuple[int, int], RunRecord] = {}
    for task in tasks:
        record = stored.get((task.point, task.rep))
        if record is None or record.failed:
            continue
        if record.seed != task.seed or record.params != task.params:
            fields = {"point": task.point, "rep": task.rep, "stored_params": record.params,
                      "stored_seed": record.seed, "params": task.params, "seed": task.seed}
            if store is not None:
                raise StoreError(text("store.run_mismatch", folder=store.directory, **fields))
            raise StoreError(text("store.run_mismatch_unnamed", **fields))
        found[record.key] = record
    return found


def execute(tasks: Sequence[RunTask], evaluator: Evaluator, backend: Backend | None = None, *,
            store: RunStore | None = None, progress: bool = False, quiet: bool = False) -> list[RunRecord]:
    """Run every task not already stored; return all records in task order.

    Args:
        tasks: The runs of the experiment (keys must be unique).
        evaluator: What one run does.
        backend: Where runs execute; entered here (default: this process).
        store: An open run store: stored successful runs are reused, and every new
            run is saved the moment its batch finishes (a kill loses at most the batches running).
        progress: Count runs on stderr (a bar when stderr is a terminal, then a summary line).
        quiet: With ``progress``, show only the summary line.

    The backend's ``batch`` (``--batch``; None: ``default_batch_size``) says how many runs a
    worker simulates together; a model that cannot batch runs one run per call.

    Returns:
        One record per task, successful or failed, in the order of ``tasks``; the
        same records whatever the batch size.
    """
    records = reusable(store.stored(), tasks, store) if store is not None else {}
    todo = [task for task in tasks if (task.point, task.rep) not in records]
    with (backend or SerialBackend()) as active, \
            Progress(len(tasks), len(records), bar=progress and not quiet, summary=progress) as counter:
        def keep(task: RunTask, result: Any) -> None:
            record = to_record(task, result)
            if store is not None:
                store.save(record)
            records[record.key] = record
            counter.update(record.failed)

        size = batch_size(len(todo), active.workers, active.batch)
        if size <= 1 or not evaluator.batchable:
            for task, result in active.map(evaluator, todo):
                keep(task, result)
        else:
            batches = [TaskBatch(tuple(todo[i:i + size])) for i in range(0, len(todo), size)]
            alone: list[RunTask] = []
            for done, results in active.map(BatchEvaluator(evaluator), batches):
                if isinstance(results, RunError):  # the batch's worker died: its runs are run again, alone
                    alone.extend(done.tasks)
                    continue
                for task, result in zip(done.tasks, results, strict=True):
                    keep(task, result)
            for task, result in active.map(evaluator, alone):
                keep(task, result)
    return [records[(task.point, task.rep)] for task in tasks]
