"""The run store: atomic writes, resume without duplicates, growth, and refusal of other experiments."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import experiment_toys as toys
import pandas as pd
import pytest

from sim.errors import OutputError
from sim.experiments.store import (
    RunRecord,
    RunStore,
    StoreError,
    write_json_atomic,
    write_table_atomic,
)
from sim.experiments.sweep import sweep


def toy_sweep(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"design": "grid", "seed": 4, "reps": 2, "parameters": {"x": {"levels": [0, 1, 2]}}}
    spec.update(changes)
    return spec


def ishigami_like(design: str, samples: int) -> dict[str, Any]:
    return {"design": design, "samples": samples, "seed": 1, "reps": 1,
            "parameters": {"x": {"bounds": [0, 1]}, "y": {"bounds": [0, 1]}}}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (folder / "runs").glob("*.json")}


def test_atomic_writes_replace_the_file_and_leave_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_json_atomic(target, {"v": 1})
    write_json_atomic(target, {"v": 2})
    assert json.loads(target.read_text()) == {"v": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_a_failed_atomic_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "results.parquet"
    write_table_atomic(target, pd.DataFrame({"a": [1.0]}))
    monkeypatch.setattr(pd.DataFrame, "to_parquet", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OutputError, match=f"Cannot write {target}: disk full"):  # the OS error, named and wrapped
        write_table_atomic(target, pd.DataFrame({"a": [2.0]}))
    monkeypatch.undo()
    assert pd.read_parquet(target)["a"].tolist() == [1.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.parquet"]


def test_records_round_trip_exactly() -> None:
    record = RunRecord(3, 1, 2**62 + 5, {"x": 0.1 + 0.2, "n": 4, "s": "2+1"}, {"a": math.pi, "b": math.nan})
    back = RunRecord.from_json(json.loads(json.dumps(record.to_json())))
    assert back.params == record.params and back.seed == record.seed
    assert back.outcomes["a"] == math.pi and math.isnan(back.outcomes["b"])


def test_a_resumed_sweep_reruns_only_missing_runs_and_never_duplicates(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = sweep(toy_sweep(), model=toys.noisy, out=out).results
    before = mtimes(out)
    assert len(before) == 6
    (out / "runs" / "p0000001-r00000.json").unlink()
    (out / "runs" / ".tmp-leftover.json").write_text("{half")
    again = sweep(toy_sweep(), model=toys.noisy, out=out).results
    after = mtimes(out)
    assert sorted(after) == sorted(before)
    assert {k for k in after if after[k] != before.get(k)} == {"p0000001-r00000.json"}
    assert not list((out / "runs").glob(".tmp-*"))
    pd.testing.assert_frame_equal(first, again)
    stored = pd.read_parquet(out / "results.parquet")
    assert len(stored) == 6 and not stored.duplicated(["point", "rep"]).any()


def test_more_replications_extend_the_same_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    small = sweep(toy_sweep(reps=2), model=toys.noisy, out=out).results
    before = mtimes(out)
    large = sweep(toy_sweep(reps=4), model=toys.noisy, out=out).results
    assert all(mtimes(out)[name] == stamp for name, stamp in before.items())
    assert len(large) == 12
    pd.testing.assert_frame_equal(large[large["rep"] < 2].reset_index(drop=True), small)
    assert json.loads((out / "experiment.json").read_text())["sizes"] == {"points": 3, "reps": 4}


def test_a_sobol_sweep_grows_in_the_same_folder_but_lhs_does_not(tmp_path: Path) -> None:
    out = tmp_path / "sobol"
    small = sweep(ishigami_like("sobol", 4), model=toys.noisy, out=out)
    large = sweep(ishigami_like("sobol", 8), model=toys.noisy, out=out)
    assert len(large.results) == 2 * len(small.results)
    pd.testing.assert_frame_equal(large.results.iloc[: len(small.results)], small.results)
    sweep(ishigami_like("lhs", 4), model=toys.noisy, out=tmp_path / "lhs")
    with pytest.raises(StoreError, match="samples"):
        sweep(ishigami_like("lhs", 5), model=toys.noisy, out=tmp_path / "lhs")


def test_a_changed_definition_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sweep(toy_sweep(), model=toys.noisy, out=out)
    before = mtimes(out)
    with pytest.raises(StoreError, match=r"changed since it was started: parameters.*Choose a new --out"):
        sweep(toy_sweep(parameters={"x": {"levels": [0, 1, 5]}}), model=toys.noisy, out=out)
    with pytest.raises(StoreError, match="seed"):
        sweep(toy_sweep(seed=5), model=toys.noisy, out=out)
    with pytest.raises(StoreError, match="model"):
        sweep(toy_sweep(), model=toys.flaky, out=out)
    assert mtimes(out) == before


def test_a_folder_that_is_not_an_experiment_or_of_another_kind_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a talentsim experiment"):
        RunStore(tmp_path, "sweep", {}, {}).__enter__()
    out = tmp_path / "exp"
    with RunStore(out, "compare", {"a": 1}, {}):
        pass
    with pytest.raises(StoreError, match="holds a compare experiment"):
        RunStore(out, "sweep", {"a": 1}, {}).__enter__()
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_folder_in_use_is_refused(tmp_path: Path) -> None:
    with RunStore(tmp_path / "exp", "sweep", {"a": 1}, {}), pytest.raises(StoreError, match="in use"), \
            RunStore(tmp_path / "exp", "sweep", {"a": 1}, {}):
        pass
    with RunStore(tmp_path / "exp", "sweep", {"a": 1}, {}):  # free again
        pass

