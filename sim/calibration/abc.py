"""ABC-SMC with pyabc: a posterior over the free parameters, on local processes or a Dask cluster.

The acceptance step is pyabc's stochastic acceptor with the kernel ``exp(-d^2 / 2)``
(:func:`sim.calibration.distance.log_kernel`) and an adaptive temperature schedule
(``pyabc.Temperature``) that ends at temperature 1 by the last generation allowed: the
final population is then a weighted sample of the posterior under the distance's
likelihood (Wilkinson 2013, "Approximate Bayesian computation gives exact results under
the assumption of model error"; Schälte and Hasenauer 2020). When the budget runs out
first, the run stops at a temperature above 1 and the posterior is wider than the exact
one: the summary and the manifest say so.

Where the particles are simulated follows the talentsim backend: ``SerialBackend``
(``--workers 1``) -> ``SingleCoreSampler``, ``ProcessBackend`` -> pyabc's
``MulticoreEvalParallelSampler`` on as many processes, ``DaskBackend``
(``--scheduler``) -> ``DaskDistributedSampler`` on the backend's client.

Reproducibility: pyabc draws from NumPy's global generator. Before each session this
module seeds it from the master seed and the generation the session starts at (and puts
the caller's generator state back afterwards), so with one process the same file and
seed give the same posterior. Parallel samplers evaluate particles as workers become
free and keep the first ones accepted, and each worker draws from its own freshly
seeded generator: which particles are accepted then depends on timing, and two runs
differ by Monte Carlo error, not by more.

Resume: the history is pyabc's SQLite database ``DIR/abc.db``, written at the end of
every generation; a rerun with the same folder loads it (``ABCSMC.load``) and
continues from the next generation (an interrupted generation is sampled again).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc
from pyabc.distance import SCALE_LOG, FunctionKernel
from pyabc.sampler import DaskDistributedSampler, MulticoreEvalParallelSampler, SingleCoreSampler

from sim.calibration.batch_sampler import BatchingSampler
from sim.calibration.distance import log_kernel
from sim.calibration.evaluate import AbcModel, Problem
from sim.calibration.spec import CalibrationSpec
from sim.calibration.sqlite import write_ahead_logging
from sim.experiments.backends import Backend, DaskBackend, ProcessBackend
from sim.experiments.models import BATCHED
from sim.experiments.runner import default_batch
from sim.experiments.store import write_json_atomic
from sim.messages import text

DB_FILE = "abc.db"
DISCARDED_FILE = "abc_discarded.json"
ABC_SEED_PURPOSE = 11
"""Spawn key of the seeds of pyabc's generator (``(purpose, session start generation + 1, 0)``)."""
EXACT = 1.0 + 1e-9


class _Reporting:
    """Mixin: cap each generation at the budget left, and tell ``report(t, n_accepted, n_evaluated, complete)``.

    ``budget_left()`` is the number of evaluations the budget still allows: a generation
    that reaches it stops unfinished (pyabc then ends the run with the generations before
    it), so the budget holds within one generation on local samplers. pyabc's Dask
    sampler does not stop inside a generation and may overshoot by one.
    """

    report: Any = None
    budget_left: Any = None

    def sample_until_n_accepted(self, n: int, simulate_one: Any, t: int, **kwargs: Any) -> Any:
        if self.budget_left is not None and t >= 0:
            kwargs["max_eval"] = min(kwargs.get("max_eval", math.inf), max(1, self.budget_left()))
        began = time.perf_counter()
        sample = super().sample_until_n_accepted(n, simulate_one, t, **kwargs)  # type: ignore[misc]
        if self.report is not None:
            self.report(t, int(sample.n_accepted), int(self.nr_evaluations_),  # type: ignore[attr-defined]
                        int(sample.n_accepted) >= n, time.perf_counter() - began)
        return sample


class ReportingSingleCoreSampler(_Reporting, SingleCoreSampler):
    """pyabc's ``SingleCoreSampler`` that reports each generation."""


class ReportingMulticoreSampler(_Reporting, MulticoreEvalParallelSampler):
    """pyabc's ``MulticoreEvalParallelSampler`` that reports each generation."""


