"""``talentsim sweep`` and ``compare`` as a user runs them: kill and resume, Ctrl-C, exit codes, messages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import experiment_toys as toys
import pandas as pd
import pytest
import yaml
from hang_guard import HANG_GUARD_S  # limit on waiting for a process or its runs: a hang guard, not a speed limit

from sim.experiments.manifest import new_output_dir
from sim.experiments.sweep import sweep

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
TINY_SET = [arg for key, value in toys.TINY.items() for arg in ("--set", f"{key}={value}")]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "PYTEST"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(TESTS)])
    env.update(extra)
    return env


def talentsim(*args: str, cwd: Path, timeout: float = HANG_GUARD_S, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=environment(**env),
                          capture_output=True, text=True, timeout=timeout)


def start(*args: str, cwd: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, env=environment(**env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def write_sweep(path: Path, **changes: Any) -> Path:
    spec: dict[str, Any] = {"base": str(ROOT / "scenarios" / "baseline.yaml"), "design": "grid", "reps": 2,
                            "seed": 11, "parameters": {"school_mentors.students_per_mentor": {"levels": [10, 30]},
                                                       "enterprise_mentors.apprentices_per_mentor": {"levels": [2, 4]}}}
    spec.update(changes)
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def stored_runs(folder: Path) -> list[Path]:
    return sorted((folder / "runs").glob("p*.json"))


def wait_for_runs(folder: Path, count: int, process: subprocess.Popen[str]) -> None:
    """Wait until ``count`` runs are stored (a hang guard stops the wait if they never are)."""
    deadline = time.monotonic() + HANG_GUARD_S
    while len(stored_runs(folder)) < count:
        assert process.poll() is None, process.communicate()
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"hang: {count} runs were not stored in {HANG_GUARD_S} s")
        time.sleep(0.05)


def finish(process: subprocess.Popen[str]) -> str:
    """The stderr of a process that was told to stop (a hang guard kills its group if it does not)."""
    try:
        return process.communicate(timeout=HANG_GUARD_S)[1]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"hang: the process did not stop within {HANG_GUARD_S} s")


def group_is_gone(pgid: int, timeout: float = HANG_GUARD_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    sweep_file = write_sweep(tmp_path / "grid.yaml")
    out = tmp_path / "out"
    gate = tmp_path / "gate"  # 2 runs pass, the other 6 wait for this file: the kill finds them unfinished
    args = ("sweep", str(sweep_file), "--out", str(out), "--workers", "2", "--model",
            "experiment_toys:gated_talent_model", *TINY_SET)
    process = start(*args, cwd=tmp_path, TOY_GATE=str(gate), TOY_GATE_FREE="2")
    wait_for_runs(out, 2, process)
    os.killpg(process.pid, signal.SIGKILL)
    finish(process)
    assert group_is_gone(process.pid)
    stored = {p.name: p.stat().st_mtime_ns for p in stored_runs(out)
              if json.loads(p.read_text())["error"] is None}  # whole files only, all readable
    assert len(stored) == 2
    assert not (out / "results.parquet").exists()

    gate.touch()
    resumed = talentsim(*args, "--quiet", cwd=tmp_path, TOY_GATE=str(gate))
    assert resumed.returncode == 0, resumed.stderr
    assert f"({len(stored)} already stored)" in resumed.stderr, (sorted(stored), resumed.stderr)
    after = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("p*.json")}
    assert len(after) == 8 and all(after[name] == stamp for name, stamp in stored.items())
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 8 and not results.duplicated(["point", "rep"]).any()
    uninterrupted = sweep(sweep_file, model=toys.gated_talent_model, overrides=toys.TINY).results  # no gate
    pd.testing.assert_frame_equal(results, uninterrupted, check_exact=True)
    assert results["error"].eq("").all() and results["employment_rate_6m"].notna().all()


def test_ctrl_c_stops_workers_exits_130_and_a_rerun_resumes(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    sweep_file = write_sweep(tmp_path / "toy.yaml", base=None, parameters={"x": {"levels": list(range(12))}})
    out = tmp_path / "out"
    gate = tmp_path / "gate"  # 2 runs pass, the other 22 wait for this file: Ctrl-C finds them unfinished
    args = ("sweep", str(sweep_file), "--out", str(out), "--workers", "2", "--model", "experiment_toys:gated")
    process = start(*args, cwd=tmp_path, TOY_GATE=str(gate), TOY_GATE_FREE="2")
    wait_for_runs(out, 2, process)
    os.killpg(process.pid, signal.SIGINT)
    stderr = finish(process)
    assert process.returncode == 130, stderr
    assert f"rerun with --out {out}" in stderr and "Traceback" not in stderr
    assert "interrupted with 22 runs to go" in stderr
    assert group_is_gone(process.pid)
    stored = {p.name: p.stat().st_mtime_ns for p in stored_runs(out)}
    assert len(stored) == 2
    gate.touch()
    monkeypatch.setenv("TOY_GATE", str(gate))
    resumed = sweep(sweep_file, model=toys.gated, out=out)  # the same experiment, resumed from Python
    assert len(resumed.results) == 24 and resumed.n_failed == 0
    assert all(path.stat().st_mtime_ns == stored[path.name] for path in stored_runs(out) if path.name in stored)


def test_failed_runs_are_counted_and_exit_1(tmp_path: Path) -> None:
    sweep_file = write_sweep(tmp_path / "toy.yaml", base=None, reps=1, parameters={"x": {"levels": [1, 2, 3, 4]}})
    result = talentsim("sweep", str(sweep_file), "--out", str(tmp_path / "out"), "--workers", "2",
                       "--model", "experiment_toys:flaky", cwd=tmp_path)
    assert result.returncode == 1
    assert "1 of 4 runs failed" in result.stderr and "4 runs done, 1 failed" in result.stderr
    results = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert results.loc[results["x"] == 3, "error"].str.contains("ValueError").all()
    run_file = json.loads((tmp_path / "out" / "runs" / "p0000002-r00000.json").read_text())
    assert run_file["seed"] > 0 and "Traceback" in run_file["traceback"]


@pytest.mark.parametrize(("changes", "key"), [
    ({"parameters": {"school_mentors.students_per_mentr": {"levels": [10]}}},
     "parameters[school_mentors.students_per_mentr]"),
    ({"design": "sobol", "samples": 10,
      "parameters": {"school_mentors.students_per_mentor": {"bounds": [10, 40]},
                     "funding.school_special_fund_yuan_per_year": {"bounds": [1, 2]}}}, "samples"),
])
def test_a_bad_sweep_file_exits_2_naming_file_and_key(tmp_path: Path, changes: dict[str, Any], key: str) -> None:
    sweep_file = write_sweep(tmp_path / "bad.yaml", **changes)
    result = talentsim("sweep", str(sweep_file), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"talentsim: error: {sweep_file}: ") and key in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "outputs").exists()


def test_an_unreachable_scheduler_exits_2_after_its_connection_timeout(tmp_path: Path) -> None:
    sweep_file = write_sweep(tmp_path / "grid.yaml")
    result = talentsim("sweep", str(sweep_file), "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 2
    # the attempt is bounded by the backend's connection timeout (DaskBackend's default), which the message names
    assert "no Dask scheduler answered at 'tcp://127.0.0.1:9' within 5 s" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "outputs").exists()


def test_a_changed_sweep_file_is_refused_against_an_existing_folder(tmp_path: Path) -> None:
    sweep_file = write_sweep(tmp_path / "toy.yaml", base=None, reps=1, parameters={"x": {"levels": [1, 2]}})
    sweep(sweep_file, model=toys.noisy, out=tmp_path / "out")
    args = ("sweep", str(sweep_file), "--out", str(tmp_path / "out"), "--workers", "1", "--model",
            "experiment_toys:noisy")
    before = (tmp_path / "out" / "results.parquet").read_bytes()
    write_sweep(sweep_file, base=None, reps=1, parameters={"x": {"levels": [1, 3]}})
    result = talentsim(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "changed since it was started: parameters" in result.stderr and "new --out" in result.stderr
    assert (tmp_path / "out" / "results.parquet").read_bytes() == before


def test_compare_prints_the_table_and_writes_a_new_folder(tmp_path: Path) -> None:
    files = [str(ROOT / "scenarios" / "baseline.yaml"), str(ROOT / "scenarios" / "mentor_ratio_low.yaml")]
    (tmp_path / "outputs").mkdir()
    earlier = new_output_dir("compare", tmp_path / "outputs")
    result = talentsim("compare", *files, "--reps", "3", "--seed", "4", "--workers", "1", "--quiet",
                       "--model", "experiment_toys:ratio_toy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "mentor_ratio_low - baseline" in result.stdout and "+3.333 [3.333, 3.333]" in result.stdout
    assert "6 runs done, 0 failed" in result.stderr
    folders = sorted((tmp_path / "outputs").iterdir())
    assert len(folders) == 2 and earlier in folders and list(earlier.iterdir()) == []
    written = {p.name for p in folders[-1].iterdir()} if folders[-1] != earlier else set()
    assert {"comparison.csv", "differences.csv", "runs.parquet", "manifest.json"} <= written
