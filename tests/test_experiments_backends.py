"""Backends: identical results everywhere; errors recorded; killed workers retried once; clean stops."""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path
from typing import Any

import experiment_toys as toys
import pandas as pd
import pytest
from hang_guard import hang_guard

from sim.experiments.backends import (
    DaskBackend,
    ProcessBackend,
    RunError,
    SchedulerUnreachableError,
    SerialBackend,
    make_backend,
)
from sim.experiments.runner import Evaluator, RunTask
from sim.experiments.sweep import sweep
from sim.scenario import load_scenario


def our_workers() -> list[multiprocessing.Process]:
    return [p for p in multiprocessing.active_children() if p.name == "talentsim-worker"]


def toy_sweep(levels: int = 6, reps: int = 2) -> dict[str, Any]:
    return {"design": "grid", "seed": 4, "reps": reps, "parameters": {"x": {"levels": list(range(levels))}}}


def real_sweep() -> dict[str, Any]:
    return {"design": "grid", "seed": 8, "reps": 2,
            "parameters": {"school_mentors.students_per_mentor": {"levels": [10, 30]}}}


@pytest.fixture(scope="module")
def dask_local() -> Any:
    with DaskBackend("local", workers=2) as backend:
        yield backend


def test_serial_processes_and_dask_give_identical_results(dask_local: DaskBackend) -> None:
    toy = {name: sweep(toy_sweep(), model=toys.noisy, backend=backend).results
           for name, backend in [("serial", SerialBackend()), ("processes", ProcessBackend(2)),
                                 ("dask", dask_local)]}
    pd.testing.assert_frame_equal(toy["serial"], toy["processes"], check_exact=True)
    pd.testing.assert_frame_equal(toy["serial"], toy["dask"], check_exact=True)
    real = {name: sweep(real_sweep(), backend=backend, overrides=toys.TINY).results
            for name, backend in [("serial", SerialBackend()), ("processes", ProcessBackend(2)),
                                  ("dask", dask_local)]}
    assert (real["serial"]["error"] == "").all()
    assert real["serial"]["employment_rate_6m"].notna().all()
    pd.testing.assert_frame_equal(real["serial"], real["processes"], check_exact=True)
    pd.testing.assert_frame_equal(real["serial"], real["dask"], check_exact=True)


def test_dask_records_a_raising_run(dask_local: DaskBackend) -> None:
    results = sweep(toy_sweep(), model=toys.flaky, backend=dask_local).results
    failed = results[results["error"] != ""]
    assert failed["point"].tolist() == [3, 3]
    assert failed["error"].str.contains("ValueError: x = 3").all()


@pytest.mark.parametrize("backend", [SerialBackend(), ProcessBackend(2)], ids=["serial", "processes"])
def test_a_run_that_raises_is_recorded_with_its_seed_and_the_rest_go_on(backend: Any) -> None:
    results = sweep(toy_sweep(), model=toys.flaky, backend=backend).results
    failed = results[results["error"] != ""]
    assert failed["point"].tolist() == [3, 3]
    assert failed["error"].str.startswith("ValueError: x = 3 is not allowed").all()
    assert failed["seed"].gt(0).all() and failed["a"].isna().all()
    assert results.loc[results["error"] == "", "a"].notna().sum() == 10


def test_a_killed_worker_is_replaced_and_its_run_retried_once_then_failed(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    started: list[int] = []  # workers started, call by call
    start_workers = ProcessBackend._start_workers

    def counting(self: ProcessBackend, n: int) -> None:
        started.append(n)
        start_workers(self, n)

    monkeypatch.setattr(ProcessBackend, "_start_workers", counting)
    # a death the backend failed to notice would leave it waiting for ever: the hang guard ends that
    with caplog.at_level(logging.WARNING, logger="sim.experiments.backends"), hang_guard():
        results = sweep(toy_sweep(levels=4, reps=1), model=toys.killer, backend=ProcessBackend(2)).results
    # a killed worker is replaced, never restarted in a loop: 2 workers, then at most one replacement per
    # death (2 deaths: the run and its one retry), and the retry is announced once
    assert started[0] == 2 and set(started[1:]) <= {1} and len(started) <= 3, started
    assert [r.getMessage() for r in caplog.records].count("a worker process was killed by signal SIGKILL "
                                                           "(out of memory?); retrying its run once") == 1
    assert our_workers() == []
    assert results.loc[results["error"] != "", "point"].tolist() == [2]
    assert "killed by signal SIGKILL" in results.loc[2, "error"] and "both attempts" in results.loc[2, "error"]
    expected = sweep(toy_sweep(levels=4, reps=1), model=toys.noisy).results
    pd.testing.assert_frame_equal(results.drop(index=2), expected.drop(index=2).astype(results.dtypes))


def test_a_run_whose_worker_was_killed_once_succeeds_on_retry_with_the_same_seed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOY_MARKERS", str(tmp_path))
    results = sweep(toy_sweep(levels=4, reps=1), model=toys.kill_once, backend=ProcessBackend(2)).results
    assert len(list(tmp_path.glob("killed-*"))) == 1
    expected = sweep(toy_sweep(levels=4, reps=1), model=toys.noisy).results
    pd.testing.assert_frame_equal(results, expected)


def test_ctrl_c_stops_every_worker_and_propagates() -> None:
    backend = ProcessBackend(2)
    evaluator = Evaluator(toys.slow, (load_scenario(None),))
    tasks = [RunTask(p, 0, p + 1, 0, {"x": p}) for p in range(20)]
    with pytest.raises(KeyboardInterrupt), backend:
        for _task, _result in backend.map(evaluator, tasks):
            assert len(our_workers()) == 2
            raise KeyboardInterrupt
    assert our_workers() == []


def test_workers_stop_after_a_normal_exit() -> None:
    evaluator = Evaluator(toys.noisy, (None,))
    tasks = [RunTask(p, 0, p + 1, 0, {"x": p}) for p in range(5)]
    with ProcessBackend(2) as backend:
        results = list(backend.map(evaluator, tasks))
    assert our_workers() == []
    assert sorted(task.point for task, _ in results) == list(range(5))
    assert not any(isinstance(result, RunError) for _, result in results)


def test_an_unreachable_scheduler_is_a_user_error_after_the_given_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import distributed

    timeouts: list[Any] = []  # what the backend asked the Dask client to wait for
    client = distributed.Client

    def recording(*args: Any, **kwargs: Any) -> Any:
        timeouts.append(kwargs.get("timeout"))
        return client(*args, **kwargs)

    monkeypatch.setattr(distributed, "Client", recording)
    with pytest.raises(SchedulerUnreachableError,
                       match=r"no Dask scheduler answered at 'tcp://127\.0\.0\.1:9' within 2 s"), \
            DaskBackend("tcp://127.0.0.1:9", timeout_s=2):
        pass
    assert timeouts == ["2s"], "the connection attempt is bounded by timeout_s"


def test_make_backend_follows_the_options() -> None:
    assert isinstance(make_backend(1), SerialBackend)
    assert isinstance(make_backend(3), ProcessBackend) and make_backend(3).workers == 3
    assert isinstance(make_backend(None, "local"), DaskBackend)
    with pytest.raises(Exception, match="--workers"):
        make_backend(0)
