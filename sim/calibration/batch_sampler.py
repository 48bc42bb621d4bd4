"""A pyabc sampler that evaluates K particles at once, their runs simulated as one batch (one process).

Why: a particle's evaluation is only ``scenarios x reps`` runs (4 in the shipped
calibration), where batching gains least (``docs/performance.md``). pyabc hands a sampler
one function, ``simulate_one``, that proposes a particle, simulates it and decides its
acceptance in one call. So each of K particles runs ``simulate_one`` in a thread of its
own, started one after the other: a thread proposes (drawing from the global generators
pyabc seeds) and stops inside the model call (``AbcModel``), handing its parameter values
over (``gather``); when K are waiting, their runs are simulated together, then the threads
are resumed one at a time, in order, each deciding its acceptance before the next
resumes. Every draw therefore happens in a fixed order, and the same file, seed and K give
the same posterior. With ``K = 1`` this is pyabc's ``SingleCoreSampler``.

The generation stops at its n-th accepted particle, as pyabc's samplers do; particles a
batch evaluated beyond it are discarded but counted as evaluations (they were run), so
the budget can be exceeded by fewer than K evaluations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

EvaluateAll = Callable[[Sequence[tuple[dict[str, Any], list[int]]]], list[np.ndarray]]
"""``evaluate_all([(values, seeds), ...]) -> [means, ...]``: evaluations of several particles together."""


class _Gather:
    """The parameter values of a batch's waiting particles, and their results once evaluated."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.requests: dict[int, tuple[dict[str, Any], list[int]]] = {}
        self.results: dict[int, np.ndarray | BaseException] = {}
        self.finished: set[int] = set()


_ACTIVE: _Gather | None = None
"""The batch gathering particles now (set by the sampler while its threads run)."""
_SLOT = threading.local()
"""Which particle of the batch the current thread simulates."""


def gather(values: dict[str, Any], seeds: list[int]) -> np.ndarray | None:
    """Inside a batch: hand this particle's evaluation over and wait for its means; outside one: None."""
    active = _ACTIVE
    slot = getattr(_SLOT, "index", None)
    if active is None or slot is None:
        return None
    with active.condition:
        active.requests[slot] = (values, seeds)
        active.condition.notify_all()
        active.condition.wait_for(lambda: slot in active.results)
        result = active.results[slot]
    if isinstance(result, BaseException):
        raise result
    return result


def _paused(active: _Gather, index: int) -> bool:
    """Whether particle ``index`` waits for its evaluation (or has finished without one)."""
    return index in active.requests or index in active.finished


class BatchingSampler(Sampler):
    """Evaluates ``particles_per_batch`` particles at once (see the module's docstring)."""

    def __init__(self, particles_per_batch: int, evaluate_all: EvaluateAll, check_max_eval: bool = True) -> None:
        super().__init__()
        self.particles_per_batch = max(1, int(particles_per_batch))
        self.evaluate_all = evaluate_all
        self.check_max_eval = check_max_eval

    def sample_until_n_accepted(self, n: int, simulate_one: Any, t: int, *, max_eval: float = np.inf,
                                all_accepted: bool = False, ana_vars: Any = None) -> Any:
        """Simulate particles, K at a time, until ``n`` are accepted (or the evaluations allowed are spent)."""
        nr_simulations = 0
        sample = self._create_empty_sample()
        while sample.n_accepted < n:
            if self.check_max_eval and nr_simulations >= max_eval:
                break
            k = self.particles_per_batch
            if self.check_max_eval and np.isfinite(max_eval):
                k = max(1, min(k, int(max_eval) - nr_simulations))
            for particle in self._batch(simulate_one, k):
                nr_simulations += 1
                if sample.n_accepted < n:
                    sample.append(particle)
        self.nr_evaluations_ = nr_simulations
        if sample.n_accepted < n:
            sample.ok = False
        return sample

    def _batch(self, simulate_one: Any, k: int) -> list[Any]:
        """Run ``k`` particles: proposals one after the other, the runs together, acceptances in order."""
        global _ACTIVE
        active = _Gather()
        slots: list[Any] = [None] * k

        def run(index: int) -> None:
            _SLOT.index = index
            try:
                slots[index] = simulate_one()
            except BaseException as exc:  # re-raised in the sampler's thread, in order
                slots[index] = exc
            finally:
                with active.condition:
                    active.finished.add(index)
                    active.condition.notify_all()

        _ACTIVE = active
        threads = []
        try:
            for index in range(k):  # each proposes in turn: the generators are drawn in a fixed order
                thread = threading.Thread(target=run, args=(index,), daemon=True)
                threads.append(thread)
                thread.start()
                with active.condition:
                    active.condition.wait_for(lambda: _paused(active, len(threads) - 1))
            waiting = sorted(active.requests)
            try:
                means = self.evaluate_all([active.requests[i] for i in waiting])
                outcomes: dict[int, np.ndarray | BaseException] = dict(zip(waiting, means, strict=True))
            except BaseException as exc:  # the evaluation failed: every waiting particle raises it
                outcomes = dict.fromkeys(waiting, exc)
            for index, thread in enumerate(threads):  # each decides its acceptance in turn
                with active.condition:
                    if index in outcomes:
                        active.results[index] = outcomes[index]
                        active.condition.notify_all()
                thread.join()
        finally:
            _ACTIVE = None
        for particle in slots:
            if isinstance(particle, BaseException):
                raise particle
        return slots
