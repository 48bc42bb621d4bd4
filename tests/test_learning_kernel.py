"""The compiled learning loops (``sim.mechanisms.learning_kernel``, numba) give the NumPy path's numbers bit for bit.

numba is optional: ``learning.learn`` uses the compiled loops when numba is installed and
``TALENTSIM_NUMBA`` is not ``0``, its NumPy operations otherwise. Both must give the same
run exactly (docs/performance.md, issue 17: a compiled kernel is allowed only where it is
bit-identical), on every shipped scenario alone, in a batch whose runs differ in learning
parameters (each run's row of the kernel's table), and at the edges the comparisons
stand for (scores capped at 100, motivation clipped at 0 and 1, a week's luck cut at 0).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from same_run import assert_same_run

from sim.mechanisms import learning_kernel
from sim.model import RunResult, run_batch, run_one
from sim.scenario import resolve_scenario, with_overrides

pytest.importorskip("numba")

SHIPPED = sorted(p for p in Path("scenarios").glob("*.yaml"))


def _numpy_path(monkeypatch: pytest.MonkeyPatch, run: object) -> list[RunResult]:
    with monkeypatch.context() as m:
        m.setenv("TALENTSIM_NUMBA", "0")
        assert learning_kernel.compiled() is None
        return run()  # type: ignore[operator,no-any-return]


def test_numba_is_used_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    assert learning_kernel.compiled() is not None


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_run_is_the_same_compiled_or_with_numpy(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    scenario = resolve_scenario(path, {"intake.cohort_size": 60})
    expected = _numpy_path(monkeypatch, lambda: [run_one(scenario, 4, events=True)])
    assert_same_run(expected[0], run_one(scenario, 4, events=True))


def test_a_batch_of_runs_with_different_learning_parameters_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 50})
    points = [
        base,
        # luck often below 0 (cut at 0), fast motivation (clipped at 0 and 1), scores reaching 100
        with_overrides(base, {"learning.noise_sd": 2.5, "learning.motivation_adjustment_per_week": 1.0,
                              "learning.motivation_progress_effect": 1.0, "learning.motivation_misfit_effect": 1.0,
                              "learning.theory_points_per_week": 60.0,
                              "learning.practical_skill_points_per_week": 80.0,
                              "learning.professionalism_points_per_week": 70.0}, "edges"),
        with_overrides(base, {"learning.ability_effect_per_sd": 0.6, "learning.motivation_effect": 1.0,
                              "learning.classroom_share": 0.1, "learning.unmentored_practice_share": 0.0},
                       "other"),
        resolve_scenario("scenarios/traditional.yaml", {"intake.cohort_size": 40,
                                                        "simulation.horizon_years": base.simulation.horizon_years}),
        resolve_scenario("scenarios/alternating.yaml", {"intake.cohort_size": 30,
                                                        "simulation.horizon_years": base.simulation.horizon_years}),
    ]
    seeds = list(range(21, 21 + len(points)))
    expected = _numpy_path(monkeypatch, lambda: run_batch(points, seeds, events=True))
    for a, b in zip(expected, run_batch(points, seeds, events=True), strict=True):
        assert_same_run(a, b)
    edges = expected[1].students
    assert (edges["theory"] == 100.0).any() and (edges["practical_skill"] == 100.0).any()
    assert ((edges["motivation"] == 0.0) | (edges["motivation"] == 1.0)).any()
