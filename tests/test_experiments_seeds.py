"""Seeds: keyed to (point, replication), stable, and shared across scenarios (common random numbers)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import experiment_toys as toys
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.experiments.compare import compare
from sim.experiments.replicate import replicate, replication_tasks
from sim.experiments.seeds import derived_seed, replication_seeds, run_seed
from sim.scenario import load_scenario


def test_run_seed_is_fixed_across_processes_and_versions() -> None:
    # Frozen values: a change here would silently change the runs of every stored experiment.
    assert run_seed(20240601, 0, 0) == 6744182932585644088
    assert run_seed(20240601, 3, 7) == 1474186983335909121
    here = [run_seed(20240601, p, r) for p in range(3) for r in range(3)]
    code = ("from sim.experiments.seeds import run_seed; "
            "print([run_seed(20240601, p, r) for p in range(3) for r in range(3)])")
    root = Path(__file__).resolve().parents[1]
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "123", "PYTHONPATH": str(root)}, cwd=root)
    assert other.stdout.strip() == str(here)


@given(master=st.integers(0, 2**32), point=st.integers(0, 10_000), rep=st.integers(0, 1_000))
def test_run_seed_range_and_key_dependence(master: int, point: int, rep: int) -> None:
    seed = run_seed(master, point, rep)
    assert 0 <= seed < 2**63
    assert seed != run_seed(master, point, rep + 1)
    assert seed != run_seed(master, point + 1, rep)
    assert seed != run_seed(master + 1, point, rep)


def test_extending_replications_keeps_earlier_seeds() -> None:
    assert replication_seeds(7, 10)[:4] == replication_seeds(7, 4)
    assert len(set(replication_seeds(7, 1000))) == 1000


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        run_seed(-1, 0, 0)


def test_side_seeds_are_positive_and_distinct_from_run_seeds() -> None:
    assert derived_seed(0, 1) > 0
    assert derived_seed(5, 1) != derived_seed(5, 2)


def test_replication_tasks_share_seeds_under_common_random_numbers() -> None:
    first = replication_tasks(5, 3, scenario_index=0, point=0, seed_point=0)
    second = replication_tasks(5, 3, scenario_index=1, point=1, seed_point=0)
    assert [t.seed for t in first] == [t.seed for t in second]
    independent = replication_tasks(5, 3, scenario_index=1, point=1, seed_point=1)
    assert not {t.seed for t in first} & {t.seed for t in independent}


def test_replicate_and_compare_use_the_same_seeds() -> None:
    scenario = load_scenario(None)
    runs = replicate(scenario, 4, 99, model=toys.noisy)
    assert list(runs.columns) == ["rep", "seed", "a", "b", "error"]
    assert runs["seed"].tolist() == replication_seeds(99, 4)
    result = compare([scenario, scenario], 4, 99, model=toys.noisy)
    for _, group in result.per_run.groupby("scenario"):
        assert group["seed"].tolist() == replication_seeds(99, 4)
        assert group["a"].tolist() == runs["a"].tolist()