class ReportingDaskSampler(_Reporting, DaskDistributedSampler):
    """pyabc's ``DaskDistributedSampler`` that reports each generation."""


class ReportingBatchingSampler(_Reporting, BatchingSampler):
    """``BatchingSampler`` (K particles a batch, one process) that reports each generation."""


@dataclass(frozen=True)
class SamplerChoice:
    """The pyabc sampler for a backend, how the manifest names it, and whether runs are reproducible."""

    sampler: Any
    description: str
    reproducible: bool


def make_sampler(backend: Backend | None, problem: Problem | None = None) -> SamplerChoice:
    """The pyabc sampler that runs particles where ``backend`` runs tasks.

    In one process, a model that can batch evaluates ``batch // runs per evaluation``
    particles at once (``--batch``; default ``default_batch`` of its largest scenario): ``BatchingSampler``.
    """
    if isinstance(backend, DaskBackend):
        client = backend.client
        return SamplerChoice(ReportingDaskSampler(dask_client=client), f"DaskDistributedSampler ({backend.address})",
                             False)
    if isinstance(backend, ProcessBackend) and backend.workers > 1:
        return SamplerChoice(ReportingMulticoreSampler(n_procs=backend.workers, check_max_eval=True),
                             f"MulticoreEvalParallelSampler ({backend.workers} processes)", False)
    if problem is not None and problem.batch and problem.model in BATCHED:
        runs = backend.batch if backend is not None and backend.batch is not None else \
            default_batch(max(getattr(sc, "plan", sc).n_students for sc in problem.scenarios))
        particles = max(1, runs // problem.runs_per_evaluation)
        if particles > 1:
            return SamplerChoice(ReportingBatchingSampler(particles, problem.run_many),
                                 f"BatchingSampler ({particles} particles a batch, 1 process)", True)
    return SamplerChoice(ReportingSingleCoreSampler(check_max_eval=True), "SingleCoreSampler (1 process)", True)


@contextlib.contextmanager
def seeded_generators(master_seed: int, start: int) -> Iterator[None]:
    """Seed NumPy's and Python's global generators for a session starting at generation ``start``; restore after."""
    # pyabc draws from NumPy's legacy global generator, so that is the one to seed
    numpy_state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    sequence = np.random.SeedSequence(master_seed, spawn_key=(ABC_SEED_PURPOSE, start + 1, 0))
    words = sequence.generate_state(4)
    np.random.seed(words)  # noqa: NPY002
    random.seed(int(words[0]))
    try:
        yield
    finally:
        np.random.set_state(numpy_state)  # noqa: NPY002
        random.setstate(python_state)


@contextlib.contextmanager
def quiet_pyabc() -> Iterator[None]:
    """Let only pyabc's warnings through: it logs each generation at INFO, and talentsim prints its own progress."""
    logger = logging.getLogger("ABC")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass(frozen=True)
class AbcResult:
    """What the ABC-SMC run left: its final population and how it went.

    Attributes:
        particles: One row per particle of the last generation: ``weight``, every prior's
            internal name (``p0`` ...), ``d2``, ``seed`` and the simulated means ``m<i>``.
        generations: Generations done (after the prior sample).
        evaluations: Particles simulated in all: the prior sample and any generation the budget cut short included.
        wall_time_s: Time spent in generations, over every session.
        temperature: The last generation's temperature (1: the exact posterior).
        stopped: Why it stopped: ``exact``, ``generations``, ``budget_simulations``, ``budget_wall_time``.
        sampler: The sampler's description.
        reproducible: True when one process ran every particle (one worker).
        sessions_resumed: Generations stored before this session (None: a new history).
        populations: pyabc's table of populations (t, epsilon = temperature, samples, ...).
    """

    particles: pd.DataFrame
    generations: int
    evaluations: int
    wall_time_s: float
    temperature: float
    stopped: str
    sampler: str
    reproducible: bool
    sessions_resumed: int | None
    populations: pd.DataFrame


class _Reporter:
    """Prints one line per generation on stderr (not with ``quiet``)."""

    def __init__(self, abc: Any, spec: CalibrationSpec, problem: Problem, evaluations_before: int,
                 max_evaluations: float, show: bool) -> None:
        self.abc, self.spec, self.problem = abc, spec, problem
        self.evaluations = evaluations_before
        self.max_evaluations = max_evaluations
        self.discarded = 0
        self.discarded_seconds = 0.0
        self.show = show
        self.start = time.perf_counter()

    def budget_left(self) -> float:
        """Evaluations the budget still allows."""
        return self.max_evaluations - self.evaluations

    def __call__(self, t: int, accepted: int, evaluated: int, complete: bool, seconds: float) -> None:
        self.evaluations += evaluated
        if not complete:  # cut by the budget: pyabc discards it, the budget counts it
            self.discarded += evaluated
            self.discarded_seconds += seconds
        if not self.show:
            return
        if not complete:
            print(text("calibration.progress_cut", generation=t + 1, accepted=accepted, evaluations=evaluated),
                  file=sys.stderr, flush=True)
            return
        simulations = self.evaluations * self.problem.runs_per_evaluation
        seconds = time.perf_counter() - self.start
        if t < 0:
            line = text("calibration.progress_prior", evaluations=evaluated, simulations=simulations, seconds=seconds)
        else:
            line = text("calibration.progress_generation", generation=t + 1, generations=self.spec.abc.generations,
                        temperature=float(self.abc.eps(t)), accepted=accepted, evaluations=evaluated,
                        rate=accepted / max(evaluated, 1), simulations=simulations, seconds=seconds)
        print(line, file=sys.stderr, flush=True)


def _stop_reason(populations: pd.DataFrame, spec: CalibrationSpec, evaluations: int, max_evaluations: float,
                 wall_time_s: float) -> str | None:
    """Why a history is finished (None: it may go on)."""
    done = populations[populations["t"] >= 0]
    if len(done) and float(done["epsilon"].iloc[-1]) <= EXACT:
        return "exact"
    if len(done) >= spec.abc.generations:
        return "generations"
    if evaluations >= max_evaluations:
        return "budget_simulations"
    wall = spec.budget.wall_time_minutes
    if wall is not None and wall_time_s >= wall * 60:
        return "budget_wall_time"
    return None


def _discarded(folder: Path) -> tuple[int, float]:
    """Evaluations and seconds of generations the budget cut short (pyabc keeps no record of them)."""
    try:
        record = json.loads((folder / DISCARDED_FILE).read_text(encoding="utf-8"))
        return int(record["evaluations"]), float(record["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 0.0


def _stored_history(db: Path) -> Any | None:
    """The history stored in ``db``, or None when there is none worth loading (no file, or no run recorded)."""
    if not db.exists():
        return None
    history = pyabc.History(f"sqlite:///{db}")
    try:
        runs = history.all_runs()
    except Exception:  # a database killed before pyabc wrote its tables
        runs = []
    if not runs:
        db.unlink()
        return None
    history.id = 1
    return history


def run_abc(problem: Problem, spec: CalibrationSpec, folder: Path, backend: Backend | None, *,
            progress: bool = False, quiet: bool = False) -> AbcResult:
    """Run (or continue) the ABC-SMC history in ``folder/abc.db`` until it is exact or the budget is spent.

    Args:
        problem: What one evaluation runs.
        spec: The calibration (population size, generations, budget, master seed).
        folder: The calibration folder (holds ``abc.db``).
        backend: Where particles are simulated (see the module text); None: this process.
        progress: Print a line per generation on stderr.
        quiet: With ``progress``, print only the resume notice.

    Returns:
        The final population and how the run went.
    """
    db = folder / DB_FILE
    runs_per_evaluation = problem.runs_per_evaluation
    max_evaluations = (math.ceil(spec.budget.simulations / runs_per_evaluation)
                       if spec.budget.simulations is not None else math.inf)
    priors = pyabc.Distribution(**{prior.name: prior.pyabc_rv() for prior in problem.priors})
    kernel = FunctionKernel(log_kernel, ret_scale=SCALE_LOG, pdf_max=0.0)
    with quiet_pyabc(), write_ahead_logging():  # WAL: a killed run leaves a consistent history
        choice = make_sampler(backend, problem)
        abc = pyabc.ABCSMC(AbcModel(problem), priors, kernel, population_size=spec.abc.population_size,
                           eps=pyabc.Temperature(), acceptor=pyabc.StochasticAcceptor(), sampler=choice.sampler)
        stored = _stored_history(db)
        resumed: int | None = None
        if stored is None:
            abc.new(f"sqlite:///{db}", {"d2": 0.0})
            populations = pd.DataFrame({"t": [], "epsilon": [], "samples": [], "wall_time": []})
        else:
            abc.load(f"sqlite:///{db}", 1)
            populations = abc.history.get_all_populations()
            resumed = int((populations["t"] >= 0).sum())
        discarded, discarded_seconds = _discarded(folder) if stored is not None else (0, 0.0)
        evaluations = (int(populations["samples"].sum()) if len(populations) else 0) + discarded
        wall_time = (float(populations["wall_time"].fillna(0).sum()) if len(populations) else 0.0) + discarded_seconds
        reason = _stop_reason(populations, spec, evaluations, max_evaluations, wall_time)
        if progress and resumed is not None:
            template = "calibration.resuming" if reason is None else "calibration.already_done"
            print(text(template, db=db, generations=resumed, simulations=evaluations * runs_per_evaluation),
                  file=sys.stderr, flush=True)
        if reason is None:
            start = int(abc.history.max_t) + 1
            reporter = _Reporter(abc, spec, problem, evaluations, max_evaluations, progress and not quiet)
            choice.sampler.report = reporter
            choice.sampler.budget_left = reporter.budget_left
            remaining_wall = (timedelta(seconds=max(1.0, spec.budget.wall_time_minutes * 60 - wall_time))
                              if spec.budget.wall_time_minutes is not None else None)
            with seeded_generators(spec.seed, start):
                abc.run(max_nr_populations=spec.abc.generations, max_total_nr_simulations=max_evaluations,
                        max_walltime=remaining_wall)
            populations = abc.history.get_all_populations()
            if reporter.discarded:
                discarded += reporter.discarded
                discarded_seconds += reporter.discarded_seconds
                write_json_atomic(folder / DISCARDED_FILE, {"evaluations": discarded, "seconds": discarded_seconds})
            evaluations = int(populations["samples"].sum()) + discarded
            wall_time = float(populations["wall_time"].fillna(0).sum()) + discarded_seconds
            reason = _stop_reason(populations, spec, evaluations, max_evaluations, wall_time) or "generations"
        history = abc.history
        last = int(history.max_t)
        if last < 0:  # the budget ran out before the first generation was complete: nothing to report
            raise NoGenerationError(evaluations * runs_per_evaluation, spec.abc.population_size)
        particles = _particles(history.get_population(t=last), problem)
        temperature = float(populations.loc[populations["t"] == last, "epsilon"].iloc[0])
    choice.sampler.report = choice.sampler.budget_left = None
    return AbcResult(particles, last + 1, evaluations, wall_time, temperature, reason, choice.description,
                     choice.reproducible, resumed, populations)


class NoGenerationError(Exception):
    """The budget ended before the first generation of particles was complete."""

    def __init__(self, simulations: int, population: int) -> None:
        super().__init__(f"{simulations} simulations, no complete generation of {population} particles")
        self.simulations, self.population = simulations, population


def _particles(population: Any, problem: Problem) -> pd.DataFrame:
    """The particles of a pyabc population as a table (stored order)."""
    rows = []
    for particle in population.particles:
        row: dict[str, Any] = {"weight": float(particle.weight)}
        row.update({prior.name: float(particle.parameter[prior.name]) for prior in problem.priors})
        stats = particle.sum_stat
        row["d2"] = float(stats["d2"])
        row["seed"] = int(str(stats["seed"]))
        row.update({f"m{i}": float(stats[f"m{i}"]) for i in range(len(problem.targets))})
        rows.append(row)
    table = pd.DataFrame(rows)
    table["weight"] = table["weight"] / table["weight"].sum()
    return table


__all__ = ["DB_FILE", "AbcResult", "NoGenerationError", "SamplerChoice", "make_sampler", "run_abc", "seeded_generators"]
